// The host's view of a neurostimulator: amplitude with lease renewal, status and beta power.
import { MsgId, readBetaPower, readStimStatus } from '../../protocols/generated/wire-codec.ts';
import type { BetaPowerValues, StimStatusValues } from '../../protocols/generated/wire-codec.ts';
import type { Clock, Timer } from '../../protocols/clock/clock.ts';
import type { DeviceLink } from '../link/device-link.ts';
import { sendCommand } from './device-command.ts';

export class Neurostimulator {
  status: StimStatusValues | null = null;
  private renewal: Timer | null = null;
  private readonly betaListeners: ((b: BetaPowerValues) => void)[] = [];

  constructor(readonly link: DeviceLink, private readonly clock: Clock) {
    link.on({
      message: (id, buf, s, e) => {
        if (id === MsgId.StimStatus) this.status = readStimStatus(buf, s, e) ?? this.status;
        else if (id === MsgId.BetaPower) {
          const b = readBetaPower(buf, s, e);
          if (b) for (const l of this.betaListeners) l(b);
        }
      },
    });
  }

  onBetaPower(listener: (b: BetaPowerValues) => void): void {
    this.betaListeners.push(listener);
  }

  setAmplitude(amplitudeMa: number, leaseMs: number): Promise<void> {
    return sendCommand(this.link, 'StimSetAmplitude', { amplitudeMa, leaseMs });
  }

  /** Sets an amplitude and renews its lease until release(); without renewals the device ramps down. */
  async holdAmplitude(amplitudeMa: number, leaseMs: number): Promise<void> {
    this.release();
    await this.setAmplitude(amplitudeMa, leaseMs);
    this.renewal = this.clock.every(leaseMs / 3, () => {
      this.setAmplitude(amplitudeMa, leaseMs).catch(() => this.release()); // never resume silently after a loss
    });
  }

  release(): void {
    if (this.renewal) this.renewal.cancel();
    this.renewal = null;
  }
}
