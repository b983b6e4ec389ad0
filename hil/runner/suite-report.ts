// What a suite run leaves behind: results.json (the raw results, which `hil merge` joins across shards),
// JUnit XML for CI (one testcase per scenario and patient: the failed criteria with a log excerpt, or the
// crash as an error), and an HTML report: a summary page (every case with its hazard and verdict, totals
// per checklist item) and one page per case with its plots (true and observed pressure against the target
// band and the floor, commanded and delivered rate; faults and alarms marked) and its criteria.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JunitCase } from '../reports/junit.ts';
import { junitXml } from '../reports/junit.ts';
import { STYLE, esc } from '../reports/html-parts.ts';
import { plot } from '../reports/svg-plot.ts';
import type { CaseResult } from './case-run.ts';
import type { SuiteResults } from './suite-run.ts';

export function junitCases(cases: CaseResult[]): JunitCase[] {
  return cases.map((c) => ({
    scenario: c.scenario, patient: c.patient, timeS: c.wallS, log: c.log,
    ...(c.error !== undefined ? { error: c.error } : { failures: c.criteria.filter((x) => !x.held).map((x) => ({ criterion: x.criterion, detail: x.detail })) }),
  }));
}

export function suiteJunit(r: SuiteResults): string {
  return junitXml(junitCases(r.cases), { timestamp: r.startedAt, name: `homeostat HIL suite (${r.level})` });
}

/** Reads a results.json written by a run (a shard's), checking it is one. */
export function readResults(path: string): SuiteResults {
  let r: SuiteResults;
  try {
    r = JSON.parse(readFileSync(path, 'utf8')) as SuiteResults;
  } catch (e) {
    throw new Error(`${path}: cannot read suite results (${(e as Error).message})`);
  }
  if (r?.format !== 1 || !Array.isArray(r.cases)) throw new Error(`${path}: not the results.json of a \`homeostat hil run\` (format 1)`);
  return r;
}

/** Shards joined: every case once, in the suite's order; shards of different suites or levels are refused. */
export function mergeResults(parts: { path: string; r: SuiteResults }[]): SuiteResults {
  if (parts.length === 0) throw new Error('nothing to merge: give the results.json of each shard');
  const first = parts[0].r;
  for (const p of parts) {
    if (p.r.level !== first.level || p.r.suiteJobs !== first.suiteJobs || p.r.shard.n !== first.shard.n) {
      throw new Error(`${p.path}: shard ${p.r.shard.k}/${p.r.shard.n} of a ${p.r.suiteJobs}-job suite at ${p.r.level} does not belong with ${parts[0].path} (${first.shard.n} shards, ${first.suiteJobs} jobs, ${first.level})`);
    }
  }
  const cases = new Map<number, CaseResult>();
  for (const p of parts) for (const c of p.r.cases) cases.set(c.index, c);
  const shards = [...new Set(parts.map((p) => p.r.shard.k))].sort((a, b) => a - b);
  const missing = Array.from({ length: first.shard.n }, (_, i) => i + 1).filter((k) => !shards.includes(k));
  if (missing.length) throw new Error(`shard ${missing.join(', ')} of ${first.shard.n} missing: merge needs every shard's results.json`);
  return {
    ...first, shard: { k: 1, n: 1 }, cases: [...cases.values()].sort((a, b) => a.index - b.index),
    startedAt: parts.map((p) => p.r.startedAt).sort()[0], wallS: Math.max(...parts.map((p) => p.r.wallS)),
  };
}

const pageName = (c: CaseResult) => `${c.scenario}--${c.patient}.html`.replace(/[^a-z0-9.-]/gi, '_');
const verdict = (c: CaseResult) => (c.error !== undefined ? 'error' : c.passed ? 'passed' : 'failed');

