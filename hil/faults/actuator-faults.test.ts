// Actuator faults on the syringe mechanism, under the real infusion-pump bundle in the board emulator: each
// does to the patient what it says while the firmware goes on as it would on a real pump.
import { describe, expect, it } from 'vitest';
import { AlarmCode, AlarmPriority, MsgId, PumpAlarmFlags, PumpState, readAlarm, readPumpStatus, writePumpSetRate } from '../../protocols/generated/wire-codec.ts';
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import { boardById, emulatedNode } from '../emulator/emulated-node.ts';
import type { EmulatedNode } from '../emulator/emulated-node.ts';
import { SyringeMechanism } from '../sim/syringe-mechanism.ts';
import { actuatorFaultSchema, applyActuatorFault } from './actuator-faults.ts';

const STEP = 'B3';

async function pumpAt(rateMlPerH: number, boardConfig?: ReturnType<typeof boardById>) {
  const n = await emulatedNode('infusion-pump', 'pico', { boardConfig });
  const mech = new SyringeMechanism(n.board, n.boardConfig.nodes['infusion-pump'] as PumpBoardConfig, n.clock);
  n.clock.advance(1000);
  if (rateMlPerH > 0) {
    let answer = -1;
    n.host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH, leaseMs: 600_000 }, (r) => (answer = r));
    n.clock.advance(200);
    expect(answer).toBe(0);
  }
  return { n, mech };
}

function lastStatus(n: EmulatedNode) {
  const r = n.received.filter((x) => x.id === MsgId.PumpStatus).at(-1)!;
  return readPumpStatus(r.payload, 0, r.payload.length)!;
}

function alarmsRaised(n: EmulatedNode) {
  return n.received.filter((x) => x.id === MsgId.Alarm).map((x) => ({ ...readAlarm(x.payload, 0, x.payload.length)!, atMs: x.tMs })).filter((a) => a.state === 1);
}

const fault = (raw: unknown) => actuatorFaultSchema.parse(raw);

