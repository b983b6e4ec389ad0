// The report of a blood-pressure cohort run: metrics.json and metrics.csv for machines, and HTML for
// people: a cohort page (summary, splits, subgroups with call-outs, every patient) and one page per
// patient with its plots (true and observed pressure against the target band, infusion rate, controller
// confidence, alarms). Plots are inline SVG, so the report is self-contained and opens anywhere.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PatientRun } from '../runner/bp-run.ts';
import type { Acceptance } from './acceptance.ts';
import type { GroupSummary, PatientMetrics } from './bp-metrics.ts';
import { cohortSummaries } from './bp-metrics.ts';
import { esc, fmt, plot, STYLE } from './html-parts.ts';

export interface ReportInput {
  title: string;
  settings: Record<string, string>;
  runs: PatientRun[];
  metrics: PatientMetrics[];
  /** Per patient: the acceptance thresholds it missed. */
  failures: string[][];
  acceptance: Acceptance;
}

function groupTable(groups: GroupSummary[]): string {
  const head = ['group', 'patients', 'settled %', 'median settling min', 'in +-5 after settling %', 'in +-5 %', 'in +-10% %', 'max overshoot mmHg', 'below floor %', 'MDPE %', 'MDAPE %', 'wobble %', 'dose mg', 'alarms/h', 'fallback %'];
  const rows = groups.map((g) => `<tr${g.callout ? ' class="callout"' : ''}><td>${esc(g.name)}${g.callout ? `<br><b>called out:</b> ${esc(g.callout)}` : ''}</td>` +
    [g.patients, g.settledPct, g.medianSettlingTimeS === null ? null : g.medianSettlingTimeS / 60, g.meanTimeInBand5AfterSettlingPct, g.meanTimeInBand5Pct,
      g.meanTimeInBand10PctPct, g.maxOvershootMmHg, g.meanTimeBelowFloorPct, g.medianMdpePct, g.medianMdapePct, g.medianWobblePct, g.meanTotalDoseMg, g.meanAlarmsPerHour, g.meanTimeInFallbackPct]
      .map((v, i) => `<td>${fmt(v, i === 0 ? 0 : 1)}</td>`).join('') + '</tr>');
  return `<table><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

const COLUMNS: (keyof PatientMetrics)[] = ['id', 'split', 'settled', 'settlingTimeS', 'riseTimeS', 'overshootMmHg', 'timeInBand5Pct', 'timeInBand5AfterSettlingPct',
  'timeInBand10PctPct', 'timeBelowPct', 'timeAbovePct', 'timeBelowFloorPct', 'minMapMmHg', 'steadyStateDeviationMmHg', 'mdpePct', 'mdapePct', 'wobblePct',
  'divergencePctPerH', 'sdMmHg', 'totalDoseMg', 'commandedDoseMg', 'meanDoseUgPerKgPerMin', 'timeAtCeilingPct', 'timeAtCapPct', 'timeHeldPct', 'alarmsPerHour', 'timeInFallbackPct', 'error'];

function csv(ms: PatientMetrics[]): string {
  const groups = [...new Set(ms.flatMap((m) => Object.keys(m.subgroups)))];
  const cell = (v: unknown) => (v === null ? '' : typeof v === 'number' ? String(Number(v.toFixed(4))) : `"${String(v).replace(/"/g, '""')}"`);
  const lines = [[...COLUMNS, ...groups].join(',')];
  for (const m of ms) lines.push([...COLUMNS.map((c) => cell(m[c])), ...groups.map((g) => cell(m.subgroups[g]))].join(','));
  return lines.join('\n') + '\n';
}

