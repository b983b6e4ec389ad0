// The neurostimulator's device file is checked as physics before anything is built, and so is each board's
// merge of it: each error names the file, the field, the value and the limit it breaks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { boardsDir, devicesDir, loadDevices, parseBoard, parseDevice } from './boards.ts';

const stimText = readFileSync(devicesDir + 'neurostimulator.device.json', 'utf8');
const picoText = readFileSync(boardsDir + 'pico.board.json', 'utf8');

function withStim(edit: (n: Record<string, any>) => void): string {
  const d = JSON.parse(stimText);
  edit(d);
  return JSON.stringify(d);
}

describe('neurostimulator device file', () => {
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
    expect(() => parseDevice('neurostimulator.device.json', withStim(edit))).toThrow(/firmware\/devices\/neurostimulator\.device\.json is not a valid device file/);
    expect(() => parseDevice('neurostimulator.device.json', withStim(edit))).toThrow(message);
  });

  it('refuses a source for a value the file does not have', () => {
    const text = withStim((d) => (d.sources['limits.rampUpMaPerSecond'] = 'a typo'));
    expect(() => parseDevice('neurostimulator.device.json', text)).toThrow(/sources\.limits\.rampUpMaPerSecond: names no value in this device file/);
  });

  it('checks a board\'s merge as physics too: an override that breaks a cross-check names the board, the field and the device file', () => {
    const b = JSON.parse(picoText);
    b.nodes.neurostimulator.limits = { windowMaxMa: 4.5 };
    b.sources['nodes.neurostimulator.limits.windowMaxMa'] = 'this bench\'s wider window';
    expect(() => parseBoard('pico.board.json', JSON.stringify(b), loadDevices())).toThrow(
      /firmware\/boards\/pico\.board\.json is not a valid board file:\n {2}nodes\.neurostimulator\.limits\.windowMaxMa: windowMaxMa 4\.5 mA is above hardMaxMa 4 mA \(with this board's overrides of firmware\/devices\/neurostimulator\.device\.json\)/,
    );
  });
});
