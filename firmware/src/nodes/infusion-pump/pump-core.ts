// The syringe pump's behaviour, board-independent: it turns leased rate commands into step rates within the
// board's hard limits, counts the volume delivered, watches the force and end-stop inputs, and falls back to
// the safe rate when a lease lapses, or to the rate the host asked it to hold then (a vasopressor), within the
// board's maxLapseRateMlPerH. Its delivery monitor compares the plunger's travel with the steps (motor stall,
// free flow); with the air detector, each stops the motor with a high alarm, latched until a PumpStop
// acknowledges it. It never exceeds the limits whatever the host sends: a rate above the
// ceiling is refused, the rate rises by at most maxRateChangeMlPerH within any rateChangeWindowMs, and a
// lease never outlives what the host believes (SPEC.md section 3.7).
import { AlarmCode, AlarmPriority, NackReason, PumpAlarmFlags, PumpState } from '../../../../protocols/generated/wire-codec.ts';
import type { PumpStatusValues } from '../../../../protocols/generated/wire-codec.ts';
import type { PumpBuildNode } from '../../board-config.ts';
import type { Hal, Pins } from '../../hal/hal.ts';
import { ackLease, nack } from '../../../../protocols/session/responder-session.ts';
import { leaseEndMs } from '../../safety/leased-setpoint.ts';
import { lapseRestMlPerH } from '../../safety/lapse-rate.ts';
import type { DeliveryMonitor } from './delivery-monitor.ts';

export interface PumpOutputs {
  /** Status changed (or is due): send it. */
  status(s: PumpStatusValues): void;
  alarm(code: number, priority: number, raised: boolean): void;
}

export class PumpCore {
  state_ = PumpState.AwaitingHost;
  rateMlPerH_ = 0;
  commandedMlPerH_ = 0;
  deliveredMl_ = 0;
  alarms_ = 0;
  private leaseEndMs_ = 0;
  /** Where this lease lapses to (safety/lapse-rate.ts). */
  private lapseMlPerH_ = 0;
  private lastTickMs_: number;
  private forceHighSinceMs_ = -1;
  private readonly mlPerStep_: number;
  /** Changes of the delivered rate as time, rate pairs, oldest first (see setRate). */
  private history_: number[];

  constructor(
    private readonly hal_: Hal,
    private readonly pins_: Pins,
    private readonly cfg_: PumpBuildNode,
    private readonly out_: PumpOutputs,
    /** Watches the plunger against the steps; absent on a board without a plunger position sensor. */
    private readonly monitor_?: DeliveryMonitor,
  ) {
    this.mlPerStep_ = cfg_.mlPerStep;
    this.lastTickMs_ = hal_.clock.now();
    this.history_ = [this.lastTickMs_, 0];
    pins_.digitalWrite(cfg_.pins.enable, true); // driver disabled (active low) until a rate is set
    pins_.stepOut(cfg_.pins.step, 0);
  }

  /** The host said hello: leave the boot state, still stopped. */
  hostReady(): void {
    if (this.state_ === PumpState.AwaitingHost) this.setRate_(0, PumpState.Stopped);
  }

  /**
   * A PumpSetRate that passed its range checks, sent at sentMs (this node's uptime, never later than the
   * truth), with the rate to fall to if its lease lapses (0 when the host sent none). Returns ackLease(the
   * lease applied) or a nack().
   */
  setRate(rateMlPerH: number, leaseMs: number, sentMs: number, lapseRateMlPerH: number): number {
    const lim = this.cfg_.limits;
    const now = this.hal_.clock.now();
    if (this.state_ === PumpState.Alarm) return nack(NackReason.AlarmActive);
    if (rateMlPerH > lim.maxRateMlPerH) {
      this.flag_(PumpAlarmFlags.HardLimitClamped, AlarmCode.HardLimitClamped, AlarmPriority.Medium);
      return nack(NackReason.HardLimit, 0);
    }
    // Decreases are always allowed; the rate may rise at most maxRateChangeMlPerH above the lowest it
    // ran at during the window, however many commands it takes. History: changes of the delivered rate
    // as time, rate pairs, oldest first; those before the window matter only through the last of them,
    // the rate in effect as it opened.
    const h = this.history_;
    while (h.length > 2 && h[2] <= now - lim.rateChangeWindowMs) h.splice(0, 2);
    let low = this.rateMlPerH_;
    for (let i = 1; i < h.length; i += 2) if (h[i] < low) low = h[i];
    if (rateMlPerH - low > lim.maxRateChangeMlPerH) return nack(NackReason.RateChangeLimit, 0);
    // The lease counts from when the host sent the command; the pump stops at the control tick before its
    // end, with a margin for the two clocks' rates, so it never runs past what the host believes.
    const applied = leaseMs < lim.maxLeaseMs ? leaseMs : lim.maxLeaseMs;
    const end = leaseEndMs(sentMs, applied, this.cfg_.controlTickMs);
    if (end <= now) return nack(NackReason.Expired, 1);
    this.commandedMlPerH_ = rateMlPerH;
    this.leaseEndMs_ = end;
    this.lapseMlPerH_ = lapseRestMlPerH(rateMlPerH, lapseRateMlPerH, lim.maxLapseRateMlPerH, lim.safeRateMlPerH);
    this.unflag_(PumpAlarmFlags.LeaseExpired, AlarmCode.LeaseExpired);
    this.setRate_(rateMlPerH, PumpState.Running);
    return ackLease(applied);
  }

