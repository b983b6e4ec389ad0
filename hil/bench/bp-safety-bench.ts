// Safety figures of the blood-pressure loop for `npm run bench`: how fast what the pump reports becomes
// the host's alarm (a syringe run dry, an occlusion), how fast a limit cycle is caught and stopped, and how
// many alarms the nominal cohort raises per hour (false alarms cost attention: alarm fatigue).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedControllerPath } from '../../host/control/bp/controller-file.ts';
import { runCohort } from '../runner/bp-cohort-run.ts';
import { silBpLoop } from '../runner/sil-bp-loop.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const NOMINAL = { transportDelayS: 30, recirculationDelayS: 45, recirculationFraction: 0.4, timeConstantS: 40 };
const PUSHY_PID = { kind: 'pid' as const, targetMmHg: 85, kpMlPerHPerMmHg: 2, integralTimeS: 60, derivativeTimeS: 0, derivativeFilterS: 5, minRateMlPerH: 0, maxRateMlPerH: 150, drugEffect: 'lowers' as const };

/** An insensitive patient on a pushy PID empties the 50 mL syringe: from the end stop to the host's alarm. */
async function syringeEmpty() {
  const s = await silBpLoop({ patient: { ...NOMINAL, gainMmHgPerMlPerH: 0.05 }, baselineMmHg: 130, seed: 5, controller: PUSHY_PID });
  s.loop.start();
  let endStopMs: number | null = null;
  for (let t = 0; t < 40 * 60_000 && endStopMs === null; t += 100) {
    await s.bench.run(100);
    if (s.bench.mechanism.pushedMl >= 50) endStopMs = s.bench.clock.now();
  }
  await s.bench.run(10_000);
  s.loop.stop();
  const near = s.firstAlarm('pump-near-empty');
  const empty = s.firstAlarm('pump-syringe-empty');
  return {
    endStopAtMin: endStopMs === null ? null : Number((endStopMs / 60_000).toFixed(2)),
    nearEmptyWarningBeforeEmptyMin: near !== null && endStopMs !== null ? Number(((endStopMs - near) / 60_000).toFixed(2)) : null,
    endStopToHostAlarmS: empty !== null && endStopMs !== null ? Number(((empty - endStopMs) / 1000).toFixed(1)) : null,
  };
}

/** A nominal patient in control; the line occluded: from the occlusion to the pump's alarm and to the host's. */
async function occlusion() {
  const s = await silBpLoop({ patient: { ...NOMINAL, gainMmHgPerMlPerH: 0.72 }, baselineMmHg: 120, seed: 6, controller: 'adaptive' });
  s.loop.start();
  await s.bench.run(8 * 60_000);
  const rate = s.loop.decisions.at(-1)!.commandedMlPerH;
  s.bench.mechanism.occluded = true;
  const at = s.bench.clock.now();
  let pumpAlarmMs: number | null = null;
  for (let t = 0; t < 120_000 && pumpAlarmMs === null; t += 100) {
    await s.bench.run(100);
    if (s.bench.pump.status && s.bench.pump.status.state === 3) pumpAlarmMs = s.bench.clock.now();
  }
  await s.bench.run(10_000);
  s.loop.stop();
  const host = s.firstAlarm('pump-occlusion');
  return {
    rateAtOcclusionMlPerH: Number(rate.toFixed(2)),
    occlusionToPumpAlarmS: pumpAlarmMs === null ? null : Number(((pumpAlarmMs - at) / 1000).toFixed(1)),
    occlusionToHostAlarmS: host === null ? null : Number(((host - at) / 1000).toFixed(1)),
  };
}

/** The shipped PID on the most sensitive patient with the longest delays: its limit cycle caught and stopped. */
async function limitCycle() {
  const s = await silBpLoop({ patient: { gainMmHgPerMlPerH: 9.5, transportDelayS: 60, recirculationDelayS: 75, recirculationFraction: 1, timeConstantS: 60 }, baselineMmHg: 130, seed: 5 });
  s.loop.start();
  const truth: number[] = [];
  for (let t = 0; t < 60 * 60_000; t += 5000) {
    await s.bench.run(5000);
    truth.push(s.bench.truthMapMmHg());
  }
  s.loop.stop();
  const held = s.firstAlarm('controller-stopped');
  const after = held === null ? [] : truth.slice(Math.ceil(held / 5000) + 60);
  return {
    oscillationAlarmAtMin: Number(((s.firstAlarm('oscillation') ?? NaN) / 60_000).toFixed(1)),
    fixedRateFromMin: Number(((held ?? NaN) / 60_000).toFixed(1)),
    fixedRateMlPerH: Number((s.loop.decisions.at(-1)!.commandedMlPerH).toFixed(2)),
    mapRangeBeforeMmHg: [Math.round(Math.min(...truth.slice(0, 120))), Math.round(Math.max(...truth.slice(0, 120)))],
    mapRange5MinAfterFixedMmHg: after.length ? [Math.round(Math.min(...after)), Math.round(Math.max(...after))] : null,
  };
}

/** Alarms per hour, by id, on a cohort through a scenario with the adaptive controller. */
async function alarmRates(scenario: string, split: 'all' | 'held-out') {
  const r = await runCohort({
    cohortPath: repo('hil/sim/cohorts/default.cohort.json'), scenarioPath: repo(`hil/sim/scenarios/${scenario}.scenario.json`),
    controllerPath: shippedControllerPath('adaptive'), supervisorPath: repo('host/safety/nitroprusside.supervisor.json'),
    driftPath: repo('host/safety/default.drift.json'), advisoryPath: null, split, seed: 1, board: 'pico',
    outDir: mkdtempSync(join(tmpdir(), `bench-alarms-${scenario}-`)), workers: 2,
  });
  const hours = r.runs.reduce((a, x) => a + x.durationS / 3600, 0);
  const byId: Record<string, number> = {};
  for (const run of r.runs) for (const a of run.alarms) byId[a.alarm.id] = (byId[a.alarm.id] ?? 0) + 1;
  return {
    patients: r.runs.length,
    alarmsPerHour: Number((Object.values(byId).reduce((a, b) => a + b, 0) / hours).toFixed(2)),
    byIdPerHour: Object.fromEntries(Object.entries(byId).map(([k, v]) => [k, Number((v / hours).toFixed(2))])),
    patientsWithAnAlarm: r.runs.filter((x) => x.alarms.length > 0).length,
    patientsFailingAcceptance: r.failures.filter((f) => f.length > 0).length,
  };
}

export async function bpSafetyBench() {
  return {
    syringeEmpty: await syringeEmpty(),
    occlusion: await occlusion(),
    limitCycle: await limitCycle(),
    nominalCohortDefaultScenario: await alarmRates('default', 'all'),
    heldOutStressScenario: await alarmRates('stress', 'held-out'),
    note: 'alarms per hour count raises (a condition that stays active is one raise); SIL, both firmware bundles in the emulator',
  };
}
