// The host's view of an infusion pump: typed commands, lease renewal while the caller wants the rate, the
// latest status, the pump's own limits and the alarms. No control logic: what rate to run is the
// controller's and supervisor's. Telemetry reaches listeners only when it passed its range checks.
import { NodeRole } from '../../protocols/generated/wire-codec.ts';
import type { AlarmValues, PumpLimitsValues, PumpStatusValues } from '../../protocols/generated/wire-codec.ts';
import type { Clock } from '../../protocols/clock/clock.ts';
import { LeaseRenewal } from './lease-renewal.ts';
import type { DeviceLink } from '../link/device-link.ts';
import { sendCommand } from './device-command.ts';
import { AlarmHistory } from './alarm-history.ts';

export class InfusionPump {
  status: PumpStatusValues | null = null;
  /** The limits the pump reported when its session came up (SPEC.md, PumpLimits). */
  limits: PumpLimitsValues | null = null;
  /** The bounded alarm history. */
  readonly alarmHistory: AlarmHistory;
  private readonly renewal: LeaseRenewal;
  private readonly statusListeners: ((s: PumpStatusValues) => void)[] = [];

  /** limits: what the pump reported before this proxy listened (its session comes up before a loop is built). */
  constructor(readonly link: DeviceLink, clock: Clock, limits: PumpLimitsValues | null = null) {
    this.alarmHistory = new AlarmHistory(link.messages);
    link.expectRole(NodeRole.InfusionPump);
    this.limits = limits;
    this.renewal = new LeaseRenewal(clock);
    link.messages.on('PumpStatus', (v) => {
      this.status = v;
      for (const l of this.statusListeners) l(v);
    });
    link.messages.on('PumpLimits', (v) => (this.limits = v));
  }

  /** The latest alarms, oldest first (bounded). */
  get alarms(): readonly AlarmValues[] {
    return this.alarmHistory.alarms;
  }

  onStatus(listener: (s: PumpStatusValues) => void): void {
    this.statusListeners.push(listener);
  }

  /** Alarm messages the pump sends (raised and cleared). */
  onAlarm(listener: (a: AlarmValues) => void): void {
    this.alarmHistory.onAlarm(listener);
  }

  /**
   * Sets a rate for one lease, and the rate to fall to if that lease lapses (the drug's state on host loss;
   * 0, the default, is left off the wire: every pump then stops); resolves with the lease the pump applied,
   * rejects with the device's reason.
   */
  setRate(rateMlPerH: number, leaseMs: number, lapseRateMlPerH = 0): Promise<number> {
    return sendCommand(this.link, 'PumpSetRate', lapseRateMlPerH > 0 ? { rateMlPerH, leaseMs, lapseRateMlPerH } : { rateMlPerH, leaseMs });
  }

  /** Sets a rate and keeps its lease renewed until release() or stop() (see LeaseRenewal). */
  holdRate(rateMlPerH: number, leaseMs: number, lapseRateMlPerH = 0): Promise<void> {
    return this.renewal.hold(() => this.setRate(rateMlPerH, leaseMs, lapseRateMlPerH), leaseMs);
  }

  /** Stops renewing; the current lease runs out on the pump. */
  release(): void {
    this.renewal.release();
  }

  /** Stops the pump; resolves on its Ack (a stop has no lease). */
  stop(): Promise<void> {
    this.release();
    return sendCommand(this.link, 'PumpStop', {}).then(() => undefined);
  }
}
