// Espruino's native E.FFT in JavaScript, for running the firmware's sans-I/O cores in Node (MIL, unit
// tests): the forward transform divided by n, as the interpreter's is (measured on 2v29).
import type { Fft } from '../../../firmware/src/hal/hal.ts';
import { fftInPlace } from '../../reports/lfp-spectrum.ts';

export const espruinoFftInJs: Fft = (re, im) => {
  const r = Float64Array.from(re);
  const i = Float64Array.from(im);
  fftInPlace(r, i);
  for (let k = 0; k < r.length; k++) {
    re[k] = r[k] / r.length;
    im[k] = i[k] / r.length;
  }
};
