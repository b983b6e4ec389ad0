// The FHIR export checked against the FHIR R4 JSON Schema (HL7's fhir.schema.json, as packaged with an
// ajv validator), and for what a hospital system would read from it: instants, codes, units, doses.
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Flag, MedicationAdministration, Observation, Provenance, Device } from 'fhir/r4.js';
import { DOSE_RATE_EXT, recordToFhir } from './fhir-export.ts';
import { readRecord } from './record-file.ts';
import type { RecordFile } from './record-file.ts';
import { exportFhir } from '../cli/commands/export-fhir.ts';

const require = createRequire(import.meta.url);
const Validator = require('@asymmetrik/fhir-json-schema-validator') as new () => { validate(r: object, verbose?: boolean): unknown[] };
const validator = new Validator();
const fixture = new URL('./fixtures/bp-before-loop-shell.record.jsonl', import.meta.url).pathname;

/** Every resource of the Bundle, and the Bundle itself, valid against the R4 schema. */
export function fhirSchemaErrors(bundle: { entry?: { resource?: object }[] }): unknown[] {
  return [...validator.validate(bundle, true), ...(bundle.entry ?? []).flatMap((e) => validator.validate(e.resource!, true))];
}

function withAlarms(rec: RecordFile): RecordFile {
  const lines = [...rec.lines];
  const at = lines.findIndex((l) => l.kind === 'decision' && l.tMs > 60_000);
  const alarm = { id: 'pressure-invalid', priority: 'high', text: 'no valid pressure for 15 s: holding the rate' };
  lines.splice(at, 0, { kind: 'alarm', seq: -1, tMs: lines[at].tMs, data: { raised: alarm } });
  lines.splice(at + 10, 0, { kind: 'alarm', seq: -1, tMs: lines[at + 10].tMs, data: { cleared: alarm } });
  return { ...rec, lines };
}

