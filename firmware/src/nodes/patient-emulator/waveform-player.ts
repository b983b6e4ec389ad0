// What the patient emulator plays on its transducer output: beats of the pressures and rate the host last
// set, each new setting taken up at the next beat's foot (as a real heart changes from beat to beat), or a
// flat level (heart rate 0) taken up at once (a flush or a dropout is abrupt). Sans-I/O: time comes in.
import { beatShape } from './beat-shape.ts';

export interface BeatSetting {
  systolicMmHg: number;
  diastolicMmHg: number;
  /** 0: the output holds diastolicMmHg. */
  heartRateBpm: number;
}

/** Beats a late tick may skip through before the player restarts at now (after a stall). */
const MAX_CATCH_UP_BEATS = 8;

export class WaveformPlayer {
  private playing: BeatSetting;
  private next: BeatSetting;
  private beatStartMs: number;

  constructor(start: BeatSetting, nowMs: number) {
    this.playing = start;
    this.next = start;
    this.beatStartMs = nowMs;
  }

  /** What is being played now (the last setting taken up). */
  get current(): BeatSetting {
    return this.playing;
  }

  set(s: BeatSetting, nowMs: number): void {
    this.next = s;
    if (s.heartRateBpm <= 0 || this.playing.heartRateBpm <= 0) {
      this.playing = s;
      this.beatStartMs = nowMs;
    }
  }

  /** The pressure to output at nowMs (called with time going forward). */
  pressureMmHg(nowMs: number): number {
    let b = this.playing;
    if (b.heartRateBpm <= 0) return b.diastolicMmHg;
    let rrMs = 60000 / b.heartRateBpm;
    if (nowMs - this.beatStartMs > MAX_CATCH_UP_BEATS * rrMs) this.beatStartMs = nowMs;
    while (nowMs - this.beatStartMs >= rrMs) {
      this.beatStartMs += rrMs;
      b = this.playing = this.next;
      if (b.heartRateBpm <= 0) return b.diastolicMmHg;
      rrMs = 60000 / b.heartRateBpm;
    }
    return b.diastolicMmHg + (b.systolicMmHg - b.diastolicMmHg) * beatShape((nowMs - this.beatStartMs) / 1000, rrMs / 1000);
  }
}
