// The firmware build for every board: each bundle is produced, stays within Espruino's subset and fits its
// board with 30% of the variables free (measured on the real interpreter when ESPRUINO_BIN is set,
// estimated from size otherwise; the method is part of the assertion message).
import { describe, expect, it } from 'vitest';
import { loadBoards } from './boards.ts';
import { buildNode, FIRMWARE_NODES } from './firmware-build.ts';
import { measureFit } from '../../hil/espruino/measure-fit.ts';
import { subsetProblems } from './espruino-subset.ts';
import { isEspruinoGlobal } from './espruino-program.ts';

describe('firmware build', () => {
  const boards = loadBoards();

  it('knows the boards the issue names', () => {
    expect(boards.map((b) => b.id).sort()).toEqual(['esp32', 'espruino-original', 'linux', 'pico', 'puckjs']);
  });

  for (const board of boards) {
    for (const node of FIRMWARE_NODES) {
      if (!board.nodes[node.name]) continue;
      it(`${node.name} for ${board.id}: builds within the subset and leaves 30% of ${board.variables} variables free`, async () => {
        const built = await buildNode(node.name, board);
        expect(subsetProblems('bundle.js', built.program.code, 'bundle')).toEqual([]);
        expect(built.program.names.filter(isEspruinoGlobal)).toEqual([]);
        expect(built.program.code.startsWith('E.setFlags({pretokenise:1});')).toBe(true);
        const fit = await measureFit(built.program.code, board);
        expect(fit.problem, fit.method).toBeUndefined();
        expect(fit.fits, `${fit.usedVariables} of ${fit.budget} variables used, ${fit.freePercent}% free (${fit.method})`).toBe(true);
      }, 60_000);
    }
  }
});
