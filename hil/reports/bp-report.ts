// The report of a blood-pressure cohort run: metrics.json and metrics.csv for machines, and HTML for
// people: a cohort page (summary, splits, subgroups with call-outs, failing patients first, every
// patient) and one page per patient with its charts (true and observed pressure against the target band,
// the target and the drug's limit, infusion rate in mL/h and ug/kg/min, controller confidence, scenario
// events and alarms marked on them). Charts are uPlot, bundled and inlined with their data, so every file
// is self-contained and opens anywhere, and they zoom (drag across; double-click to zoom out).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ChartBand, ChartData, ChartLine, ChartMark, ChartSpec } from '../../host/dashboard/page/charts.ts';
import { pageScript } from '../../host/dashboard/page-bundle.ts';
import { chartCss } from '../../host/dashboard/page-bundle.ts';
import { spansOfTargets } from '../../host/dashboard/dashboard-view.ts';
import type { PatientRun } from '../runner/bp-run.ts';
import type { Scenario } from '../sim/scenarios/scenario.ts';
import { lineArtifacts } from '../sim/scenarios/scenario.ts';
import type { Acceptance } from './acceptance.ts';
import type { GroupSummary, PatientMetrics } from './bp-metrics.ts';
import { cohortSummaries } from './bp-metrics.ts';
import { esc, fmt, STYLE } from './html-parts.ts';

export interface ReportInput {
  title: string;
  settings: Record<string, string>;
  runs: PatientRun[];
  metrics: PatientMetrics[];
  /** Per patient: the acceptance thresholds it missed. */
  failures: string[][];
  acceptance: Acceptance;
  /** The scenario every patient ran: its events are marked on the charts. */
  scenario?: Scenario;
}

/** Readable names and units of the metrics, in the order a person reads them; times in minutes everywhere. */
const METRICS: { key: keyof PatientMetrics; label: string; unit: string; scale?: number; digits?: number }[] = [
  { key: 'settled', label: 'settled (within +-5 mmHg for 5 minutes running)', unit: '' },
  { key: 'settlingTimeS', label: 'settling time', unit: 'min', scale: 1 / 60 },
  { key: 'riseTimeS', label: 'rise time (first reaching the band)', unit: 'min', scale: 1 / 60 },
  { key: 'overshootMmHg', label: 'overshoot past the target', unit: 'mmHg' },
  { key: 'timeInBand5Pct', label: 'time within +-5 mmHg', unit: '%' },
  { key: 'timeInBand5AfterSettlingPct', label: 'time within +-5 mmHg after settling', unit: '%' },
  { key: 'timeInBand10PctPct', label: 'time within +-10% of the target', unit: '%' },
  { key: 'timeBelowPct', label: 'time below the band', unit: '%' },
  { key: 'timeAbovePct', label: 'time above the band', unit: '%' },
  { key: 'timeBelowFloorPct', label: 'time below the floor', unit: '%' },
  { key: 'timeBeyondLimitPct', label: 'time past the drug\'s safety limit', unit: '%' },
  { key: 'minMapMmHg', label: 'lowest mean pressure', unit: 'mmHg' },
  { key: 'maxMapMmHg', label: 'highest mean pressure', unit: 'mmHg' },
  { key: 'steadyStateDeviationMmHg', label: 'steady-state deviation', unit: 'mmHg' },
  { key: 'mdpePct', label: 'MDPE (bias)', unit: '%' },
  { key: 'mdapePct', label: 'MDAPE (inaccuracy)', unit: '%' },
  { key: 'wobblePct', label: 'wobble', unit: '%' },
  { key: 'divergencePctPerH', label: 'divergence', unit: '%/h' },
  { key: 'sdMmHg', label: 'standard deviation after settling', unit: 'mmHg' },
  { key: 'totalDoseMg', label: 'drug delivered', unit: 'mg', digits: 2 },
  { key: 'commandedDoseMg', label: 'drug commanded', unit: 'mg', digits: 2 },
  { key: 'meanDoseUgPerKgPerMin', label: 'mean dose', unit: 'ug/kg/min', digits: 2 },
  { key: 'timeAtCeilingPct', label: 'time at the dose ceiling', unit: '%' },
  { key: 'timeAtCapPct', label: 'time at any rate cap', unit: '%' },
  { key: 'timeHeldPct', label: 'time held by the supervisor', unit: '%' },
  { key: 'alarmsPerHour', label: 'alarms', unit: 'per hour' },
  { key: 'timeInFallbackPct', label: 'time in fallback', unit: '%' },
];

