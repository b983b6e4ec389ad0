// The blood-pressure loop on virtual patients at the SIL level, through the same runner as `homeostat
// sim bp`: the adaptive controller on held-out patients it was never tuned on, line artifacts that must
// never raise the infusion, exact replay of a record, and bad files refused before any infusion.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedControllerPath } from '../../host/control/bp/controller-file.ts';
import { readRecord } from '../../host/record/record-file.ts';
import { replayRecord } from '../../host/record/replay.ts';
import type { CohortRunOptions } from './bp-cohort-run.ts';
import { runCohort } from './bp-cohort-run.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const tmp = () => mkdtempSync(join(tmpdir(), 'bp-cohort-'));

function options(over: Partial<CohortRunOptions>): CohortRunOptions {
  return {
    cohortPath: repo('hil/sim/cohorts/default.cohort.json'), scenarioPath: repo('hil/sim/scenarios/default.scenario.json'),
    controllerPath: shippedControllerPath('adaptive'), supervisorPath: repo('host/safety/nitroprusside.supervisor.json'),
    driftPath: repo('host/safety/default.drift.json'), advisoryPath: null, split: 'held-out', seed: 3, board: 'pico', outDir: tmp(), ...over,
  };
}

function scenarioFile(over: object): string {
  const path = join(tmp(), 'test.scenario.json');
  writeFileSync(path, JSON.stringify({
    name: 'test', durationMin: 20, targetMmHg: 85, heartRateBpm: 75, pulsePressureMmHg: 40, sensorNoiseMmHg: 1, beatNoiseMmHg: 3,
    disturbances: [], sensitivity: [], artifacts: [], ...over,
  }));
  return path;
}

