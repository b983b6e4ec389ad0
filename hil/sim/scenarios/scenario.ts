// Scenarios as data (*.scenario.json): what happens to a virtual patient during a run, the same at every
// level (SIL, PIL, HIL). Disturbances add to the mean pressure (surgical stimulation, bleeding, posture);
// sensitivity changes scale the drug's effect (slow drift, sudden steps); artifacts corrupt the arterial
// line, not the patient. Shapes follow docs/clinical-basis.md#blood-pressure-under-a-vasodilator (Struys 2004 / Dumont 2009 episodes
// of +5..+15 mmHg over minutes; flush spikes of 100-300 mmHg for 5-30 s; 0.74 mmHg per cm of height).
import { z } from 'zod';
import { readConfigFile } from '../../../host/config/config-file.ts';
import type { Artifact } from '../arterial-waveform.ts';
import { sensorFaultArtifact, sensorFaultSchema } from '../../faults/sensor-faults.ts';

const minute = z.number().min(0).max(24 * 60);

const disturbance = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('stimulation'),
    startMin: minute, durationMin: z.number().positive().max(600), riseMmHg: z.number().min(-50).max(50), rampMin: z.number().min(0).max(60),
  }),
  z.strictObject({ kind: z.literal('bleeding'), startMin: minute, dropMmHgPerMin: z.number().positive().max(20), maxDropMmHg: z.number().positive().max(80) }),
  z.strictObject({ kind: z.literal('posture'), atMin: minute, stepMmHg: z.number().min(-40).max(40) }),
]);

const sensitivityChange = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('step'), atMin: minute, factor: z.number().min(0.1).max(10) }),
  z.strictObject({ kind: z.literal('drift'), fromMin: minute, toMin: minute, factor: z.number().min(0.1).max(10) })
    .refine((d) => d.toMin > d.fromMin, { message: 'toMin must come after fromMin' }),
]);

// Line artifacts are the sensor faults of the fault library (hil/faults/sensor-faults.ts).
const lineArtifact = sensorFaultSchema;

const operatorAction = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('manual'), atMin: minute, rateMlPerH: z.number().min(0).max(1000) }),
  z.strictObject({ kind: z.literal('auto'), atMin: minute }),
]);

export const scenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  name: z.string().regex(/^[a-z0-9-]+$/, 'use lower-case letters, digits and dashes'),
  durationMin: z.number().min(1).max(24 * 60),
  targetMmHg: z.number().min(50).max(150),
  heartRateBpm: z.number().min(30).max(200),
  pulsePressureMmHg: z.number().min(10).max(100),
  /** White noise on each sample of the line (transducer and amplifier). */
  sensorNoiseMmHg: z.number().min(0).max(20),
  /** White noise of each beat's mean pressure (physiological; docs/clinical-basis.md gives sigma 5 mmHg). */
  beatNoiseMmHg: z.number().min(0).max(20),
  disturbances: z.array(disturbance),
  sensitivity: z.array(sensitivityChange),
  artifacts: z.array(lineArtifact),
  operator: z.array(operatorAction).default([]),
});

export type Scenario = z.infer<typeof scenarioSchema>;

export function loadScenario(path: string): Scenario {
  return readConfigFile(path, 'the scenario', scenarioSchema);
}

const ramp = (x: number) => Math.min(1, Math.max(0, x));

/** Pressure added to the patient's mean at time t by every disturbance. */
export function disturbanceMmHg(s: Scenario, tS: number): number {
  const tMin = tS / 60;
  let sum = 0;
  for (const d of s.disturbances) {
    if (d.kind === 'stimulation') {
      const into = tMin - d.startMin;
      if (into < 0 || into > d.durationMin) continue;
      const up = d.rampMin > 0 ? ramp(into / d.rampMin) : 1;
      const down = d.rampMin > 0 ? ramp((d.durationMin - into) / d.rampMin) : 1;
      sum += d.riseMmHg * Math.min(up, down);
    } else if (d.kind === 'bleeding') {
      if (tMin > d.startMin) sum -= Math.min(d.maxDropMmHg, (tMin - d.startMin) * d.dropMmHgPerMin);
    } else if (tMin >= d.atMin) {
      sum += d.stepMmHg;
    }
  }
  return sum;
}

/** Factor on the patient's drug sensitivity at time t (1: as drawn). Drifts move log-linearly. */
export function sensitivityFactor(s: Scenario, tS: number): number {
  const tMin = tS / 60;
  let f = 1;
  for (const c of s.sensitivity) {
    if (c.kind === 'step') {
      if (tMin >= c.atMin) f *= c.factor;
    } else if (tMin > c.fromMin) {
      f *= Math.pow(c.factor, ramp((tMin - c.fromMin) / (c.toMin - c.fromMin)));
    }
  }
  return f;
}

/** The scenario's line artifacts in the waveform synthesiser's terms (seconds). */
export function lineArtifacts(s: Scenario): Artifact[] {
  return s.artifacts.map((a) => sensorFaultArtifact(a));
}
