// One patient model at the SIL level with the host loop on it, without a scenario file: for the safety
// tests and benches that put a patient where the cohorts do not reach (a syringe run dry, an occlusion,
// the most sensitive patient with the longest delays) and watch what the loop does.
import { readFileSync } from 'node:fs';
import type { ControllerFile } from '../../host/control/bp/controller-file.ts';
import { controllerFrom, shippedControllerPath } from '../../host/control/bp/controller-file.ts';
import { BP_TIMING } from '../../host/app/bp-app.ts';
import type { BpLoop } from '../../host/therapies/bp/bp-loop.ts';
import { bpLoop } from '../../host/therapies/bp/bp-loop.ts';
import { loadSupervisorFile, parseSupervisorConfig } from '../../host/safety/infusion-supervisor.ts';
import type { SilBench } from '../sim/engine/sil-bench.ts';
import { silBench } from '../sim/engine/sil-bench.ts';
import type { SlateParameters } from '../sim/patients/slate-patient.ts';
import { SlatePatient } from '../sim/patients/slate-patient.ts';

export interface SilBpLoop {
  bench: SilBench;
  loop: BpLoop;
  /** When an alarm was first raised, ms on the bench's clock; null if never. */
  firstAlarm(id: string): number | null;
}

export async function silBpLoop(o: {
  patient: SlateParameters; baselineMmHg: number; seed: number;
  controller?: 'pid' | 'adaptive' | ControllerFile; supervisor?: object;
}): Promise<SilBpLoop> {
  const patient = new SlatePatient(o.patient, o.baselineMmHg, 0.5);
  const bench = await silBench({ patient, patientStepS: 0.5, heartRateBpm: 75, pulsePressureMmHg: 40, noiseMmHg: 1, beatNoiseMmHg: 3, seed: o.seed });
  const limits = loadSupervisorFile(new URL('../../host/safety/nitroprusside.supervisor.json', import.meta.url).pathname);
  const controller = typeof o.controller === 'object' ? o.controller : JSON.parse(readFileSync(shippedControllerPath(o.controller ?? 'pid'), 'utf8'));
  const loop = bpLoop({
    clock: bench.clock, sensor: bench.sensor, pump: bench.pump, periodMs: BP_TIMING.periodMs,
    setup: { controller: controllerFrom(controller), supervisor: parseSupervisorConfig({ ...limits, weightKg: 70, ...o.supervisor }), advisory: null, drift: null, leaseMs: BP_TIMING.leaseMs },
  });
  return { bench, loop, firstAlarm: (id) => loop.alarmLog.find((a) => a.alarm.id === id)?.tMs ?? null };
}
