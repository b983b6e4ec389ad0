// The safety core every actuating node shares (pump rate, stimulation amplitude): a commanded setpoint that
// never leaves its window, holds only for its lease, falls back to the safe value when the lease lapses,
// and is followed by the output no faster than the ramp limits allow. Sans-I/O: time comes in as numbers.
// A command is refused (never clamped) when it is outside the window or raises the setpoint by more than
// one command may; the node decides what else a refusal raises (an alarm flag).
import { NackReason } from '../../../protocols/generated/wire-codec.ts';
import { ackLease, nack } from '../../../protocols/session/responder-session.ts';
import { AlarmFlags } from './alarm-flags.ts';

const enum Clocks {
  /** Share of a lease a node gives up for its clock running at another rate than the host's (1000 ppm). */
  Tolerance = 0.001,
}

/**
 * When a node lets a lease of appliedMs lapse, for a command the host sent at sentMs (on the node's clock,
 * never later than the truth): a control tick early, less the clocks' tolerance, so the node checking
 * every tickMs never runs past the time the host believes (SPEC.md section 3.7).
 */
export function leaseEndMs(sentMs: number, appliedMs: number, tickMs: number): number {
  return sentMs + appliedMs - tickMs - Math.ceil(appliedMs * Clocks.Tolerance);
}

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

  /**
   * A command sent at sentMs, checked every tickMs: ackLease(the lease applied) when taken, or a nack()
   * naming the field (0: the value, 1: the lease) and the reason. A command whose lease would already be
   * over is refused as expired.
   */
  command_(value: number, leaseMs: number, nowMs: number, sentMs: number, tickMs: number): number {
    const lim = this.lim_;
    if (value < lim.min || value > lim.max) return nack(NackReason.HardLimit, 0);
    if (value - this.output_ > lim.maxRise) return nack(NackReason.RateChangeLimit, 0);
    const applied = leaseMs < lim.maxLeaseMs ? leaseMs : lim.maxLeaseMs;
    const end = leaseEndMs(sentMs, applied, tickMs);
    if (end <= nowMs) return nack(NackReason.Expired, 1);
    this.target_ = value;
    this.mode_ = SetpointMode.Commanded;
    this.leaseEndMs_ = end;
    return ackLease(applied);
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
