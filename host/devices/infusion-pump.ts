// The host's view of an infusion pump: typed commands, lease renewal while the caller wants the rate, the
// latest status and the alarms. No control logic: what rate to run is the controller's and supervisor's.
import { MsgId, readAlarm, readPumpStatus } from '../../protocols/generated/wire-codec.ts';
import type { AlarmValues, PumpStatusValues } from '../../protocols/generated/wire-codec.ts';
import type { Timer } from '../../protocols/clock/clock.ts';
import type { Clock } from '../../protocols/clock/clock.ts';
import type { DeviceLink } from '../link/device-link.ts';
import { sendCommand } from './device-command.ts';

export class InfusionPump {
  status: PumpStatusValues | null = null;
  readonly alarms: AlarmValues[] = [];
  private renewal: Timer | null = null;
  private readonly statusListeners: ((s: PumpStatusValues) => void)[] = [];

  constructor(readonly link: DeviceLink, private readonly clock: Clock) {
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
          if (a) this.alarms.push(a);
        }
      },
    });
  }

  onStatus(listener: (s: PumpStatusValues) => void): void {
    this.statusListeners.push(listener);
  }

  /** Sets a rate for one lease; resolves on Ack, rejects with the device's reason. */
  setRate(rateMlPerH: number, leaseMs: number): Promise<void> {
    return sendCommand(this.link, 'PumpSetRate', { rateMlPerH, leaseMs });
  }

  /**
   * Sets a rate and keeps renewing its lease (every third of it) until release() or stop(). If the host
   * stops renewing (it hangs or dies), the pump falls back to its safe rate by itself.
   */
  async holdRate(rateMlPerH: number, leaseMs: number): Promise<void> {
    this.release();
    await this.setRate(rateMlPerH, leaseMs);
    this.renewal = this.clock.every(leaseMs / 3, () => {
      // A renewal that fails (link lost, refused) ends the hold: after a loss the pump has fallen back to
      // its safe rate, and therapy resumes only when someone commands it again.
      this.setRate(rateMlPerH, leaseMs).catch(() => this.release());
    });
  }

  /** Stops renewing; the current lease runs out on the pump. */
  release(): void {
    if (this.renewal) this.renewal.cancel();
    this.renewal = null;
  }

  stop(): Promise<void> {
    this.release();
    return sendCommand(this.link, 'PumpStop', {});
  }
}
