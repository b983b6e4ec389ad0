// The golden vectors through the firmware-side codec on the real Espruino interpreter (ESPRUINO_BIN).
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { bundleForEspruino } from '../../../firmware/build/espruino-bundle.ts';
import { espruinoBin, runOnEspruino } from '../../../hil/espruino/espruino-interpreter.ts';
import { loadGolden } from '../../golden/golden-file.ts';

const bin = espruinoBin();
const golden = loadGolden();

describe.skipIf(!bin)('golden vectors on the real Espruino interpreter (set ESPRUINO_BIN to a Linux build to run)', () => {
  it('decodes every golden frame, re-encodes it byte for byte, drops every bad one, and replays the node of the authenticated session', async () => {
    const { code } = await bundleForEspruino(fileURLToPath(new URL('./golden-check.ts', import.meta.url)));
    const run = await runOnEspruino(code, { bin: bin!, until: 'GOLDEN DONE', timeoutMs: 20_000 });
    expect(run.uncaught, run.stdout).toBe(false);
    expect(run.finished, run.stdout).toBe(true);
    for (const v of golden.frames) {
      const line = run.stdout.split('\n').find((l) => l.startsWith(`GOLDEN ${v.name}: `));
      expect(line, `no output for ${v.name}:\n${run.stdout}`).toBeDefined();
      const m = /seq=(\d+) check=(-?\d+) values=(.*) reencoded=(\S+)/.exec(line!);
      expect(m, line).not.toBeNull();
      expect(Number(m![1])).toBe(v.seq);
      expect(Number(m![2])).toBe(-1);
      expect(JSON.parse(m![3])).toEqual(v.values);
      expect(m![4]).toBe('same');
    }
    expect(run.stdout).not.toContain('BAD DELIVERED');
    for (const v of golden.bad) {
      const line = run.stdout.split('\n').find((l) => l.startsWith(`BAD ${v.name}: `));
      const counters = JSON.parse(line!.slice(`BAD ${v.name}: `.length));
      expect(counters[v.counter], v.name).toBe(1);
    }
    // The firmware's session, MAC and the board's native SHA-256 send the node's golden frames exactly.
    const sent = run.stdout.split('\n').filter((l) => l.startsWith('SESSION ')).map((l) => l.trim().split(' ').slice(2).join(' '));
    expect(sent).toEqual(golden.session.frames.filter((f) => f.from === 'node').map((f) => `node ${f.atMs} ${f.hex}`));
  });
});
