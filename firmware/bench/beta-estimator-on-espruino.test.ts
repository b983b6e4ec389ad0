// The FFT beta estimator on the real interpreter, with Espruino's own E.FFT: the scaling it assumes
// (forward transform divided by n, measured on 2v29) holds, so a 3 uV beta sine reads (3 uV)^2 / 2.
import { describe, expect, it } from 'vitest';
import { benchOnEspruino } from '../../hil/espruino/bench-on-espruino.ts';
import { espruinoBin } from '../../hil/espruino/espruino-interpreter.ts';

describe.skipIf(!espruinoBin())('beta estimators on the real Espruino interpreter (set ESPRUINO_BIN to a Linux build to run)', () => {
  it('reads a 3 uV beta sine as 4.5 uV^2 through the native FFT, over a slow drift', async () => {
    const r = (await benchOnEspruino(new URL('./espruino-beta-bench.ts', import.meta.url), 'BETA-BENCH ')) as { fft: { powerUv2: number }; biquad: { powerUv2: number } };
    expect(r.fft.powerUv2).toBeGreaterThan(4.5 * 0.9);
    expect(r.fft.powerUv2).toBeLessThan(4.5 * 1.1);
    expect(r.biquad.powerUv2).toBeGreaterThan(0);
  }, 60_000);
});