  /** PumpStop: always obeyed; also acknowledges a latched alarm. */
  stop(): void {
    this.leaseEndMs_ = 0;
    this.forceHighSinceMs_ = -1;
    this.unflag_(PumpAlarmFlags.Occlusion, AlarmCode.Occlusion);
    this.unflag_(PumpAlarmFlags.SyringeEmpty, AlarmCode.SyringeEmpty);
    this.unflag_(PumpAlarmFlags.HardLimitClamped, AlarmCode.HardLimitClamped);
    this.unflag_(PumpAlarmFlags.MotorStall, AlarmCode.MotorStall);
    this.unflag_(PumpAlarmFlags.FreeFlow, AlarmCode.FreeFlow);
    this.unflag_(PumpAlarmFlags.AirInLine, AlarmCode.AirInLine);
    if (this.monitor_) this.monitor_.restart();
    this.setRate_(0, PumpState.Stopped);
  }

  /** Called every controlTickMs. */
  tick(): void {
    const now = this.hal_.clock.now();
    this.integrate_(now);
    const cfg = this.cfg_;
    if (this.state_ === PumpState.Running && now >= this.leaseEndMs_) {
      this.flag_(PumpAlarmFlags.LeaseExpired, AlarmCode.LeaseExpired, AlarmPriority.Medium);
      this.setRate_(this.lapseMlPerH_, PumpState.SafeRate);
    }
    if (this.rateMlPerH_ > 0) {
      if (this.pins_.analogRead(cfg.pins.force) > cfg.limits.occlusionForceFraction) {
        if (this.forceHighSinceMs_ < 0) this.forceHighSinceMs_ = now;
        if (now - this.forceHighSinceMs_ >= cfg.limits.occlusionHoldMs) this.alarmStop_(PumpAlarmFlags.Occlusion, AlarmCode.Occlusion);
      } else this.forceHighSinceMs_ = -1;
      if (this.pins_.digitalRead(cfg.pins.endStop)) this.alarmStop_(PumpAlarmFlags.SyringeEmpty, AlarmCode.SyringeEmpty);
      // The detector does its own bubble-size threshold: its level is the verdict.
      if (this.pins_.digitalRead(cfg.pins.airInLine)) this.alarmStop_(PumpAlarmFlags.AirInLine, AlarmCode.AirInLine);
    }
    if (this.monitor_ && this.state_ !== PumpState.AwaitingHost) {
      const f = this.monitor_.check(now, this.pins_.analogRead(cfg.pins.plunger as string), this.deliveredMl_, this.rateMlPerH_);
      if (f) this.alarmStop_(f, f === PumpAlarmFlags.MotorStall ? AlarmCode.MotorStall : AlarmCode.FreeFlow);
    }
    if (cfg.mechanism.syringeVolumeMl - this.deliveredMl_ <= cfg.limits.nearEmptyMl) {
      this.flag_(PumpAlarmFlags.SyringeNearEmpty, AlarmCode.SyringeNearEmpty, AlarmPriority.Low);
    }
  }

  status(): PumpStatusValues {
    const now = this.hal_.clock.now();
    this.integrate_(now);
    const left = this.state_ === PumpState.Running ? this.leaseEndMs_ - now : 0;
    return {
      tMs: now, state: this.state_, rateMlPerH: this.rateMlPerH_, commandedRateMlPerH: this.commandedMlPerH_,
      deliveredMl: this.deliveredMl_, leaseRemainingMs: left > 0 ? left : 0, alarms: this.alarms_,
    };
  }

  private flag_(flag: number, code: number, priority: number): void {
    if (this.alarms_ & flag) return;
    this.alarms_ |= flag;
    this.out_.alarm(code, priority, true);
  }

  /** A latched high alarm: the motor stops until a PumpStop acknowledges it. */
  private alarmStop_(flag: number, code: number): void {
    this.flag_(flag, code, AlarmPriority.High);
    this.setRate_(0, PumpState.Alarm);
  }

  private unflag_(flag: number, code: number): void {
    if (!(this.alarms_ & flag)) return;
    this.alarms_ &= ~flag;
    this.out_.alarm(code, AlarmPriority.Medium, false);
  }

  private integrate_(now: number): void {
    this.deliveredMl_ += (this.rateMlPerH_ * (now - this.lastTickMs_)) / 3600000;
    this.lastTickMs_ = now;
  }

  private setRate_(rateMlPerH: number, state: number): void {
    const now = this.hal_.clock.now();
    this.integrate_(now);
    const changed = rateMlPerH !== this.rateMlPerH_ || state !== this.state_;
    if (rateMlPerH !== this.rateMlPerH_) this.history_.push(now, rateMlPerH);
    this.rateMlPerH_ = rateMlPerH;
    this.state_ = state;
    const pins = this.cfg_.pins;
    this.pins_.digitalWrite(pins.dir, true);
    this.pins_.digitalWrite(pins.enable, rateMlPerH <= 0);
    this.pins_.stepOut(pins.step, rateMlPerH / 3600 / this.mlPerStep_);
    if (changed) this.out_.status(this.status());
  }
}
