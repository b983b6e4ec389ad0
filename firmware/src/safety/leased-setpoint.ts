// The safety core every actuating node shares (pump rate, stimulation amplitude): a commanded setpoint that
// never leaves its window, holds only for its lease, falls back to the safe value when the lease lapses,
// and is followed by the output no faster than the ramp limits allow. Sans-I/O: time comes in as numbers.
// A command is refused (never clamped) when it is outside the window or raises the setpoint by more than
// one command may; the node decides what else a refusal raises (an alarm flag).
import { NackReason } from '../../../protocols/generated/wire-codec.ts';
import { nack } from '../../../protocols/session/responder-session.ts';
import { AlarmFlags } from './alarm-flags.ts';

export const enum SetpointMode {
  /** No command yet: the output goes to the boot target. */
  AwaitingHost = 0,
  /** Under a lease. */
  Commanded = 1,
  /** A lease lapsed: the output goes to the safe value and stays there until the next command. */
  Safe = 2,
}

export interface SetpointLimits {
  min: number;
  max: number;
  /** Largest rise above the present output one command may ask for (Infinity: any). */
  maxRise: number;
  /** How fast the output may follow the setpoint, units per second (Infinity: at once). */
  rampUpPerS: number;
  rampDownPerS: number;
  /** Where the output goes when a lease lapses. */
  safe: number;
  maxLeaseMs: number;
}

/** A node core extends this: its setpoint and its alarm flags. */
export class LeasedSetpoint extends AlarmFlags {
  mode_ = SetpointMode.AwaitingHost;
  private leaseEndMs_ = 0;

  /** Starts in AwaitingHost with the output at `output_`, heading for `target_` (the boot target). */
  constructor(
    private readonly lim_: SetpointLimits, public target_: number, public output_: number,
    report: (code: number, priority: number, raised: boolean) => void,
  ) {
    super(report);
  }

  /** A command: 0 when taken, or a nack() naming the field (0: the value) and the reason. */
  command_(value: number, leaseMs: number, nowMs: number): number {
    const lim = this.lim_;
    if (value < lim.min || value > lim.max) return nack(NackReason.HardLimit, 0);
    if (value - this.output_ > lim.maxRise) return nack(NackReason.RateChangeLimit, 0);
    this.target_ = value;
    this.mode_ = SetpointMode.Commanded;
    this.leaseEndMs_ = nowMs + (leaseMs < lim.maxLeaseMs ? leaseMs : lim.maxLeaseMs);
    return 0;
  }

  /** Drops the lease and sets a target at once (a stop, an alarm). */
  cancel_(target: number, mode: SetpointMode): void {
    this.mode_ = mode;
    this.target_ = target;
    this.leaseEndMs_ = 0;
  }

  /** Time left on the lease, 0 when none is held. */
  remainingMs_(nowMs: number): number {
    const left = this.mode_ === SetpointMode.Commanded ? this.leaseEndMs_ - nowMs : 0;
    return left > 0 ? left : 0;
  }

  /** Checks the lease and moves the output over dtMs; true when the lease lapsed on this call. */
  tick_(nowMs: number, dtMs: number): boolean {
    const lim = this.lim_;
    let lapsed = false;
    if (this.mode_ === SetpointMode.Commanded && nowMs >= this.leaseEndMs_) {
      this.cancel_(lim.safe, SetpointMode.Safe);
      lapsed = true;
    }
    const d = this.target_ - this.output_;
    const up = (lim.rampUpPerS * dtMs) / 1000;
    const down = (lim.rampDownPerS * dtMs) / 1000;
    // Land exactly on the target once within one step of it (no creeping by rounding).
    this.output_ = d > up ? this.output_ + up : d < -down ? this.output_ - down : this.target_;
    return lapsed;
  }
}
