// Device files and board files merged: each device's facts are stated once and reach every board that runs
// the node; a board states pins and overrides a fact only where it differs, by a field its device has and
// with its reason. Every refusal names the file, the field and the problem.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Devices } from './boards.ts';
import { boardsDir, devicesDir, loadBoards, loadDevices, parseBoard, parseDevice } from './boards.ts';

const deviceText = (node: string) => readFileSync(`${devicesDir}${node}.device.json`, 'utf8');
const boardText = (id: string) => readFileSync(`${boardsDir}${id}.board.json`, 'utf8');
const devices = loadDevices();

function editDevice(node: string, edit: (d: Record<string, any>) => void): string {
  const d = JSON.parse(deviceText(node));
  edit(d);
  return JSON.stringify(d);
}

function editBoard(id: string, edit: (b: Record<string, any>) => void): string {
  const b = JSON.parse(boardText(id));
  edit(b);
  return JSON.stringify(b);
}

describe('device files', () => {
  it('give every board that runs a node the same facts, the one override aside', () => {
    const boards = loadBoards();
    const pump = devices['infusion-pump']!;
    for (const b of boards) {
      expect(b.nodes['infusion-pump']?.limits, b.id).toEqual(pump.limits);
      expect(b.nodes['infusion-pump']?.mechanism, b.id).toEqual(pump.mechanism);
      expect(b.nodes['bp-sensor']?.calibration, b.id).toEqual(devices['bp-sensor']!.calibration);
    }
    const pwmHz = Object.fromEntries(boards.filter((b) => b.nodes.neurostimulator).map((b) => [b.id, b.nodes.neurostimulator!.amplitudeOutput.pwmHz]));
    expect(pwmHz).toEqual({ esp32: 10000, linux: 100, pico: 10000 });
    expect(devices.neurostimulator!.amplitudeOutput.pwmHz).toBe(10000);
  });

  it('carry their citations into each board that runs the node, beside the board\'s own', () => {
    const linux = loadBoards().find((b) => b.id === 'linux')!;
    expect(linux.sources?.['nodes.neurostimulator.limits.windowMaxMa']).toBe(devices.neurostimulator!.sources?.['limits.windowMaxMa']);
    expect(linux.sources?.['nodes.neurostimulator.amplitudeOutput.pwmHz']).toMatch(/Linux build emulates PWM in software/);
    expect(loadBoards().find((b) => b.id === 'puckjs')!.sources).toBeUndefined();
  });

  it('refuse a value out of range, naming the file, the field and the problem', () => {
    const text = editDevice('infusion-pump', (d) => (d.limits.maxRateMlPerH = 5000));
    expect(() => parseDevice('infusion-pump.device.json', text)).toThrow(/^firmware\/devices\/infusion-pump\.device\.json is not a valid device file:\n {2}limits\.maxRateMlPerH: Too big: expected number to be <=2000/);
  });

  it('refuse a field their device does not have, and a pin (pins are the board\'s)', () => {
    const typo = editDevice('bp-sensor', (d) => (d.calibration.mmhgPerFraction = 500));
    expect(() => parseDevice('bp-sensor.device.json', typo)).toThrow(/bp-sensor\.device\.json is not a valid device file:\n {2}calibration: Unrecognized key: "mmhgPerFraction"/);
    const pins = editDevice('bp-sensor', (d) => (d.pins = { pressure: 'A5' }));
    expect(() => parseDevice('bp-sensor.device.json', pins)).toThrow(/\(top level\): Unrecognized key: "pins"/);
  });

  it('refuse a file whose device differs from its name, a name that is no node, and text that is not JSON', () => {
    expect(() => parseDevice('bp-sensor.device.json', deviceText('infusion-pump'))).toThrow(/bp-sensor\.device\.json is not a valid device file:\n {2}device: Invalid input: expected "bp-sensor"/);
    expect(() => parseDevice('syringe-pump.device.json', deviceText('infusion-pump'))).toThrow(/firmware\/devices\/syringe-pump\.device\.json: names no node; a device file is <node>\.device\.json for one of infusion-pump, bp-sensor, neurostimulator, patient-emulator/);
    expect(() => parseDevice('bp-sensor.device.json', '{ nope')).toThrow(/firmware\/devices\/bp-sensor\.device\.json: not valid JSON/);
  });
});

