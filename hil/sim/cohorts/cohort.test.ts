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
});
