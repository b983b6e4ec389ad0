// The whole blood-pressure loop at the SIL level: PID and supervisor on the host, the bp-sensor and pump
// firmware in their emulators, the Slate patient between them. Smoke test of the loop; the cohort runs,
// metrics and reports of issue 6 build on it.
import { describe, expect, it } from 'vitest';
import { silBench } from '../sim/engine/sil-bench.ts';
import { SlatePatient } from '../sim/patients/slate-patient.ts';
import type { PidSettings } from '../../host/control/bp/pid-controller.ts';
import { pidController } from '../../host/control/bp/pid-controller.ts';
import { parseSupervisorConfig } from '../../host/safety/infusion-supervisor.ts';
import { bpLoop } from '../../host/therapies/bp/bp-loop.ts';

const pid: PidSettings = { targetMmHg: 90, kpMlPerHPerMmHg: 0.5, integralTimeS: 90, derivativeTimeS: 0, derivativeFilterS: 5, minRateMlPerH: 0, maxRateMlPerH: 100 };

describe('BP loop at the SIL level', () => {
  it('brings the nominal patient from 120 to within 5 mmHg of 90 and keeps it there, every decision explained', async () => {
    const patient = new SlatePatient({ gainMmHgPerMlPerH: 0.72, transportDelayS: 30, recirculationDelayS: 45, recirculationFraction: 0.4, timeConstantS: 40 }, 120, 0.5);
    const bench = await silBench({ patient, patientStepS: 0.5, heartRateBpm: 75, pulsePressureMmHg: 40, noiseMmHg: 0.5, seed: 11 });
    const loop = bpLoop({
      clock: bench.clock, sensor: bench.sensor, pump: bench.pump,
      setup: {
        controller: pidController(pid) as never, advisory: null, drift: null, leaseMs: 15_000,
        supervisor: parseSupervisorConfig({
          concentrationUgPerMl: 200, weightKg: 70, maxDoseUgPerKgPerMin: 10, maxMinutesAtCeiling: 10, doseBudgetMg: 100,
          maxRateChangeMlPerH: 20, staleAfterMs: 10_000, floorMmHg: 65, plausibleMmHg: { min: 30, max: 200 },
        }),
      },
      periodMs: 5000,
    });
    await bench.run(5000);
    loop.start();
    const truth: { tMs: number; map: number }[] = [];
    for (let m = 0; m < 20; m++) {
      for (let s = 0; s < 60; s += 5) {
        await bench.run(5000);
        truth.push({ tMs: bench.clock.now(), map: bench.truthMapMmHg() });
      }
    }
    loop.stop();
    const late = truth.filter((x) => x.tMs > 12 * 60_000);
    for (const x of late) expect(Math.abs(x.map - 90)).toBeLessThan(5);
    expect(Math.min(...truth.map((x) => x.map))).toBeGreaterThan(80);
    expect(loop.decisions.length).toBeGreaterThan(200);
    expect(loop.decisions.every((d) => d.controllerReason.length > 0)).toBe(true);
    expect(loop.decisions.filter((d) => d.commandResult.startsWith('failed')).length).toBe(0);
  }, 120_000);
});
