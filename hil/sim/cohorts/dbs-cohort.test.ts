import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { peakHz, welch } from '../../reports/lfp-spectrum.ts';
import { loadPavlidesParams, patientParameters } from '../patients/pavlides-params.ts';
import { PavlidesPatient } from '../patients/pavlides-patient.ts';
import { loadDbsCohort, loadCohort } from './cohort.ts';

const path = fileURLToPath(new URL('./dbs.cohort.json', import.meta.url));

describe('the aDBS virtual cohort', () => {
  const { patients } = loadDbsCohort(path);

  it('draws the same patients every time, spanning the beta band, beta amplitude and stimulation sensitivity', () => {
    expect(loadDbsCohort(path).patients).toEqual(patients);
    expect(patients).toHaveLength(40);
    const peaks = patients.map((p) => p.params.betaPeakHz);
    expect(Math.min(...peaks)).toBeGreaterThanOrEqual(13);
    expect(Math.max(...peaks)).toBeLessThanOrEqual(30);
    expect(Math.max(...peaks) - Math.min(...peaks)).toBeGreaterThan(12);
    for (const p of patients) {
      expect(p.params.stimSensitivity).toBeGreaterThanOrEqual(0.7);
      expect(p.params.lfpUvPerSpikePerS).toBeLessThanOrEqual(2);
      expect('weightKg' in p).toBe(false);
    }
  });

  it('fills every subgroup and holds out about 30%, never in the tuning split', () => {
    for (const [group, bands] of [['peak', ['low-beta', 'high-beta']], ['amplitude', ['small', 'large']], ['stim-sensitivity', ['low', 'mid', 'high']]] as const) {
      for (const band of bands) expect(patients.filter((p) => p.subgroups[group] === band).length, `${group} ${band}`).toBeGreaterThanOrEqual(5);
    }
    const held = patients.filter((p) => p.split === 'held-out');
    expect(held.length).toBeGreaterThanOrEqual(6);
    expect(held.length).toBeLessThanOrEqual(18);
  });

  it('gives patients whose model places their beta peak where the cohort drew it', () => {
    const model = loadPavlidesParams();
    for (const p of patients.filter((x) => x.split === 'held-out').slice(0, 3)) {
      const x: number[] = [];
      new PavlidesPatient(patientParameters(model, p.params), model.entrainment, { seed: 1, outputRateHz: 1000, onSample: (_t, v) => x.push(v) }).advanceTo(40_000);
      expect(Math.abs(peakHz(welch(x, 1000, 4096), 5, 45) - p.params.betaPeakHz), p.id).toBeLessThanOrEqual(0.6);
    }
  });

  it('is refused where a blood-pressure cohort is expected, a blood-pressure cohort still needs its ranges, and a DBS cohort its model', () => {
    expect(() => loadCohort(path)).toThrow(/dbs\.cohort\.json: model: .*slate-vasodilator/);
    const bp = JSON.parse(readFileSync(fileURLToPath(new URL('./default.cohort.json', import.meta.url)), 'utf8'));
    delete bp.weightKg;
    bp.params = fileURLToPath(new URL('../patients/slate-snp.params.json', import.meta.url));
    const file = join(mkdtempSync(join(tmpdir(), 'cohort-')), 'noweight.cohort.json');
    writeFileSync(file, JSON.stringify(bp));
    expect(() => loadCohort(file)).toThrow(/noweight\.cohort\.json: weightKg: /);
    const dbs = JSON.parse(readFileSync(path, 'utf8'));
    dbs.params = fileURLToPath(new URL('../patients/slate-snp.params.json', import.meta.url));
    const wrong = join(mkdtempSync(join(tmpdir(), 'cohort-')), 'wrong.cohort.json');
    writeFileSync(wrong, JSON.stringify(dbs));
    expect(() => loadDbsCohort(wrong)).toThrow(/wrong\.cohort\.json: params: .*model is 'slate-vasodilator', but 'pavlides-hogan-bogacz' was asked for/);
  });
});
