// The neurostimulator section of a board file is checked as physics before anything is built: each error
// names the file, the field, the value and the limit it breaks.
import { describe, expect, it } from 'vitest';
import { loadBoards, parseBoard } from './boards.ts';

const pico = loadBoards().find((b) => b.id === 'pico')!;

function withStim(edit: (n: Record<string, any>) => void, top?: (b: Record<string, any>) => void): string {
  const b = JSON.parse(JSON.stringify(pico));
  edit(b.nodes.neurostimulator);
  if (top) top(b);
  return JSON.stringify(b);
}

describe('neurostimulator board section', () => {
  it.each([
    ['a window above the hard limit', (n: any) => (n.limits.windowMaxMa = 4.5), /limits\.windowMaxMa: windowMaxMa 4\.5 mA is above hardMaxMa 4 mA/],
    ['a window upside down', (n: any) => (n.limits.windowMinMa = 3.5), /limits\.windowMinMa: windowMinMa 3\.5 mA is above windowMaxMa 3 mA/],
    ['a fallback outside the window', (n: any) => (n.limits.fallbackMa = 3.2), /limits\.fallbackMa: fallbackMa 3\.2 mA lies outside the window 0\.\.3 mA/],
    ['a hard limit the output cannot reach', (n: any) => (n.amplitudeOutput.fullScaleMa = 3.5), /limits\.hardMaxMa: hardMaxMa 4 mA is above what the output reaches/],
    ['a ramp of zero', (n: any) => (n.limits.rampDownMaPerS = 0), /limits\.rampDownMaPerS/],
    ['a window too long to smooth beta over 200-400 ms', (n: any) => (n.beta.fftSize = 256), /beta\.fftSize: fftSize 256 at 500 Hz averages over 512 ms; beta needs 200-400 ms/],
    ['a band beyond half the sampling rate', (n: any) => (n.beta.bandHighHz = 300), /beta\.bandHighHz: the band 13\.\.300 Hz must rise and stay below half the sampling rate \(250 Hz\)/],
    ['a blank shorter than the window', (n: any) => (n.beta.blankMs = 100), /beta\.blankMs: blankMs 100 is shorter than the FFT window \(256 ms\)/],
    ['reports that are not whole blocks', (n: any) => (n.beta.reportEveryMs = 33), /beta\.reportEveryMs: reportEveryMs 33 must be a whole number of samples at 500 Hz/],
    ['sampling under 250 Hz', (n: any) => (n.sampleRateHz = 200), /sampleRateHz/],
  ])('refuses %s', (_what, edit, message) => {
    expect(() => parseBoard('pico.board.json', withStim(edit))).toThrow(/firmware\/boards\/pico\.board\.json is not a valid board file/);
    expect(() => parseBoard('pico.board.json', withStim(edit))).toThrow(message);
  });

  it('refuses a source for a value the file does not have', () => {
    const text = withStim(() => undefined, (b) => (b.sources['nodes.neurostimulator.limits.rampUpMaPerSecond'] = 'a typo'));
    expect(() => parseBoard('pico.board.json', text)).toThrow(/sources\.nodes\.neurostimulator\.limits\.rampUpMaPerSecond: names no value in this board file/);
  });
});
