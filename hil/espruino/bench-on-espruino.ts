// Runs a bench entry on the real interpreter and reads back the one JSON line it prints after `marker`.
import { fileURLToPath } from 'node:url';
import { bundleForEspruino } from '../../firmware/build/espruino-bundle.ts';
import { espruinoBin, runOnEspruino } from './espruino-interpreter.ts';

export async function benchOnEspruino(entry: URL, marker: string): Promise<Record<string, unknown>> {
  const bin = espruinoBin();
  if (!bin) return { skipped: 'set ESPRUINO_BIN to a Linux build of Espruino to measure on the interpreter' };
  const { code } = await bundleForEspruino(fileURLToPath(entry));
  const run = await runOnEspruino(code, { bin, until: marker, timeoutMs: 60_000 });
  await new Promise((r) => setTimeout(r, 100)); // the rest of the line
  const line = run.stdout.split('\n').find((l) => l.startsWith(marker));
  if (!line) return { error: `no result from the interpreter: ${run.stdout.slice(-300)}` };
  return { interpreter: bin.split('/').pop(), note: 'Linux build on this machine, not a board', ...JSON.parse(line.slice(marker.length)) };
}
