// A record as an HL7 FHIR R4 Bundle (a collection), for hospital systems and audits: the patient, a Device
// and a DeviceMetric per node (firmware version and bundle hash), Devices for the host's controller and
// supervisor (their versions and settings hashes), one Observation of mean arterial pressure per decision
// period (LOINC 8478-0, UCUM mm[Hg]), one MedicationAdministration per infusion rate held between two
// changes (UCUM mL/h, with the dose in ug/kg/min), a Flag per alarm (host and device, with the standard
// flag-priority extension), and a Provenance naming the controller and supervisor that produced it all.
// Times are real instants: the record's wall-clock start plus the loop clock's milliseconds.
// Pure: a read record in, a Bundle out (ids are derived from the record's content, so an export is
// reproducible).
import type {
  Bundle, BundleEntry, CodeableConcept, Device, DeviceMetric, Flag, FhirResource, MedicationAdministration, Observation, Patient, Provenance, Quantity, Reference,
} from 'fhir/r4.js';
import { codeName } from '../../protocols/catalogue/codes.ts';
import type { RecordFile, RecordLine } from './record-file.ts';
import { sha256 } from './versions.ts';

const UCUM = 'http://unitsofmeasure.org';
const LOINC = 'http://loinc.org';
const HOMEOSTAT = 'urn:homeostat';
/** Standard extension and code system for a flag's priority (HL7 FHIR R4 core). */
const FLAG_PRIORITY_EXT = 'http://hl7.org/fhir/StructureDefinition/flag-priority';
const FLAG_PRIORITY_CODES = 'http://terminology.hl7.org/CodeSystem/flag-priority-code';
const FLAG_PRIORITY = { high: ['PH', 'High priority'], medium: ['PM', 'Medium priority'], low: ['PL', 'Low priority'] } as const;
/** The dose as a weight-based rate beside the pump's mL/h (no core element carries both). */
export const DOSE_RATE_EXT = `${HOMEOSTAT}:fhir:dose-rate-per-weight`;

export interface FhirExportOptions {
  /** The record's file name, named in the Provenance. */
  recordName: string;
  /** sha256 of the record's bytes, named in the Provenance. */
  recordSha256: string;
  /** Overrides the record's own wall-clock start (for records written before they carried one). */
  startedAt?: string;
}

interface HeaderView {
  startedAt?: string;
  level?: string;
  controller?: { kind?: string; targetMmHg?: number };
  supervisor?: { concentrationUgPerMl?: number; weightKg?: number; drugEffect?: 'lowers' | 'raises'; floorMmHg?: number };
  versions?: { homeostat?: string; protocolLayoutHash?: string; firmware?: Record<string, string> };
  patient?: { id?: string; weightKg?: number };
  periodMs?: number;
}

interface Hello {
  uniqueId?: string; nodeRole: number; boardId: number; firmwareMajor: number; firmwareMinor: number; firmwarePatch: number; layoutHash?: number;
}

const text = (t: string): CodeableConcept => ({ text: t });
const qty = (value: number, unit: string, code: string): Quantity => ({ value: Number(value.toFixed(4)), unit, system: UCUM, code });
const hashOf = (v: unknown) => `sha256:${sha256(JSON.stringify(v))}`;

