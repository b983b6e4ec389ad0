// aDBS scenarios as data (*.scenario.json with "therapy": "dbs"): what happens to a virtual Parkinsonian
// patient during a run, the same at every level (MIL, SIL, PIL): a levodopa dose (beta falls as its effect
// builds), bouts of movement (beta drops within a few hundred ms and recovers), a beta peak that drifts, and
// a person's actions on the loop. Shapes follow docs/clinical-basis.md#beta-oscillations-and-adaptive-stimulation (medication lowers beta; movement-related beta
// desynchronisation); levodopa's onset of tens of minutes may be accelerated so a run of minutes shows it.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { readConfigFile } from '../../../host/config/config-file.ts';
import type { PavlidesParameters, PavlidesPatient } from '../patients/pavlides-patient.ts';

const second = z.number().min(0).max(24 * 3600);

const operatorAction = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('manual'), atS: second, amplitudeMa: z.number().min(0).max(20) }),
  z.strictObject({ kind: z.literal('auto'), atS: second }),
]);

export const dbsScenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  therapy: z.literal('dbs'),
  name: z.string().regex(/^[a-z0-9-]+$/, 'use lower-case letters, digits and dashes'),
  durationS: z.number().min(10).max(24 * 3600),
  /** The start left out of the metrics: the stimulator's boot ramp and the loop's first decisions. */
  settleS: z.number().min(0).max(600),
  /** The start of the unstimulated reference recording whose median beta calibrates the policy's thresholds. */
  calibrationS: z.number().min(2).max(600),
  /** Levodopa doses: the effect approaches `level` (0 off .. 1 full) from `atS`. */
  medication: z.array(z.strictObject({ atS: second, level: z.number().min(0).max(1) })),
  /** The levodopa effect's time constant in this scenario (the params file's tens of minutes when absent). */
  medicationTimeConstantS: z.number().positive().max(7200).optional(),
  /** Bouts of movement. */
  movement: z.array(z.strictObject({ fromS: second, toS: second }).refine((m) => m.toS > m.fromS, { message: 'toS must come after fromS' })),
  operator: z.array(operatorAction).default([]),
  /** The beta peak moving linearly by byHz from the patient's own between fromS and toS (kept in 13-30 Hz), then staying there. */
  peakDrift: z.strictObject({ fromS: second, toS: second, byHz: z.number().min(-17).max(17) })
    .refine((d) => d.toS > d.fromS, { message: 'toS must come after fromS' }).optional(),
}).superRefine((s, ctx) => {
  const late = [...s.medication.map((m) => m.atS), ...s.movement.map((m) => m.toS), ...s.operator.map((o) => o.atS), ...(s.peakDrift ? [s.peakDrift.toS] : [])].filter((t) => t > s.durationS);
  if (late.length > 0) ctx.addIssue({ code: 'custom', path: ['durationS'], message: `an event at ${Math.max(...late)} s comes after the end of the run (${s.durationS} s)` });
  if (s.calibrationS + s.settleS > s.durationS) ctx.addIssue({ code: 'custom', path: ['calibrationS'], message: `calibrationS ${s.calibrationS} s and settleS ${s.settleS} s leave nothing of a ${s.durationS} s run` });
});

export type DbsScenario = z.output<typeof dbsScenarioSchema>;

/** Reads an aDBS scenario; a blood-pressure scenario given here is named as one. */
export function loadDbsScenario(path: string): DbsScenario {
  let raw: { therapy?: unknown } = {};
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // readConfigFile says what is wrong with the file.
  }
  if (raw && typeof raw === 'object' && raw.therapy === undefined && 'targetMmHg' in raw) {
    throw new Error(`${path}: a blood-pressure scenario (it has a targetMmHg): run it with 'homeostat sim bp', or give an aDBS scenario ("therapy": "dbs")`);
  }
  return readConfigFile(path, 'the aDBS scenario', dbsScenarioSchema);
}

/** The patient parameters a scenario changes. */
export function scenarioParameters(s: DbsScenario, p: PavlidesParameters): PavlidesParameters {
  return s.medicationTimeConstantS === undefined ? p : { ...p, medicationTimeConstantS: s.medicationTimeConstantS };
}

/** Steers a patient through the scenario: call at every step with the time (events apply once their time has come). */
export function scenarioSteering(s: DbsScenario): (tMs: number, patient: PavlidesPatient) => void {
  const doses = [...s.medication].sort((a, b) => a.atS - b.atS);
  let next = 0;
  let moving = false;
  const drift = s.peakDrift;
  let fromHz = NaN;
  return (tMs, patient) => {
    if (drift && tMs >= drift.fromS * 1000 && tMs <= drift.toS * 1000 + 10) {
      if (Number.isNaN(fromHz)) fromHz = patient.p.betaPeakHz;
      const f = Math.min(1, (tMs - drift.fromS * 1000) / ((drift.toS - drift.fromS) * 1000));
      patient.setBetaPeakHz(Math.min(30, Math.max(13, fromHz + f * drift.byHz)));
    }
    while (next < doses.length && doses[next].atS * 1000 <= tMs) patient.setMedication(doses[next++].level);
    const now = s.movement.some((m) => tMs >= m.fromS * 1000 && tMs < m.toS * 1000);
    if (now !== moving) patient.setMoving((moving = now));
  };
}
