// `npm run build:firmware`: every node for every board that configures it, built into
// dist/firmware/<node>.<board>.js with a report of size and memory (dist/firmware/report.json).
// Fails when a source or a bundle leaves Espruino's subset, or a bundle does not leave 30% of its board's
// variables free once loaded.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildNode, FIRMWARE_NODES } from '../../firmware/build/firmware-build.ts';
import { loadBoards } from '../../firmware/build/boards.ts';
import { measureFit } from './measure-fit.ts';

const outDir = fileURLToPath(new URL('../../dist/firmware/', import.meta.url));
mkdirSync(outDir, { recursive: true });
const rows: Record<string, unknown>[] = [];
let failed = false;
for (const board of loadBoards()) {
  for (const node of FIRMWARE_NODES) {
    if (!board.nodes[node.name]) continue;
    const name = `${node.name}.${board.id}`;
    try {
      const built = await buildNode(node.name, board);
      writeFileSync(outDir + name + '.js', built.program.code);
      const fit = await measureFit(built.program.code, board);
      rows.push({ bundle: name, bytes: built.bytes, longestStatement: built.program.longestStatement, ...fit });
      if (!fit.fits) failed = true;
    } catch (e) {
      failed = true;
      rows.push({ bundle: name, error: (e as Error).message });
    }
  }
}
writeFileSync(outDir + 'report.json', JSON.stringify(rows, null, 2) + '\n');
for (const r of rows) {
  if (r.error) console.log(`${String(r.bundle).padEnd(30)} FAILED\n${r.error}`);
  else {
    console.log(
      `${String(r.bundle).padEnd(30)} ${String(r.bytes).padStart(6)} bytes  ${String(r.usedVariables ?? '?').padStart(5)} / ${r.budget} variables used, ` +
        `${r.freePercent}% free (${r.method})${r.fits ? '' : '  <-- under 30% free'}${r.problem ? `\n    ${r.problem}` : ''}`,
    );
  }
}
console.log(`report: dist/firmware/report.json`);
if (failed) process.exitCode = 1;
