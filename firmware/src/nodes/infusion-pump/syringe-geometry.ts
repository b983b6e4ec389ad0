// Volume per motor step of a leadscrew syringe drive, stated once: the pump counts what it delivered with it,
// and the simulated mechanism moves the plunger with it.
import type { PumpBoardConfig } from '../../board-config.ts';

/** Plunger travel per (micro)step times the barrel's cross-section, mm^3 -> mL. */
export function mlPerStep(m: PumpBoardConfig['mechanism']): number {
  const r = m.syringeInnerDiameterMm / 2;
  return (Math.PI * r * r * m.leadscrewPitchMm) / (m.stepsPerRev * m.microsteps) / 1000;
}
