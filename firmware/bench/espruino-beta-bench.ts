// Runs on the real Espruino interpreter: the neurostimulator's FFT beta estimator (with the native E.FFT)
// against the band-pass biquad alternative, on the same synthetic potential (a 3 uV sine on an FFT bin in
// the beta band, 19.53 Hz, over a slow 20 uV drift): time per sample and the power each reports. Prints
// one JSON line after BETA-BENCH.
import type { Fft } from '../src/hal/hal.ts';
import { FftBetaEstimator } from '../src/nodes/neurostimulator/fft-beta-estimator.ts';
import { BiquadBetaEstimator } from './biquad-beta-estimator.ts';

declare const print: (line: string) => void;
declare function getTime(): number;
declare const E: { FFT(re: Float32Array, im: Float32Array): void };

/** As the node's binding (firmware/src/hal/espruino-hal.ts) gives it. */
const espruinoFft: Fft = (re, im) => E.FFT(re, im);

const RATE_HZ = 500;
const N = 128;
const HOP = 25;
const UV_PER_COUNT = 200 / 65535;
const blocks: Uint16Array[] = [];
for (let b = 0; b < 40; b++) {
  const block = new Uint16Array(HOP);
  for (let i = 0; i < HOP; i++) {
    const t = (b * HOP + i) / RATE_HZ;
    block[i] = Math.round(32768 + (3 * Math.sin(2 * Math.PI * 19.53125 * t) + 20 * Math.sin(2 * Math.PI * 1.5 * t)) / UV_PER_COUNT);
  }
  blocks.push(block);
}
const fft = new FftBetaEstimator(espruinoFft, N, RATE_HZ, 13, 30, UV_PER_COUNT);
let fftPower = -1;
let t0 = getTime();
for (let b = 0; b < blocks.length; b++) fftPower = fft.push_(blocks[b]);
const fftUs = ((getTime() - t0) * 1e6) / (blocks.length * HOP);
const biquad = new BiquadBetaEstimator(RATE_HZ, 13, 30, 300, UV_PER_COUNT);
let biquadPower = -1;
t0 = getTime();
for (let b = 0; b < blocks.length; b++) biquadPower = biquad.push_(blocks[b]);
const biquadUs = ((getTime() - t0) * 1e6) / (blocks.length * HOP);
print('BETA-BENCH ' + JSON.stringify({
  samples: blocks.length * HOP, expectedUv2: 4.5,
  fft: { usPerSample: Math.round(fftUs * 10) / 10, powerUv2: Math.round(fftPower * 1000) / 1000 },
  biquad: { usPerSample: Math.round(biquadUs * 10) / 10, powerUv2: Math.round(biquadPower * 1000) / 1000 },
}));