/** The words the performance metrics need (Varvel et al. 1992, as used for closed-loop anaesthesia and blood pressure). */
const GLOSSARY = `<h2>Glossary</h2><dl>
<dt>PE (performance error)</dt><dd>(measured - target) / target, in %, once per decision.</dd>
<dt>MDPE (median performance error)</dt><dd>The median of PE: the bias. Negative: the pressure sat below the target.</dd>
<dt>MDAPE (median absolute performance error)</dt><dd>The median of |PE|: how far from the target, either way. The accuracy figure most papers quote.</dd>
<dt>Wobble</dt><dd>The median of |PE - MDPE|: how much the error varies around its own bias (oscillation, noise).</dd>
<dt>Divergence</dt><dd>The slope of |PE| over time, in % per hour: positive when control gets worse as the run goes on.</dd>
<dt>Settling</dt><dd>Within +-5 mmHg of the target for 5 minutes running; settling time is when that run of 5 minutes began.</dd>
</dl><p class="note">Varvel JR, Donoho DL, Shafer SL. Measuring the predictive performance of computer-controlled infusion pumps. J Pharmacokinet Biopharm 1992;20:63-94.</p>`;

/** The target's band (+-5 mmHg) and line, one piece per span in which a target held (a schedule changes it). */
export function targetDecorations(targets: PatientRun['targets']): { band: ChartBand[]; lines: ChartLine[] } {
  const spans = spansOfTargets(targets.map((t) => ({ fromMin: t.fromS / 60, mapMmHg: t.mapMmHg })));
  return {
    band: spans.map((x) => ({ from: x.mapMmHg - 5, to: x.mapMmHg + 5, label: 'target +-5', colour: 'rgba(38,162,105,0.18)', fromMin: x.fromMin, toMin: x.toMin })),
    lines: spans.map((x) => ({ y: x.mapMmHg, label: `target ${x.mapMmHg} mmHg`, colour: '#26a269', fromMin: x.fromMin, toMin: x.toMin })),
  };
}

/** A chart: a div the inlined script draws into, and its spec and data as JSON beside it. */
function chart(id: string, spec: ChartSpec, data: ChartData): string {
  const json = JSON.stringify({ spec, data: data.map((col) => col.map((v) => (v === null ? null : Number(v.toFixed(3))))) }).replace(/</g, '\\u003c');
  return `<div class="chart" data-chart="${id}-data"></div><script type="application/json" id="${id}-data">${json}</script>`;
}

/** What the scenario does, as marks on a chart: disturbances, sensitivity changes, line artifacts, operator actions. */
function scenarioMarks(s: Scenario | undefined): ChartMark[] {
  if (!s) return [];
  const marks: ChartMark[] = [];
  for (const d of s.disturbances) {
    if (d.kind === 'stimulation') marks.push({ atMin: d.startMin, toMin: d.startMin + d.durationMin, label: `stimulation ${d.riseMmHg > 0 ? '+' : ''}${d.riseMmHg} mmHg`, colour: '#865e3c' });
    else if (d.kind === 'bleeding') marks.push({ atMin: d.startMin, label: `bleeding -${d.dropMmHgPerMin} mmHg/min`, colour: '#a51d2d' });
    else marks.push({ atMin: d.atMin, label: `posture ${d.stepMmHg > 0 ? '+' : ''}${d.stepMmHg} mmHg`, colour: '#865e3c' });
  }
  for (const c of s.sensitivity) {
    if (c.kind === 'step') marks.push({ atMin: c.atMin, label: `drug sensitivity x${c.factor}`, colour: '#613583' });
    else marks.push({ atMin: c.fromMin, toMin: c.toMin, label: `sensitivity drifts to x${c.factor}`, colour: '#613583' });
  }
  for (const a of lineArtifacts(s)) marks.push({ atMin: a.startS / 60, toMin: (a.startS + a.durationS) / 60, label: `line: ${a.kind}`, colour: '#5e5c64' });
  for (const o of s.operator) marks.push({ atMin: o.atMin, label: o.kind === 'manual' ? `operator: manual ${o.rateMlPerH} mL/h` : 'operator: back to auto', colour: '#1c71d8' });
  return marks;
}

