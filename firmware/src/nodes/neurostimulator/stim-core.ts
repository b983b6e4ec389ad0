// The stimulator's behaviour, board-independent: leased amplitude commands inside the board's window, the
// delivered amplitude following them within the ramp limits, the fallback (continuous) amplitude when a
// lease lapses and from boot, never an abrupt stop; the detector is blanked after every change of target.
// Lease, window, ramp and alarm flags are the shared safety core (firmware/src/safety), which this extends.
// Members end in _ so the build shortens their names: on a 2,600-variable board every character counts.
import { AlarmCode, AlarmPriority, NackReason, StimAlarmFlags, StimState } from '../../../../protocols/generated/wire-codec.ts';
import type { StimStatusValues } from '../../../../protocols/generated/wire-codec.ts';
import { ackLease } from '../../../../protocols/session/responder-session.ts';
import type { NeurostimBoardConfig } from '../../board-config.ts';
import type { PeriodicClock } from '../../hal/hal.ts';
import { LeasedSetpoint, SetpointMode } from '../../safety/leased-setpoint.ts';

export interface StimOutputs {
  /** Drive the output stage to this amplitude. */
  amplitude(ma: number): void;
  status(s: StimStatusValues): void;
  alarm(code: number, priority: number, raised: boolean): void;
}

export class StimCore extends LeasedSetpoint {
  private blankUntilMs_ = 0;
  private lastTickMs_: number;

  /** tickMs_: how often tick() is called (a lease lapses at a tick, so it ends one tick early). */
  constructor(
    private readonly clock_: PeriodicClock, private readonly blankMs_: number, private readonly tickMs_: number,
    l: NeurostimBoardConfig['limits'], private readonly out_: StimOutputs,
  ) {
    // From boot the output ramps from zero to the fallback amplitude: therapy resumes, never jumps.
    super({
      min: l.windowMinMa, max: l.windowMaxMa, maxRise: Infinity, rampUpPerS: l.rampUpMaPerS, rampDownPerS: l.rampDownMaPerS,
      safe: l.fallbackMa, maxLeaseMs: l.maxLeaseMs,
    }, l.fallbackMa, 0, out_.alarm);
    this.lastTickMs_ = clock_.now();
    out_.amplitude(0);
  }

  /**
   * A StimSetAmplitude that passed its range checks, sent at sentMs (this node's clock, never later than the
   * truth). Returns ackLease(the lease applied) or a nack().
   */
  setAmplitude(ma: number, leaseMs: number, sentMs: number): number {
    const now = this.clock_.now();
    const changed = ma !== this.target_;
    const r = this.command_(ma, leaseMs, now, sentMs, this.tickMs_);
    if (r < ackLease(0)) {
      if ((r & 255) === NackReason.HardLimit) this.raise_(StimAlarmFlags.HardLimitClamped, AlarmCode.HardLimitClamped, AlarmPriority.Medium);
    } else {
      this.clear_(StimAlarmFlags.HardLimitClamped, AlarmCode.HardLimitClamped);
      this.clear_(StimAlarmFlags.LeaseExpired, AlarmCode.LeaseExpired);
      if (changed) this.changed_(now);
    }
    return r;
  }

  /** Called every controlTickMs: lease, one ramp step over the time since the last call, the output. */
  tick(): void {
    const now = this.clock_.now();
    const before = this.output_;
    if (this.tick_(now, now - this.lastTickMs_)) {
      this.raise_(StimAlarmFlags.LeaseExpired, AlarmCode.LeaseExpired, AlarmPriority.Medium);
      this.changed_(now);
    }
    this.lastTickMs_ = now;
    if (this.output_ !== before) this.out_.amplitude(this.output_);
  }

  /** Whether beta computed now would include the artifact of a recent change. */
  blanked(): boolean {
    return this.clock_.now() < this.blankUntilMs_;
  }

  status(): StimStatusValues {
    const now = this.clock_.now();
    const m = this.mode_;
    return {
      tMs: now, state: m === SetpointMode.Commanded ? StimState.Stimulating : m === SetpointMode.Safe ? StimState.RampingDown : StimState.AwaitingHost,
      amplitudeMa: this.output_, targetAmplitudeMa: this.target_, leaseRemainingMs: this.remainingMs_(now),
      // Ramp-limited is a state shown here, not an alarm worth a message of its own.
      alarms: this.output_ !== this.target_ ? this.bits_ | StimAlarmFlags.RampLimited : this.bits_,
    };
  }

  private changed_(now: number): void {
    this.blankUntilMs_ = now + this.blankMs_;
    this.out_.status(this.status());
  }
}
