// The host's view of a neurostimulator: leased amplitude commands (with renewal while the caller wants
// one held), its status, beta power and alarms. No control logic: what amplitude to run is the policy's
// and the supervisor's. Telemetry reaches listeners only when it passed its range checks.
import { MsgId, NodeRole, checkBetaPower, checkStimStatus, readBetaPower, readStimStatus } from '../../protocols/generated/wire-codec.ts';
import type { AlarmValues, BetaPowerValues, StimStatusValues } from '../../protocols/generated/wire-codec.ts';
import type { Clock } from '../../protocols/clock/clock.ts';
import { LeaseRenewal } from './lease-renewal.ts';
import type { DeviceLink } from '../link/device-link.ts';
import { sendCommand } from './device-command.ts';
import { TelemetryGate } from './telemetry-gate.ts';

export class Neurostimulator {
  status: StimStatusValues | null = null;
  /** Range checks (and the bounded alarm history). */
  readonly gate = new TelemetryGate();
  private readonly renewal: LeaseRenewal;
  private readonly betaListeners: ((b: BetaPowerValues) => void)[] = [];
  private readonly statusListeners: ((s: StimStatusValues) => void)[] = [];
  private readonly alarmListeners: ((a: AlarmValues) => void)[] = [];

  constructor(readonly link: DeviceLink, clock: Clock) {
    link.expectRole(NodeRole.Neurostim);
    this.renewal = new LeaseRenewal(clock);
    link.on({
      message: (id, buf, s, e) => {
        if (id === MsgId.StimStatus) {
          const v = this.gate.pass(readStimStatus, checkStimStatus, buf, s, e);
          if (v) {
            this.status = v;
            for (const l of this.statusListeners) l(v);
          }
        } else if (id === MsgId.BetaPower) {
          const b = this.gate.pass(readBetaPower, checkBetaPower, buf, s, e);
          if (b) for (const l of this.betaListeners) l(b);
        } else if (id === MsgId.Alarm) {
          const a = this.gate.alarm(buf, s, e);
          if (a) for (const l of this.alarmListeners) l(a);
        }
      },
    });
  }

  onBetaPower(listener: (b: BetaPowerValues) => void): void {
    this.betaListeners.push(listener);
  }

  onStatus(listener: (s: StimStatusValues) => void): void {
    this.statusListeners.push(listener);
  }

  /** Alarm messages the stimulator sends (raised and cleared). */
  onAlarm(listener: (a: AlarmValues) => void): void {
    this.alarmListeners.push(listener);
  }

  /** Ramps to an amplitude for one lease; resolves on Ack with the lease the stimulator applied, rejects with the device's reason. */
  setAmplitude(amplitudeMa: number, leaseMs: number): Promise<number> {
    return sendCommand(this.link, 'StimSetAmplitude', { amplitudeMa, leaseMs });
  }

  /** Sets an amplitude and keeps its lease renewed until release(); without renewals the device ramps to its fallback. */
  holdAmplitude(amplitudeMa: number, leaseMs: number): Promise<void> {
    return this.renewal.hold(() => this.setAmplitude(amplitudeMa, leaseMs), leaseMs);
  }

  release(): void {
    this.renewal.release();
  }
}
