// `npm run bench [section...]`: runs every bench section (or those named), with progress on stderr, then
// prints a table of each figure against its goal and the figures as JSON, and saves both to
// dist/bench/results.json (results-<sections>.json for a subset). Figures are measured, never asserted.
// A new bench section plugs in as one more entry of SECTIONS, stating its figures' goals.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { protocolBench } from './protocol-bench.ts';
import { firmwareBench } from './firmware-bench.ts';
import { linkBench } from './link-bench.ts';
import { bpLoopBench } from './bp-loop-bench.ts';
import { bpSafetyBench } from './bp-safety-bench.ts';
import { dbsBench } from './dbs-bench.ts';
import { loopBench } from './loop-bench.ts';
import type { BenchSection, Verdict } from './bench-goals.ts';
import { checkGoals, verdictTable } from './bench-goals.ts';
import { faultBench } from './fault-bench.ts';
import { dashboardBench } from './dashboard-bench.ts';
import { suiteBench } from './suite-bench.ts';

const SECTIONS: BenchSection[] = [
  {
    name: 'protocol', about: 'frame overhead, codec throughput, framing cost in Node and on the interpreter', run: protocolBench,
    goals: [
      { figure: 'frame overhead, payloads up to 32 bytes', at: 'frameOverhead.maxOverheadBytesForPayloadsUpTo32', atMost: 8, unit: 'bytes', source: 'issue 3 (MAVLink v2 spends 12)' },
      { figure: 'host codec encode+decode, one core', at: 'hostThroughput.generatedCodec.encodePlusDecodeFramesPerSecond', atLeast: 1_000_000, unit: 'frames/s', source: 'issue 3' },
      { figure: 'bytes protocol v2 adds per frame (time and MAC)', at: 'frameOverhead.bytesAddedPerFrame', atMost: 8, unit: 'bytes', source: 'issue 12 (MAVLink 2 signing adds 13)' },
      { figure: 'MAC time per command on the interpreter (native SHA-256)', at: 'macOnEspruino.macTimePerCommandNativeMs', atMost: 2, unit: 'ms', source: 'issue 12' },
      { figure: 'session under attack: forged, replayed, reordered, delayed frames acting or settling falsely', at: 'sessionUnderAttack.violations', atMost: 0, unit: 'violations', source: 'issue 12' },
    ],
  },
  {
    name: 'firmware', about: 'bundle size and fit per board, emulator speed, node cost on the interpreter', run: firmwareBench,
    goals: [
      {
        figure: 'least free share of variables over every bundle', unit: '%', atLeast: 30, source: 'issue 4 (the build fails below)',
        at: (r: { bundles: { freePercent: number }[] }) => Math.min(...r.bundles.map((b) => b.freePercent)),
      },
    ],
  },
  {
    name: 'link', about: 'command round trip and telemetry over a pseudo-terminal, host CPU per device', run: linkBench,
    goals: [
      { figure: 'command -> Ack p99 beyond wire time', at: 'commandRoundTrip.p99BeyondWireMs', atMost: 10, unit: 'ms', source: 'issue 5' },
      {
        figure: 'sustained telemetry at 115200 baud', unit: '% of the line', atLeast: 90, source: 'issue 5',
        at: (r: { sustainedTelemetry: { shareOfLine: number } }) => r.sustainedTelemetry.shareOfLine * 100,
      },
    ],
  },
  {
    name: 'bpLoop', about: 'blood-pressure loop on held-out cohorts (a few minutes), full-stack speed', run: bpLoopBench,
    goals: [
      { figure: 'adaptive, held-out: time within +-5 mmHg after settling', at: 'heldOutDefaultScenario.adaptive.meanTimeInBand5AfterSettlingPct', atLeast: 95, unit: '%', source: 'issues 6 and 10 (de Asla 1985: 94%)' },
      { figure: 'adaptive, held-out: largest overshoot', at: 'heldOutDefaultScenario.adaptive.maxOvershootMmHg', atMost: 5, unit: 'mmHg', source: 'issues 6 and 10' },
      { figure: 'adaptive, held-out: median settling time', at: 'heldOutDefaultScenario.adaptive.medianSettlingMin', atMost: 5, unit: 'min', source: 'issues 6 and 10' },
      { figure: 'adaptive, held-out: time under 65 mmHg', at: 'heldOutDefaultScenario.adaptive.meanTimeBelowFloorPct', atMost: 0, unit: '%', source: 'issues 6 and 10' },
      { figure: 'full stack speed per core', at: 'speed.fullStackSimulatedSPerWallSPerCore', atLeast: 10_000, unit: 'simulated s/wall s', source: 'issue 6' },
    ],
  },
  {
    name: 'bpSafety', about: 'time from a pump fault to the host\'s alarm, a limit cycle caught, alarms per hour (a few minutes)', run: bpSafetyBench,
    goals: [
      { figure: 'syringe run dry: end stop -> host alarm', at: 'syringeEmpty.endStopToHostAlarmS', atMost: 5, unit: 's', source: 'issue 10 (within one 5 s decision period)' },
      {
        figure: 'occlusion: pump alarm -> host alarm', unit: 's', atMost: 5, source: 'issue 10 (within one 5 s decision period)',
        at: (r: { occlusion: { occlusionToHostAlarmS: number | null; occlusionToPumpAlarmS: number | null } }) =>
          r.occlusion.occlusionToHostAlarmS === null || r.occlusion.occlusionToPumpAlarmS === null ? null : r.occlusion.occlusionToHostAlarmS - r.occlusion.occlusionToPumpAlarmS,
      },
    ],
  },
  {
    name: 'loop', about: 'the generic loop: MIL and full-stack speed per core, code shared against therapy-specific, an old record replayed, run bp on PIL boards (a few minutes)', run: loopBench,
    goals: [
      { figure: 'MIL with the PID, per core', at: 'milSpeed.pid.simulatedSPerWallSPerCore', atLeast: 600_000, unit: 'simulated s/wall s', source: 'issue 11 (a Python peer runs at 59,000x)' },
      { figure: 'full stack (bundles in the emulator), adaptive, one worker, per core', at: 'fullStackSpeed.oneWorker.simulatedSPerWallSPerCore', atLeast: 10_000, unit: 'simulated s/wall s', source: 'issue 11' },
      {
        figure: 'record from before the loop shell: decisions replayed identically', unit: '%', atLeast: 100, source: 'issue 11 (same results)',
        at: (r: { recordBeforeLoopShellReplays: { decisions: number; identical: number } }) => (100 * r.recordBeforeLoopShellReplays.identical) / r.recordBeforeLoopShellReplays.decisions,
      },
      { figure: 'run bp on PIL boards: SIGINT -> pump stopped (acknowledged)', at: 'runBpOnPil.sigintToPumpStoppedMs', atMost: 1000, unit: 'ms', source: 'issue 11 (stop before exit)' },
    ],
  },
  {
    name: 'dbs', about: 'adaptive DBS: the patient model, the neurostimulator bundle in the loop, each policy on held-out patients (a few minutes)', run: dbsBench,
    goals: [
      {
        figure: 'adaptive policies within 0.10 of continuous suppression at <= 50% of its TEED, at rest', unit: 'policies', atLeast: 1, source: 'issue 13 (Velisar 2019: 56.86% of continuous TEED)',
        at: (r: { policies: { rest: { adaptivePoliciesMeetingGoal: string[] } } }) => r.policies.rest.adaptivePoliciesMeetingGoal.length,
      },
      {
        figure: 'the same, through a levodopa dose', unit: 'policies', atLeast: 1, source: 'issue 13',
        at: (r: { policies: { levodopa: { adaptivePoliciesMeetingGoal: string[] } } }) => r.policies.levodopa.adaptivePoliciesMeetingGoal.length,
      },
      { figure: 'neurostimulator bundle and patient in the emulator', at: 'neurostimulatorWithPatientInEmulator.simulatedSecondsPerWallSecond', atLeast: 50, unit: 'simulated s/wall s', source: 'issue 13' },
      { figure: 'the aDBS loop closed through the bundle at SIL (host policy and supervisor over the link)', at: 'loop.sil.simulatedSecondsPerWallSecond', atLeast: 50, unit: 'simulated s/wall s', source: 'issue 13' },
      {
        figure: 'neurostimulator bundle: least free share of variables on a board that has its section', unit: '%', atLeast: 30, source: 'issue 4 (the build fails below)',
        at: (r: { neurostimulatorBundles: { configured: boolean; freePercent: number }[] }) => Math.min(...r.neurostimulatorBundles.filter((b) => b.configured).map((b) => b.freePercent)),
      },
    ],
  },
  {
    name: 'faults', about: 'the fault campaign: each pump-side fault at SIL, its cost and what the pump did (about a minute)', run: faultBench,
    goals: [
      {
        figure: 'link cut: drive at the safe rate within the lease (3 s) and a control tick', unit: 's', atMost: 3.1, source: 'issue 14 (pump at its safe rate within its lease after link loss)',
        at: (r: { rows: { fault: string; driveStoppedAfterS: number | null }[] }) => r.rows.find((x) => x.fault === 'disconnect')?.driveStoppedAfterS,
      },
      {
        figure: 'host killed: drive at the safe rate within the lease (3 s) and a control tick', unit: 's', atMost: 3.1, source: 'issue 14 (pump at its safe rate within its lease after host loss)',
        at: (r: { rows: { fault: string; driveStoppedAfterS: number | null }[] }) => r.rows.find((x) => x.fault === 'host-kill')?.driveStoppedAfterS,
      },
      {
        figure: 'firmware hang: the watchdog stops the drive within its timeout (2 s) and a check', unit: 's', atMost: 2.1, source: 'issue 11 (the watchdog reboots the bundle)',
        at: (r: { rows: { fault: string; driveStoppedAfterS: number | null }[] }) => r.rows.find((x) => x.fault === 'firmware-hang')?.driveStoppedAfterS,
      },
    ],
  },
  {
    name: 'dashboard', about: 'the live dashboard: ten loops at ten times real time watched in headless Chromium (about a minute)', run: dashboardBench,
    goals: [
      { figure: 'decision -> drawn in the browser, p95', at: 'latencyMs.p95', atMost: 100, unit: 'ms', source: 'issue 15' },
      { figure: 'server CPU for ten loops at 10x (a hundred real loops\' load)', at: 'serverCpu.dashboardSharePctOfOneCore', atMost: 10, unit: '% of a core', source: 'issue 15 (measured; the goal is ours)' },
      ],
    },
    {
    name: 'suite', about: 'one scenario at HIL on the fake patient bench against SIL, then the shipped HIL suite at SIL: scenarios per minute at 1, 2 and N workers, then the whole suite (several minutes)', run: suiteBench,
    goals: [
      { figure: 'suite: one scenario at HIL on the fake bench passed', at: (r: { hil: { hil: { passed: boolean } } }) => (r.hil.hil.passed ? 1 : 0), atLeast: 1, unit: 'passed', source: 'issue 14 (the same scenario at SIL, PIL and HIL)' },
      { figure: 'suite: speed-up from 1 to N workers (near-linear)', at: 'speedupAtN', atLeast: 1.5, unit: 'x', source: 'issue 14 (scenarios per minute at 1, 2, N workers: near-linear)' },
      { figure: 'suite: every case passed', at: (r: { suite: { failed: string[] } }) => r.suite.failed.length, atMost: 0, unit: 'cases failed', source: 'issue 14 (exit status: every criterion held)' },
    ],
  },
];

