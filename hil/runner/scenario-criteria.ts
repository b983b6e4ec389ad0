// Judging one run of a HIL scenario against its criteria: the IEC 60601-1-10 performance figures (settling
// time, overshoot, steady-state deviation, time in band) from the patient's true pressure, and the loop's
// safety invariants from what the pump did (its drive, sampled) against what the host sent, the faults'
// times and the alarms raised. Every criterion gives what was measured and what was allowed, in words.
import type { Criteria } from '../scenarios/hil-scenario.ts';
import type { PatientMetrics } from '../reports/bp-metrics.ts';
import { patientMetrics } from '../reports/bp-metrics.ts';
import { targetSegments } from './target-segments.ts';
import type { PatientRun } from './bp-run.ts';
import type { Command, SafetyTrace } from './fault-session.ts';
import { DRIVE_SAMPLE_MS } from './fault-session.ts';

export interface CriterionResult {
  criterion: string;
  held: boolean;
  detail: string;
}

/**
 * What a pump's lease may overrun by, as the trace sees it: the command's retransmissions (4 tries 250 ms
 * apart, protocols/session/default-timings.ts), the run's 500 ms slices and the drive's sampling.
 */
export const LEASE_GRACE_MS = 1500;

/** Faults after which the host cannot reach the pump: it must fall to its safe rate on its own. */
const LOSS_KINDS = new Set(['host-kill', 'host-hang', 'disconnect', 're-enumeration', 'wrong-baud']);

/** Drug still flowing: above this the drive is not at rest (mL/h). */
const FLOWING_ML_PER_H = 0.05;

const s1 = (ms: number) => (ms / 1000).toFixed(1);

function lastBefore(cs: Command[], tMs: number): Command | undefined {
  let found: Command | undefined;
  for (const c of cs) {
    if (c.tMs > tMs) break;
    found = c;
  }
  return found;
}

/** Extra delay on the line from delay faults active at t (a command can arrive that much later). */
function lineDelayMs(t: SafetyTrace, tMs: number): number {
  let ms = 0;
  for (const e of t.faults) {
    if (e.what !== 'applied' || e.fault.kind !== 'delay' || e.tMs > tMs) continue;
    const removed = t.faults.find((r) => r.what === 'removed' && r.fault === e.fault);
    if (!removed || removed.tMs >= tMs - e.fault.delayMs) ms += e.fault.delayMs;
  }
  return ms;
}

/**
 * Where the pump may rest once a command's lease lapsed: its safe rate, or the rate the command asked it to
 * hold (a vasopressor), never above that command's rate or the board's maxLapseRateMlPerH.
 */
export function restRateMlPerH(t: SafetyTrace, c: Command | undefined): number {
  const held = c ? Math.min(c.lapseRateMlPerH ?? 0, c.rateMlPerH, t.maxLapseRateMlPerH) : 0;
  return Math.max(t.safeRateMlPerH, held);
}

/** Seconds the drive ran above its rest rate after the last command sent before then had expired. */
export function expiredLeaseActuation(t: SafetyTrace): { violations: number; firstMs: number | null } {
  let violations = 0;
  let firstMs: number | null = null;
  for (const [tMs, rate] of t.drive) {
    const c = lastBefore(t.sent, tMs);
    if (rate <= restRateMlPerH(t, c) + FLOWING_ML_PER_H) continue;
    const leaseEnd = c ? c.tMs + Math.min(c.leaseMs, t.maxLeaseMs) + LEASE_GRACE_MS + lineDelayMs(t, tMs) : -Infinity;
    if (tMs > leaseEnd) {
      violations++;
      firstMs ??= tMs;
    }
  }
  return { violations, firstMs };
}

/** Per host or link loss: when the drive reached the safe rate, against the lease's deadline. */
export function safeStateAfterLoss(t: SafetyTrace): { kind: string; atMs: number; deadlineMs: number; safeAtMs: number | null; restMlPerH: number; recovered: boolean }[] {
  const out = [];
  for (const e of t.faults) {
    if (e.what !== 'applied' || !LOSS_KINDS.has(e.fault.kind)) continue;
    const last = lastBefore(t.sent, e.tMs);
    const deadlineMs = (last ? Math.max(e.tMs, last.tMs + Math.min(last.leaseMs, t.maxLeaseMs)) : e.tMs) + LEASE_GRACE_MS;
    // A host that came back and was answered before the deadline renewed the lease legitimately.
    const recovered = t.accepted.some((c) => c.tMs > e.tMs && c.tMs <= deadlineMs);
    const restMlPerH = restRateMlPerH(t, last);
    const safe = t.drive.find(([tMs, rate]) => tMs >= e.tMs && rate <= restMlPerH + FLOWING_ML_PER_H);
    out.push({ kind: e.fault.kind, atMs: e.tMs, deadlineMs, safeAtMs: safe ? safe[0] : null, restMlPerH, recovered });
  }
  return out;
}

