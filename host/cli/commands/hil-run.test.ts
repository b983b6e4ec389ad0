// `hil run` end to end at SIL on three short scenarios written here: the real firmware bundles in the
// emulator, faults on the schedule, the criteria judged; one case crashes (a fault this level has no target
// for) and the others still run; two shards run apart and merged give one JUnit file (valid against the
// JUnit schema CI tools read) and one report, and the exit status says whether every criterion held.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { describe, expect, it } from 'vitest';
import { hilMerge, hilRun } from './hil-run.ts';

const cohort = new URL('../../../hil/sim/cohorts/corners.cohort.json', import.meta.url).pathname;
const xsd = readFileSync(new URL('../../../hil/reports/junit.xsd', import.meta.url), 'utf8');

const scenario = (name: string, extra: string) => `name: ${name}
hazard: the pump runs on after its host is gone (stale command)
checklist: host-loss
mitigation: the pump's lease (firmware/src/safety)
patients: { cohort: ${cohort}, ids: [corners-nominal] }
durationMin: 8
targetMmHg: 85
heartRateBpm: 75
pulsePressureMmHg: 40
sensorNoiseMmHg: 1
beatNoiseMmHg: 3
${extra}
`;

describe('homeostat hil run and merge', () => {
  it('runs a suite in shards, keeps going past a crash, merges, writes JUnit and a report, and fails on a missed criterion', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-run-'));
    writeFileSync(join(dir, 'a-host-killed.hil.yaml'), scenario('a-host-killed', `faults:
  - { kind: host-kill, atMin: 4, durationS: 30 }
criteria: { faultAlarmWithinS: 60 }`));
    // A settling time no loop meets from 110 mmHg: must fail with its criterion named.
    writeFileSync(join(dir, 'b-too-demanding.hil.yaml'), scenario('b-too-demanding', 'criteria: { settlingTimeMaxMin: 0.5 }'));
    // The sensor has no syringe: this case crashes before its run, the others go on.
    writeFileSync(join(dir, 'c-crashes.hil.yaml'), scenario('c-crashes', 'faults: [{ kind: occlusion, atMin: 1, node: bp-sensor }]'));
    const lines: string[] = [];
    const opts = { level: 'sil', workers: 2, records: false };
    const one = await hilRun([dir], { ...opts, report: join(dir, 's1') }, (l) => lines.push(l), () => undefined, { HOMEOSTAT_SHARD: '1/2' });
    const two = await hilRun([dir], { ...opts, shard: '2/2', report: join(dir, 's2') }, (l) => lines.push(l), () => undefined, {});
    expect(one.results.cases.map((c) => c.scenario)).toEqual(['a-host-killed', 'c-crashes']);
    expect(two.results.cases.map((c) => c.scenario)).toEqual(['b-too-demanding']);
    expect(one.ok).toBe(false);
    expect(two.ok).toBe(false);

    const [killed, crashed] = one.results.cases;
    expect(killed.error).toBeUndefined();
    expect(killed.passed, JSON.stringify(killed.criteria)).toBe(true);
    expect(killed.criteria.map((c) => c.criterion)).toEqual(expect.arrayContaining(['no-actuation-on-expired-lease', 'safe-rate-after-loss', 'fault-alarm', 'map-beyond-limit-from-drug']));
    expect(killed.log).toMatch(/host killed[\s\S]*host 2 connected/);
    expect(crashed.error).toMatch(/no syringe mechanism for node 'bp-sensor'/);
    expect(two.results.cases[0].criteria.find((c) => !c.held)?.criterion).toBe('settling-time');

    const merged = hilMerge([join(dir, 's2', 'results.json'), join(dir, 's1', 'results.json')], { junit: join(dir, 'junit.xml'), report: join(dir, 'all') }, (l) => lines.push(l));
    expect(merged.ok).toBe(false);
    expect(merged.results.cases.map((c) => c.scenario)).toEqual(['a-host-killed', 'b-too-demanding', 'c-crashes']);
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
    const v = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [{ fileName: 'junit.xsd', contents: xsd }] });
    expect(v.errors.map((e) => e.message)).toEqual([]);
    expect(xml).toMatch(/<testsuites name="[^"]*" tests="3" failures="1" errors="1"/);
    expect(xml).toMatch(/<failure message="settling-time: /);
    expect(xml).toMatch(/<error message="[^"]*no syringe mechanism/);
    const index = readFileSync(join(dir, 'all', 'index.html'), 'utf8');
    expect(index).toContain('2 of 3 cases failed');
    expect(existsSync(join(dir, 'all', 'a-host-killed--corners-nominal.html'))).toBe(true);
    expect(readFileSync(join(dir, 'all', 'a-host-killed--corners-nominal.html'), 'utf8')).toContain('<svg');

    // A missing shard is refused by name.
    expect(() => hilMerge([join(dir, 's1', 'results.json')], {}, () => undefined)).toThrow(/shard 2 of 2 missing/);
  }, 240_000);

  it('refuses an invalid file before anything runs, naming file, line and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-bad-'));
    writeFileSync(join(dir, 'bad.hil.yaml'), scenario('bad', 'faults: [{ kind: occlusion, atMin: -1 }]'));
    await expect(hilRun([dir], { level: 'sil', workers: 1, records: false }, () => undefined, () => undefined, {}))
      .rejects.toThrow(/bad\.hil\.yaml:12:36: faults\.0\.atMin: /);
  });

  it('refuses --level hil without a rig, --speed off PIL, and stops before any case when the rig\'s bench is not attached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-level-'));
    writeFileSync(join(dir, 'a.hil.yaml'), scenario('a', ''));
    const run = (o: object) => hilRun([dir], { level: 'sil', workers: 1, records: false, ...o }, () => undefined, () => undefined, {});
    await expect(run({ level: 'hil' })).rejects.toThrow(/--level hil needs --rig <file\.rig\.yaml>/);
    await expect(run({ speed: 10 })).rejects.toThrow(/--speed applies only with --level pil/);
    const lines: string[] = [];
    const bench = (name: string) => new URL(`../../../hil/rigs/benches/${name}.rig.yaml`, import.meta.url).pathname;
    await expect(run({ level: 'hil', rig: bench('pico-bench') })).rejects.toThrow(/the bench of .*pico-bench\.rig\.yaml has no patient-emulator node/);
    await expect(run({ level: 'hil', rig: bench('patient-bench'), bench: 'emulated' })).rejects.toThrow(/--bench must be real or fake, got 'emulated'/);
    await expect(run({ bench: 'fake' })).rejects.toThrow(/--bench applies only with --level hil/);
    await expect(hilRun([dir], { level: 'hil', rig: bench('patient-bench'), workers: 1, records: false, benchOptions: { portTimeoutMs: 300 } }, (l) => lines.push(l), () => undefined, {}))
      .rejects.toThrow(/the bench of .*patient-bench\.rig\.yaml did not come up: patient-emulator: no port with USB serial number '3276375C3339'/);
    expect(lines).toContain('bench: patient-emulator off: no power port: the board stays powered');
  });
});
