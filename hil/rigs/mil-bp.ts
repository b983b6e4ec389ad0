// The MIL binding of the blood-pressure loop: no firmware and no framing. The sensor and the pump are ideal
// models behind the same interfaces the loop uses for the real proxies (a beat stream with the sensor's
// quality flags; a pump that takes leased rates, reports its status every second, falls to its safe rate
// when a lease lapses and refuses what exceeds its board's limits), around the same patient, line and
// scenario as at SIL. For tuning sweeps over thousands of patients: the controller, supervisor and loop
// shell are the ones every other level runs.
import { lapseRestMlPerH } from '../../firmware/src/safety/lapse-rate.ts';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { PressureQuality, PumpAlarmFlags, PumpState } from '../../protocols/generated/wire-codec.ts';
import type { AlarmValues, PressureBeatValues, PumpStatusValues } from '../../protocols/generated/wire-codec.ts';
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import { BP_TIMING } from '../../host/app/bp-app.ts';
import { DeviceCommandError } from '../../host/devices/device-command.ts';
import type { WatchedLink } from '../../host/loop/therapy.ts';
import type { BeatSource, BpDevices, RatePump } from '../../host/therapies/bp/bp-loop.ts';
import { seededRandom } from '../../protocols/testing/seeded-random.ts';
import { boardById } from '../emulator/emulated-node.ts';
import type { Artifact } from '../sim/arterial-waveform.ts';
import type { BpPlantOptions } from '../sim/engine/bp-plant.ts';
import { gaussian } from '../sim/gaussian.ts';
import { PATIENT_LINE } from '../sim/syringe-mechanism.ts';
import type { RigSession } from './rig.ts';

/** A link that is always up: ideal devices have no session to lose. */
const steadyLink: WatchedLink = { on: () => undefined };

/** The quality flags the sensor's beat detector gives a beat during each artifact. */
const FLAGS: Record<Artifact['kind'], number> = {
  flush: PressureQuality.FlushSpike, 'over-damped': PressureQuality.OverDamped, dropout: PressureQuality.LostSignal, frozen: PressureQuality.FlatLine, offset: 0,
  // Sample noise, which an ideal sensor's beat means do not carry: not modelled at MIL.
  'noise-step': 0,
};

class IdealSensor implements BeatSource {
  readonly link = steadyLink;
  private readonly beatListeners: ((b: PressureBeatValues) => void)[] = [];

  constructor(clock: VirtualClock, o: BpPlantOptions, mapMmHg: () => number) {
    const random = seededRandom(o.seed);
    const artifacts = o.artifacts ?? [];
    const beat = () => {
      const tS = clock.now() / 1000;
      let quality = 0;
      let offset = 0;
      for (const a of artifacts) {
        if (tS < a.startS || tS >= a.startS + a.durationS) continue;
        quality |= FLAGS[a.kind];
        if (a.kind === 'offset') offset += a.offsetMmHg;
      }
      const meanMmHg = mapMmHg() + offset + (o.beatNoiseMmHg ?? 0) * gaussian(random);
      const b = { tMs: clock.now(), systolicMmHg: meanMmHg + o.pulsePressureMmHg * 0.6, diastolicMmHg: meanMmHg - o.pulsePressureMmHg * 0.4, meanMmHg, heartRateBpm: o.heartRateBpm, quality };
      for (const l of this.beatListeners) l(b);
      clock.after((60_000 / o.heartRateBpm) * (1 + 0.03 * (2 * random() - 1)), beat);
    };
    clock.after(60_000 / o.heartRateBpm, beat);
  }

  onBeat(listener: (b: PressureBeatValues) => void): void {
    this.beatListeners.push(listener);
  }

  onAlarm(): void {
    // An ideal sensor raises none.
  }
}

class IdealPump implements RatePump {
  readonly link = steadyLink;
  /** Volume pushed, and what reached the patient through the line. */
  pushedMl = 0;
  deliveredMl = 0;
  private inLineMl = 0;
  private rateMlPerH = 0;
  /** Where the running lease lapses to (the firmware's rule, firmware/src/safety/lapse-rate.ts). */
  private lapseMlPerH = 0;
  private leaseEndMs = 0;
  private state: number = PumpState.Stopped;
  private alarms = 0;
  private lastMs = 0;
  private readonly statusListeners: ((s: PumpStatusValues) => void)[] = [];

  constructor(private readonly clock: VirtualClock, private readonly cfg: PumpBoardConfig) {
    clock.every(cfg.statusEveryMs, () => this.report());
  }

  /** Called before the drug moves on to a time: what is due by then elsewhere (the patient's steps) goes first. */
  beforeAdvance: (toMs: number) => void = () => undefined;

  /** Moves the drug on to now. */
  advance(): void {
    const now = this.clock.now();
    this.beforeAdvance(now);
    this.advanceTo(now);
  }