/** The Bundle, and what went into it, counted by resource type. */
export function recordToFhir(rec: RecordFile, o: FhirExportOptions): { bundle: Bundle; counts: Record<string, number> } {
  const h = rec.header as HeaderView;
  const startedAt = o.startedAt ?? h.startedAt;
  if (!startedAt || Number.isNaN(Date.parse(startedAt))) {
    throw new Error(`${o.recordName}: the header has no wall-clock start (startedAt), so its times cannot be made instants; give one with --started-at <ISO time>`);
  }
  const t0 = Date.parse(startedAt);
  const at = (tMs: number) => new Date(t0 + tMs).toISOString();
  const periodMs = h.periodMs ?? 5000;
  const lastMs = rec.lines.reduce((m, l) => Math.max(m, l.tMs), 0);

  // Stable ids: the same record always exports to the same Bundle.
  let seq = 0;
  const idFor = (what: string) => {
    const hex = sha256(`${o.recordSha256}/${what}/${seq++}`);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
  const entries: BundleEntry[] = [];
  const counts: Record<string, number> = {};
  const add = <R extends FhirResource>(r: R): Reference => {
    const id = idFor(r.resourceType);
    r.id = id;
    entries.push({ fullUrl: `urn:uuid:${id}`, resource: r });
    counts[r.resourceType] = (counts[r.resourceType] ?? 0) + 1;
    return { reference: `urn:uuid:${id}`, type: r.resourceType };
  };

  const sup = h.supervisor ?? {};
  const weightKg = sup.weightKg ?? h.patient?.weightKg ?? null;
  const concentration = sup.concentrationUgPerMl ?? null;
  const doseOf = (mlPerH: number) => (weightKg && concentration ? (mlPerH * concentration) / (60 * weightKg) : null);

  // The patient: a virtual one in simulation (named by its id), otherwise the one the live run was set up for.
  const patient: Patient = {
    resourceType: 'Patient', active: true,
    identifier: h.patient?.id ? [{ system: `${HOMEOSTAT}:virtual-patient`, value: h.patient.id }] : undefined,
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${h.patient?.id ? `Virtual patient ${h.patient.id}` : 'Patient of a live homeostat run'}${weightKg ? `, ${weightKg} kg` : ''}</div>` },
  };
  const subject = add(patient);

  // The host's software: the controller and the supervisor, each with the version and a hash of its settings.
  const hv = h.versions ?? {};
  const software = (name: string, settings: unknown, detail: string): Device => ({
    resourceType: 'Device', status: 'active',
    deviceName: [{ name, type: 'user-friendly-name' }],
    type: text(detail),
    version: [
      { type: text('homeostat'), value: hv.homeostat ?? 'unknown' },
      { type: text('settings sha256'), value: hashOf(settings) },
      ...(hv.protocolLayoutHash ? [{ type: text('protocol layout hash'), value: hv.protocolLayoutHash }] : []),
    ],
  });
  const controller = add(software(`${h.controller?.kind ?? 'unknown'} controller`, h.controller, `closed-loop blood-pressure controller, target ${h.controller?.targetMmHg ?? '?'} mmHg`));
  const supervisor = add(software('infusion safety supervisor', h.supervisor, 'independent safety supervisor: dose, rate and pressure limits, alarms'));

  // One Device and one DeviceMetric per node: live runs name each node's Hello, simulated ones the bundles that ran.
  const peers = (rec.lines.find((l) => l.kind === 'devices')?.data.peers ?? {}) as Record<string, Hello>;
  const firmware = hv.firmware ?? {};
  const roles = [...new Set([...Object.keys(peers), ...Object.keys(firmware).map((k) => k.split('.')[0])])];
  if (roles.length === 0) roles.push('bp-sensor', 'infusion-pump');
  const nodes: Record<string, Reference> = {};
  for (const role of roles) {
    const hello = peers[role];
    const bundles = Object.entries(firmware).filter(([k]) => k.split('.')[0] === role);
    const versions: NonNullable<Device['version']> = [];
    if (hello) versions.push({ type: text('firmware'), value: `${hello.firmwareMajor}.${hello.firmwareMinor}.${hello.firmwarePatch}` });
    else versions.push({ type: text('firmware'), value: `homeostat ${hv.homeostat ?? 'unknown'}` });
    for (const [k, v] of bundles) versions.push({ type: text(`bundle ${k}`), value: v });
    const board = hello ? codeName('BoardId', hello.boardId) : bundles[0]?.[0].split('.')[1];
    nodes[role] = add({
      resourceType: 'Device', status: 'active',
      identifier: hello?.uniqueId ? [{ system: `${HOMEOSTAT}:node-id`, value: hello.uniqueId }] : undefined,
      deviceName: [{ name: role, type: 'model-name' }],
      type: text(role === 'bp-sensor' ? 'arterial blood-pressure sensor' : role === 'infusion-pump' ? 'syringe infusion pump' : role),
      modelNumber: board ? `board ${board}` : undefined,
      version: versions,
      patient: subject,
    } satisfies Device);
  }
  const metric = (role: string, m: Omit<DeviceMetric, 'resourceType' | 'source'>) => {
    if (nodes[role]) add({ resourceType: 'DeviceMetric', source: nodes[role], ...m } satisfies DeviceMetric);
  };
  metric('bp-sensor', {
    type: { coding: [{ system: LOINC, code: '8478-0', display: 'Mean blood pressure' }], text: 'mean arterial pressure' },
    unit: { coding: [{ system: UCUM, code: 'mm[Hg]', display: 'mmHg' }] }, category: 'measurement', operationalStatus: 'on',
    measurementPeriod: { repeat: { frequency: 1, period: periodMs / 1000, periodUnit: 's' } },
  });
  metric('infusion-pump', {
    type: text('infusion rate'), unit: { coding: [{ system: UCUM, code: 'mL/h', display: 'mL/h' }] }, category: 'setting', operationalStatus: 'on',
  });

  // Mean arterial pressure per decision period, as the loop saw it (clean beats only).
  const decisions = rec.lines.filter((l) => l.kind === 'decision');
  for (const l of decisions) {
    const d = l.data.decision as { observedMmHg: number | null };
    if (d.observedMmHg === null || d.observedMmHg === undefined) continue;
    add({
      resourceType: 'Observation', status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] }],
      code: { coding: [{ system: LOINC, code: '8478-0', display: 'Mean blood pressure' }], text: 'mean arterial pressure' },
      subject, effectivePeriod: { start: at(Math.max(0, l.tMs - periodMs)), end: at(l.tMs) },
      valueQuantity: qty(d.observedMmHg, 'mmHg', 'mm[Hg]'),
      method: text(`mean of the clean beats over the ${periodMs / 1000} s decision period`),
      device: nodes['bp-sensor'],
    } satisfies Observation);
  }

  // Each rate the pump was commanded to hold, from one change to the next.
  const drug = sup.drugEffect === 'raises' ? 'vasopressor' : 'vasodilator';
  const medication: CodeableConcept = text(`${drug} infusion${concentration ? `, ${concentration} ug/mL` : ''}`);
  const stop = rec.lines.find((l) => l.kind === 'stop');
  const changes: { tMs: number; rate: number; why: string }[] = [];
  for (const l of decisions) {
    const d = l.data.decision as { commandedMlPerH: number; command: string; mode: string; controllerReason: string };
    const rate = d.command === 'stop' ? 0 : d.commandedMlPerH;
    if (d.command === 'none') continue;
    if (changes.length && Math.abs(changes[changes.length - 1].rate - rate) < 1e-6) continue;
    changes.push({ tMs: l.tMs, rate, why: `${d.mode}: ${d.controllerReason}` });
  }
  const endMs = stop ? stop.tMs : lastMs;
  changes.forEach((c, i) => {
    if (c.rate <= 0) return;
    const untilMs = i + 1 < changes.length ? changes[i + 1].tMs : endMs;
    const dose = doseOf(c.rate);
    const rateText = `${c.rate.toFixed(2)} mL/h${dose === null ? '' : ` (${dose.toFixed(3)} ug/kg/min)`}`;
    add({
      resourceType: 'MedicationAdministration',
      status: i + 1 < changes.length || rec.complete ? 'completed' : 'in-progress',
      medicationCodeableConcept: medication, subject,
      effectivePeriod: { start: at(c.tMs), end: at(Math.max(c.tMs, untilMs)) },
      performer: [{ function: text('closed-loop controller'), actor: controller }],
      device: nodes['infusion-pump'] ? [nodes['infusion-pump']] : undefined,
      note: [{ text: c.why }],
      dosage: {
        text: rateText,
        route: text('intravenous'),
        rateQuantity: qty(c.rate, 'mL/h', 'mL/h'),
        extension: dose === null ? undefined : [{ url: DOSE_RATE_EXT, valueQuantity: qty(dose, 'ug/kg/min', 'ug/kg/min') }],
      },
    } satisfies MedicationAdministration);
  });

  // Alarms: each raise of a host alarm, closed by its clearing; device alarms by their code.
  const open = new Map<string, Flag>();
  const flag = (key: string, l: RecordLine, priority: 'low' | 'medium' | 'high', words: string, code: string, author: Reference | undefined) => {
    const [pc, pd] = FLAG_PRIORITY[priority];
    const f: Flag = {
      resourceType: 'Flag', status: 'active',
      extension: [{ url: FLAG_PRIORITY_EXT, valueCodeableConcept: { coding: [{ system: FLAG_PRIORITY_CODES, code: pc, display: pd }] } }],
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'clinical', display: 'Clinical' }] }],
      code: { coding: [{ system: `${HOMEOSTAT}:alarm`, code }], text: words },
      subject, period: { start: at(l.tMs) }, author,
    };
    open.set(key, f);
    add(f);
  };
  const close = (key: string, l: RecordLine) => {
    const f = open.get(key);
    if (!f) return;
    f.status = 'inactive';
    f.period = { ...f.period, end: at(l.tMs) };
    open.delete(key);
  };
  for (const l of rec.lines) {
    if (l.kind === 'alarm') {
      const a = (l.data.raised ?? l.data.cleared) as { id: string; priority: 'low' | 'medium' | 'high'; text: string };
      if (l.data.raised) flag(`host:${a.id}`, l, a.priority, a.text, a.id, supervisor);
      else close(`host:${a.id}`, l);
    } else if (l.kind === 'device-alarm') {
      const device = String(l.data.device);
      const a = l.data.alarm as { code: number; priority: number; state: number };
      const name = codeName('AlarmCode', a.code) ?? `code ${a.code}`;
      const key = `${device}:${a.code}`;
      if (a.state === 1) {
        const p = (codeName('AlarmPriority', a.priority) ?? 'medium').toLowerCase();
        flag(key, l, p === 'high' || p === 'low' ? p : 'medium', `${device}: ${name}`, `${device}.${name}`, nodes[device]);
      } else {
        close(key, l);
      }
    }
  }

  // Who produced all of it: the controller, watched by the supervisor, from this record.
  const targets = entries.map((e) => ({ reference: e.fullUrl!, type: e.resource!.resourceType }));
  add({
    resourceType: 'Provenance',
    target: targets,
    occurredPeriod: { start: at(0), end: at(lastMs) },
    recorded: at(lastMs),
    activity: text(`closed-loop blood-pressure control (${h.level ?? 'live'})`),
    agent: [
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'performer', display: 'Performer' }] }, role: [text('controller')], who: controller },
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'verifier', display: 'Verifier' }] }, role: [text('safety supervisor')], who: supervisor },
    ],
    entity: [{ role: 'source', what: { display: o.recordName, identifier: { system: `${HOMEOSTAT}:record`, value: o.recordSha256 } } }],
  } satisfies Provenance);

  const bundle: Bundle = {
    resourceType: 'Bundle', type: 'collection', timestamp: at(lastMs),
    identifier: { system: `${HOMEOSTAT}:record`, value: o.recordSha256 },
    entry: entries,
  };
  return { bundle, counts };
}
