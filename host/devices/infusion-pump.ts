// The host's view of an infusion pump: typed commands, lease renewal while the caller wants the rate, the
// latest status and the alarms. No control logic: what rate to run is the controller's and supervisor's.
import { MsgId, readAlarm, readPumpStatus } from '../../protocols/generated/wire-codec.ts';
import type { AlarmValues, PumpStatusValues } from '../../protocols/generated/wire-codec.ts';
import type { Clock } from '../../protocols/clock/clock.ts';
import { LeaseRenewal } from './lease-renewal.ts';
import type { DeviceLink } from '../link/device-link.ts';
import { sendCommand } from './device-command.ts';

export class InfusionPump {
  status: PumpStatusValues | null = null;
  readonly alarms: AlarmValues[] = [];
  private readonly renewal: LeaseRenewal;
  private readonly statusListeners: ((s: PumpStatusValues) => void)[] = [];
  private readonly alarmListeners: ((a: AlarmValues) => void)[] = [];

  constructor(readonly link: DeviceLink, clock: Clock) {
    this.renewal = new LeaseRenewal(clock);
    link.on({
      message: (id, buf, s, e) => {
        if (id === MsgId.PumpStatus) {
          const v = readPumpStatus(buf, s, e);
          if (v) {
            this.status = v;
            for (const l of this.statusListeners) l(v);
          }
        } else if (id === MsgId.Alarm) {
          const a = readAlarm(buf, s, e);
          if (a) {
            this.alarms.push(a);
            for (const l of this.alarmListeners) l(a);
          }
        }
      },
    });
  }

  onStatus(listener: (s: PumpStatusValues) => void): void {
    this.statusListeners.push(listener);
  }

  /** Alarm messages the pump sends (raised and cleared). */
  onAlarm(listener: (a: AlarmValues) => void): void {
    this.alarmListeners.push(listener);
  }

  /** Sets a rate for one lease; resolves on Ack, rejects with the device's reason. */
  setRate(rateMlPerH: number, leaseMs: number): Promise<void> {
    return sendCommand(this.link, 'PumpSetRate', { rateMlPerH, leaseMs });
  }

  /** Sets a rate and keeps its lease renewed until release() or stop() (see LeaseRenewal). */
  holdRate(rateMlPerH: number, leaseMs: number): Promise<void> {
    return this.renewal.hold(() => this.setRate(rateMlPerH, leaseMs), leaseMs);
  }

  /** Stops renewing; the current lease runs out on the pump. */
  release(): void {
    this.renewal.release();
  }

  stop(): Promise<void> {
    this.release();
    return sendCommand(this.link, 'PumpStop', {});
  }
}
