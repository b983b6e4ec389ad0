// The patient-emulator bench in SIL, built from the shipped rig file (hil/rigs/benches/patient-bench.rig.yaml):
// the patient-emulator, bp-sensor and infusion-pump bundles for the boards it names, each on its emulated
// board with a host session, wired as the file says: the patient board's transducer output into the
// sensor's ADC, the pump's step output into the patient board's step input.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  AlarmCode, MsgId, PressureQuality, readAlarm, readPressureBeat, readPumpStatus, writePumpSetRate, writePumpStop,
} from '../../../../protocols/generated/wire-codec.ts';
import { wiredBenchOfRig } from '../../../../hil/emulator/wired-bench.ts';
import { loadRig } from '../../../../hil/rigs/rig-file.ts';
import { beatsForMean, PatientEmulatorDriver } from '../../../../hil/rigs/patient-emulator-driver.ts';
import { mlPerStep } from '../infusion-pump/syringe-geometry.ts';
import type { PumpBoardConfig } from '../../board-config.ts';

const rig = loadRig(fileURLToPath(new URL('../../../../hil/rigs/benches/patient-bench.rig.yaml', import.meta.url)));

async function patientBench() {
  const holder: { driver?: PatientEmulatorDriver } = {};
  const b = await wiredBenchOfRig(
    rig,
    (node) => (node === 'patient-emulator' ? { onMessage: (id, p) => holder.driver!.message(id, p, 0, p.length) } : {}),
  );
  const patient = b.node('patient-emulator');
  const sensor = b.node('bp-sensor');
  const pump = b.node('infusion-pump');
  const pumpCfg = pump.boardConfig.nodes['infusion-pump'] as PumpBoardConfig;
  const driver = (holder.driver = new PatientEmulatorDriver(patient.host, mlPerStep(pumpCfg.mechanism)));
  const beats = (fromMs: number, toMs: number) =>
    sensor.received.filter((r) => r.id === MsgId.PressureBeat && r.tMs >= fromMs && r.tMs < toMs)
      .map((r) => readPressureBeat(r.payload, 0, r.payload.length)!);
  /** Sends a command and runs the clock until it is answered; returns the answer (0: accepted). */
  const command = <T>(host: typeof pump.host, id: number, write: (b: Uint8Array, o: number, m: T) => number, m: T) => {
    let result = -1;
    host.sendCommand(id, write, m, (r) => {
      result = r;
    });
    b.clock.advance(200);
    return result;
  };
  /** Sets the beats, runs the clock until the board has answered, then on for runMs. */
  const play = async (beats: Parameters<typeof driver.play>[0], runMs: number) => {
    const played = driver.play(beats);
    b.clock.advance(200);
    await played;
    b.clock.advance(runMs);
  };
  return { ...b, patient, sensor, pump, pumpCfg, driver, beats, command, play };
}

describe('patient-emulator bench in the emulator', () => {
  it('plays the patient the host sets: the sensor board reads its output and reports those beats', async () => {
    const b = await patientBench();
    b.clock.advance(1000);
    for (const n of [b.patient, b.sensor, b.pump]) expect(n.events).toEqual(['ready emu-pico']);
    const first = beatsForMean(92, 45, 72);
    await b.play(first, 15_000);
    const seen = b.beats(5000, 16_000);
    expect(seen.length).toBeGreaterThan(10);
    for (const beat of seen) {
      expect(beat.quality).toBe(0);
      expect(Math.abs(beat.meanMmHg - 92)).toBeLessThanOrEqual(2);
      expect(Math.abs(beat.systolicMmHg - first.systolicMmHg)).toBeLessThanOrEqual(3);
      expect(Math.abs(beat.diastolicMmHg - first.diastolicMmHg)).toBeLessThanOrEqual(3);
      expect(Math.abs(beat.heartRateBpm - 72)).toBeLessThanOrEqual(1);
    }
    // The patient's pressure falls (the drug acting): the sensor follows within a few beats.
    await b.play(beatsForMean(70, 35, 90), 10_000);
    const after = b.beats(21_000, 27_000);
    expect(after.length).toBeGreaterThan(5);
    for (const beat of after) {
      expect(Math.abs(beat.meanMmHg - 70)).toBeLessThanOrEqual(2);
      expect(Math.abs(beat.heartRateBpm - 90)).toBeLessThanOrEqual(1);
    }
    expect(b.driver.status).toMatchObject({ heartRateBpm: 90 });
    expect([b.patient, b.sensor, b.pump].flatMap((n) => n.board.errors)).toEqual([]);
  }, 60_000);

  it('counts the pump board\'s steps: the volume by its steps is the volume the pump reports', async () => {
    const b = await patientBench();
    b.clock.advance(1000);
    b.clock.advance(500);
    expect(b.driver.status).not.toBeNull();
    expect(b.command(b.pump.host, MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 30, leaseMs: 60_000 })).toBe(0);
    b.clock.advance(20_000);
    expect(b.command(b.pump.host, MsgId.PumpStop, writePumpStop, {})).toBe(0);
    b.clock.advance(1000);
    const stepPin = b.pumpCfg.pins.step;
    const pulses = b.pump.board.pulses(stepPin);
    // 30 mL/h for about 20 s: 7,200 steps per mL, so about 1,200 steps.
    expect(pulses).toBeGreaterThan(1100);
    expect(Math.abs(b.driver.steps - pulses)).toBeLessThanOrEqual(1);
    const statuses = b.pump.received.filter((r) => r.id === MsgId.PumpStatus).map((r) => readPumpStatus(r.payload, 0, r.payload.length)!);
    expect(b.driver.deliveredMl).toBeCloseTo(statuses.at(-1)!.deliveredMl, 2);
    // Nothing more is counted once the pump has stopped.
    const stopped = b.driver.steps;
    b.clock.advance(2000);
    expect(b.driver.steps).toBe(stopped);
  }, 60_000);

  it('plays a flush and a disconnected line as flat levels, which the sensor flags, and refuses a beat whose peak is under its foot', async () => {
    const b = await patientBench();
    b.clock.advance(1000);
    await b.play(beatsForMean(90, 40, 70), 7800);
    // Flush: the line at 300 mmHg; then the transducer off the line, at the ADC's bottom rail.
    await b.play({ systolicMmHg: 300, diastolicMmHg: 300, heartRateBpm: 0 }, 4800);
    await b.play({ systolicMmHg: -50, diastolicMmHg: -50, heartRateBpm: 0 }, 9800);
    const flagged = b.beats(9500, 23_000);
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.every((x) => x.quality !== 0)).toBe(true);
    expect(flagged.some((x) => x.quality & PressureQuality.FlushSpike)).toBe(true);
    const alarms = b.sensor.received.filter((r) => r.id === MsgId.Alarm).map((r) => readAlarm(r.payload, 0, r.payload.length)!);
    expect(alarms.some((a) => a.code === AlarmCode.PressureLostSignal && a.state === 1)).toBe(true);
    const bad = b.driver.play({ systolicMmHg: 60, diastolicMmHg: 80, heartRateBpm: 70 });
    b.clock.advance(500);
    await expect(bad).rejects.toThrow(/refused .*out-of-range/);
  }, 60_000);
});
