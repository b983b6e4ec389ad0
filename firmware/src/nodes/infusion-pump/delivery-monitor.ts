// Does the plunger move as the motor is told to? Sans-I/O: fed once a control tick with the plunger position
// sensor's reading and the volume the steps drove (the pump's own count), it says which delivery fault has
// stood its hold time:
//   motor-stall  steps driven, plunger still: it moved less than half the driven volume (cleared above 3/4,
//                or once the motor stops);
//   free-flow    the plunger ran ahead of the steps, or moved with the motor stopped: travel beyond 5/4 of the
//                driven volume by more than freeFlowMl (cleared under half of that).
// The reading is smoothed (a first-order filter of 8 ticks) and compared over a window between half and
// all of windowMs long, so that ADC noise and quantisation stay far under the thresholds. Small on purpose:
// every byte of it costs the smallest boards' variables.
import { PumpAlarmFlags } from '../../../../protocols/generated/wire-codec.ts';

// For a 12-bit read of a potentiometer across a 50 mL stroke (one ADC step is 12 uL) [U, engineering estimates;
// the board files carry no such limits yet]. A stall is told within about JUDGE_ML / rate + HOLD_MS (30 s at
// 15 mL/h) down to about 6 mL/h, a 30 mL/h free flow within about 20 s.
/** A stall is judged only over at least this much driven volume: 8 ADC steps, 15 times the smoothed noise. */
export const JUDGE_ML = 0.1;
/** Travel beyond what the steps drove (plus a quarter of it) that is a free flow. */
export const FREE_FLOW_ML = 0.1;
/** Longest comparison window: a free flow with the motor stopped is judged over it. */
export const WINDOW_MS = 60_000;
/** A stall or free flow must stand this long before it raises (noise never lasts that long). */
export const HOLD_MS = 5000;

export class DeliveryMonitor {
  /** Smoothed position reading, -1 before the first. */
  private pos_ = -1;
  /** Ticks left before the smoothed reading may serve as a reference. */
  private settle_ = 0;
  /**
   * Two references as (time, position, driven volume): the comparison runs from the older; the newer takes
   * its place once half a window old or judgeMl behind, so the window spans between half and all of it.
   */
  private ref_: number[] = [];
  /** The suspected fault (a PumpAlarmFlags bit, 0 for none) and since when. */
  private fault_ = 0;
  private sinceMs_ = 0;

  /** mlPerFraction: plunger travel per unit of the position reading (the syringe's volume over its stroke). */
  constructor(private readonly mlPerFraction_: number) {}

  /** Starts afresh (a PumpStop acknowledged the alarms): nothing seen so far counts. */
  restart(): void {
    this.pos_ = -1;
  }

  /** The PumpAlarmFlags bit (MotorStall or FreeFlow) of a fault that has stood its hold time, or 0. */
  check(nowMs: number, reading: number, drivenMl: number, driving: boolean): number {
    if (this.pos_ < 0) {
      this.pos_ = reading;
      this.settle_ = 24;
    }
    const pos = (this.pos_ += (reading - this.pos_) / 8);
    let r = this.ref_;
    // The first reading is a raw one: the references wait until the filter has forgotten it (to 4%).
    if (this.settle_ > 0) {
      this.settle_--;
      this.fault_ = 0;
      r = [nowMs, pos, drivenMl, nowMs, pos, drivenMl];
    }
    const movedMl = (pos - r[1]) * this.mlPerFraction_;
    const drivenNowMl = drivenMl - r[2];
    const excessMl = movedMl - drivenNowMl * 1.25;
    const f = driving && drivenNowMl >= JUDGE_ML && movedMl < drivenNowMl / 2 ? PumpAlarmFlags.MotorStall : excessMl > FREE_FLOW_ML ? PumpAlarmFlags.FreeFlow : 0;
    const was = this.fault_;
    if (f) {
      if (f !== was) this.sinceMs_ = nowMs;
      this.fault_ = f;
    } else if (was === PumpAlarmFlags.MotorStall ? !driving || movedMl > drivenNowMl * 0.75 : excessMl < FREE_FLOW_ML / 2) this.fault_ = 0;
    this.ref_ = nowMs - r[3] >= WINDOW_MS / 2 || drivenMl - r[5] >= JUDGE_ML ? [r[3], r[4], r[5], nowMs, pos, drivenMl] : r;
    return this.fault_ && nowMs - this.sinceMs_ >= HOLD_MS ? this.fault_ : 0;
  }
}
