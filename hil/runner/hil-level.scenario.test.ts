// `hil run --level hil` end to end on the fake bench of the shipped patient bench (hil/rigs/benches/
// patient-bench.rig.yaml): the three bundles on emulated boards wired as the rig says, the patient model on
// the host fed by the steps the patient emulator counted. One suite of two cases on one bench: the patient
// reaches the band, the record replays, the drug the model received is what the pump says it delivered;
// a flush is played through the wire to the sensor, and faults the bench cannot inject are listed. A rig
// whose step wire is missing starves the model of drug while the pump delivers: the case fails.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PressureQuality } from '../../protocols/generated/wire-codec.ts';
import { hilRun } from '../../host/cli/commands/hil-run.ts';
import { readRecord } from '../../host/record/record-file.ts';
import { replayRecord } from '../../host/record/replay.ts';
import { boardById } from '../emulator/emulated-node.ts';
import { mlPerStep } from '../../firmware/src/nodes/infusion-pump/syringe-geometry.ts';
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';

const cohort = new URL('../sim/cohorts/corners.cohort.json', import.meta.url).pathname;
const rig = new URL('../rigs/benches/patient-bench.rig.yaml', import.meta.url).pathname;
const ML_PER_STEP = mlPerStep((boardById('pico').nodes['infusion-pump'] as PumpBoardConfig).mechanism);

const scenario = (name: string, extra: string) => `name: ${name}
hazard: the loop does not bring the pressure to its target on the boards under test
checklist: nominal-performance
mitigation: the controller and supervisor on the host (host/control, host/safety)
patients: { cohort: ${cohort}, ids: [corners-nominal] }
targetMmHg: 95
heartRateBpm: 75
pulsePressureMmHg: 40
sensorNoiseMmHg: 1
beatNoiseMmHg: 3
${extra}
`;

const nominal = scenario('reaches-band', 'durationMin: 12\ncriteria: { settlingTimeMaxMin: 10, timeInBandMinPct: 90 }');

type Rec = ReturnType<typeof readRecord>;
const pumpStatuses = (rec: Rec) => rec.lines.filter((e) => e.kind === 'pump-status').map((e) => (e.data as { status: { deliveredMl: number; rateMlPerH: number } }).status);

describe('hil run --level hil on the fake bench', () => {
  it('runs each case on the bench: the patient reaches the band, the record replays, the model got the drug the pump counted; a flush is played, faults it cannot inject are listed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-level-'));
    writeFileSync(join(dir, 'a.hil.yaml'), nominal);
    writeFileSync(join(dir, 'b.hil.yaml'), scenario('faults-on-the-bench', `durationMin: 3
artifacts: [{ kind: flush, atMin: 1, durationS: 15, pressureMmHg: 300 }, { kind: noise-step, atMin: 2, durationS: 20, noiseMmHg: 5 }]
faults: [{ kind: occlusion, atMin: 2 }]
criteria: { mapUnderFloorFromDrugMaxS: 0 }`));
    const lines: string[] = [];
    const report = join(dir, 'out');
    const { ok, results } = await hilRun([dir], { level: 'hil', rig, bench: 'fake', workers: 2, records: true, report, junit: join(dir, 'junit.xml') }, (l) => lines.push(l), () => undefined, {});
    expect(lines).toContain('bench: patient-emulator linked: session with \'3276375C3339\' (patient-emulator on pico, firmware 0.1.0) on /dev/ttyACM0');
    // One bench: its cases run one at a time, whatever --workers says.
    expect(results.workers).toBe(1);
    expect(results.level).toBe('hil');
    const [a, b] = results.cases;
    expect(a.error).toBeUndefined();
    expect(a.criteria.map((c) => `${c.criterion} ${c.held}`)).toEqual(expect.arrayContaining([
      'settling-time true', 'time-in-band true', 'no-actuation-on-expired-lease true', 'map-beyond-limit-from-drug true',
    ]));
    expect(a.passed).toBe(true);
    expect(a.log).toMatch(/bench: bench running: 3 nodes linked/);
    const rec = readRecord(join(report, 'records', 'reaches-band', 'corners-nominal.record.jsonl'));
    expect(rec.header).toMatchObject({ level: 'hil', bench: { rig, kind: 'fake' } });
    const replay = replayRecord(rec);
    expect(replay.decisions).toBeGreaterThan(100);
    expect(replay.identical).toBe(replay.decisions);
    // The drug the model received (the ground truth of the metrics) is the pump's own count of what it delivered,
    // within what flows between the pump's last status (each second) and the end, and one step.
    const concentrationUgPerMl = (rec.header as { supervisor: { concentrationUgPerMl: number } }).supervisor.concentrationUgPerMl;
    const receivedMl = (a.metrics!.totalDoseMg * 1000) / concentrationUgPerMl;
    const last = pumpStatuses(rec).at(-1)!;
    expect(last.deliveredMl).toBeGreaterThan(1);
    const toleranceMl = (last.rateMlPerH * 2) / 3600 + ML_PER_STEP;
    expect(Math.abs(receivedMl - last.deliveredMl)).toBeLessThanOrEqual(toleranceMl);

    // The flush reached the sensor through the wire: its beats were flagged while it lasted.
    const recB = readRecord(join(report, 'records', 'faults-on-the-bench', 'corners-nominal.record.jsonl'));
    const beats = recB.lines.filter((e) => e.kind === 'beat').map((e) => (e.data as { beat: { quality: number } }).beat);
    expect(beats.some((x) => x.quality & PressureQuality.FlushSpike)).toBe(true);
    expect(b.notInjectable).toEqual([
      expect.stringMatching(/^noise-step at 2 min: not injectable at hil: the patient emulator plays beats and flat levels only/),
      expect.stringMatching(/^occlusion at 2 min: not injectable at hil/),
    ]);
    expect(lines).toContain(`NOT INJECTED in faults-on-the-bench / corners-nominal: ${b.notInjectable![1]}`);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/<testcase classname="reaches-band" name="corners-nominal"/);
    expect(ok).toBe(b.passed);
  }, 180_000);

  it('a bench whose step wire is missing: the model receives no drug while the pump delivers, and the case fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-level-wire-'));
    writeFileSync(join(dir, 'a.hil.yaml'), nominal);
    const broken = join(dir, 'no-step-wire.rig.yaml');
    writeFileSync(broken, readFileSync(rig, 'utf8').replace(/^ {2}- \{ from: infusion-pump\.step.*$/m, ''));
    expect(readFileSync(broken, 'utf8')).not.toMatch(/infusion-pump\.step/);
    const { ok, results } = await hilRun([dir], { level: 'hil', rig: broken, bench: 'fake', workers: 1, records: true, report: join(dir, 'out') }, () => undefined, () => undefined, {});
    const [a] = results.cases;
    expect(ok).toBe(false);
    expect(a.criteria.find((c) => c.criterion === 'settling-time')?.held).toBe(false);
    expect(a.metrics!.totalDoseMg).toBe(0);
    const rec = readRecord(join(dir, 'out', 'records', 'reaches-band', 'corners-nominal.record.jsonl'));
    expect(pumpStatuses(rec).at(-1)!.deliveredMl).toBeGreaterThan(1);
  }, 120_000);
});