describe('BP cohort at the SIL level', () => {
  it('the adaptive controller, untouched, brings held-out patients to target without taking them below 65 mmHg', async () => {
    const r = await runCohort(options({ patients: 6, scenarioPath: scenarioFile({}) }));
    expect(r.metrics.every((m) => m.split === 'held-out')).toBe(true);
    for (const m of r.metrics) {
      expect(m.error, m.id).toBeNull();
      expect(m.settled, `${m.id} settles`).toBe(true);
      expect(m.settlingTimeS!, m.id).toBeLessThan(10 * 60);
      expect(m.timeInBand5AfterSettlingPct!, m.id).toBeGreaterThan(90);
      expect(m.minMapMmHg, m.id).toBeGreaterThan(65);
    }
    // Every decision is explained; the monitors stay quiet on patients the controller handles well.
    for (const run of r.runs) {
      expect(run.decisions.every((d) => d.controllerReason.length > 0)).toBe(true);
      expect(run.alarms.map((a) => a.alarm.id).filter((id) => ['oscillation', 'controller-stopped', 'target-out-of-reach', 'target-not-reached'].includes(id)), run.patient.id).toEqual([]);
    }
  }, 120_000);

  it('a line artifact (flush, dropout, frozen, over-damping) never increases the infusion: every decision during one', async () => {
    const artifacts = [
      { kind: 'flush', atMin: 3, durationS: 20, pressureMmHg: 300 },
      { kind: 'dropout', atMin: 6, durationS: 30 },
      { kind: 'frozen', atMin: 9, durationS: 30 },
      { kind: 'over-damped', atMin: 12, durationS: 40, timeConstantS: 0.2 },
    ];
    const r = await runCohort(options({ patients: 3, split: 'all', scenarioPath: scenarioFile({ artifacts }) }));
    // Every decision whose period saw the artifact: from the first one made after a beat could show it (a
    // beat is reported when it ends, within two beats of 0.8 s) to the first one after it ended.
    const during = (tMs: number) => artifacts.some((a) => tMs > a.atMin * 60_000 + 2000 && tMs <= a.atMin * 60_000 + a.durationS * 1000 + 5000);
    let checked = 0;
    for (const run of r.runs) {
      for (let i = 1; i < run.decisions.length; i++) {
        const d = run.decisions[i];
        if (!during(d.tMs)) continue;
        checked++;
        expect(d.commandedMlPerH, `${run.patient.id} at ${d.tMs} ms: ${d.limits.join('; ')}`).toBeLessThanOrEqual(run.decisions[i - 1].commandedMlPerH + 1e-9);
      }
    }
    expect(checked).toBeGreaterThan(3 * 20);
  }, 120_000);

  it('replay feeds a record through the same controller and reproduces every decision exactly; another controller differs', async () => {
    const r = await runCohort(options({ patients: 1, scenarioPath: scenarioFile({ durationMin: 10 }) }));
    const rec = readRecord(r.runs[0].recordPath);
    expect(rec.complete).toBe(true);
    expect(rec.header).toMatchObject({ level: 'sil', versions: { protocolLayoutHash: expect.stringMatching(/^0x/) } });
    const same = replayRecord(rec);
    expect(same.decisions).toBe(120);
    expect(same.identical).toBe(same.decisions);
    const other = replayRecord(rec, { ...JSON.parse(JSON.stringify(rec.header.controller)), kind: 'adaptive', quantileAtFullConfidence: 0.1 });
    expect(other.identical).toBeLessThan(other.decisions);
  }, 60_000);

  it('a concentration in mg/mL is refused before any patient runs or anything is recorded', async () => {
    const dir = tmp();
    // The supervisor names a drug file beside it whose concentration is in mg/mL.
    writeFileSync(join(dir, 'nitroprusside.drug.json'), JSON.stringify({ ...JSON.parse(readFileSync(repo('host/therapies/bp/drugs/nitroprusside.drug.json'), 'utf8')), concentrationUgPerMl: 0.2 }));
    const supervisorPath = join(dir, 'bad.supervisor.json');
    writeFileSync(supervisorPath, JSON.stringify({ ...JSON.parse(readFileSync(repo('host/safety/nitroprusside.supervisor.json'), 'utf8')), drug: './nitroprusside.drug.json' }));
    const outDir = join(dir, 'out');
    await expect(runCohort(options({ supervisorPath, outDir }))).rejects.toThrow(/nitroprusside\.drug\.json: concentrationUgPerMl: concentration below 10 ug\/mL: is it in mg\/mL\?/);
    expect(() => readdirSync(outDir)).toThrow();
  });

  it('advisory mode: large or unconfident increases wait for a person; accepted ones run, unanswered ones time out to the held rate; replay agrees', async () => {
    const asked: number[] = [];
    // Every unconfident increase asked about (the default lets small ones add up first), for enough questions.
    const advisoryPath = join(tmp(), 'every.advisory.json');
    writeFileSync(advisoryPath, JSON.stringify({ ...JSON.parse(readFileSync(repo('host/safety/default.advisory.json'), 'utf8')), $schema: undefined, minIncreaseToAskMlPerH: 0 }));
    const r = await runCohort(options({
      patients: 1, split: 'all', scenarioPath: scenarioFile({ durationMin: 12 }), advisoryPath,
      // A scripted person: says yes to every other request at once, and never answers the rest.
      confirmer: { ask: (req, answer) => { asked.push(req.id); if (req.id % 2 === 1) answer(true); } },
    }));
    const d = r.runs[0].decisions;
    expect(asked.length).toBeGreaterThanOrEqual(2);
    const accepted = d.filter((x) => x.resolved?.outcome === 'accepted');
    const timedOut = d.filter((x) => x.resolved?.outcome === 'timed out');
    expect(accepted.length).toBeGreaterThan(0);
    expect(timedOut.length).toBeGreaterThan(0);
    for (const x of accepted) expect(x.commandedMlPerH, 'an accepted increase runs at once').toBeGreaterThan(d[d.indexOf(x) - 1].commandedMlPerH);
    // While a request waits, the rate never rises above where it was when it was asked.
    for (const x of d.filter((y) => y.asked)) {
      const end = d.findIndex((y, i) => i > d.indexOf(x) && y.resolved?.requestId === x.asked!.id);
      for (const y of d.slice(d.indexOf(x), end === -1 ? undefined : end)) expect(y.commandedMlPerH).toBeLessThanOrEqual(x.asked!.fromRateMlPerH + 1e-9);
    }
    const replay = replayRecord(readRecord(r.runs[0].recordPath));
    expect(replay.identical).toBe(replay.decisions);
  }, 60_000);

  it('a run that fails mid-way keeps everything recorded up to the failure, and the failure is reported', async () => {
    const r = await runCohort(options({
      patients: 1, split: 'all', scenarioPath: scenarioFile({ durationMin: 10 }), advisoryPath: repo('host/safety/default.advisory.json'),
      // A terminal that breaks while a person is being asked.
      confirmer: { ask: () => undefined, settle: () => Promise.reject(new Error('terminal went away')) },
    }));
    const run = r.runs[0];
    expect(run.error).toBe('terminal went away');
    expect(r.metrics[0].error).toBe('terminal went away');
    const rec = readRecord(run.recordPath);
    expect(rec.complete).toBe(true);
    expect(rec.lines.at(-1)).toMatchObject({ kind: 'end', data: { ok: false, error: 'terminal went away' } });
    const decisions = rec.lines.filter((l) => l.kind === 'decision');
    expect(decisions.length).toBe(run.decisions.length);
    expect(decisions.length).toBeGreaterThan(0);
    expect(rec.lines.filter((l) => l.kind === 'beat').length).toBeGreaterThan(0);
  }, 60_000);

  it('norepinephrine: hypotensive held-out patients brought up to target by the vasopressor PID, never above the high limit', async () => {
    const r = await runCohort(options({
      cohortPath: repo('hil/sim/cohorts/norepinephrine.cohort.json'), scenarioPath: repo('hil/sim/scenarios/hypotension.scenario.json'),
      controllerPath: repo('host/control/bp/pid-norepinephrine.controller.json'), supervisorPath: repo('host/safety/norepinephrine.supervisor.json'),
      driftPath: null, patients: 4,
    }));
    for (const [i, m] of r.metrics.entries()) {
      const run = r.runs[i];
      expect(m.error, m.id).toBeNull();
      expect(Math.max(...run.samples.map((x) => x.mapMmHg)), m.id).toBeLessThan(110);
      if (m.subgroups.potency !== 'low') {
        expect(m.settled, `${m.id} (${m.subgroups.potency} potency) settles`).toBe(true);
        expect(run.samples.at(-1)!.mapMmHg, m.id).toBeGreaterThan(70);
      }
    }
    expect(r.runs.every((x) => x.drugEffect === 'raises')).toBe(true);
  }, 60_000);

  it('a controller or supervisor for the wrong drug is refused before any patient runs', async () => {
    const ne = { cohortPath: repo('hil/sim/cohorts/norepinephrine.cohort.json'), scenarioPath: repo('hil/sim/scenarios/hypotension.scenario.json') };
    await expect(runCohort(options({ ...ne, supervisorPath: repo('host/safety/norepinephrine.supervisor.json') })))
      .rejects.toThrow(/adaptive\.controller\.json: drugEffect is 'lowers' but the cohort norepinephrine receives norepinephrine, a vasopressor/);
    await expect(runCohort(options({ ...ne, controllerPath: repo('host/control/bp/pid-norepinephrine.controller.json') })))
      .rejects.toThrow(/nitroprusside\.supervisor\.json: the limits are for nitroprusside but the cohort norepinephrine receives norepinephrine, a vasopressor/);
  });

  it('MIL: the same loop on ideal devices, one named patient, no record; an unknown patient is refused', async () => {
    const outDir = tmp();
    const r = await runCohort(options({ level: 'mil', patient: 'default-017', records: false, outDir, scenarioPath: scenarioFile({ durationMin: 20 }) }));
    expect(r.runs.map((x) => x.patient.id)).toEqual(['default-017']);
    expect(r.runs[0].recordPath).toBe('');
    expect(readdirSync(outDir).sort()).toEqual(['index.html', 'metrics.csv', 'metrics.json', 'patients']);
    const m = r.metrics[0];
    expect(m.error).toBeNull();
    expect(m.settled).toBe(true);
    expect(r.runs[0].decisions.length).toBe(240);
    await expect(runCohort(options({ level: 'mil', patient: 'default-999' }))).rejects.toThrow(/no patient 'default-999' \(its patients are default-001 to default-060\)/);
  });
});
