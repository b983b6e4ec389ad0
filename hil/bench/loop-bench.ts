// The generic loop's figures for `npm run bench` (issue 11): MIL speed per core with each controller (no
// records, the same loop shell, controller and supervisor as every level), full-stack SIL speed per core with
// one and two workers (both bundles in the emulator), how much code is therapy-specific against shared,
// whether a record written before the loop shell still replays identically, and `homeostat run bp` against
// PIL boards: command round trip and the time from SIGINT to the pump stopped.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { shippedControllerPath } from '../../host/control/bp/controller-file.ts';
import { readRecord } from '../../host/record/record-file.ts';
import { replayRecord } from '../../host/record/replay.ts';
import { runCohort } from '../runner/bp-cohort-run.ts';
import { loadCohort } from '../sim/cohorts/cohort.ts';
import { loadScenario } from '../sim/scenarios/scenario.ts';
import { pilSession } from '../rigs/pil-rig.ts';
import { pilKeyringEnv } from '../rigs/pil-boards.testing.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function speed(level: 'mil' | 'sil', controller: 'pid' | 'adaptive', patients: number, workers: number) {
  const o = {
    cohortPath: repo('hil/sim/cohorts/default.cohort.json'), scenarioPath: repo('hil/sim/scenarios/default.scenario.json'),
    controllerPath: shippedControllerPath(controller), supervisorPath: repo('host/safety/nitroprusside.supervisor.json'),
    driftPath: repo('host/safety/default.drift.json'), advisoryPath: null, split: 'all' as const, seed: 1, board: 'pico', level,
    records: level !== 'mil', workers,
  };
  // A first run builds the bundles and warms the code up; the second is measured.
  await runCohort({ ...o, patients: Math.min(2, patients), workers: 1, outDir: mkdtempSync(join(tmpdir(), 'bench-loop-')) });
  const r = await runCohort({ ...o, patients, outDir: mkdtempSync(join(tmpdir(), 'bench-loop-')) });
  const runsWallS = r.runs.reduce((a, x) => a + x.wallMs, 0) / 1000;
  return {
    patients, workers,
    simulatedSPerWallS: Math.round(r.simulatedS / (r.wallMs / 1000)),
    /** Per core: the patient runs themselves, without start-up and the report. */
    simulatedSPerWallSPerCore: Math.round(r.simulatedS / runsWallS),
  };
}

/** Non-test TypeScript lines under some folders, split by whether a file is a therapy's own. */
function codeLines() {
  const folders = ['host/loop', 'host/therapies', 'host/app', 'host/record', 'host/control', 'host/safety', 'hil/sim/engine', 'hil/sim/nodes', 'hil/rigs', 'hil/runner', 'hil/reports'];
  const therapy = /(^|\/)(bp|dbs)[-/]|\/(control|therapies)\/|pump-monitor|infusion-supervisor|oscillation-monitor|reach-monitor|mil-bp|beta|pavlides|neurostim/;
  const count = { therapySpecific: 0, shared: 0, files: { therapySpecific: [] as string[], shared: [] as string[] } };
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.testing.ts')) {
        const rel = relative(repo(''), p);
        const n = readFileSync(p, 'utf8').split('\n').filter((l) => l.trim() && !l.trim().startsWith('//')).length;
        const kind = therapy.test(rel) ? 'therapySpecific' : 'shared';
        count[kind] += n;
        count.files[kind].push(rel);
      }
    }
  };
  for (const f of folders) walk(repo(f));
  return { therapySpecificLines: count.therapySpecific, sharedLines: count.shared, therapySpecificFiles: count.files.therapySpecific.length, sharedFiles: count.files.shared.length };
}

/** `homeostat run bp` against PIL boards for about 25 s, then SIGINT (the boards' keys in the keyring it reads, as flashing leaves them). */
async function runBpOnPil() {
  // The patient and the drug in its syringe, both from the cohort.
  const { patients: [patient], drug } = loadCohort(repo('hil/sim/cohorts/default.cohort.json'));
  const plan = { scenario: loadScenario(repo('hil/sim/scenarios/default.scenario.json')), patient, model: 'slate-vasodilator', concentrationUgPerMl: drug.concentrationUgPerMl, seed: 7, board: 'pico', patientStepS: 0.5 };
  const session = await pilSession({ therapy: 'bp', plan, roles: ['bp-sensor', 'infusion-pump'], board: 'pico', seed: 7, speed: 1 });
  const out = mkdtempSync(join(tmpdir(), 'bench-run-bp-'));
  try {
    const p = spawn(process.execPath, [repo('host/cli/bin.js'), 'run', 'bp', '--sensor', session.nodes[0].where, '--pump', session.nodes[1].where, '--weight-kg', '70', '--out', out], { stdio: 'ignore', env: pilKeyringEnv() });
    const done = new Promise<number | null>((r) => p.on('close', r));
    await sleep(27_000);
    p.kill('SIGINT');
    const code = await done;
    const lines = readRecord(join(out, 'live.record.jsonl')).lines;
    // Each acknowledged command against the decision that sent it (both on the host's clock).
    const trips: number[] = [];
    let decidedMs: number | null = null;
    for (const l of lines) {
      if (l.kind === 'decision' && (l.data.decision as { command: string }).command === 'set-rate') decidedMs = l.tMs;
      if (l.kind === 'command' && l.data.outcome === 'acknowledged' && decidedMs !== null) {
        trips.push(l.tMs - decidedMs);
        decidedMs = null;
      }
    }
    trips.sort((a, b) => a - b);
    const stop = lines.find((l) => l.kind === 'stop');
    return {
      exitCode: code, decisions: lines.filter((l) => l.kind === 'decision').length,
      commandRoundTripMs: { median: trips[trips.length >> 1] ?? null, max: trips.at(-1) ?? null, commands: trips.length },
      sigintToPumpStoppedMs: stop ? (stop.data.afterMs as number) : null,
      stopResult: stop ? stop.data.result : null,
    };
  } finally {
    session.close();
  }
}

export async function loopBench() {
  const fixture = replayRecord(readRecord(repo('host/record/fixtures/bp-before-loop-shell.record.jsonl')));
  return {
    milSpeed: { pid: await speed('mil', 'pid', 60, 1), adaptive: await speed('mil', 'adaptive', 10, 1), note: 'no records; ideal devices; one thread' },
    fullStackSpeed: { oneWorker: await speed('sil', 'adaptive', 4, 1), twoWorkers: await speed('sil', 'adaptive', 8, 2), note: 'both firmware bundles in board emulators, records written' },
    code: codeLines(),
    recordBeforeLoopShellReplays: { decisions: fixture.decisions, identical: fixture.identical },
    runBpOnPil: await runBpOnPil(),
  };
}