/** Share of the dose that reached the patient before a restart the new host must count. */
export const DOSE_COUNTED_MIN_SHARE = 0.9;

/** Per restart of a killed host: the loop it resumed, its first command against the pump's rate then, and the dose it counted. */
export function restartsOf(run: PatientRun): { restartMs: number; resumed: PatientRun['resumes'][number] | null; first: Command | null; pumpRateMlPerH: number; truthUgBefore: number }[] {
  const t = run.safety;
  if (!t) return [];
  return t.faults.filter((e) => e.what === 'removed' && e.fault.kind === 'host-kill').map((e) => {
    const resumed = run.resumes.find((r) => r.tMs >= e.tMs) ?? null;
    const first = resumed ? t.sent.find((x) => x.tMs >= resumed.tMs) ?? null : null;
    const drive = first ? t.drive.filter(([tMs]) => tMs <= first.tMs).at(-1) : undefined;
    return { restartMs: e.tMs, resumed, first, pumpRateMlPerH: drive ? drive[1] : 0, truthUgBefore: (resumed?.truthDeliveredMl ?? 0) * run.concentrationUgPerMl };
  });
}

/** The IEC 60601-1-10 performance criteria on one run's (or one target segment's) metrics. */
function judgePerformance(c: Criteria, m: PatientMetrics, add: (criterion: string, held: boolean, detail: string) => void): void {
  if (c.settlingTimeMaxMin !== undefined) {
    add('settling-time', m.settled && m.settlingTimeS! <= c.settlingTimeMaxMin * 60,
      m.settled ? `settled after ${(m.settlingTimeS! / 60).toFixed(1)} min (at most ${c.settlingTimeMaxMin})` : 'never settled within +-5 mmHg');
  }
  if (c.overshootMaxMmHg !== undefined) add('overshoot', m.overshootMmHg <= c.overshootMaxMmHg, `${m.overshootMmHg.toFixed(1)} mmHg (at most ${c.overshootMaxMmHg})`);
  if (c.steadyStateDeviationMaxMmHg !== undefined) {
    add('steady-state-deviation', m.settled && m.steadyStateDeviationMmHg <= c.steadyStateDeviationMaxMmHg,
      m.settled ? `${m.steadyStateDeviationMmHg.toFixed(1)} mmHg (at most ${c.steadyStateDeviationMaxMmHg})` : 'never settled: no steady state');
  }
  if (c.timeInBandMinPct !== undefined) {
    const v = m.timeInBand5AfterSettlingPct;
    add('time-in-band', v !== null && v >= c.timeInBandMinPct, v === null ? 'never settled' : `${v.toFixed(1)}% within +-5 mmHg after settling (at least ${c.timeInBandMinPct}%)`);
  }
}

