// What the blood-pressure loop learns between two decisions, as typed events in the order they arrived,
// and the pure summary of one period: the beats become the period's pressure observation, the pump's
// reports become what the pump is doing and how much it delivered. Being pure, and fed from the record's
// lines in replay, the summary is replayed with the decision it feeds.
import type { AlarmValues, PressureBeatValues, PumpStatusValues } from '../../../protocols/generated/wire-codec.ts';
import type { BpObservation } from '../../control/bp/bp-controller.ts';
import type { PumpReport } from '../../safety/pump-monitor.ts';

/** Everything the blood-pressure loop receives, stamped with the host's time of arrival. */
export type PeriodEvent =
  | { kind: 'beat'; tMs: number; beat: PressureBeatValues }
  | { kind: 'pump-status'; tMs: number; status: PumpStatusValues }
  | { kind: 'device-alarm'; tMs: number; device: string; alarm: AlarmValues }
  | { kind: 'command'; tMs: number; command: 'set-rate' | 'stop'; rateMlPerH: number; outcome: 'acknowledged' | 'refused'; reason: string | null }
  | { kind: 'link'; tMs: number; device: string; state: string; detail: string };

export const PERIOD_EVENT_KINDS: readonly PeriodEvent['kind'][] = ['beat', 'pump-status', 'device-alarm', 'command', 'link'];

/** The observation as summarised from the period's beats; the rate delivered over the period is added by decide(). */
export type PeriodObservation = Omit<BpObservation, 'infusedMlPerH'>;

/** What the summary carries from one period to the next. */
export interface PeriodMemory {
  lastBeatMs: number | null;
  status: PumpStatusValues | null;
  statusAtMs: number | null;
  /** The pump's count at the latest status of the previous decision. */
  mark: { deliveredMl: number; pumpTMs: number } | null;
}

export function periodStart(): PeriodMemory {
  return { lastBeatMs: null, status: null, statusAtMs: null, mark: null };
}

/** The pump's clock is milliseconds modulo 2^32 (it wraps every 49.7 days). */
const wrapMs = (later: number, earlier: number) => (later - earlier + 0x1_0000_0000) % 0x1_0000_0000;

export function summarisePeriod(m: PeriodMemory, events: readonly PeriodEvent[]): {
  obs: PeriodObservation | null; pump: PumpReport; memory: PeriodMemory;
} {
  let sum = 0;
  let clean = 0;
  let flagged = 0;
  let quality = 0;
  let lastBeatMs = m.lastBeatMs;
  let status = m.status;
  let statusAtMs = m.statusAtMs;
  let restarted = false;
  const refusals: string[] = [];
  const alarmsRaised: AlarmValues[] = [];
  const acknowledgedMlPerH: number[] = [];
  for (const e of events) {
    if (e.kind === 'beat') {
      lastBeatMs = e.tMs;
      quality |= e.beat.quality;
      // A beat the sensor flagged (flush, damping, lost signal...) never counts towards the pressure.
      if (e.beat.quality === 0) {
        sum += e.beat.meanMmHg;
        clean++;
      } else {
        flagged++;
      }
    } else if (e.kind === 'pump-status') {
      if (status && e.status.deliveredMl < status.deliveredMl - 1e-9) restarted = true;
      status = e.status;
      statusAtMs = e.tMs;
    } else if (e.kind === 'command') {
      if (e.outcome === 'refused') refusals.push(`${e.command === 'stop' ? 'stop' : `${e.rateMlPerH.toFixed(1)} mL/h`}: ${e.reason ?? 'refused'}`);
      else if (e.command === 'set-rate') acknowledgedMlPerH.push(e.rateMlPerH);
    } else if (e.kind === 'device-alarm' && e.device === 'infusion-pump' && e.alarm.state === 1) {
      alarmsRaised.push(e.alarm);
    }
  }
  let measuredMlPerH: number | null = null;
  const mark = m.mark;
  if (status && mark && !restarted && status.deliveredMl >= mark.deliveredMl - 1e-9) {
    const dtMs = wrapMs(status.tMs, mark.pumpTMs);
    if (dtMs > 0) measuredMlPerH = ((status.deliveredMl - mark.deliveredMl) * 3_600_000) / dtMs;
  }
  const obs = lastBeatMs === null ? null : { tMs: lastBeatMs, meanMmHg: clean > 0 ? sum / clean : NaN, cleanBeats: clean, flaggedBeats: flagged, quality };
  return {
    obs,
    pump: { status, statusAtMs, measuredMlPerH, restarted, refusals, alarmsRaised, acknowledgedMlPerH },
    memory: { lastBeatMs, status, statusAtMs, mark: status ? { deliveredMl: status.deliveredMl, pumpTMs: status.tMs } : null },
  };
}
