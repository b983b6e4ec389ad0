// The metrics every closed-loop blood-pressure report gives (docs/clinical-basis.md#metrics), per patient,
// then per subgroup and for the cohort. Computed on the patient's true mean pressure, sampled once per
// decision period. Definitions:
//  - settling: the first time after which the pressure stays within +-5 mmHg of target for 5 minutes;
//    "after settling" figures run from there to the end (disturbances included);
//  - overshoot: the furthest excursion past the target (below it for a vasodilator, above for a vasopressor);
//  - rise time: from the start until the error first falls to 10% of its initial value;
//  - dose: what reached the patient (the mechanism's ground truth), with what the host commanded beside it;
//  - Varvel 1992 on the performance error PE = (MAP - target) / target: MDPE (median PE), MDAPE (median
//    |PE|), wobble (median |PE - MDPE|), divergence (slope of |PE| over time, % per hour), after settling.
import type { PatientRun } from '../runner/bp-run.ts';

export interface PatientMetrics {
  id: string;
  split: string;
  subgroups: Record<string, string>;
  settled: boolean;
  settlingTimeS: number | null;
  riseTimeS: number | null;
  overshootMmHg: number;
  timeInBand5Pct: number;
  timeInBand5AfterSettlingPct: number | null;
  timeInBand10PctPct: number;
  timeBelowPct: number;
  timeAbovePct: number;
  /** Time under the supervisor's floor (65 mmHg for nitroprusside: the literature's time MAP < 65). */
  timeBelowFloorPct: number;
  /** Time past the drug's own safety limit: below the floor for a vasodilator, above the high limit for a vasopressor. */
  timeBeyondLimitPct: number;
  minMapMmHg: number;
  maxMapMmHg: number;
  steadyStateDeviationMmHg: number;
  mdpePct: number | null;
  mdapePct: number | null;
  wobblePct: number | null;
  divergencePctPerH: number | null;
  sdMmHg: number | null;
  /** Drug that reached the patient (ground truth from the mechanism), and what the host commanded. */
  totalDoseMg: number;
  commandedDoseMg: number;
  meanDoseUgPerKgPerMin: number;
  timeAtCeilingPct: number;
  /** Time with the commanded rate at any upper cap: the controller's maximum or the dose ceiling. */
  timeAtCapPct: number;
  /** Time latched by the supervisor (a held rate waiting for an operator, or a pump that stopped itself). */
  timeHeldPct: number;
  alarmsPerHour: number;
  timeInFallbackPct: number;
  error: string | null;
}

const SETTLE_HOLD_S = 300;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const pct = (n: number, of: number) => (of > 0 ? (100 * n) / of : 0);