/** The decisions a person would want explained: every one a limit changed, and every change of mode. */
function explained(r: PatientRun): string {
  let mode = 'auto';
  const rows: string[] = [];
  for (const d of r.decisions) {
    const changed = d.mode !== mode;
    mode = d.mode;
    if (d.limits.length === 0 && !changed) continue;
    rows.push(`<tr><td>${(d.tMs / 60_000).toFixed(2)} min</td><td>${d.mode}</td><td>${fmt(d.observedMmHg)}</td><td>${fmt(d.proposedMlPerH, 2)}</td><td>${fmt(d.commandedMlPerH, 2)}</td>` +
      `<td style="text-align:left">${esc(d.controllerReason)}</td><td style="text-align:left">${esc(d.limits.join('; '))}</td></tr>`);
  }
  if (rows.length === 0) return '<p>None: every proposal of the controller was commanded as it was.</p>';
  const shown = rows.length > 200 ? [...rows.slice(0, 200), `<tr><td colspan="7">... ${rows.length - 200} more in the record</td></tr>`] : rows;
  return `<details><summary>${rows.length} decisions</summary><table><tr><th>time</th><th>mode</th><th>observed mmHg</th><th>proposed mL/h</th><th>commanded mL/h</th><th>controller's reason</th><th>limits that acted</th></tr>${shown.join('')}</table></details>`;
}

function patientPage(r: PatientRun, m: PatientMetrics, failures: string[]): string {
  const min = (s: number) => s / 60;
  const alarmMarks = r.alarms.map((a) => a.tMs / 60_000);
  const observed = r.samples.filter((s) => s.observedMmHg !== null).map((s): [number, number] => [min(s.tS), s.observedMmHg!]);
  const rows = COLUMNS.slice(2).map((c) => `<tr><td>${c}</td><td>${fmt(m[c] as number | null, 2)}</td></tr>`).join('');
  const alarms = r.alarms.map((a) => `<tr><td>${(a.tMs / 60_000).toFixed(1)} min</td><td>${a.alarm.priority}</td><td style="text-align:left">${esc(a.alarm.text)}</td></tr>`).join('');
  const p = r.patient.params;
  return `<!doctype html><meta charset="utf-8"><title>${esc(r.patient.id)}</title><style>${STYLE}</style>
<p><a href="../index.html">cohort</a></p><h1>${esc(r.patient.id)} (${r.patient.split})</h1>
<p class="note">${Object.entries(p).map(([k, v]) => `${esc(k)} ${v.toPrecision(3)}`).join(', ')}; baseline ${r.patient.baselineMapMmHg.toFixed(0)} mmHg; ${r.patient.weightKg.toFixed(0)} kg; ${Object.entries(r.patient.subgroups).map(([k, v]) => `${k} ${v}`).join(', ')}.
Record: ${esc(r.recordPath.split(/[\\/]/).pop()!)}${r.error ? `; <b>run failed: ${esc(r.error)}</b>` : ''}</p>
${failures.length ? `<p class="failed"><b>Failed acceptance:</b> ${esc(failures.join('; '))}</p>` : '<p>Passed every acceptance threshold.</p>'}
${plot('Mean arterial pressure (mmHg)', [
    { points: r.samples.map((s) => [min(s.tS), s.mapMmHg]), colour: '#1a5fb4', label: 'true MAP (patient)' },
    { points: observed, colour: '#999', label: 'observed over the link' },
  ], 'mmHg', [r.targetMmHg - 5, r.targetMmHg + 5], alarmMarks)}
${plot('Infusion rate (mL/h)', [
    { points: r.samples.map((s) => [min(s.tS), s.rateMlPerH]), colour: '#c64600', label: 'commanded by the host' },
    { points: r.samples.map((s) => [min(s.tS), s.deliveredMlPerH]), colour: '#613583', label: 'delivered to the patient' },
  ], 'mL/h', undefined, alarmMarks)}
${plot('Controller confidence', [{ points: r.samples.map((s) => [min(s.tS), s.confidence]), colour: '#26a269', label: 'confidence' }], '0..1')}
<h2>Metrics</h2><table>${rows}</table><h2>Alarms (dashed red lines)</h2><table>${alarms || '<tr><td>none</td></tr>'}</table>
<h2>Decisions where a limit acted or the mode changed</h2>${explained(r)}`;
}

