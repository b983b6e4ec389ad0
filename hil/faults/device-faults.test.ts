// Device faults on the real infusion-pump bundle in the board emulator, with the syringe mechanism on its
// pins and a host session on its port, all on virtual time.
import { describe, expect, it } from 'vitest';
import { MsgId, PumpState, readPumpStatus, writePumpSetRate } from '../../protocols/generated/wire-codec.ts';
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import { emulatedNode } from '../emulator/emulated-node.ts';
import type { EmulatedNode } from '../emulator/emulated-node.ts';
import { SyringeMechanism } from '../sim/syringe-mechanism.ts';
import { applyDeviceFault, deviceFaultSchema } from './device-faults.ts';

const STEP = 'B3';

async function runningPump(rateMlPerH = 60, leaseMs = 600_000) {
  const n = await emulatedNode('infusion-pump', 'pico');
  const cfg = n.boardConfig.nodes['infusion-pump'] as PumpBoardConfig;
  const mech = new SyringeMechanism(n.board, cfg, n.clock);
  n.clock.advance(1000);
  let answer = -1;
  n.host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH, leaseMs }, (r) => (answer = r));
  n.clock.advance(200);
  expect(answer).toBe(0);
  return { n, mech, cfg };
}

function statuses(n: EmulatedNode, fromMs = 0) {
  return n.received.filter((r) => r.id === MsgId.PumpStatus && r.tMs >= fromMs).map((r) => readPumpStatus(r.payload, 0, r.payload.length)!);
}

const fault = (raw: unknown) => deviceFaultSchema.parse(raw);

describe('device faults on the pump bundle', () => {
  it('reset: the board says Hello again and has lost its state (rate, volume count); the steps stop', async () => {
    const { n } = await runningPump();
    n.clock.advance(30_000);
    const before = statuses(n).at(-1)!;
    expect(before.state).toBe(PumpState.Running);
    expect(before.deliveredMl).toBeGreaterThan(0.45);
    const resetAt = n.clock.now();
    applyDeviceFault(n.board, fault({ kind: 'reset', atMin: 0, node: 'infusion-pump' }));
    const pulses = n.board.pulses(STEP);
    n.clock.advance(5000);
    expect(n.board.boots).toBe(2);
    expect(n.board.pulses(STEP)).toBe(pulses);
    expect(n.events).toEqual(['ready emu-pico', 'lost the peer restarted', 'ready emu-pico']);
    const after = statuses(n, resetAt);
    expect(after.length).toBeGreaterThan(2);
    for (const s of after) {
      expect(s.deliveredMl).toBeLessThan(1e-9);
      expect(s.rateMlPerH).toBe(0);
    }
    expect(n.board.errors).toEqual([]);
  });

  it('brown-out: nothing comes out and nothing gets in while the power is off, then a fresh boot', async () => {
    const { n } = await runningPump();
    n.clock.advance(10_000);
    const active = applyDeviceFault(n.board, fault({ kind: 'brown-out', atMin: 0, node: 'infusion-pump', durationS: 5 }));
    const offAt = n.clock.now();
    const pulses = n.board.pulses(STEP);
    let answered = false;
    n.host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 10, leaseMs: 10_000 }, () => (answered = true));
    n.clock.advance(5000);
    // Frames already on the wire at power-off may still arrive within a few ms; none later.
    expect(n.received.filter((r) => r.tMs > offAt + 20)).toEqual([]);
    expect(n.board.pulses(STEP)).toBe(pulses);
    expect(n.board.boots).toBe(1);
    active.remove();
    n.clock.advance(3000);
    expect(n.board.boots).toBe(2);
    expect(n.events.at(-1)).toBe('ready emu-pico');
    expect(statuses(n, offAt + 5000).every((s) => s.deliveredMl < 1e-9)).toBe(true);
    // The command sent into the dead board was never acted on: the host's session failed it when the new
    // boot announced itself.
    expect(answered).toBe(true);
    expect(n.board.pulses(STEP)).toBe(pulses);
  });

  it('firmware hang: pulses go on (hardware) until the watchdog reboots the board within its timeout; a short hang passes', async () => {
    const { n } = await runningPump();
    n.clock.advance(5000);
    const watchdogMs = n.boardConfig.watchdogMs;
    // Shorter than the watchdog: the firmware comes back by itself and nothing reboots.
    const brief = applyDeviceFault(n.board, fault({ kind: 'firmware-hang', atMin: 0, node: 'infusion-pump', durationS: 1 }));
    const stepHz = n.board.pin(STEP).pwmHz;
    // A command sent meanwhile is lost in the stuck board (the host retransmits it later).
    n.host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 10, leaseMs: 600_000 }, () => undefined);
    n.clock.advance(watchdogMs / 2);
    expect(n.board.pin(STEP).pwmHz).toBe(stepHz);
    brief.remove();
    n.clock.advance(5000);
    expect(n.board.watchdogResets).toBe(0);
    expect(n.board.boots).toBe(1);
    const hungAt = n.clock.now();
    applyDeviceFault(n.board, fault({ kind: 'firmware-hang', atMin: 0, node: 'infusion-pump' }));
    let rebootAt = -1;
    let lastPulses = n.board.pulses(STEP);
    let pulsedWhileHung = false;
    while (n.clock.now() < hungAt + 3 * watchdogMs && rebootAt < 0) {
      n.clock.advance(10);
      if (n.board.pulses(STEP) > lastPulses) pulsedWhileHung = true;
      lastPulses = n.board.pulses(STEP);
      if (n.board.watchdogResets > 0) rebootAt = n.clock.now();
    }
    expect(pulsedWhileHung).toBe(true);
    expect(rebootAt - hungAt).toBeGreaterThan(watchdogMs);
    expect(rebootAt - hungAt).toBeLessThanOrEqual(watchdogMs + 100 + 10);
    expect(n.board.boots).toBe(2);
    const pulses = n.board.pulses(STEP);
    n.clock.advance(3000);
    expect(n.board.pulses(STEP)).toBe(pulses);
    expect(n.events.at(-1)).toBe('ready emu-pico');
    expect(n.board.watchdogResets).toBe(1);
  });

  for (const ppm of [20_000, -20_000]) {
    it(`clock drift ${ppm > 0 ? '+' : ''}${ppm} ppm: the pump delivers ${ppm / 1e4}% against the plant's clock, and its own count agrees with it`, async () => {
      const { n, mech } = await runningPump(60);
      applyDeviceFault(n.board, fault({ kind: 'clock-drift', atMin: 0, node: 'infusion-pump', ppm }));
      const fromMs = n.clock.now();
      const fromMl = mech.deliveredMl;
      n.clock.advance(300_000);
      const expectedMl = (60 * 300_000) / 3_600_000;
      const ratio = (mech.deliveredMl - fromMl) / expectedMl;
      expect(ratio).toBeCloseTo(1 + ppm / 1e6, 3);
      // The firmware counts in its own time, so its count drifts with it: it reports what it delivered.
      const last = statuses(n, fromMs).at(-1)!;
      expect(Math.abs(last.deliveredMl - mech.deliveredMl) / mech.deliveredMl).toBeLessThan(0.01);
    });
  }
});