const ALARM_COLOUR = { high: '#c01c28', medium: '#b58900', low: '#1a7f8f' } as const;
const MARKER = { high: '!!!', medium: '!!', low: '!' } as const;

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

function metricValue(m: PatientMetrics, d: (typeof METRICS)[number]): string {
  const v = m[d.key];
  if (typeof v === 'boolean') return v ? 'yes' : '<b>no</b>';
  if (typeof v !== 'number') return '-';
  return (v * (d.scale ?? 1)).toFixed(d.digits ?? 1);
}

function alarmWords(a: { priority: 'low' | 'medium' | 'high'; text: string }): string {
  return `<span style="color:${ALARM_COLOUR[a.priority]}"><b>${MARKER[a.priority]} ${a.priority} priority</b></span>`;
}

function patientPage(r: PatientRun, m: PatientMetrics, failures: string[], scenario: Scenario | undefined, pageDir: string, script: string, css: string): string {
  const min = (s: number) => s / 60;
  const t = r.samples.map((x) => min(x.tS));
  const events = scenarioMarks(scenario);
  const alarmMarks: ChartMark[] = r.alarms.map((a) => ({ atMin: a.tMs / 60_000, label: `${MARKER[a.alarm.priority]} ${a.alarm.id}`, colour: ALARM_COLOUR[a.alarm.priority] }));
  const weightKg = r.patient.weightKg;
  const dosePerMlPerH = r.concentrationUgPerMl / (60 * weightKg);
  const lowers = r.drugEffect === 'lowers';
  const limit = lowers ? { y: r.floorMmHg, label: `floor ${r.floorMmHg} mmHg`, colour: '#c01c28' } : { y: r.highMmHg, label: `high limit ${r.highMmHg} mmHg`, colour: '#c01c28' };
  const target = targetDecorations(r.targets);
  const rows = METRICS.map((d) => `<tr><td>${esc(d.label)}</td><td>${metricValue(m, d)}</td><td>${d.unit}</td></tr>`).join('');
  const alarms = r.alarms.map((a) => `<tr><td>${(a.tMs / 60_000).toFixed(1)} min</td><td>${alarmWords(a.alarm)}</td><td style="text-align:left">${esc(a.alarm.text)}</td></tr>`).join('');
  const p = r.patient.params;
  const record = r.recordPath ? `<a href="${esc(relative(pageDir, r.recordPath).split(/[\\/]/).join('/'))}">${esc(r.recordPath.split(/[\\/]/).pop()!)}</a>` : 'none kept (--no-records)';
  return `<!doctype html><meta charset="utf-8"><title>${esc(r.patient.id)}</title><style>${STYLE}${css}</style>
<p><a href="../index.html">cohort</a></p><h1>${esc(r.patient.id)} (${r.patient.split})</h1>
<p class="note">${Object.entries(p).map(([k, v]) => `${esc(k)} ${v.toPrecision(3)}`).join(', ')}; baseline ${r.patient.baselineMapMmHg.toFixed(0)} mmHg; ${weightKg.toFixed(0)} kg; ${Object.entries(r.patient.subgroups).map(([k, v]) => `${k} ${v}`).join(', ')}.
Record: ${record}${r.error ? `; <b>run failed: ${esc(r.error)}</b>` : ''}</p>
${failures.length ? `<p class="failed"><b>Failed acceptance:</b> ${esc(failures.join('; '))}</p>` : '<p>Passed every acceptance threshold.</p>'}
<p class="note">Drag across a chart to zoom in; double-click to zoom out. Shaded spans and dashed lines mark the scenario's events and the alarms.</p>
${chart('map', {
    title: 'Mean arterial pressure', yLabel: 'mmHg',
    series: [{ label: 'true MAP (patient)', colour: '#1a5fb4' }, { label: 'observed over the link', colour: '#77767b' }],
    band: target.band,
    lines: [...target.lines, limit],
    marks: [...events, ...alarmMarks],
  }, [t, r.samples.map((x) => x.mapMmHg), r.samples.map((x) => x.observedMmHg)])}
${chart('rate', {
    title: 'Infusion rate', yLabel: 'mL/h', y2: { label: 'ug/kg/min', factor: dosePerMlPerH }, height: 200,
    series: [{ label: 'commanded by the host', colour: '#c64600' }, { label: 'delivered to the patient', colour: '#613583', dash: [4, 3] }],
    marks: [...events, ...alarmMarks],
  }, [t, r.samples.map((x) => x.rateMlPerH), r.samples.map((x) => x.deliveredMlPerH)])}
${chart('confidence', {
    title: 'Controller confidence', yLabel: '%', yRange: [0, 100], height: 150,
    series: [{ label: 'confidence', colour: '#26a269' }],
  }, [t, r.samples.map((x) => x.confidence * 100)])}
<h2>Metrics</h2><table><tr><th>metric</th><th>value</th><th>unit</th></tr>${rows}</table>
<p class="note">The dose: ${r.concentrationUgPerMl} ug/mL at ${weightKg.toFixed(1)} kg, so 1 mL/h is ${dosePerMlPerH.toFixed(4)} ug/kg/min; the dose ceiling is ${r.ceilingMlPerH.toFixed(1)} mL/h.</p>
<h2>Alarms</h2><table><tr><th>time</th><th>priority</th><th>what</th></tr>${alarms || '<tr><td colspan="3">none</td></tr>'}</table>
<h2>Decisions where a limit acted or the mode changed</h2>${explained(r)}
${GLOSSARY}
<script>${script}</script>`;
}

