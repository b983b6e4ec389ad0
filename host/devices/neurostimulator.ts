// The host's view of a neurostimulator: amplitude with lease renewal, status and beta power.
import { MsgId, NodeRole, checkBetaPower, checkStimStatus, readBetaPower, readStimStatus } from '../../protocols/generated/wire-codec.ts';
import type { BetaPowerValues, StimStatusValues } from '../../protocols/generated/wire-codec.ts';
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

  constructor(readonly link: DeviceLink, clock: Clock) {
    link.expectRole(NodeRole.Neurostim);
    this.renewal = new LeaseRenewal(clock);
    link.on({
      message: (id, buf, s, e) => {
        if (id === MsgId.StimStatus) this.status = this.gate.pass(readStimStatus, checkStimStatus, buf, s, e) ?? this.status;
        else if (id === MsgId.BetaPower) {
          const b = this.gate.pass(readBetaPower, checkBetaPower, buf, s, e);
          if (b) for (const l of this.betaListeners) l(b);
        } else if (id === MsgId.Alarm) this.gate.alarm(buf, s, e);
      },
    });
  }

  onBetaPower(listener: (b: BetaPowerValues) => void): void {
    this.betaListeners.push(listener);
  }

  setAmplitude(amplitudeMa: number, leaseMs: number): Promise<number> {
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