export function patientMetrics(run: PatientRun): PatientMetrics {
  const target = run.targetMmHg;
  const x = run.samples;
  const n = x.length;
  const periodS = n > 1 ? x[1].tS - x[0].tS : 5;
  const within = (m: number, band: number) => Math.abs(m - target) <= band;
  // Settling: the first sample from which the next 5 minutes are all in band.
  const hold = Math.round(SETTLE_HOLD_S / periodS);
  let settleAt = -1;
  let run5 = 0;
  for (let i = n - 1; i >= 0; i--) {
    run5 = within(x[i].mapMmHg, 5) ? run5 + 1 : 0;
    if (run5 >= hold) settleAt = i;
  }
  const after = settleAt >= 0 ? x.slice(settleAt) : [];
  const initialError = n > 0 ? x[0].mapMmHg - target : 0;
  const riseAt = x.findIndex((s) => Math.abs(s.mapMmHg - target) <= Math.abs(initialError) * 0.1);
  const pe = after.map((s) => (100 * (s.mapMmHg - target)) / target);
  const mdpe = pe.length ? median(pe) : null;
  let divergence: number | null = null;
  if (after.length > 2) {
    const ts = after.map((s) => s.tS / 3600);
    const ys = pe.map(Math.abs);
    const mt = ts.reduce((a, b) => a + b, 0) / ts.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    let num = 0;
    let den = 0;
    for (let i = 0; i < ts.length; i++) {
      num += (ts[i] - mt) * (ys[i] - my);
      den += (ts[i] - mt) ** 2;
    }
    divergence = den > 0 ? num / den : 0;
  }
  const mean = after.length ? after.reduce((a, s) => a + s.mapMmHg, 0) / after.length : 0;
  const last5 = x.slice(-Math.round(300 / periodS));
  const mg = (rate: (s: (typeof x)[number]) => number) => x.reduce((a, s) => a + (rate(s) * periodS / 3600) * run.concentrationUgPerMl / 1000, 0);
  const doseMg = mg((s) => s.deliveredMlPerH);
  const hours = (n * periodS) / 3600;
  return {
    id: run.patient.id, split: run.patient.split, subgroups: run.patient.subgroups,
    settled: settleAt >= 0,
    settlingTimeS: settleAt >= 0 ? x[settleAt].tS : null,
    riseTimeS: riseAt >= 0 ? x[riseAt].tS : null,
    // Past the target in the direction the drug moves the pressure.
    overshootMmHg: Math.max(0, ...x.map((s) => (run.drugEffect === 'raises' ? s.mapMmHg - target : target - s.mapMmHg))),
    timeInBand5Pct: pct(x.filter((s) => within(s.mapMmHg, 5)).length, n),
    timeInBand5AfterSettlingPct: after.length ? pct(after.filter((s) => within(s.mapMmHg, 5)).length, after.length) : null,
    timeInBand10PctPct: pct(x.filter((s) => within(s.mapMmHg, target * 0.1)).length, n),
    timeBelowPct: pct(x.filter((s) => s.mapMmHg < target - 5).length, n),
    timeAbovePct: pct(x.filter((s) => s.mapMmHg > target + 5).length, n),
    timeBelowFloorPct: pct(x.filter((s) => s.mapMmHg < run.floorMmHg).length, n),
    timeBeyondLimitPct: pct(x.filter((s) => (run.drugEffect === 'raises' ? s.mapMmHg > run.highMmHg : s.mapMmHg < run.floorMmHg)).length, n),
    minMapMmHg: Math.min(...x.map((s) => s.mapMmHg)),
    maxMapMmHg: Math.max(...x.map((s) => s.mapMmHg)),
    steadyStateDeviationMmHg: last5.length ? last5.reduce((a, s) => a + Math.abs(s.mapMmHg - target), 0) / last5.length : 0,
    mdpePct: mdpe,
    mdapePct: pe.length ? median(pe.map(Math.abs)) : null,
    wobblePct: mdpe === null ? null : median(pe.map((p) => Math.abs(p - mdpe))),
    divergencePctPerH: divergence,
    sdMmHg: after.length ? Math.sqrt(after.reduce((a, s) => a + (s.mapMmHg - mean) ** 2, 0) / after.length) : null,
    totalDoseMg: doseMg,
    commandedDoseMg: mg((s) => s.rateMlPerH),
    meanDoseUgPerKgPerMin: hours > 0 ? (doseMg * 1000) / (run.patient.weightKg * hours * 60) : 0,
    timeAtCeilingPct: pct(x.filter((s) => s.rateMlPerH >= run.ceilingMlPerH - 1e-6).length, n),
    timeAtCapPct: pct(x.filter((s) => s.atCap !== null && s.atCap !== 'no infusion').length, n),
    timeHeldPct: pct(x.filter((s) => s.mode === 'held').length, n),
    alarmsPerHour: hours > 0 ? run.alarms.length / hours : 0,
    timeInFallbackPct: pct(x.filter((s) => s.mode === 'fallback').length, n),
    error: run.error,
  };
}