export function judgeRun(c: Criteria, run: PatientRun, m: PatientMetrics): CriterionResult[] {
  const out: CriterionResult[] = [];
  const add = (criterion: string, held: boolean, detail: string) => out.push({ criterion, held, detail });
  // With target changes, the performance figures are judged per target, from its change.
  const segments = run.targets.length > 1
    ? targetSegments(run).map((g) => ({ label: `target ${g.mapMmHg} mmHg from ${(g.fromS / 60).toFixed(1)} min: `, m: patientMetrics(g.run) }))
    : [{ label: '', m }];
  for (const { label, m: sm } of segments) judgePerformance(c, sm, (criterion, held, detail) => add(criterion, held, label + detail));
  const t = run.safety;
  if (c.noActuationOnExpiredLease) {
    if (!t) add('no-actuation-on-expired-lease', false, 'not judged: this run kept no record of the pump\'s drive');
    else {
      const v = expiredLeaseActuation(t);
      add('no-actuation-on-expired-lease', v.violations === 0, v.violations === 0 ? `the drive never ran past a lease (${t.drive.length} samples)`
        : `the drive ran above the safe rate with no live lease for ${((v.violations * DRIVE_SAMPLE_MS) / 1000).toFixed(1)} s, first at ${s1(v.firstMs!)} s`);
    }
  }
  if (c.safeRateWithinLeaseAfterLoss && t) {
    for (const l of safeStateAfterLoss(t)) {
      if (l.recovered) {
        add('safe-rate-after-loss', true, `${l.kind} at ${s1(l.atMs)} s: the host was back before the lease ran out`);
        continue;
      }
      const held = l.safeAtMs !== null && l.safeAtMs <= l.deadlineMs;
      add('safe-rate-after-loss', held, `${l.kind} at ${s1(l.atMs)} s: ${l.safeAtMs === null ? 'never' : `at ${s1(l.safeAtMs)} s`} at the safe rate ${+l.restMlPerH.toFixed(3)} mL/h (by ${s1(l.deadlineMs)} s)`);
    }
  }
  for (const r of restartsOf(run)) {
    const at = `host started again at ${s1(r.restartMs)} s`;
    if (!r.resumed) {
      if (c.noBolusAfterRestart || c.doseCountedAcrossRestart) add('resume-from-record', false, `${at}: its loop never resumed from the record`);
      continue;
    }
    if (c.noBolusAfterRestart && t) {
      const limit = Math.max(r.pumpRateMlPerH, t.safeRateMlPerH) + run.rateChangeLimitMlPerH;
      add('no-bolus-after-restart', !r.first || r.first.rateMlPerH <= limit + 0.01, !r.first ? `${at}: no command sent after it`
        : `${at}: first command ${r.first.rateMlPerH.toFixed(2)} mL/h with the pump at ${r.pumpRateMlPerH.toFixed(2)} (at most ${limit.toFixed(2)}: that or the safe rate, plus ${run.rateChangeLimitMlPerH})`);
    }
    if (c.doseCountedAcrossRestart) {
      // What the new host's supervisor counts, as its first decision states it (not what the resume point claims).
      const counted = run.decisions.find((d) => d.tMs >= r.resumed!.tMs)?.doseUg ?? 0;
      add('dose-counted-across-restart', counted >= DOSE_COUNTED_MIN_SHARE * r.truthUgBefore,
        `${at}: it counted ${(counted / 1000).toFixed(3)} mg toward the budget; ${(r.truthUgBefore / 1000).toFixed(3)} mg reached the patient before it (at least ${DOSE_COUNTED_MIN_SHARE * 100}% must count)`);
    }
  }
  if (c.faultAlarmWithinS !== undefined) {
    const applied = (t?.faults ?? []).filter((e) => e.what === 'applied');
    for (const e of applied) {
      const alarm = run.alarms.find((a) => a.tMs >= e.tMs && a.tMs <= e.tMs + c.faultAlarmWithinS! * 1000);
      add('fault-alarm', alarm !== undefined, alarm ? `${e.fault.kind} at ${s1(e.tMs)} s: '${alarm.alarm.id}' after ${s1(alarm.tMs - e.tMs)} s (within ${c.faultAlarmWithinS} s)`
        : `${e.fault.kind} at ${s1(e.tMs)} s: no alarm within ${c.faultAlarmWithinS} s`);
    }
  }
  if (c.doseBudgetMg !== undefined) {
    const mg = (run.deliveredMl * run.concentrationUgPerMl) / 1000;
    add('dose-budget', mg <= c.doseBudgetMg, `${mg.toFixed(2)} mg reached the patient (at most ${c.doseBudgetMg})`);
  }
  for (const want of c.alarmsRaised ?? []) {
    const first = run.alarms.find((a) => a.alarm.id === want.id);
    add('alarm-raised', first !== undefined && first.tMs <= want.withinMin * 60_000, first === undefined ? `'${want.id}' never raised (expected within ${want.withinMin} min)`
      : `'${want.id}' raised at ${(first.tMs / 60_000).toFixed(1)} min (within ${want.withinMin} min)`);
  }
  if (c.alarmsPerHourMax !== undefined) add('alarms-per-hour', m.alarmsPerHour <= c.alarmsPerHourMax, `${m.alarmsPerHour.toFixed(1)} alarms per hour (at most ${c.alarmsPerHourMax})`);
  const periodS = run.samples.length > 1 ? run.samples[1].tS - run.samples[0].tS : 5;
  const beyond = run.samples.filter((x) => (run.drugEffect === 'lowers' ? x.mapMmHg < run.floorMmHg : x.mapMmHg > run.highMmHg) && x.deliveredMlPerH > FLOWING_ML_PER_H);
  const limit = run.drugEffect === 'lowers' ? `under the floor ${run.floorMmHg}` : `over the high limit ${run.highMmHg}`;
  add('map-beyond-limit-from-drug', beyond.length * periodS <= c.mapUnderFloorFromDrugMaxS,
    `${beyond.length * periodS} s ${limit} mmHg while the drug flowed (at most ${c.mapUnderFloorFromDrugMaxS} s)`);
  return out;
}
