// The report of an aDBS cohort run: metrics.json and metrics.csv for machines, and HTML for people: a cohort
// page (acceptance, splits, subgroups, every patient: beta suppression against no stimulation and against
// continuous DBS, TEED relative to continuous, duty, long bursts, latency) and one page per patient with its
// plots (delivered amplitude of the policy and of continuous DBS, the beta the device reported), its
// beta-burst duration distribution in the three runs, its alarms and the decisions a limit changed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DbsAcceptance } from './acceptance.ts';
import { betaEnvelope, burstDurationsMs } from './beta-bursts.ts';
import type { DbsFigures } from './dbs-metrics.ts';
import { referenceThreshold } from './dbs-metrics.ts';
import { esc, fmt, STYLE } from './html-parts.ts';
import { plot } from './svg-plot.ts';
import type { DbsGroupSummary, DbsPatientResult } from '../runner/dbs-cohort-run.ts';
import type { DbsArm } from '../runner/dbs-run.ts';
import { DBS_LFP_RATE_HZ, DBS_STEP_MS } from '../sim/engine/dbs-plant.ts';

export interface DbsReportInput {
  title: string;
  settings: Record<string, string>;
  results: DbsPatientResult[];
  failures: string[][];
  acceptance: DbsAcceptance;
  summary: { cohort: DbsGroupSummary; splits: DbsGroupSummary[]; subgroups: DbsGroupSummary[] };
  settleS: number;
}

const pct = (x: number | null) => (x === null || Number.isNaN(x) ? '-' : (x * 100).toFixed(1));

function groupTable(groups: DbsGroupSummary[]): string {
  const head = ['group', 'patients', 'beta suppression %', 'vs continuous (points)', 'TEED % of continuous', 'duty %', 'bursts > 400 ms %', 'unstimulated: bursts > 400 ms %', 'latency ms (median)', 'failed'];
  const rows = groups.map((g) => `<tr${g.failed ? ' class="failed"' : ''}><td>${esc(g.name)}</td><td>${g.patients}</td><td>${pct(g.suppression)}</td><td>${pct(g.suppressionVsContinuous)}</td>` +
    `<td>${pct(g.teedRelative)}</td><td>${pct(g.duty)}</td><td>${pct(g.longBurstShare)}</td><td>${pct(g.offLongBurstShare)}</td><td>${fmt(g.latencyMs, 0)}</td><td>${g.failed}</td></tr>`);
  return `<table><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

const FIGURES: (keyof DbsFigures)[] = ['suppression', 'suppressionVsContinuous', 'teedRelative', 'duty', 'longBurstShare', 'latencyMs', 'meanMa'];

function csv(rs: DbsPatientResult[], failures: string[][]): string {
  const groups = [...new Set(rs.flatMap((r) => Object.keys(r.patient.subgroups)))];
  const cell = (v: unknown) => (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? '' : typeof v === 'number' ? String(Number(v.toFixed(4))) : `"${String(v).replace(/"/g, '""')}"`);
  const head = ['id', 'split', 'peakHz', 'baselineBetaUv2', 'offLongBurstShare', ...FIGURES.map((f) => `policy.${f}`), ...FIGURES.map((f) => `continuous.${f}`), 'fallbackShare', 'alarms', 'error', 'acceptanceFailures', ...groups];
  const lines = [head.join(',')];
  rs.forEach((r, i) => lines.push([
    r.patient.id, r.patient.split, r.peakHz, r.baselineBetaUv2, r.offLongBurstShare, ...FIGURES.map((f) => r.policy?.[f] ?? null), ...FIGURES.map((f) => r.continuous?.[f] ?? null),
    r.fallbackShare, r.alarms.length, r.error, failures[i].join('; '), ...groups.map((g) => r.patient.subgroups[g]),
  ].map(cell).join(',')));
  return lines.join('\n') + '\n';
}

/** Shares of bursts by duration (100 ms bins, the last open), past the settling. */
function burstBins(arm: DbsArm, r: DbsPatientResult, thresholdUv: number, skipS: number): number[] {
  const lfp = arm.lfpUv.slice(skipS * DBS_LFP_RATE_HZ);
  const d = burstDurationsMs(betaEnvelope(lfp, DBS_LFP_RATE_HZ, { centreHz: r.peakHz }), DBS_LFP_RATE_HZ, thresholdUv);
  const bins = [0, 0, 0, 0, 0];
  for (const x of d) bins[Math.min(4, Math.floor(x / 100))]++;
  return bins.map((b) => (d.length ? b / d.length : 0));
}

/** Every 10th point of a trace sampled every stepMs, as [s, value]. */
const thin = (x: number[], stepMs: number, every = 10): [number, number][] => {
  const out: [number, number][] = [];
  for (let i = 0; i < x.length; i += every) out.push([(i * stepMs) / 1000, x[i]]);
  return out;
};

