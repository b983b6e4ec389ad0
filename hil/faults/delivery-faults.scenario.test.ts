// The pump's delivery faults through the whole loop at the SIL level (the real pump bundle, its sensors on the
// syringe mechanism, the host's supervisor): each fault is seen by the pump's own sensors, stops its motor,
// and reaches the host as a high alarm that names it within a decision period or two; nothing more is
// commanded until a person acts, and once the fault is gone the loop resumes.
import { describe, expect, it } from 'vitest';
import type { SlateParameters } from '../sim/patients/slate-patient.ts';
import { silBpLoop } from '../runner/sil-bp-loop.ts';
import { actuatorFaultSchema, applyActuatorFault } from './actuator-faults.ts';

const NOMINAL: Omit<SlateParameters, 'gainMmHgPerMlPerH'> = { transportDelayS: 30, recirculationDelayS: 45, recirculationFraction: 0.4, timeConstantS: 40 };
const PID = { kind: 'pid' as const, targetMmHg: 85, kpMlPerHPerMmHg: 2, integralTimeS: 60, derivativeTimeS: 0, derivativeFilterS: 5, minRateMlPerH: 0, maxRateMlPerH: 150, drugEffect: 'lowers' as const };

describe.each([
  { fault: { kind: 'motor-stall', atMin: 0 }, alarm: 'pump-motor-stall', withinS: 45 },
  { fault: { kind: 'free-flow', atMin: 0, rateMlPerH: 30 }, alarm: 'pump-free-flow', withinS: 60 },
  { fault: { kind: 'air-in-line', atMin: 0, airMl: 0.5 }, alarm: 'pump-air-in-line', withinS: 15 },
])('delivery fault $fault.kind (SIL)', ({ fault, alarm, withinS }) => {
  it(`raises '${alarm}' within ${withinS} s, holds the loop, and resumes after the fault is gone and a person acts`, async () => {
    const { bench: b, loop, firstAlarm } = await silBpLoop({ patient: { ...NOMINAL, gainMmHgPerMlPerH: 0.72 }, baselineMmHg: 130, seed: 5, controller: PID });
    loop.start();
    await b.run(5 * 60_000);
    expect(loop.decisions.at(-1)!.commandedMlPerH).toBeGreaterThan(1);
    const active = applyActuatorFault(b.mechanism, actuatorFaultSchema.parse(fault));
    const atMs = b.clock.now();
    await b.run(90_000);
    const raisedAt = firstAlarm(alarm);
    expect(raisedAt, `no '${alarm}' alarm`).not.toBeNull();
    expect(raisedAt! - atMs).toBeLessThan(withinS * 1000);
    expect(loop.decisions.at(-1)).toMatchObject({ command: 'none', mode: 'held' });
    active.remove();
    loop.operatorAction({ kind: 'auto' });
    await b.run(60_000);
    expect(loop.decisions.at(-1)!.mode).toBe('auto');
    expect(loop.decisions.at(-1)!.command).toBe('set-rate');
    expect(loop.activeAlarms.map((a) => a.id)).not.toContain(alarm);
  }, 90_000);
});
