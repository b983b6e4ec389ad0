import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCohort } from './cohort.ts';

const path = fileURLToPath(new URL('./default.cohort.json', import.meta.url));

describe('virtual cohorts', () => {
  it('draws the same patients from the same file and seed, inside the published ranges', () => {
    const a = loadCohort(path).patients;
    const b = loadCohort(path).patients;
    expect(a).toEqual(b);
    expect(a).toHaveLength(60);
    for (const p of a) {
      expect(p.params.gainMmHgPerMlPerH).toBeGreaterThanOrEqual(0.25);
      expect(p.params.gainMmHgPerMlPerH).toBeLessThanOrEqual(9.5);
      expect(p.params.transportDelayS).toBeGreaterThanOrEqual(20);
      expect(p.params.transportDelayS).toBeLessThanOrEqual(60);
    }
  });

  it('labels every patient with every subgroup, and fills each sensitivity tertile', () => {
    const patients = loadCohort(path).patients;
    for (const p of patients) expect(Object.keys(p.subgroups).sort()).toEqual(['delay', 'sensitivity', 'weight']);
    for (const band of ['low', 'mid', 'high']) expect(patients.filter((p) => p.subgroups.sensitivity === band).length).toBeGreaterThan(5);
  });

  it('keeps a held-out split near its share, disjoint from tuning', () => {
    const patients = loadCohort(path).patients;
    const held = patients.filter((p) => p.split === 'held-out');
    expect(held.length / patients.length).toBeGreaterThan(0.15);
    expect(held.length / patients.length).toBeLessThan(0.45);
    expect(new Set(patients.map((p) => p.id)).size).toBe(patients.length);
  });

  it('refuses a bad cohort file, naming the file, the field and the allowed range', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-'));
    const bad = JSON.parse(readFileSync(path, 'utf8'));
    bad.heldOutShare = 1.5;
    bad.params = fileURLToPath(new URL('../patients/slate-snp.params.json', import.meta.url));
    const file = join(dir, 'bad.cohort.json');
    writeFileSync(file, JSON.stringify(bad));
    expect(() => loadCohort(file)).toThrow(/bad\.cohort\.json: heldOutShare: .*0\.9/);
  });

  it('names its drug: one that acts against the model\'s drug, or none, is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-'));
    const cohort = { ...JSON.parse(readFileSync(path, 'utf8')), params: fileURLToPath(new URL('../patients/slate-snp.params.json', import.meta.url)) };
    expect(loadCohort(path).drug).toMatchObject({ name: 'nitroprusside', effect: 'lowers' });
    writeFileSync(join(dir, 'wrong.cohort.json'), JSON.stringify({ ...cohort, drug: 'norepinephrine' }));
    expect(() => loadCohort(join(dir, 'wrong.cohort.json'))).toThrow(/wrong\.cohort\.json: the drug norepinephrine raises the pressure but the model slate-vasodilator is of a drug that lowers it/);
    writeFileSync(join(dir, 'none.cohort.json'), JSON.stringify({ ...cohort, drug: undefined }));
    expect(() => loadCohort(join(dir, 'none.cohort.json'))).toThrow(/none\.cohort\.json: drug: /);
  });

  it('validates model files as physics: a negative gain or time constant, min above max, a path from another file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-'));
    const cohort = JSON.parse(readFileSync(path, 'utf8'));
    const params = JSON.parse(readFileSync(fileURLToPath(new URL('../patients/slate-snp.params.json', import.meta.url)), 'utf8'));
    const write = (name: string, data: object) => {
      writeFileSync(join(dir, name), JSON.stringify(data));
      return join(dir, name);
    };
    const withParams = (change: (p: typeof params) => void) => {
      const copy = JSON.parse(JSON.stringify(params));
      change(copy);
      write('p.params.json', copy);
      return loadCohort(write('c.cohort.json', { ...cohort, params: './p.params.json' }));
    };
    expect(() => withParams((p) => (p.parameters.gainMmHgPerMlPerH.min = -0.5)))
      .toThrow(/c\.cohort\.json: params: '\.\/p\.params\.json' \(relative to the cohort file\): .*p\.params\.json: parameters\.gainMmHgPerMlPerH\.min: -0\.5 mmHg per mL\/h of 200 ug\/mL: gainMmHgPerMlPerH must be above 0/);
    expect(() => withParams((p) => Object.assign(p.parameters.timeConstantS, { min: -30, nominal: -10, max: -5 }))).toThrow(/timeConstantS\.min: -30 s: timeConstantS must be above 0/);
    expect(() => withParams((p) => Object.assign(p.parameters.transportDelayS, { min: 5, max: 3 }))).toThrow(/transportDelayS: min 5 > max 3/);
    expect(() => withParams((p) => (p.parameters.recirculationFraction.max = 1.5))).toThrow(/recirculationFraction\.max: 1\.5 1: recirculationFraction must lie within 0\.\.1/);
    expect(() => loadCohort(write('r.cohort.json', { ...cohort, baselineMapMmHg: { min: 130, max: 95 } }))).toThrow(/r\.cohort\.json: baselineMapMmHg: min 130 > max 95 mmHg/);
    // A cohort copied elsewhere: the params path it names is relative to it, and the error says so.
    expect(() => loadCohort(write('copied.cohort.json', cohort))).toThrow(/copied\.cohort\.json: params: '\.\.\/patients\/slate-snp\.params\.json' \(relative to the cohort file\): .*cannot read patient parameters/);
  });

  it('lists corner patients by name beside the draw, labelled like drawn ones, on the split they give', () => {
    const corners = loadCohort(fileURLToPath(new URL('./corners.cohort.json', import.meta.url))).patients;
    expect(corners.map((p) => p.id)).toContain('corners-most-sensitive-longest-delays');
    const sensitive = corners.find((p) => p.id === 'corners-most-sensitive-longest-delays')!;
    expect(sensitive.params).toEqual({ gainMmHgPerMlPerH: 9.5, transportDelayS: 60, recirculationDelayS: 75, recirculationFraction: 1, timeConstantS: 60 });
    expect(sensitive.subgroups).toEqual({ sensitivity: 'high', delay: 'long', weight: 'light' });
    expect(corners.every((p) => p.split === 'tuning')).toBe(true);
    // Beside a draw: the drawn patients first, then the listed ones, on the split each gives.
    const dir = mkdtempSync(join(tmpdir(), 'cohort-'));
    const both = JSON.parse(readFileSync(path, 'utf8'));
    both.params = fileURLToPath(new URL('../patients/slate-snp.params.json', import.meta.url));
    both.size = 3;
    both.patients = [{ name: 'corner', params: sensitive.params, baselineMapMmHg: 100, weightKg: 60, split: 'held-out' }];
    writeFileSync(join(dir, 'both.cohort.json'), JSON.stringify(both));
    const patients = loadCohort(join(dir, 'both.cohort.json')).patients;
    expect(patients.map((p) => p.id)).toEqual(['default-001', 'default-002', 'default-003', 'default-corner']);
    expect(patients[3].split).toBe('held-out');
  });

  it('holds a listed patient to the ranges a drawn one comes from, and says which patient and value is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-'));
    const corners = JSON.parse(readFileSync(fileURLToPath(new URL('./corners.cohort.json', import.meta.url)), 'utf8'));
    corners.params = fileURLToPath(new URL('../patients/slate-snp.params.json', import.meta.url));
    const load = (change: (c: typeof corners) => void) => {
      const copy = JSON.parse(JSON.stringify(corners));
      change(copy);
      writeFileSync(join(dir, 'c.cohort.json'), JSON.stringify(copy));
      return () => loadCohort(join(dir, 'c.cohort.json'));
    };
    expect(load((c) => (c.patients[0].params.gainMmHgPerMlPerH = 12)))
      .toThrow(/c\.cohort\.json: patients\.0 \(most-sensitive-longest-delays\)\.params\.gainMmHgPerMlPerH: 12 lies outside 0\.25\.\.9\.5 \(the range of .*slate-snp\.params\.json\)/);
    expect(load((c) => delete c.patients[1].params.timeConstantS)).toThrow(/patients\.1 \(most-sensitive-low-baseline\)\.params: timeConstantS is missing/);
    expect(load((c) => (c.patients[2].params.heartRateBpm = 70))).toThrow(/patients\.2 \(least-sensitive-long-lag\)\.params\.heartRateBpm: not a parameter of this cohort/);
    expect(load((c) => (c.patients[0].baselineMapMmHg = 160))).toThrow(/patients\.0 \(most-sensitive-longest-delays\)\.baselineMapMmHg: 160 lies outside 95\.\.130/);
    expect(load((c) => (c.patients[0].weightKg = Number.NaN))).toThrow(/patients\.0.*weightKg/);
    expect(load((c) => (c.patients[1].name = c.patients[0].name))).toThrow(/patients\.1 \(most-sensitive-longest-delays\): a second patient named/);
    expect(load((c) => (c.patients[0].name = '001'))).toThrow(/patients\.0\.name: use lower-case letters, digits and dashes, starting with a letter/);
    expect(load((c) => (c.patients = []))).toThrow(/c\.cohort\.json: .*no patients: give a size above 0 or a patients list/);
  });
});
