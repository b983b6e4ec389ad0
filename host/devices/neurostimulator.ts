// The host's view of a neurostimulator: leased amplitude commands (with renewal while the caller wants
// one held), its status, beta power and alarms. No control logic: what amplitude to run is the policy's
// and the supervisor's. Telemetry reaches listeners only when it passed its range checks.
import { NodeRole } from '../../protocols/generated/wire-codec.ts';
import type { AlarmValues, BetaPowerValues, StimStatusValues } from '../../protocols/generated/wire-codec.ts';
import type { Clock } from '../../protocols/clock/clock.ts';
import { LeaseRenewal } from './lease-renewal.ts';
import type { DeviceLink } from '../link/device-link.ts';
import { sendCommand } from './device-command.ts';
import { AlarmHistory } from './alarm-history.ts';

export class Neurostimulator {
  status: StimStatusValues | null = null;
  /** The bounded alarm history. */
  readonly alarmHistory: AlarmHistory;
  private readonly renewal: LeaseRenewal;
  private readonly betaListeners: ((b: BetaPowerValues) => void)[] = [];
  private readonly statusListeners: ((s: StimStatusValues) => void)[] = [];

  constructor(readonly link: DeviceLink, clock: Clock) {
    this.alarmHistory = new AlarmHistory(link.messages);
    link.expectRole(NodeRole.Neurostim);
    this.renewal = new LeaseRenewal(clock);
    link.messages.on('StimStatus', (v) => {
      this.status = v;
      for (const l of this.statusListeners) l(v);
    });
    link.messages.on('BetaPower', (b) => {
      for (const l of this.betaListeners) l(b);
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
    this.alarmHistory.onAlarm(listener);
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