export function writeReport(dir: string, input: ReportInput): { index: string; json: string; csv: string } {
  mkdirSync(join(dir, 'patients'), { recursive: true });
  const s = cohortSummaries(input.metrics);
  const json = join(dir, 'metrics.json');
  writeFileSync(json, JSON.stringify({
    title: input.title, settings: input.settings, acceptance: input.acceptance, summary: s,
    patients: input.metrics.map((m, i) => ({ ...m, acceptanceFailures: input.failures[i] })),
  }, null, 1));
  const csvPath = join(dir, 'metrics.csv');
  writeFileSync(csvPath, csv(input.metrics));
  input.runs.forEach((r, i) => writeFileSync(join(dir, 'patients', `${r.patient.id}.html`), patientPage(r, input.metrics[i], input.failures[i])));
  const failing = input.metrics.filter((_, i) => input.failures[i].length > 0).length;
  const callouts = s.subgroups.filter((g) => g.callout);
  const patientRows = input.metrics.map((m, i) => `<tr${input.failures[i].length ? ' class="failed"' : ''}><td><a href="patients/${m.id}.html">${m.id}</a></td><td>${m.split}</td><td>${fmt(m.settlingTimeS === null ? null : m.settlingTimeS / 60)}</td>` +
    `<td>${fmt(m.timeInBand5AfterSettlingPct)}</td><td>${fmt(m.overshootMmHg)}</td><td>${fmt(m.minMapMmHg)}</td><td>${fmt(m.mdapePct)}</td><td>${fmt(m.totalDoseMg, 2)}</td><td>${fmt(m.alarmsPerHour)}</td><td style="text-align:left">${esc(input.failures[i].join('; '))}</td></tr>`).join('');
  const index = join(dir, 'index.html');
  writeFileSync(index, `<!doctype html><meta charset="utf-8"><title>${esc(input.title)}</title><style>${STYLE}</style>
<h1>${esc(input.title)}</h1><p class="note">${Object.entries(input.settings).map(([k, v]) => `${esc(k)}: ${esc(v)}`).join(' &middot; ')}</p>
<p class="note">Metrics on each patient's true mean pressure, once per 5 s decision. Settling: in +-5 mmHg for 5 minutes running; "after settling" includes later disturbances.</p>
<h2>Acceptance</h2><p${failing ? ' class="failed"' : ''}>${failing ? `<b>${failing} of ${input.metrics.length} patients failed</b> the acceptance thresholds` : `All ${input.metrics.length} patients passed the acceptance thresholds`}: settled within ${input.acceptance.maxSettlingMin} min, at least ${input.acceptance.minTimeInBand5AfterSettlingPct}% within +-5 mmHg after settling, overshoot at most ${input.acceptance.maxOvershootMmHg} mmHg, at most ${input.acceptance.maxTimeBeyondLimitPct}% of the time past the drug's safety limit.</p>
<h2>Cohort and splits</h2>${groupTable([s.cohort, ...s.splits])}
${plot('True mean pressure of every patient (mmHg)', input.runs.map((r) => ({
    points: r.samples.map((x): [number, number] => [x.tS / 60, x.mapMmHg]), colour: r.patient.split === 'held-out' ? '#c64600' : '#1a5fb4', label: r.patient.id,
  })), 'mmHg', input.runs.length ? [input.runs[0].targetMmHg - 5, input.runs[0].targetMmHg + 5] : undefined)}
<p class="note">Blue: tuning split; orange: held-out split. Green: the target band.</p>
<h2>Subgroups</h2>${callouts.length ? `<p><b>${callouts.length} subgroup(s) called out</b>: results well below the cohort's.</p>` : '<p>No subgroup falls well below the cohort.</p>'}${groupTable(s.subgroups)}
<h2>Patients</h2><table><tr><th>patient</th><th>split</th><th>settling min</th><th>in +-5 after settling %</th><th>overshoot mmHg</th><th>min MAP</th><th>MDAPE %</th><th>dose mg</th><th>alarms/h</th><th>failed acceptance</th></tr>${patientRows}</table>`);
  return { index, json, csv: csvPath };
}
