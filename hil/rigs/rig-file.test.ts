// Rig files: the shipped example reads, and every kind of mistake is reported with the file, the line and
// column, and the field.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRig, parseRig } from './rig-file.ts';

const example = fileURLToPath(new URL('./benches/pico-bench.rig.yaml', import.meta.url));
const text = readFileSync(example, 'utf8');

/** The example with one line replaced (the line must be there). */
const edited = (from: string, to: string) => {
  expect(text).toContain(from);
  return text.replace(from, to);
};
const lineOf = (t: string, needle: string) => t.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('rig files', () => {
  it('the shipped bench reads, with defaults filled in', () => {
    const rig = loadRig(example);
    expect(rig.name).toBe('pico-bench');
    expect(rig.nodes['infusion-pump']).toEqual({ board: 'pico', port: 'pump-usb', power: 'pump-hub-port', flash: true, inputs: {} });
    expect(rig.resources['sensor-usb']).toEqual({ kind: 'serial-port', usbSerial: '3276375A3339', baud: 115200 });
    expect(rig.resources['pump-hub-port']).toMatchObject({ kind: 'power-port', hub: '1-1', port: 2, offMs: 2000 });
  });

  it('a node on a port that is not a serial-port resource: file, line, field and the ones there are', () => {
    const t = edited('    port: pump-usb\n    power', '    port: pmp-usb\n    power');
    expect(() => parseRig(t, 'bench.rig.yaml')).toThrow(
      `bench.rig.yaml:${lineOf(t, 'port: pmp-usb')}:11: nodes.infusion-pump.port: no serial-port resource 'pmp-usb'; the serial-port resources are: sensor-usb, pump-usb`,
    );
    const t2 = edited('    power: pump-hub-port', '    power: sensor-usb');
    expect(() => parseRig(t2, 'b.rig.yaml')).toThrow(`b.rig.yaml:${lineOf(t2, 'power: sensor-usb')}:12: nodes.infusion-pump.power: no power-port resource 'sensor-usb' ('sensor-usb' is a serial-port)`);
  });

  it('a wrong value, a missing field, an unknown field, an unknown board, a repeated serial number', () => {
    const bad = (t: string) => {
      try {
        parseRig(t, 'b.rig.yaml');
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    const hub = edited('    port: 2\n', '    port: 99\n');
    expect(bad(hub)).toBe(`b.rig.yaml:${lineOf(hub, 'port: 99')}:11: resources.pump-hub-port.port: Too big: expected number to be <=32`);
    const noSerial = edited('    usbSerial: "3276375B3339"\n', '');
    expect(bad(noSerial)).toMatch(new RegExp(`^b.rig.yaml:${lineOf(noSerial, 'pump-usb:')}:3: resources.pump-usb.usbSerial: `));
    const extra = edited('    offMs: 2000', '    ofMs: 2000');
    expect(bad(extra)).toBe(`b.rig.yaml:${lineOf(extra, 'ofMs')}:5: resources.pump-hub-port: Unrecognized key: "ofMs"`);
    const board = edited('    board: pico\n    port: pump-usb', '    board: pic0\n    port: pump-usb');
    expect(bad(board)).toMatch(new RegExp(`^b.rig.yaml:${lineOf(board, 'board: pic0')}:12: nodes.infusion-pump.board: no board 'pic0' in firmware/boards \\(there are: .*pico`));
    const twice = edited('"3276375B3339"', '"3276375A3339"');
    expect(bad(twice)).toBe(`b.rig.yaml:${lineOf(twice, 'usbSerial: "3276375A3339"') + 3}:16: resources.pump-usb.usbSerial: USB serial number '3276375A3339' is already 'sensor-usb': each port is one device`);
    const motor = edited('nodes:\n', 'nodes:\n  motor:\n    board: pico\n    port: pump-usb\n');
    expect(bad(motor)).toBe(`b.rig.yaml:${lineOf(motor, 'motor:')}:3: nodes: Unrecognized key: "motor" (nodes are: infusion-pump, bp-sensor, neurostimulator, patient-emulator)`);
  });

  it('the patient bench reads with its wires; a wire to a pin or node the rig lacks says which and what there is', () => {
    const file = fileURLToPath(new URL('./benches/patient-bench.rig.yaml', import.meta.url));
    const rig = loadRig(file);
    expect(rig.wires).toEqual([
      { from: 'patient-emulator.pressureOut', to: 'bp-sensor.pressure', signal: 'level' },
      { from: 'infusion-pump.step', to: 'patient-emulator.stepIn', signal: 'pulses' },
    ]);
    const t = readFileSync(file, 'utf8');
    const pin = t.replace('to: bp-sensor.pressure,', 'to: bp-sensor.presure,');
    expect(() => parseRig(pin, 'p.rig.yaml')).toThrow(
      `p.rig.yaml:${lineOf(pin, 'bp-sensor.presure')}:47: wires.0.to: bp-sensor on pico has no pin 'presure' (its pins are: pressure)`,
    );
    const node = t.replace('from: infusion-pump.step', 'from: neurostimulator.amplitude');
    expect(() => parseRig(node, 'p.rig.yaml')).toThrow(/^p.rig.yaml:\d+:\d+: wires.1.from: no node 'neurostimulator' on this rig \(its nodes are: patient-emulator, bp-sensor, infusion-pump\)/);
    expect(() => parseRig(t.replace('signal: pulses', 'signal: steps'), 'p.rig.yaml')).toThrow(/wires.1.signal: Invalid option: expected one of "level"\|"pulses"/);
    const twice = t.replace('  - { from: infusion-pump.step, to: patient-emulator.stepIn, signal: pulses }', '  - { from: infusion-pump.step, to: bp-sensor.pressure, signal: level }');
    expect(() => parseRig(twice, 'p.rig.yaml')).toThrow(/wires.1.to: bp-sensor.pressure is already driven by the wire from patient-emulator.pressureOut: an input takes one signal/);
  });

  it('broken YAML says where', () => {
    expect(() => parseRig('name: x\nresources: {a: [}\n', 'y.rig.yaml')).toThrow(/^y.rig.yaml:2:\d+: not valid YAML: /);
    expect(() => loadRig('/nonexistent/z.rig.yaml')).toThrow(/z.rig.yaml: cannot read the rig file/);
  });
});
