// A restarted host reads the record the dead host left: replayed decision by decision (replay.ts) to the
// supervisor's state at its last decision. With the pump found again (what it runs now, what it has
// delivered by its own count) that gives the point the new loop resumes from: the dose so far is the
// record's count plus what the pump pushed after it, or the worst case when the pump's count began again
// (it restarted); the time at the ceiling carries over; the new loop starts from the pump's rate.
import type { RecordFile } from './record-file.ts';
import { replayRecord } from './replay.ts';
import type { ResumePoint } from './resume-point.ts';

/** The pump as the new host finds it (its first PumpStatus). */
export interface PumpNow {
  rateMlPerH: number;
  deliveredMl: number;
}

/** Reads a dead host's record and the pump's status into the point the new loop resumes from. */
export function resumeFromRecord(rec: RecordFile, pump: PumpNow): ResumePoint {
  const { state } = replayRecord(rec);
  const sv = state.supervisor;
  const header = rec.header as { supervisor: { concentrationUgPerMl: number }; leaseMs: number };
  const conc = header.supervisor.concentrationUgPerMl;
  if (sv.lastTMs === null) throw new Error('the record holds no decision of the dead host: there is nothing to resume from; start afresh');
  const recordedPumpMl = state.period.mark?.deliveredMl ?? null;
  let afterUg: number;
  let note: string;
  if (recordedPumpMl !== null && pump.deliveredMl >= recordedPumpMl - 1e-9) {
    afterUg = (pump.deliveredMl - recordedPumpMl) * conc;
    note = `the pump's count went from ${recordedPumpMl.toFixed(3)} to ${pump.deliveredMl.toFixed(3)} mL since the record's last decision`;
  } else {
    // The pump's count began again (it restarted) or was never seen: the worst case is the last rate for a
    // whole lease, then everything counted since its boot.
    afterUg = ((sv.lastRateMlPerH * header.leaseMs) / 3_600_000 + pump.deliveredMl) * conc;
    note = `the pump's count (${pump.deliveredMl.toFixed(3)} mL) does not follow on from the record's${recordedPumpMl === null ? ' (none seen)' : ` (${recordedPumpMl.toFixed(3)} mL)`}: counted the last rate ${sv.lastRateMlPerH.toFixed(1)} mL/h for a whole lease plus all of it`;
  }
  return {
    lastDecisionMs: sv.lastTMs, recordedDoseUg: sv.deliveredUg, recordedPumpMl, pumpRateMlPerH: pump.rateMlPerH, pumpDeliveredMl: pump.deliveredMl,
    doseUg: sv.deliveredUg + afterUg,
    atCeilingForMs: sv.atCeilingSinceMs === null ? 0 : sv.lastTMs - sv.atCeilingSinceMs,
    runningRateMlPerH: pump.rateMlPerH, targetMmHg: state.targetMmHg ?? null, note,
  };
}