describe('actuator faults under the pump bundle', () => {
  it('occlusion: the pressure builds in the line, nothing reaches the patient, the firmware raises its occlusion alarm and stops', async () => {
    const { n, mech } = await pumpAt(60);
    n.clock.advance(5000);
    const delivered = mech.deliveredMl;
    const at = n.clock.now();
    applyActuatorFault(mech, fault({ kind: 'occlusion', atMin: 0 }));
    n.clock.advance(30_000);
    expect(mech.deliveredMl).toBe(delivered);
    const alarm = alarmsRaised(n).find((a) => a.code === AlarmCode.Occlusion);
    expect(alarm).toBeDefined();
    // 60 mL/h fills the 0.125 mL to the threshold in 7.5 s, then the 2 s hold.
    expect(alarm!.atMs - at).toBeGreaterThan(9000);
    expect(alarm!.atMs - at).toBeLessThan(11_000);
    expect(lastStatus(n).state).toBe(PumpState.Alarm);
  });

  it('syringe empty: a syringe holding 0.1 mL more closes the end stop after 6 s at 60 mL/h, and no more flows', async () => {
    const { n, mech } = await pumpAt(60);
    n.clock.advance(2000);
    const pushed = mech.pushedMl;
    const at = n.clock.now();
    applyActuatorFault(mech, fault({ kind: 'syringe-empty', atMin: 0, remainingMl: 0.1 }));
    n.clock.advance(20_000);
    const alarm = alarmsRaised(n).find((a) => a.code === AlarmCode.SyringeEmpty);
    expect(alarm).toBeDefined();
    expect(alarm!.atMs - at).toBeGreaterThan(5900);
    expect(alarm!.atMs - at).toBeLessThan(6300);
    expect(mech.pushedMl - pushed).toBeCloseTo(0.1, 9);
    // Its count assumed a full 50 mL syringe: the near-empty warning never came first.
    expect(alarmsRaised(n).some((a) => a.code === AlarmCode.SyringeNearEmpty)).toBe(false);
  });

  it('motor stall: the plunger stays put while the firmware steps; its position sensor tells, and the pump stops with a high alarm', async () => {
    const { n, mech } = await pumpAt(60);
    n.clock.advance(5000);
    const before = { delivered: mech.deliveredMl, pushed: mech.pushedMl };
    const at = n.clock.now();
    applyActuatorFault(mech, fault({ kind: 'motor-stall', atMin: 0, durationS: 60 }));
    n.clock.advance(60_000);
    expect(mech.pushedMl).toBe(before.pushed);
    expect(mech.deliveredMl).toBe(before.delivered);
    const alarm = alarmsRaised(n).find((a) => a.code === AlarmCode.MotorStall);
    expect(alarm).toMatchObject({ priority: AlarmPriority.High });
    // The plunger's lead over the steps falls half way to 40 s of the rate in 40 ln 2 = 28 s, then the 5 s hold.
    expect(alarm!.atMs - at).toBeGreaterThan(30_000);
    expect(alarm!.atMs - at).toBeLessThan(36_000);
    expect(lastStatus(n)).toMatchObject({ state: PumpState.Alarm, rateMlPerH: 0, alarms: PumpAlarmFlags.MotorStall });
    const pulses = n.board.pulses(STEP);
    n.clock.advance(10_000);
    expect(n.board.pulses(STEP)).toBe(pulses); // no more stepping into a jam
  });

  it('air in line: the detector at the outlet reads the air at once; the pump stops before any is pushed and stays stopped', async () => {
    const { n, mech } = await pumpAt(60);
    n.clock.advance(5000);
    const at = n.clock.now();
    applyActuatorFault(mech, fault({ kind: 'air-in-line', atMin: 0, airMl: 0.5 }));
    n.clock.advance(30_000);
    const alarm = alarmsRaised(n).find((a) => a.code === AlarmCode.AirInLine);
    expect(alarm).toMatchObject({ priority: AlarmPriority.High });
    expect(alarm!.atMs - at).toBeLessThanOrEqual(200);
    expect(mech.airAheadMl).toBeGreaterThan(0.49);
    expect(lastStatus(n)).toMatchObject({ state: PumpState.Alarm, rateMlPerH: 0, alarms: PumpAlarmFlags.AirInLine });
  });

  it('free flow: a stopped pump siphons 120 mL/h with no step; the plunger sensor tells within 20 s (10 s after the hold), with a high alarm', async () => {
    const { n, mech } = await pumpAt(0);
    n.clock.advance(5000);
    applyActuatorFault(mech, fault({ kind: 'free-flow', atMin: 0, rateMlPerH: 120 }));
    const at = n.clock.now();
    n.clock.advance(60_000);
    expect(n.board.pulses(STEP)).toBe(0);
    expect(mech.deliveredMl).toBeCloseTo(2, 1); // the pump cannot stop it: the person must clamp the line
    expect(n.board.analogIn('A6')).toBe(0);
    expect(lastStatus(n).deliveredMl).toBe(0);
    const alarm = alarmsRaised(n).find((a) => a.code === AlarmCode.FreeFlow);
    expect(alarm).toMatchObject({ priority: AlarmPriority.High });
    // A 120 mL/h lead reaches 0.1 mL in 40 ln(1.33 / 1.23) = 3 s, then the 5 s hold.
    expect(alarm!.atMs - at).toBeGreaterThan(5000);
    expect(alarm!.atMs - at).toBeLessThan(10_000);
    expect(lastStatus(n)).toMatchObject({ state: PumpState.Alarm, alarms: PumpAlarmFlags.FreeFlow });
  });

  it('a pump running as it should raises no delivery alarm over 20 minutes at changing rates', async () => {
    const { n } = await pumpAt(60);
    for (const rateMlPerH of [60, 5, 120, 0.5, 30]) {
      n.host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH, leaseMs: 600_000 }, () => undefined);
      n.clock.advance(240_000);
    }
    expect(alarmsRaised(n).filter((a) => [AlarmCode.MotorStall, AlarmCode.FreeFlow, AlarmCode.AirInLine].includes(a.code))).toEqual([]);
    expect(lastStatus(n).state).toBe(PumpState.Running);
  });

  it('a board without a plunger position sensor (its pin left out of the board file) carries no delivery monitor: a stall goes unseen by the pump', async () => {
    const pico = boardById('pico');
    const pump = pico.nodes['infusion-pump']!;
    const { n, mech } = await pumpAt(60, { ...pico, nodes: { ...pico.nodes, 'infusion-pump': { ...pump, pins: { ...pump.pins, plunger: undefined } } } });
    n.clock.advance(5000);
    applyActuatorFault(mech, fault({ kind: 'motor-stall', atMin: 0 }));
    n.clock.advance(60_000);
    expect(alarmsRaised(n)).toEqual([]);
    expect(lastStatus(n).state).toBe(PumpState.Running);
  });
});