function casePage(c: CaseResult): string {
  const t = c.trace;
  const marks = t ? [...t.faultsMin.map(([m]) => m), ...t.alarmsMin] : [];
  const plots = t ? [
    plot('Mean arterial pressure (mmHg); dashed: faults applied and alarms raised', [
      { points: t.rows.map((x) => [x[0], x[1]]), colour: '#1a5fb4', label: 'true MAP (patient)' },
      { points: t.rows.filter((x) => x[2] !== null).map((x) => [x[0], x[2]!]), colour: '#999', label: 'observed over the link' },
      { points: t.rows.map((x) => [x[0], t.floorMmHg]), colour: '#e01b24', label: 'floor' },
    ], 'mmHg', [t.targetMmHg - 5, t.targetMmHg + 5], marks),
    plot('Infusion rate (mL/h)', [
      { points: t.rows.map((x) => [x[0], x[3]]), colour: '#c64600', label: 'commanded by the host' },
      { points: t.rows.map((x) => [x[0], x[4]]), colour: '#613583', label: 'delivered to the patient' },
    ], 'mL/h', undefined, marks),
  ].join('\n') : '<p>No trace: the run did not get going.</p>';
  const faults = t?.faultsMin.map(([m, k]) => `${k} at ${m} min`).join(', ') || 'none';
  const rows = c.criteria.map((x) => `<tr${x.held ? '' : ' class="failed"'}><td>${esc(x.criterion)}</td><td>${x.held ? 'held' : 'FAILED'}</td><td style="text-align:left">${esc(x.detail)}</td></tr>`).join('');
  return `<!doctype html><meta charset="utf-8"><title>${esc(c.scenario)} / ${esc(c.patient)}</title><style>${STYLE}</style>
<p><a href="index.html">summary</a></p><h1>${esc(c.scenario)} / ${esc(c.patient)}: ${verdict(c)}</h1>
<p class="note">Hazard: ${esc(c.hazard)}<br>Checklist: ${esc(c.checklist)} &middot; level ${c.level.toUpperCase()} &middot; ${(c.simulatedS / 60).toFixed(0)} simulated min in ${c.wallS.toFixed(1)} s &middot; faults: ${esc(faults)}</p>
${c.error !== undefined ? `<p class="failed"><b>The run crashed:</b> ${esc(c.error)}</p>` : ''}
${(c.notInjectable ?? []).map((n) => `<p class="failed"><b>Fault not injected:</b> ${esc(n)}</p>`).join('\n')}
${plots}
<h2>Criteria</h2><table><tr><th>criterion</th><th>verdict</th><th>measured</th></tr>${rows}</table>
<h2>Log</h2><pre>${esc(c.log)}</pre>`;
}

export function writeSuiteReport(dir: string, r: SuiteResults): { index: string; results: string } {
  mkdirSync(dir, { recursive: true });
  const results = join(dir, 'results.json');
  writeFileSync(results, JSON.stringify(r));
  for (const c of r.cases) writeFileSync(join(dir, pageName(c)), casePage(c));
  const failed = r.cases.filter((c) => !c.passed);
  const items = [...new Set(r.cases.map((c) => c.checklist))];
  const byItem = items.map((i) => {
    const cs = r.cases.filter((c) => c.checklist === i);
    return `<tr><td>${esc(i)}</td><td>${cs.length}</td><td>${cs.filter((c) => c.passed).length}</td><td>${cs.filter((c) => !c.passed).length}</td></tr>`;
  }).join('');
  const rows = r.cases.map((c) => `<tr${c.passed ? '' : ' class="failed"'}><td><a href="${pageName(c)}">${esc(c.scenario)}</a></td><td>${esc(c.patient)}</td><td>${verdict(c)}</td><td>${esc(c.checklist)}</td>` +
    `<td style="text-align:left">${esc(c.error ?? c.criteria.filter((x) => !x.held).map((x) => `${x.criterion}: ${x.detail}`).join('; '))}</td><td style="text-align:left">${esc(c.hazard)}</td><td>${c.wallS.toFixed(1)}</td></tr>`).join('');
  const index = join(dir, 'index.html');
  writeFileSync(index, `<!doctype html><meta charset="utf-8"><title>HIL suite</title><style>${STYLE}</style>
<h1>HIL suite at ${r.level.toUpperCase()}: ${failed.length ? `${failed.length} of ${r.cases.length} cases failed` : `all ${r.cases.length} cases passed`}</h1>
<p class="note">Started ${esc(r.startedAt)}; ${r.shard.n > 1 ? `shard ${r.shard.k} of ${r.shard.n}; ` : ''}${r.workers} workers; ${r.wallS.toFixed(0)} s wall time.</p>
<h2>By checklist item (clinical-models.md section 6)</h2><table><tr><th>item</th><th>cases</th><th>passed</th><th>failed</th></tr>${byItem}</table>
<h2>Cases</h2><table><tr><th>scenario</th><th>patient</th><th>verdict</th><th>checklist</th><th>failed criteria</th><th>hazard</th><th>wall s</th></tr>${rows}</table>`);
  return { index, results };
}