  /** Moves the drug on to a time (not before the last): pushed at the running rate, then through the line's lag to the patient. */
  advanceTo(now: number): void {
    const dtH = (now - this.lastMs) / 3_600_000;
    this.lastMs = now;
    const ml = this.rateMlPerH * dtH;
    this.pushedMl += ml;
    this.inLineMl += ml;
    const out = this.inLineMl * (1 - Math.exp(-(dtH * 3600) / PATIENT_LINE.lineTimeConstantS));
    this.inLineMl -= out;
    this.deliveredMl += out;
    if (this.state === PumpState.Running && now >= this.leaseEndMs) {
      this.rateMlPerH = this.lapseMlPerH;
      this.state = PumpState.SafeRate;
      this.alarms |= PumpAlarmFlags.LeaseExpired;
    }
  }

  private report(): void {
    this.advance();
    const now = this.clock.now();
    const s = {
      tMs: now, state: this.state, rateMlPerH: this.rateMlPerH, commandedRateMlPerH: this.rateMlPerH, deliveredMl: this.pushedMl,
      leaseRemainingMs: this.state === PumpState.Running ? this.leaseEndMs - now : 0, alarms: this.alarms,
    };
    for (const l of this.statusListeners) l(s);
  }

  onStatus(listener: (s: PumpStatusValues) => void): void {
    this.statusListeners.push(listener);
  }

  onAlarm(_listener: (a: AlarmValues) => void): void {
    // Its alarms travel in its status flags.
  }

  setRate(rateMlPerH: number, leaseMs: number, lapseRateMlPerH: number): Promise<number> {
    this.advance();
    const lim = this.cfg.limits;
    if (rateMlPerH > lim.maxRateMlPerH) return Promise.reject(new DeviceCommandError('hard-limit', `PumpSetRate refused: hard-limit (above ${lim.maxRateMlPerH} mL/h)`));
    if (rateMlPerH - this.rateMlPerH > lim.maxRateChangeMlPerH) return Promise.reject(new DeviceCommandError('rate-change-limit', 'PumpSetRate refused: rate-change-limit'));
    const changed = rateMlPerH !== this.rateMlPerH || this.state !== PumpState.Running;
    this.rateMlPerH = rateMlPerH;
    this.lapseMlPerH = lapseRestMlPerH(rateMlPerH, lapseRateMlPerH, lim.maxLapseRateMlPerH, lim.safeRateMlPerH);
    const appliedMs = Math.min(leaseMs, lim.maxLeaseMs);
    this.leaseEndMs = this.clock.now() + appliedMs;
    this.state = PumpState.Running;
    this.alarms &= ~PumpAlarmFlags.LeaseExpired;
    if (changed) this.report();
    return Promise.resolve(appliedMs);
  }

  stop(): Promise<void> {
    this.advance();
    this.rateMlPerH = 0;
    this.state = PumpState.Stopped;
    this.alarms = 0;
    this.report();
    return Promise.resolve();
  }
}

/** A MIL session of the blood-pressure loop: the ideal devices around the patient, on a virtual clock. */
export function milBpSession(o: BpPlantOptions): RigSession<BpDevices> & { pump: IdealPump } {
  const clock = new VirtualClock();
  const cfg = boardById(o.board ?? 'pico').nodes['infusion-pump'] as PumpBoardConfig;
  const pump = new IdealPump(clock, cfg);
  // The patient steps on the drug that reached it through the line, as at SIL, every patientStepS; but
  // lazily, with no timer of its own: the steps due by a time are taken when the patient or the pump is
  // next looked at or moved (a beat, a status report, a command, the probe), each with the pump moved on to
  // the step's own time. The pump moves on at the same times in the same order as with a timer per step,
  // so every number comes out the same (two moves at one time: the second moves nothing); only a beat
  // falling exactly on a step's time sees that step taken (a timer's order could have put it after).
  const stepMs = o.patientStepS * 1000;
  let nextStepMs = stepMs;
  let lastDelivered = 0;
  const stepTo = (toMs: number) => {
    while (nextStepMs <= toMs) {
      pump.advanceTo(nextStepMs);
      nextStepMs += stepMs;
      o.patient.step(((pump.deliveredMl - lastDelivered) * 3600) / o.patientStepS);
      lastDelivered = pump.deliveredMl;
    }
  };
  pump.beforeAdvance = stepTo;
  const sensor = new IdealSensor(clock, o, () => {
    stepTo(clock.now());
    return o.patient.mapMmHg;
  });
  return {
    level: 'mil', clock, nodes: [], ideal: { sensor, pump }, pump,
    probe: () => {
      stepTo(clock.now());
      return { mapMmHg: o.patient.mapMmHg, deliveredMl: pump.deliveredMl, pushedMl: pump.pushedMl };
    },
    run: async (ms) => {
      // Commands resolve at once here: their answers run between the decision that sent them and the next.
      for (let t = 0; t < ms; t += BP_TIMING.periodMs) {
        clock.advance(Math.min(BP_TIMING.periodMs, ms - t));
        await null;
      }
    },
    close: () => undefined,
  };
}
