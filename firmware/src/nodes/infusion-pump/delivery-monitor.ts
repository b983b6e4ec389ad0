// Does the plunger move as the motor is told to? Sans-I/O: fed once a control tick with the plunger position
// sensor's reading, the volume the steps drove (the pump's own count) and the driven rate, it says which
// delivery fault has stood its hold time. It follows the plunger's lead over the steps (travel minus driven
// volume), smoothed over 8 ticks against its own 40 s average: a plunger that follows its steps keeps that
// lead constant (a syringe a little off its nominal bore only drifts it slowly), while a stall pulls it down
// by up to the volume of 40 s of the rate, and a free flow pushes it up. So:
//   motor-stall  driving at least 0.1 mL per 40 s and the lead fell by over half of that (cleared above a
//                quarter, or when the rate is too low to judge);
//   free-flow    the lead rose by over 0.1 mL plus a quarter of 40 s of the rate (cleared under 0.05 mL).
// Each must stand 5 s. For a 12-bit read of a potentiometer across a 50 mL stroke (one ADC step is 12 uL,
// the smoothed reading's noise about 5 uL) these margins are over 10 times the noise [U, engineering
// estimates]. A stall is told in about 33 s from 9 mL/h up; a 30 mL/h free flow in about 20 s. Small on
// purpose: every byte of it costs the smallest boards' variables (literal numbers, no tables).
import { PumpAlarmFlags } from '../../../../protocols/generated/wire-codec.ts';

export class DeliveryMonitor {
  /** The plunger's smoothed lead over the steps, mL, and its 40 s average. */
  private lead_ = 0;
  private mean_ = 0;
  /** Ticks left before the average may serve: starts afresh after restart(). */
  private settle_ = 24;
  /** The suspected fault (a PumpAlarmFlags bit, 0 for none) and since when. */
  private fault_ = 0;
  private sinceMs_ = 0;
  /** Share of a tick in the average's 40 s. */
  private readonly k_: number;

  /**
   * mlPerFraction: plunger travel per unit of the position reading (the syringe's volume over its stroke);
   * tickMs: how often check() is called.
   */
  constructor(private readonly mlPerFraction_: number, tickMs: number) {
    this.k_ = tickMs / 40000;
  }

  /** Starts afresh (a PumpStop acknowledged the alarms): nothing seen so far counts. */
  restart(): void {
    this.settle_ = 24;
  }

  /** The PumpAlarmFlags bit (MotorStall or FreeFlow) of a fault that has stood its hold time, or 0. */
  check(nowMs: number, reading: number, drivenMl: number, rateMlPerH: number): number {
    const leadMl = reading * this.mlPerFraction_ - drivenMl;
    // The first reading is a raw one: the average waits until the smoothing has forgotten it (to 4%).
    if (this.settle_ === 24) this.lead_ = leadMl;
    const lead = (this.lead_ += (leadMl - this.lead_) / 8);
    if (this.settle_ > 0) {
      this.settle_--;
      this.mean_ = lead;
      this.fault_ = 0;
    }
    const h = lead - (this.mean_ += (lead - this.mean_) * this.k_);
    // What 40 s of the rate drives, mL.
    const x = rateMlPerH / 90;
    const f = x >= 0.1 && h < -x / 2 ? PumpAlarmFlags.MotorStall : h > 0.1 + x / 4 ? PumpAlarmFlags.FreeFlow : 0;
    const was = this.fault_;
    if (f) {
      if (f !== was) this.sinceMs_ = nowMs;
      this.fault_ = f;
    } else if (was === PumpAlarmFlags.MotorStall ? x < 0.1 || h > -x / 4 : h < 0.05) this.fault_ = 0;
    // The hold: 5 s (noise never lasts that long; a literal, as a constant would cost a variable).
    return this.fault_ && nowMs - this.sinceMs_ >= 5000 ? this.fault_ : 0;
  }
}