function explained(arm: DbsArm): string {
  let mode = 'auto';
  const rows: string[] = [];
  for (const d of arm.decisions) {
    const changed = d.mode !== mode;
    mode = d.mode;
    if (d.limits.length === 0 && !changed) continue;
    rows.push(`<tr><td>${(d.tMs / 1000).toFixed(1)} s</td><td>${d.mode}</td><td>${fmt(d.betaUv2, 2)}</td><td>${fmt(d.proposedMa, 2)}</td><td>${fmt(d.commandedMa, 2)}</td>` +
      `<td style="text-align:left">${esc(d.controllerReason)}</td><td style="text-align:left">${esc(d.limits.join('; '))}</td></tr>`);
  }
  if (rows.length === 0) return '<p>None: every proposal of the policy was commanded as it was.</p>';
  const shown = rows.length > 200 ? [...rows.slice(0, 200), `<tr><td colspan="7">... ${rows.length - 200} more in the record</td></tr>`] : rows;
  return `<details><summary>${rows.length} decisions</summary><table><tr><th>time</th><th>mode</th><th>beta uV^2</th><th>proposed mA</th><th>commanded mA</th><th>policy's reason</th><th>limits that acted</th></tr>${shown.join('')}</table></details>`;
}

function patientPage(r: DbsPatientResult, failures: string[], settleS: number): string {
  const p = r.patient;
  const head = `<!doctype html><meta charset="utf-8"><title>${esc(p.id)}</title><style>${STYLE}</style>
<p><a href="../index.html">cohort</a></p><h1>${esc(p.id)} (${p.split})</h1>
<p class="note">${Object.entries(p.params).map(([k, v]) => `${esc(k)} ${v.toPrecision(3)}`).join(', ')}; ${Object.entries(p.subgroups).map(([k, v]) => `${k} ${v}`).join(', ')};
beta peak ${r.peakHz.toFixed(1)} Hz; calibrated beta (device, unstimulated) ${fmt(r.baselineBetaUv2, 2)} uV^2.${r.error ? ` <b>Run failed: ${esc(r.error)}</b>` : ''}</p>
${failures.length ? `<p class="failed"><b>Failed acceptance:</b> ${esc(failures.join('; '))}</p>` : '<p>Passed every acceptance threshold.</p>'}`;
  const { policy, continuous, off } = r.arms;
  if (!policy || !continuous || !r.policy || !r.continuous) return head;
  const marks = r.alarms.map((a) => a.tMs / 1000);
  const beta = policy.decisions.filter((d) => d.betaUv2 !== null).map((d): [number, number] => [d.tMs / 1000, d.betaUv2!]);
  const rows = FIGURES.map((f) => `<tr><td>${f}</td><td>${fmt(r.policy![f], 3)}</td><td>${fmt(r.continuous![f], 3)}</td></tr>`).join('');
  const thresholdUv = referenceThreshold(off.lfpUv.slice(settleS * DBS_LFP_RATE_HZ), DBS_LFP_RATE_HZ, r.peakHz);
  const bins = [off, continuous, policy].map((a) => burstBins(a, r, thresholdUv, settleS));
  const binRows = ['unstimulated', 'continuous', policy.name].map((n, i) => `<tr><td>${esc(n)}</td>${bins[i].map((b) => `<td>${pct(b)}</td>`).join('')}</tr>`).join('');
  const alarms = r.alarms.map((a) => `<tr><td>${(a.tMs / 1000).toFixed(1)} s</td><td>${esc(a.id)}</td><td style="text-align:left">${esc(a.text)}</td></tr>`).join('');
  return `${head}
${plot('Amplitude delivered to the patient (mA)', [
    { points: thin(policy.ampMa, DBS_STEP_MS), colour: '#c64600', label: policy.name },
    { points: thin(continuous.ampMa, DBS_STEP_MS), colour: '#1a5fb4', label: 'continuous DBS' },
  ], 'mA', undefined, marks, 'seconds')}
${plot('Beta power reported by the stimulator, mean per decision (uV^2)', [
    { points: beta, colour: '#613583', label: `${policy.name}: beta used by the loop` },
    { points: [[0, r.baselineBetaUv2], [policy.simulatedS, r.baselineBetaUv2]], colour: '#999', label: 'calibrated (unstimulated)' },
  ], 'uV^2', undefined, marks, 'seconds')}
<h2>Figures (after the first ${settleS} s)</h2><table><tr><th>figure</th><th>${esc(policy.name)}</th><th>continuous</th></tr>${rows}</table>
<h2>Beta-burst durations (share of bursts)</h2><table><tr><th>run</th><th>&lt; 100 ms</th><th>100-200</th><th>200-300</th><th>300-400</th><th>&gt; 400 ms</th></tr>${binRows}</table>
<h2>Alarms (dashed red lines)</h2><table>${alarms || '<tr><td>none</td></tr>'}</table>
<h2>Decisions where a limit acted or the mode changed</h2>${explained(policy)}
<p class="note">Records: ${esc([continuous.recordPath, policy.recordPath].filter((x) => x).map((x) => x.split(/[\\/]/).pop()!).join(', ') || 'none (--no-records)')}</p>`;
}