export async function writeReport(dir: string, input: ReportInput): Promise<{ index: string; json: string; csv: string }> {
  mkdirSync(join(dir, 'patients'), { recursive: true });
  const script = (await pageScript(REPORT_ENTRY)).replace(/<\/script/gi, '<\\/script');
  const css = chartCss();
  const s = cohortSummaries(input.metrics);
  const json = join(dir, 'metrics.json');
  writeFileSync(json, JSON.stringify({
    title: input.title, settings: input.settings, acceptance: input.acceptance, summary: s,
    patients: input.metrics.map((m, i) => ({ ...m, acceptanceFailures: input.failures[i] })),
  }, null, 1));
  const csvPath = join(dir, 'metrics.csv');
  writeFileSync(csvPath, csv(input.metrics));
  const pageDir = join(dir, 'patients');
  input.runs.forEach((r, i) => writeFileSync(join(pageDir, `${r.patient.id}.html`), patientPage(r, input.metrics[i], input.failures[i], input.scenario, pageDir, script, css)));
  const failingIdx = input.metrics.map((_, i) => i).filter((i) => input.failures[i].length > 0);
  const failing = failingIdx.length;
  const callouts = s.subgroups.filter((g) => g.callout);
  const link = (id: string) => `<a href="patients/${id}.html">${esc(id)}</a>`;
  const failingList = failing
    ? `<ul>${failingIdx.map((i) => `<li class="failed">${link(input.metrics[i].id)}: ${esc(input.failures[i].join('; '))}</li>`).join('')}</ul>`
    : '';
  const patientRows = input.metrics.map((m, i) => `<tr${input.failures[i].length ? ' class="failed"' : ''}><td>${link(m.id)}</td><td>${m.split}</td><td>${m.settled ? 'yes' : '<b>no</b>'}</td><td>${fmt(m.settlingTimeS === null ? null : m.settlingTimeS / 60)}</td>` +
    `<td>${fmt(m.timeInBand5AfterSettlingPct)}</td><td>${fmt(m.overshootMmHg)}</td><td>${fmt(m.minMapMmHg)}</td><td>${fmt(m.mdapePct)}</td><td>${fmt(m.meanDoseUgPerKgPerMin, 2)}</td><td>${fmt(m.totalDoseMg, 2)}</td><td>${fmt(m.alarmsPerHour)}</td><td style="text-align:left">${esc(input.failures[i].join('; '))}</td></tr>`).join('');
  const subgroupNote = callouts.length
    ? `<p><b>${callouts.length} subgroup(s) called out</b>: results well below the cohort's.</p>`
    : failing
      ? `<p>No subgroup as a whole falls well below the cohort, <b>but ${failing} patient(s) failed acceptance</b> (listed above): look at them one by one.</p>`
      : '<p>No subgroup falls well below the cohort.</p>';
  const targets = input.runs[0]?.targets;
  const longest = input.runs.reduce((a, r) => (r.samples.length > a.length ? r.samples : a), [] as PatientRun['samples']);
  const overview = input.runs.length === 0 ? '' : chart('cohort', {
    title: 'True mean pressure of every patient', yLabel: 'mmHg', legend: false,
    series: input.runs.map((r) => ({ label: r.patient.id, colour: input.failures[input.runs.indexOf(r)].length ? '#c01c28' : r.patient.split === 'held-out' ? '#c64600' : '#1a5fb4', width: 1 })),
    ...(targets === undefined ? {} : targetDecorations(targets)),
    marks: scenarioMarks(input.scenario),
  }, [longest.map((x) => x.tS / 60), ...input.runs.map((r) => longest.map((_, k) => r.samples[k]?.mapMmHg ?? null))]);
  const index = join(dir, 'index.html');
  writeFileSync(index, `<!doctype html><meta charset="utf-8"><title>${esc(input.title)}</title><style>${STYLE}${css}</style>
<h1>${esc(input.title)}</h1><p class="note">${Object.entries(input.settings).map(([k, v]) => `${esc(k)}: ${esc(v)}`).join(' &middot; ')}</p>
<p class="note">Metrics on each patient's true mean pressure, once per 5 s decision. Settling: in +-5 mmHg for 5 minutes running; "after settling" includes later disturbances. Times in minutes.</p>
<h2>Acceptance</h2><p${failing ? ' class="failed"' : ''}>${failing ? `<b>${failing} of ${input.metrics.length} patients failed</b> the acceptance thresholds` : `All ${input.metrics.length} patients passed the acceptance thresholds`}: settled within ${input.acceptance.maxSettlingMin} min, at least ${input.acceptance.minTimeInBand5AfterSettlingPct}% within +-5 mmHg after settling, overshoot at most ${input.acceptance.maxOvershootMmHg} mmHg, at most ${input.acceptance.maxTimeBeyondLimitPct}% of the time past the drug's safety limit.</p>
${failingList}
<h2>Cohort and splits</h2>${groupTable([s.cohort, ...s.splits])}
${overview}
<p class="note">Blue: tuning split; orange: held-out split; red: failed acceptance. Green: the target band. Hover a line for its patient; drag to zoom.</p>
<h2>Subgroups</h2>${subgroupNote}${groupTable(s.subgroups)}
<h2>Patients</h2><table><tr><th>patient</th><th>split</th><th>settled</th><th>settling min</th><th>in +-5 after settling %</th><th>overshoot mmHg</th><th>min MAP mmHg</th><th>MDAPE %</th><th>mean dose ug/kg/min</th><th>dose mg</th><th>alarms/h</th><th>failed acceptance</th></tr>${patientRows}</table>
${GLOSSARY}
<script>${script}</script>`);
  return { index, json, csv: csvPath };
}

const REPORT_ENTRY = new URL('./page/report-page.ts', import.meta.url).pathname;
