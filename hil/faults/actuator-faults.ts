// Faults of the syringe pump's mechanism, injected on the mechanism model (what the firmware's pins drive
// and its sensors read), never in the firmware:
//   occlusion      the line is blocked: what is pushed stays in the line's compliance and raises its pressure;
//   syringe-empty  the syringe holds only remainingMl more (a syringe loaded short of full when atMin is 0):
//                  the end stop closes after it, though the firmware's count expects a full syringe;
//   motor-stall    the motor is driven but the plunger does not move: steps that deliver nothing, and the
//                  plunger position sensor stands still;
//   air-in-line    the next airMl pushed is air: volume moves, no drug reaches the patient meanwhile; the
//                  air detector at the syringe's outlet reads high until it has passed (or is purged);
//   free-flow      drug siphons out at rateMlPerH with no step at all: the plunger position sensor runs
//                  ahead of the steps.
import { z } from 'zod';
import type { SyringeMechanism } from '../sim/syringe-mechanism.ts';
import { activeFault, atMin, nodeName, optionalDurationS } from './fault-timing.ts';
import type { ActiveFault } from './fault-timing.ts';

const pump = nodeName.default('infusion-pump');

export const actuatorFaultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('occlusion'), atMin, durationS: optionalDurationS, node: pump }),
  z.strictObject({ kind: z.literal('syringe-empty'), atMin, node: pump, remainingMl: z.number().min(0).max(100).default(0) }),
  z.strictObject({ kind: z.literal('motor-stall'), atMin, durationS: optionalDurationS, node: pump }),
  z.strictObject({ kind: z.literal('air-in-line'), atMin, node: pump, airMl: z.number().positive().max(10) }),
  z.strictObject({ kind: z.literal('free-flow'), atMin, durationS: optionalDurationS, node: pump, rateMlPerH: z.number().positive().max(2000) }),
]);

export type ActuatorFault = z.infer<typeof actuatorFaultSchema>;

/** Puts an actuator fault on the mechanism now; remove() ends it. */
export function applyActuatorFault(m: SyringeMechanism, f: ActuatorFault): ActiveFault {
  switch (f.kind) {
    case 'occlusion':
      m.occluded = true;
      return activeFault(() => (m.occluded = false));
    case 'syringe-empty': {
      m.loadedMl = m.pushedMl + f.remainingMl;
      // Ended: a fresh full syringe is loaded, its plunger at the start of the position sensor's stroke.
      return activeFault(() => {
        m.loadedMl = m.pushedMl + m.syringeVolumeMl;
        m.loadedAtMl = m.pushedMl;
      });
    }
    case 'motor-stall':
      m.stalled = true;
      return activeFault(() => (m.stalled = false));
    case 'air-in-line':
      m.airAheadMl += f.airMl;
      return activeFault(() => (m.airAheadMl = 0));
    case 'free-flow':
      m.freeFlowMlPerH = f.rateMlPerH;
      return activeFault(() => (m.freeFlowMlPerH = 0));
  }
}
