// What the aDBS loop learns between two decisions, as typed events in the order they arrived, and the pure
// summary of one period: the beta reports (less those inside the supervisor's blanking) become the
// period's beta observation for the policy; the stimulator's status, alarms, command outcomes and link
// states become what the supervisor knows of the device. Pure, so a record's lines replay it exactly.
import type { AlarmValues, BetaPowerValues, StimStatusValues } from '../../../protocols/generated/wire-codec.ts';
import type { BetaObservation } from '../../control/dbs/dbs-policy.ts';
import type { StimReport } from '../../safety/stim-supervisor.ts';

/** Everything the aDBS loop receives, stamped with the host's time of arrival. */
export type DbsEvent =
  | { kind: 'beta'; tMs: number; beta: BetaPowerValues }
  | { kind: 'stim-status'; tMs: number; status: StimStatusValues }
  | { kind: 'device-alarm'; tMs: number; device: string; alarm: AlarmValues }
  | { kind: 'command'; tMs: number; command: 'set-amplitude'; amplitudeMa: number; outcome: 'acknowledged' | 'refused'; reason: string | null }
  | { kind: 'link'; tMs: number; device: string; state: string; detail: string };

export const DBS_EVENT_KINDS: readonly DbsEvent['kind'][] = ['beta', 'stim-status', 'device-alarm', 'command', 'link'];

/** What the summary carries from one period to the next. */
export interface DbsPeriodMemory {
  lastBetaMs: number | null;
  status: StimStatusValues | null;
  statusAtMs: number | null;
  linkUp: boolean;
  linkDetail: string;
}

/** The loop starts once its link is up (host/app connects it first). */
export function dbsPeriodStart(): DbsPeriodMemory {
  return { lastBetaMs: null, status: null, statusAtMs: null, linkUp: true, linkDetail: 'ready' };
}

export interface DbsPeriodSummary {
  obs: BetaObservation;
  /** Beta reports left out because they arrived inside the blanking after a change. */
  blanked: number;
  /** Mean beta peak of the period's usable reports that carry one, Hz (NaN: none did). */
  peakHz: number;
  stim: StimReport;
}

/** `blanked(tMs)` says whether a report that arrived then is inside the supervisor's blanking. */
export function summariseDbsPeriod(m: DbsPeriodMemory, events: readonly DbsEvent[], blanked: (arrivalMs: number) => boolean): {
  summary: DbsPeriodSummary; memory: DbsPeriodMemory;
} {
  let sum = 0;
  let reports = 0;
  let left = 0;
  let peakSum = 0;
  let peaks = 0;
  let { lastBetaMs, status, statusAtMs, linkUp, linkDetail } = m;
  const refusals: string[] = [];
  const alarmsRaised: AlarmValues[] = [];
  for (const e of events) {
    if (e.kind === 'beta') {
      if (blanked(e.tMs)) {
        left++;
        continue;
      }
      sum += e.beta.betaPowerUv2;
      reports++;
      // Devices before the field was appended send none; 0 is a window with no peak.
      if (e.beta.peakHz !== undefined && e.beta.peakHz > 0) {
        peakSum += e.beta.peakHz;
        peaks++;
      }
      lastBetaMs = e.tMs;
    } else if (e.kind === 'stim-status') {
      status = e.status;
      statusAtMs = e.tMs;
    } else if (e.kind === 'command') {
      if (e.outcome === 'refused') refusals.push(`${e.amplitudeMa.toFixed(3)} mA: ${e.reason ?? 'refused'}`);
    } else if (e.kind === 'device-alarm') {
      if (e.alarm.state === 1) alarmsRaised.push(e.alarm);
    } else {
      linkUp = e.state === 'ready';
      linkDetail = e.detail ? `${e.state}: ${e.detail}` : e.state;
    }
  }
  const memory = { lastBetaMs, status, statusAtMs, linkUp, linkDetail };
  return {
    summary: {
      obs: { tMs: lastBetaMs ?? 0, betaPowerUv2: reports > 0 ? sum / reports : NaN, reports },
      blanked: left,
      peakHz: peaks > 0 ? peakSum / peaks : NaN,
      stim: { status, statusAtMs, lastBetaMs, linkUp, linkDetail, refusals, alarmsRaised },
    },
    memory,
  };
}
