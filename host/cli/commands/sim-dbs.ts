// `homeostat sim dbs`: an aDBS cohort through a scenario with a policy at the MIL, SIL or PIL level, each patient
// against its own unstimulated and continuous-DBS runs, with a progress bar on stderr, a summary table on
// stdout, and the report, metrics and records on disk.
import { resolve } from 'node:path';
import type { DbsCohortResult } from '../../../hil/runner/dbs-cohort-run.ts';
import { runDbsCohort } from '../../../hil/runner/dbs-cohort-run.ts';
import type { Confirmer } from '../../loop/loop-shell.ts';
import { dataFile, repoFile } from './data-file.ts';
import type { SimBpOptions } from './sim-bp.ts';
import { bar } from './sim-bp.ts';

/** The options sim bp has too mean the same here. */
export interface SimDbsOptions extends Pick<SimBpOptions, 'cohort' | 'scenario' | 'patients' | 'patient' | 'records' | 'split' | 'seed' | 'cohortSeed' | 'level' | 'advisory' | 'board' | 'out'>, Partial<Pick<SimBpOptions, 'speed'>> {
  policy: string;
  supervisor: string;
  drift: boolean;
  acceptance: string;
}

const pct = (v: number | null) => (v === null || Number.isNaN(v) ? '-' : `${(v * 100).toFixed(1)}`);

export async function simDbs(o: SimDbsOptions, out: (line: string) => void, progress: (text: string) => void, confirmer?: Confirmer): Promise<DbsCohortResult> {
  if (o.level === 'hil') throw new Error(`--level hil: sim dbs runs at mil, sil and pil; on a neurostimulator board use homeostat run dbs --stim <port>`);
  if (o.level !== 'mil' && o.level !== 'sil' && o.level !== 'pil') throw new Error(`--level must be mil, sil or pil, got '${o.level}'`);
  const started = performance.now();
  const r = await runDbsCohort({
    cohortPath: dataFile(o.cohort, 'cohort', 'hil/sim/cohorts'),
    scenarioPath: dataFile(o.scenario, 'scenario', 'hil/sim/scenarios'),
    policyPath: dataFile(o.policy, 'policy', 'host/control/dbs'),
    supervisorPath: dataFile(o.supervisor, 'supervisor', 'host/safety'),
    driftPath: o.drift ? repoFile('host/safety/dbs.drift.json') : null,
    advisoryPath: o.advisory ? repoFile('host/safety/dbs.advisory.json') : null,
    acceptancePath: dataFile(o.acceptance, 'acceptance', 'hil/reports'),
    split: o.split, patients: o.patients, patient: o.patient, seed: o.seed, cohortSeed: o.cohortSeed, board: o.board, level: o.level, speed: o.speed,
    outDir: resolve(o.out), records: o.records, confirmer,
    onProgress: (done, total, current, share) => {
      const overall = Math.min(1, (done + (done < total ? share : 0)) / total);
      progress(`${bar(overall)} ${done}/${total} patients ${current ? `(${current} ${(share * 100).toFixed(0)}%)` : ''} ${((performance.now() - started) / 1000).toFixed(0)} s`);
    },
  });
  const s = r.summary;
  out('');
  out(`${r.policy.kind} against continuous DBS (${r.policy.continuousMa} mA), ${r.scenario.name} scenario, after the first ${r.scenario.settleS} s; shares in %`);
  out(`${'group'.padEnd(26)} ${'n'.padStart(3)} ${'suppr'.padStart(6)} ${'vs cont'.padStart(8)} ${'TEED'.padStart(6)} ${'duty'.padStart(6)} ${'>400ms'.padStart(7)} ${'off>400'.padStart(8)} ${'lat ms'.padStart(7)}`);
  for (const g of [s.cohort, ...s.splits, ...s.subgroups]) {
    out(`${g.name.padEnd(26)} ${String(g.patients).padStart(3)} ${pct(g.suppression).padStart(6)} ${pct(g.suppressionVsContinuous).padStart(8)} ${pct(g.teedRelative).padStart(6)} ${pct(g.duty).padStart(6)} ` +
      `${pct(g.longBurstShare).padStart(7)} ${pct(g.offLongBurstShare).padStart(8)} ${(g.latencyMs === null ? '-' : g.latencyMs.toFixed(0)).padStart(7)}`);
  }
  for (const f of r.results.filter((x) => x.error)) out(`patient ${f.patient.id} failed: ${f.error}`);
  const rejected = r.results.filter((_, i) => r.failures[i].length > 0);
  out(rejected.length === 0 ? `acceptance: all ${r.results.length} patients passed` : `acceptance: ${rejected.length} of ${r.results.length} patients failed:`);
  r.results.forEach((x, i) => {
    if (r.failures[i].length) out(`  ${x.patient.id}: ${r.failures[i].join('; ')}`);
  });
  if (o.advisory) {
    const asked = r.results.reduce((a, x) => a + (x.arms.policy?.decisions.filter((d) => d.asked).length ?? 0), 0);
    out(`advisory mode: ${asked} requests for confirmation${confirmer ? '' : ' (no terminal: each timed out to the safe choice)'}`);
  }
  out(`${r.results.length} patients, ${r.simulatedS.toFixed(0)} simulated s (unstimulated, continuous and policy runs) in ${(r.wallMs / 1000).toFixed(1)} s: ` +
    `${(r.simulatedS / (r.wallMs / 1000)).toFixed(0)} simulated s per wall s, ${r.level === 'mil' ? 'the stimulator as its firmware\'s cores' : r.level === 'pil' ? `the neurostimulator bundle behind a pseudo-terminal at ${o.speed ?? 1}x real time` : 'the neurostimulator bundle in the emulator included'}, one thread`);
  out(`report: ${r.report.index}`);
  out(`metrics: ${r.report.json}, ${r.report.csv}; ${o.records ? 'records: one per loop run beside them' : 'no records (--no-records)'}`);
  return r;
}