describe('FHIR R4 export of a record', () => {
  const rec = withAlarms(readRecord(fixture));
  const startedAt = '2026-03-02T08:00:00.000Z';
  const { bundle, counts } = recordToFhir(rec, { recordName: 'p.record.jsonl', recordSha256: 'abc', startedAt });
  const of = <T>(type: string) => bundle.entry!.map((e) => e.resource!).filter((r) => r.resourceType === type) as T[];

  it('is a Bundle the FHIR R4 JSON Schema accepts, resource by resource', () => {
    expect(bundle.resourceType).toBe('Bundle');
    expect(fhirSchemaErrors(bundle)).toEqual([]);
    // The schema can fail: a resource with a misspelt element is refused.
    const broken = { ...bundle, entry: [{ resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueQuantity: { value: 'high' } } }] };
    expect(fhirSchemaErrors(broken).length).toBeGreaterThan(0);
  });

  it('has one mean arterial pressure per decision with a valid pressure, LOINC-coded in mm[Hg] at real instants', () => {
    const decisions = rec.lines.filter((l) => l.kind === 'decision' && (l.data.decision as { observedMmHg: number | null }).observedMmHg !== null);
    const maps = of<Observation>('Observation');
    expect(maps.length).toBe(decisions.length);
    expect(maps[0].code.coding![0]).toMatchObject({ system: 'http://loinc.org', code: '8478-0' });
    expect(maps[0].valueQuantity).toMatchObject({ system: 'http://unitsofmeasure.org', code: 'mm[Hg]' });
    expect(maps[0].valueQuantity!.value).toBeCloseTo((decisions[0].data.decision as { observedMmHg: number }).observedMmHg, 3);
    expect(maps[0].effectivePeriod!.end).toBe(new Date(Date.parse(startedAt) + decisions[0].tMs).toISOString());
  });

  it('has a MedicationAdministration per rate held, in mL/h and ug/kg/min, one after the other', () => {
    const meds = of<MedicationAdministration>('MedicationAdministration');
    expect(meds.length).toBeGreaterThan(3);
    const h = rec.header as { supervisor: { concentrationUgPerMl: number; weightKg: number } };
    for (const m of meds) {
      const rate = m.dosage!.rateQuantity!;
      expect(rate).toMatchObject({ code: 'mL/h', system: 'http://unitsofmeasure.org' });
      const dose = m.dosage!.extension!.find((e) => e.url === DOSE_RATE_EXT)!.valueQuantity!;
      expect(dose.code).toBe('ug/kg/min');
      expect(dose.value!).toBeCloseTo((rate.value! * h.supervisor.concentrationUgPerMl) / (60 * h.supervisor.weightKg), 3);
      expect(Date.parse(m.effectivePeriod!.end!)).toBeGreaterThanOrEqual(Date.parse(m.effectivePeriod!.start!));
    }
    // The rates are the ones the pump was commanded, in order: each change, zero rates left out.
    const commanded: number[] = [];
    for (const l of rec.lines) {
      const d = l.data.decision as { commandedMlPerH: number; command: string } | undefined;
      if (l.kind !== 'decision' || !d || d.command === 'none') continue;
      const r = d.command === 'stop' ? 0 : d.commandedMlPerH;
      if (commanded.length === 0 || Math.abs(commanded[commanded.length - 1] - r) > 1e-6) commanded.push(r);
    }
    expect(meds.map((m) => m.dosage!.rateQuantity!.value)).toEqual(commanded.filter((r) => r > 0).map((r) => Number(r.toFixed(4))));
    for (let i = 1; i < meds.length; i++) expect(Date.parse(meds[i].effectivePeriod!.start!)).toBeGreaterThanOrEqual(Date.parse(meds[i - 1].effectivePeriod!.end!));
  });

  it('has a Device per node with its firmware, the controller and supervisor named in the Provenance, alarms as Flags', () => {
    const devices = of<Device>('Device');
    expect(devices.map((d) => d.deviceName![0].name)).toEqual(expect.arrayContaining(['bp-sensor', 'infusion-pump', 'adaptive controller', 'infusion safety supervisor']));
    const pump = devices.find((d) => d.deviceName![0].name === 'infusion-pump')!;
    expect(pump.version!.some((v) => /^sha256:/.test(v.value))).toBe(true);
    expect(counts.DeviceMetric).toBe(2);
    const [prov] = of<Provenance>('Provenance');
    expect(prov.agent.map((a) => a.role![0].text)).toEqual(['controller', 'safety supervisor']);
    expect(prov.target.length).toBe(bundle.entry!.length - 1);
    const flags = of<Flag>('Flag');
    const host = flags.find((f) => f.code.coding![0].code === 'pressure-invalid')!;
    expect(host).toMatchObject({ status: 'inactive', code: { text: 'no valid pressure for 15 s: holding the rate' } });
    expect(host.extension![0].valueCodeableConcept!.coding![0].code).toBe('PH');
    expect(Date.parse(host.period!.end!)).toBeGreaterThan(Date.parse(host.period!.start!));
  });

  it('refuses a record without a wall-clock start, saying how to give one; the command writes the Bundle beside the record', () => {
    expect(() => recordToFhir(readRecord(fixture), { recordName: 'old.record.jsonl', recordSha256: 'x' })).toThrow(/no wall-clock start \(startedAt\).*--started-at/);
    const dir = mkdtempSync(join(tmpdir(), 'fhir-'));
    const path = join(dir, 'p1.record.jsonl');
    writeFileSync(path, readFileSync(fixture));
    const lines: string[] = [];
    const r = exportFhir(path, { startedAt }, (l) => lines.push(l));
    expect(r.outPath).toBe(join(dir, 'p1.fhir.json'));
    expect(lines[0]).toMatch(/a FHIR R4 Bundle of \d+ resources \(1 Patient, 4 Device, 2 DeviceMetric, \d+ Observation/);
    expect(fhirSchemaErrors(JSON.parse(readFileSync(r.outPath, 'utf8')))).toEqual([]);
  });
});
