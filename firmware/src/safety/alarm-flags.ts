// A node's active alarms as bit flags: raising or clearing one that changes reports it once (an Alarm
// message), so a condition that persists is not reported over and over. Node cores extend it (through
// LeasedSetpoint), so the flags cost no object of their own.
import { AlarmPriority } from '../../../protocols/generated/wire-codec.ts';

export class AlarmFlags {
  bits_ = 0;

  constructor(private readonly report_: (code: number, priority: number, raised: boolean) => void) {}

  raise_(flag: number, code: number, priority: number): void {
    if (this.bits_ & flag) return;
    this.bits_ |= flag;
    this.report_(code, priority, true);
  }

  clear_(flag: number, code: number): void {
    if (!(this.bits_ & flag)) return;
    this.bits_ &= ~flag;
    this.report_(code, AlarmPriority.Medium, false);
  }
}