/** Numeric metrics summarised over a group of patients. */
export interface GroupSummary {
  name: string;
  patients: number;
  settledPct: number;
  medianSettlingTimeS: number | null;
  meanTimeInBand5AfterSettlingPct: number | null;
  meanTimeInBand5Pct: number;
  meanTimeInBand10PctPct: number;
  maxOvershootMmHg: number;
  meanTimeBelowFloorPct: number;
  medianMdapePct: number | null;
  medianMdpePct: number | null;
  medianWobblePct: number | null;
  meanTotalDoseMg: number;
  meanAlarmsPerHour: number;
  meanTimeInFallbackPct: number;
  /** Why this group is called out, when its results fall well below the cohort's. */
  callout: string | null;
}

const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const known = (xs: (number | null)[]) => xs.filter((v): v is number => v !== null);

export function summarise(name: string, ms: PatientMetrics[]): GroupSummary {
  const settling = known(ms.map((m) => m.settlingTimeS));
  const afterBand = known(ms.map((m) => m.timeInBand5AfterSettlingPct));
  const mdape = known(ms.map((m) => m.mdapePct));
  const mdpe = known(ms.map((m) => m.mdpePct));
  const wobble = known(ms.map((m) => m.wobblePct));
  return {
    name, patients: ms.length,
    settledPct: pct(ms.filter((m) => m.settled).length, ms.length),
    medianSettlingTimeS: settling.length ? median(settling) : null,
    meanTimeInBand5AfterSettlingPct: afterBand.length ? avg(afterBand) : null,
    meanTimeInBand5Pct: avg(ms.map((m) => m.timeInBand5Pct)),
    meanTimeInBand10PctPct: avg(ms.map((m) => m.timeInBand10PctPct)),
    maxOvershootMmHg: Math.max(0, ...ms.map((m) => m.overshootMmHg)),
    meanTimeBelowFloorPct: avg(ms.map((m) => m.timeBelowFloorPct)),
    medianMdapePct: mdape.length ? median(mdape) : null,
    medianMdpePct: mdpe.length ? median(mdpe) : null,
    medianWobblePct: wobble.length ? median(wobble) : null,
    meanTotalDoseMg: avg(ms.map((m) => m.totalDoseMg)),
    meanAlarmsPerHour: avg(ms.map((m) => m.alarmsPerHour)),
    meanTimeInFallbackPct: avg(ms.map((m) => m.timeInFallbackPct)),
    callout: null,
  };
}

/** Cohort, split and subgroup summaries; a subgroup well below the cohort is called out, with why. */
export function cohortSummaries(ms: PatientMetrics[]): { cohort: GroupSummary; splits: GroupSummary[]; subgroups: GroupSummary[] } {
  const cohort = summarise('cohort', ms);
  const splits = [...new Set(ms.map((m) => m.split))].map((s) => summarise(`split ${s}`, ms.filter((m) => m.split === s)));
  const subgroups: GroupSummary[] = [];
  const names = [...new Set(ms.flatMap((m) => Object.keys(m.subgroups)))];
  for (const g of names) {
    for (const band of [...new Set(ms.map((m) => m.subgroups[g]))]) {
      const sg = summarise(`${g}: ${band}`, ms.filter((m) => m.subgroups[g] === band));
      const reasons: string[] = [];
      if (sg.meanTimeInBand5Pct < cohort.meanTimeInBand5Pct - 10) reasons.push(`time in band ${sg.meanTimeInBand5Pct.toFixed(0)}% vs cohort ${cohort.meanTimeInBand5Pct.toFixed(0)}%`);
      if (sg.settledPct < cohort.settledPct - 15) reasons.push(`${sg.settledPct.toFixed(0)}% settled vs cohort ${cohort.settledPct.toFixed(0)}%`);
      if (sg.meanTimeBelowFloorPct > cohort.meanTimeBelowFloorPct + 1) reasons.push(`time below the floor ${sg.meanTimeBelowFloorPct.toFixed(1)}% vs cohort ${cohort.meanTimeBelowFloorPct.toFixed(1)}%`);
      sg.callout = reasons.length ? reasons.join('; ') : null;
      subgroups.push(sg);
    }
  }
  return { cohort, splits, subgroups };
}
