// The bench strategy on the fake bench (emulated boards with the real bundles, virtual time): the shipped
// rig comes up step by step, and each way a bench is miswired stops it at the step that finds it, powered off.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { settleOn } from '../../protocols/testing/virtual-time.ts';
import { boardById, builtProgram } from '../emulator/emulated-node.ts';
import { bringUp } from './bench-strategy.ts';
import type { StepReport } from './bench-strategy.ts';
import { FakeBench } from './fake-bench.ts';
import { parseRig } from './rig-file.ts';

const example = readFileSync(new URL('./benches/pico-bench.rig.yaml', import.meta.url), 'utf8');
const withSource = example
  .replace('  # psu-usb:  ', '  psu-usb:  ').replace('  # pressure-in:', '  pressure-in:').replace('    # inputs: { pressure: pressure-in }', '    inputs: { pressure: pressure-in }');

/** Brings up the rig `text` on a fake bench wired as `wiredAs` says (the physical truth). */
async function attempt(text: string, prepare: (b: FakeBench) => Promise<void> = async () => undefined, wiredAs = text) {
  // Built before virtual time starts: a build takes real time, during which settling would spend the virtual
  // budget with nothing to run, and the bench would then wait on a clock nobody advances.
  await Promise.all((['bp-sensor', 'infusion-pump'] as const).map((n) => builtProgram(n, boardById('pico'))));
  const clock = new VirtualClock();
  const rig = parseRig(text, 'test.rig.yaml');
  const bench = new FakeBench(parseRig(wiredAs, 'bench.rig.yaml'), clock);
  await prepare(bench);
  const steps: StepReport[] = [];
  const up = bringUp(rig, bench.drivers(), (r) => steps.push(r), { portTimeoutMs: 2000, helloTimeoutMs: 2000 });
  let error: Error | null = null;
  const session = await settleOn(clock, up, 60_000).catch((e: Error) => ((error = e), null));
  return { clock, bench, steps, session, error: error as Error | null, line: (s: StepReport) => `${s.node} ${s.step}: ${s.detail}` };
}

describe('bench strategy', () => {
  it('brings the shipped Pico bench up: off -> powered -> flashed -> linked per node, then running; and down again', async () => {
    const { clock, bench, steps, session, error, line } = await attempt(withSource);
    expect(error).toBeNull();
    expect(steps.map(line)).toEqual([
      'bp-sensor off: no power port: the board stays powered',
      'bp-sensor powered: port /dev/ttyACM0 (USB serial 3276375A3339)',
      'bp-sensor flashed: bp-sensor for pico written to flash',
      "bp-sensor linked: session with '3276375A3339' (bp-sensor on pico, firmware 0.1.0) on /dev/ttyACM0",
      'infusion-pump off: pump-hub-port off for 2000 ms',
      'infusion-pump powered: port /dev/ttyACM1 (USB serial 3276375B3339)',
      'infusion-pump flashed: infusion-pump for pico written to flash',
      "infusion-pump linked: session with '3276375B3339' (infusion-pump on pico, firmware 0.1.0) on /dev/ttyACM1",
      'bench running: 2 nodes linked, 1 sources at 0 V',
    ]);
    // The pump was off for its 2 s, then listed only after its USB enumeration.
    const pumpOff = steps.find((s) => s.node === 'infusion-pump' && s.step === 'off')!;
    const pumpPowered = steps.find((s) => s.node === 'infusion-pump' && s.step === 'powered')!;
    expect(pumpPowered.tMs - pumpOff.tMs).toBeGreaterThanOrEqual(300);
    expect(session!.links['infusion-pump']!.ready).toBe(true);
    expect(bench.volts['pressure-in']).toBe(0);
    expect(bench.actions).toContain('power pump-hub-port off');
    expect(bench.actions).toContain('source pressure-in 0 V');
    const stopping = session!.stop();
    await settleOn(clock, stopping, 1000);
    expect(bench.nodes['infusion-pump']!.board.powered).toBe(false);
    expect(bench.nodes['bp-sensor']!.board.powered).toBe(true); // nothing switches it
  });

  it('a serial number that is not on the bench stops at powered, says which ports it saw, and leaves the bench off', async () => {
    const { bench, steps, error } = await attempt(example.replace('"3276375B3339"', '"0000DEADBEEF"'), undefined, example);
    expect(error!.message).toBe("infusion-pump: no port with USB serial number '0000DEADBEEF' within 2000 ms of power-on: is the board plugged in, and is that its serial number? Ports seen: 3276375A3339 (/dev/ttyACM0), 3276375B3339 (/dev/ttyACM1)");
    expect(steps.at(-1)).toMatchObject({ node: 'infusion-pump', step: 'off', detail: 'powered off' });
    expect(bench.nodes['infusion-pump']!.board.powered).toBe(false);
  });

  it('boards on each other\'s ports (kept firmware) stop at linked, naming what answered', async () => {
    const crossed = example.replace('"3276375A3339"', '"SWAP"').replace('"3276375B3339"', '"3276375A3339"').replace('"SWAP"', '"3276375B3339"')
      .replace(/port: sensor-usb\n/, 'port: sensor-usb\n    flash: false\n').replace(/port: pump-usb\n/, 'port: pump-usb\n    flash: false\n');
    const { error, steps } = await attempt(crossed, async (bench) => {
      // The sensor board holds the pump's bundle and the pump board the sensor's: a bench wired crosswise.
      bench.nodes['bp-sensor']!.board.flash(await builtProgram('infusion-pump', boardById('pico')));
      bench.nodes['infusion-pump']!.board.flash(await builtProgram('bp-sensor', boardById('pico')));
    });
    expect(error!.message).toBe("bp-sensor: the board on /dev/ttyACM0 answered as '3276375B3339' (infusion-pump on pico, firmware 0.1.0), not as bp-sensor on pico: check the rig's port for this node (or flash it)");
    expect(steps.map((s) => s.step)).toEqual(['off', 'powered', 'flashed']);
  });
});
