// The host's view of a neurostimulator: amplitude with lease renewal, status and beta power.
import { MsgId, readBetaPower, readStimStatus } from '../../protocols/generated/wire-codec.ts';
import type { BetaPowerValues, StimStatusValues } from '../../protocols/generated/wire-codec.ts';
import type { Clock } from '../../protocols/clock/clock.ts';
import { LeaseRenewal } from './lease-renewal.ts';
import type { DeviceLink } from '../link/device-link.ts';
import { sendCommand } from './device-command.ts';

export class Neurostimulator {
  status: StimStatusValues | null = null;
  private readonly renewal: LeaseRenewal;
  private readonly betaListeners: ((b: BetaPowerValues) => void)[] = [];

  constructor(readonly link: DeviceLink, clock: Clock) {
    this.renewal = new LeaseRenewal(clock);
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

  /** Sets an amplitude and keeps its lease renewed until release(); without renewals the device ramps down. */
  holdAmplitude(amplitudeMa: number, leaseMs: number): Promise<void> {
    return this.renewal.hold(() => this.setAmplitude(amplitudeMa, leaseMs), leaseMs);
  }

  release(): void {
    this.renewal.release();
  }
}
