// `homeostat sim bp`: a cohort through a scenario with a controller at the SIL or PIL level, with a progress
// bar on stderr, a summary table on stdout, and the report, metrics and records on disk.
import { resolve } from 'node:path';
import type { CohortRunResult } from '../../../hil/runner/bp-cohort-run.ts';
import { runCohort } from '../../../hil/runner/bp-cohort-run.ts';
import { cohortSchema } from '../../../hil/sim/cohorts/cohort.ts';
import { readConfigFile } from '../../config/config-file.ts';
import { loadDrugFile } from '../../therapies/bp/drugs/drug-file.ts';
import type { Confirmer } from '../../loop/loop-shell.ts';
import { firstAnswer } from '../../loop/loop-shell.ts';
import { DashboardServer } from '../../dashboard/dashboard-server.ts';
import { beforeSignalExit } from '../../process/owned-children.ts';
import { dataFile, repoFile } from './data-file.ts';

export interface SimBpOptions {
  cohort: string;
  scenario: string;
  controller?: string;
  supervisor?: string;
  patients?: number;
  patient?: string;
  records: boolean;
  split: 'all' | 'tuning' | 'held-out';
  seed: number;
  cohortSeed?: number;
  level: string;
  advisory: boolean;
  acceptance?: string;
  board: string;
  out: string;
  workers: number;
  speed: number;
  /** MIL and SIL: hold the simulation to this many times real time (a person watching the dashboard). */
  pace?: number;
  /** Serve the live dashboard (patients then run one at a time, in this thread). */
  dashboard?: { port: number; host: string };
}

const pct = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)}%`);

export function bar(share: number, width = 28): string {
  const n = Math.round(share * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

export async function simBp(o: SimBpOptions, out: (line: string) => void, progress: (text: string) => void, confirmer?: Confirmer): Promise<CohortRunResult> {
  if (o.level !== 'mil' && o.level !== 'sil' && o.level !== 'pil') throw new Error(`--level must be mil, sil or pil, got '${o.level}'`);
  const cohortPath = dataFile(o.cohort, 'cohort', 'hil/sim/cohorts');
  // The cohort names its drug; the drug names the shipped controller and limits for it.
  const drug = loadDrugFile(readConfigFile(cohortPath, 'the cohort', cohortSchema).drug, cohortPath);
  const controllerPath = dataFile(o.controller ?? drug.defaults.controller, 'controller', 'host/control/bp');
  const supervisorPath = dataFile(o.supervisor ?? drug.defaults.supervisor, 'supervisor', 'host/safety');
  const started = performance.now();
  let dashboard: DashboardServer | null = null;
  if (o.dashboard) {
    dashboard = new DashboardServer(o.dashboard);
    out(`dashboard: ${await dashboard.listen()} (patients run one at a time while it is open; Stop ends the patient shown)`);
    if (o.advisory) confirmer = confirmer ? firstAnswer([confirmer, dashboard.confirmer]) : dashboard.confirmer;
  }
  // Ctrl-C: the running patient's pump is stopped and its record closed before the process exits.
  const abort = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  beforeSignalExit(async (signal) => {
    abort.abort(signal);
    await Promise.race([running, new Promise((r) => setTimeout(r, 15_000))]);
    await dashboard?.close();
  });
  const board = dashboard;
  const cohort = runCohort({
    cohortPath,
    scenarioPath: dataFile(o.scenario, 'scenario', 'hil/sim/scenarios'),
    controllerPath,
    supervisorPath,
    driftPath: repoFile('host/safety/default.drift.json'),
    advisoryPath: o.advisory ? repoFile('host/safety/default.advisory.json') : null,
    acceptancePath: dataFile(o.acceptance ?? 'default', 'acceptance', 'hil/reports'),
    split: o.split, patients: o.patients, patient: o.patient, records: o.records, seed: o.seed, cohortSeed: o.cohortSeed, board: o.board, outDir: resolve(o.out), confirmer, workers: o.workers, level: o.level, speed: o.speed, pace: o.pace,
    signal: abort.signal,
    onLoop: board ? (loop) => {
      const id = board.addLoop(loop);
      return (ended) => board.loopEnded(id, ended);
    } : undefined,
    onProgress: (done, total, current, share) => {
      const overall = Math.min(1, (done + (done < total ? share : 0)) / total);
      const wallS = (performance.now() - started) / 1000;
      progress(`${bar(overall)} ${done}/${total} patients ${current ? `(${current} ${(share * 100).toFixed(0)}%)` : ''} ${wallS.toFixed(0)} s`);
    },
  });
  running = cohort;
  let r: CohortRunResult;
  try {
    r = await cohort;
  } finally {
    await dashboard?.close();
  }
  const s = r.summary;
  const row = (g: typeof s.cohort) =>
    `${g.name.padEnd(22)} ${String(g.patients).padStart(4)} ${g.settledPct.toFixed(0).padStart(8)}% ${(g.medianSettlingTimeS === null ? '-' : (g.medianSettlingTimeS / 60).toFixed(1)).padStart(9)} ` +
    `${pct(g.meanTimeInBand5AfterSettlingPct).padStart(11)} ${g.maxOvershootMmHg.toFixed(1).padStart(10)} ${g.meanTimeBelowFloorPct.toFixed(2).padStart(8)}% ${pct(g.medianMdapePct).padStart(7)}` +
    (g.callout ? `  <- ${g.callout}` : '');
  out('');
  out(`${'group'.padEnd(22)} ${'n'.padStart(4)} ${'settled'.padStart(9)} ${'settle min'.padStart(9)} ${'in +-5 after'.padStart(11)} ${'overshoot'.padStart(10)} ${'<floor'.padStart(9)} ${'MDAPE'.padStart(7)}`);
  for (const g of [s.cohort, ...s.splits, ...s.subgroups]) out(row(g));
  const failed = r.runs.filter((x) => x.error);
  for (const f of failed) out(`patient ${f.patient.id} failed: ${f.error} (record kept: ${f.recordPath})`);
  const rejected = r.runs.filter((_, i) => r.failures[i].length > 0);
  out(rejected.length === 0
    ? `acceptance: all ${r.runs.length} patients passed`
    : `acceptance: ${rejected.length} of ${r.runs.length} patients failed:`);
  r.runs.forEach((x, i) => {
    if (r.failures[i].length) out(`  ${x.patient.id}: ${r.failures[i].join('; ')}`);
  });
  const asked = r.runs.reduce((a, x) => a + x.decisions.filter((d) => d.asked).length, 0);
  if (o.advisory) out(`advisory mode: ${asked} requests for confirmation${confirmer ? '' : ' (no terminal: each timed out to the safe choice)'}`);
  out(`${r.runs.length} patients, ${(r.simulatedS / 60).toFixed(0)} simulated min in ${(r.wallMs / 1000).toFixed(1)} s: ${(r.simulatedS / (r.wallMs / 1000)).toFixed(0)} simulated s per wall s, ${o.level === 'mil' ? 'devices as ideal models' : 'firmware in the emulator included'} (${o.level === 'pil' ? `PIL at ${o.speed}x real time, one patient at a time` : `${confirmer ? 1 : Math.min(o.workers, r.runs.length)} worker threads`})`);
  out(`report: ${r.report.index}`);
  out(`metrics: ${r.report.json}, ${r.report.csv}; ${o.records ? 'records: one per patient beside them' : 'no records (--no-records)'}`);
  return r;
}