describe('board files over device files', () => {
  it('report a bad board field with the file\'s name, the field and the problem', () => {
    expect(() => parseBoard('pico.board.json', editBoard('pico', (b) => (b.watchdogMs = 50)), devices)).toThrow(/pico\.board\.json is not a valid board file:\n.*watchdogMs/);
    expect(() => parseBoard('pico.board.json', '{ nope', devices)).toThrow(/not valid JSON/);
  });

  it('refuse, by name, an override of a field the device does not have', () => {
    const nested = editBoard('linux', (b) => (b.nodes.neurostimulator.amplitudeOutput = { pwmHZ: 100 }));
    expect(() => parseBoard('linux.board.json', nested, devices)).toThrow(
      /^firmware\/boards\/linux\.board\.json is not a valid board file:\n {2}nodes\.neurostimulator\.amplitudeOutput\.pwmHZ: overrides no field of firmware\/devices\/neurostimulator\.device\.json \(there: fullScaleMa, pwmHz\)$/,
    );
    const top = editBoard('pico', (b) => (b.nodes['infusion-pump'].maxRateMlPerH = 300));
    expect(() => parseBoard('pico.board.json', top, devices)).toThrow(
      /nodes\.infusion-pump\.maxRateMlPerH: overrides no field of firmware\/devices\/infusion-pump\.device\.json \(a node section holds pins and overrides of: mechanism, limits, controlTickMs, statusEveryMs\)/,
    );
  });

  it('refuse an override without its reason in sources', () => {
    const text = editBoard('linux', (b) => delete b.sources['nodes.neurostimulator.amplitudeOutput.pwmHz']);
    expect(() => parseBoard('linux.board.json', text, devices)).toThrow(
      /nodes\.neurostimulator\.amplitudeOutput\.pwmHz: overrides firmware\/devices\/neurostimulator\.device\.json \(10000 -> 100\) without a reason: add sources\["nodes\.neurostimulator\.amplitudeOutput\.pwmHz"\] saying why this board differs/,
    );
  });

  it('refuse an override that restates the device\'s own value (a copy, not a difference)', () => {
    const text = editBoard('pico', (b) => {
      b.nodes['infusion-pump'].limits = { nearEmptyMl: 2 };
      b.sources['nodes.infusion-pump.limits.nearEmptyMl'] = 'copied';
    });
    expect(() => parseBoard('pico.board.json', text, devices)).toThrow(/nodes\.infusion-pump\.limits\.nearEmptyMl: states firmware\/devices\/infusion-pump\.device\.json's own value \(2\); remove it/);
  });

  it('refuse an override out of the device field\'s range, naming the board and the field', () => {
    const text = editBoard('linux', (b) => (b.nodes.neurostimulator.amplitudeOutput.pwmHz = 50));
    expect(() => parseBoard('linux.board.json', text, devices)).toThrow(
      /linux\.board\.json is not a valid board file:\n {2}nodes\.neurostimulator\.amplitudeOutput\.pwmHz: Too small: expected number to be >=100/,
    );
  });

  it('apply an override to its own board only', () => {
    const text = editBoard('pico', (b) => {
      b.nodes['infusion-pump'].limits = { maxRateMlPerH: 300 };
      b.sources['nodes.infusion-pump.limits.maxRateMlPerH'] = 'a bench that allows less';
    });
    const pico = parseBoard('pico.board.json', text, devices);
    expect(pico.nodes['infusion-pump']!.limits.maxRateMlPerH).toBe(300);
    expect(pico.nodes['infusion-pump']!.limits.nearEmptyMl).toBe(2);
    expect(devices['infusion-pump']!.limits.maxRateMlPerH).toBe(600);
    expect(parseBoard('esp32.board.json', boardText('esp32'), devices).nodes['infusion-pump']!.limits.maxRateMlPerH).toBe(600);
  });

  it('refuse a node whose device file is missing', () => {
    const { neurostimulator: _gone, ...others } = devices;
    void _gone;
    expect(() => parseBoard('pico.board.json', boardText('pico'), others as Devices)).toThrow(
      /pico\.board\.json is not a valid board file:\n {2}nodes\.neurostimulator: no device file firmware\/devices\/neurostimulator\.device\.json/,
    );
  });
});
