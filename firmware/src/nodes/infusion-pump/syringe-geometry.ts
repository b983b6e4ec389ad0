// Volume per motor step of a leadscrew syringe drive, stated once: the pump counts what it delivered with it,
// and the simulated mechanism moves the plunger with it.
import type { PumpBoardConfig, PumpBuildNode } from '../../board-config.ts';

/** Plunger travel per (micro)step times the barrel's cross-section, mm^3 -> mL. */
export function mlPerStep(m: PumpBoardConfig['mechanism']): number {
  const r = m.syringeInnerDiameterMm / 2;
  return (Math.PI * r * r * m.leadscrewPitchMm) / (m.stepsPerRev * m.microsteps) / 1000;
}

/** The pump's section as the build hands it to the bundle: the geometry folded into mL per step (see PumpBuildNode). */
export function pumpBuildNode(node: PumpBoardConfig): PumpBuildNode {
  const folded = { mechanism: { syringeVolumeMl: node.mechanism.syringeVolumeMl }, mlPerStep: mlPerStep(node.mechanism) };
  return Object.assign(Object.assign({}, node), folded) as PumpBuildNode;
}