export function writeDbsReport(dir: string, input: DbsReportInput): { index: string; json: string; csv: string } {
  mkdirSync(join(dir, 'patients'), { recursive: true });
  const s = input.summary;
  const json = join(dir, 'metrics.json');
  writeFileSync(json, JSON.stringify({
    title: input.title, settings: input.settings, acceptance: input.acceptance, summary: s,
    patients: input.results.map((r, i) => ({
      id: r.patient.id, split: r.patient.split, subgroups: r.patient.subgroups, peakHz: r.peakHz, baselineBetaUv2: r.baselineBetaUv2, offLongBurstShare: r.offLongBurstShare,
      policy: r.policy, continuous: r.continuous, fallbackShare: r.fallbackShare, alarms: r.alarms, error: r.error, acceptanceFailures: input.failures[i],
    })),
  }, (_k, v) => (typeof v === 'number' && Number.isNaN(v) ? null : v), 1));
  const csvPath = join(dir, 'metrics.csv');
  writeFileSync(csvPath, csv(input.results, input.failures));
  input.results.forEach((r, i) => writeFileSync(join(dir, 'patients', `${r.patient.id}.html`), patientPage(r, input.failures[i], input.settleS)));
  const failing = input.failures.filter((f) => f.length > 0).length;
  const a = input.acceptance;
  const patientRows = input.results.map((r, i) => `<tr${input.failures[i].length ? ' class="failed"' : ''}><td><a href="patients/${r.patient.id}.html">${r.patient.id}</a></td><td>${r.patient.split}</td><td>${r.peakHz.toFixed(1)}</td>` +
    `<td>${pct(r.policy?.suppression ?? null)}</td><td>${pct(r.continuous?.suppression ?? null)}</td><td>${pct(r.policy?.suppressionVsContinuous ?? null)}</td><td>${pct(r.policy?.teedRelative ?? null)}</td>` +
    `<td>${pct(r.policy?.duty ?? null)}</td><td>${pct(r.policy?.longBurstShare ?? null)}</td><td>${pct(r.offLongBurstShare)}</td><td>${fmt(r.policy ? (Number.isNaN(r.policy.latencyMs) ? null : r.policy.latencyMs) : null, 0)}</td>` +
    `<td>${r.alarms.length}</td><td style="text-align:left">${esc(input.failures[i].join('; '))}</td></tr>`).join('');
  const index = join(dir, 'index.html');
  writeFileSync(index, `<!doctype html><meta charset="utf-8"><title>${esc(input.title)}</title><style>${STYLE}</style>
<h1>${esc(input.title)}</h1><p class="note">${Object.entries(input.settings).map(([k, v]) => `${esc(k)}: ${esc(v)}`).join(' &middot; ')}</p>
<p class="note">Each patient runs three times on one seed: unstimulated (the reference; its first seconds of device beta calibrate the policy's thresholds), with continuous DBS, and with the policy. Figures on the patient's true LFP (ground truth) after the first ${input.settleS} s: beta power in the patient's band (peak +- 3 Hz), its suppression against the unstimulated run, the difference from continuous DBS's suppression in points, TEED relative to continuous DBS, duty (share of time above the window minimum), the share of beta bursts longer than 400 ms (threshold: the unstimulated run's 75th percentile), and the median latency from a burst's start to the next rise of the amplitude.</p>
<h2>Acceptance</h2><p${failing ? ' class="failed"' : ''}>${failing ? `<b>${failing} of ${input.results.length} patients failed</b> the acceptance thresholds` : `All ${input.results.length} patients passed the acceptance thresholds`}: beta suppression at most ${pct(a.maxSuppressionLossVsContinuous)} points below continuous DBS, TEED at most ${pct(a.maxTeedRelative)}% of continuous, at most ${pct(a.maxLongBurstShare)}% of bursts longer than 400 ms.</p>
<h2>Cohort and splits</h2>${groupTable([s.cohort, ...s.splits])}
<h2>Subgroups</h2>${groupTable(s.subgroups)}
<h2>Patients</h2><table><tr><th>patient</th><th>split</th><th>peak Hz</th><th>suppression %</th><th>continuous %</th><th>vs continuous (points)</th><th>TEED % of continuous</th><th>duty %</th><th>bursts &gt; 400 ms %</th><th>unstimulated %</th><th>latency ms</th><th>alarms</th><th>failed acceptance</th></tr>${patientRows}</table>`);
  return { index, json, csv: csvPath };
}