const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !SECTIONS.some((s) => s.name === a));
if (unknown.length > 0) {
  console.error(`bench: no section ${unknown.join(', ')}; the sections are ${SECTIONS.map((s) => s.name).join(', ')}`);
  process.exit(1);
}
const chosen = asked.length > 0 ? SECTIONS.filter((s) => asked.includes(s.name)) : SECTIONS;

const started = performance.now();
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`;
const results: Record<string, unknown> = {
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
  espruinoBin: process.env.ESPRUINO_BIN ? 'set' : 'unset',
};
const verdicts: Verdict[] = [];
for (const [i, section] of chosen.entries()) {
  const t0 = performance.now();
  const label = `bench ${i + 1}/${chosen.length} ${section.name}`;
  process.stderr.write(`${label}: ${section.about}\n`);
  // A section can run for minutes: say it is still going.
  const ticker = setInterval(() => {
    if (process.stderr.isTTY) process.stderr.write(`\r${label}: ${seconds(t0)}`);
    else process.stderr.write(`${label}: still running, ${seconds(t0)}\n`);
  }, process.stderr.isTTY ? 1000 : 30_000);
  try {
    results[section.name] = await section.run();
  } finally {
    clearInterval(ticker);
  }
  const mine = checkGoals(section, results[section.name] as object);
  verdicts.push(...mine);
  process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}${label}: done in ${seconds(t0)}; goals held ${mine.filter((v) => v.verdict === 'held').length} of ${mine.length}\n`);
}
results.goals = verdicts;

const file = asked.length > 0 ? `dist/bench/results-${chosen.map((s) => s.name).join('-')}.json` : 'dist/bench/results.json';
for (const line of verdictTable(verdicts)) console.log(line);
console.log('');
console.log(JSON.stringify(results, null, 2));
mkdirSync('dist/bench', { recursive: true });
writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
console.log(`saved ${file} (${seconds(started)} in all)`);
