// Retrospective validation: a record's decision inputs fed again through a controller, the supervisor
// and the gates, decision by decision, and compared with what was decided then. With the recorded
// controller the decisions must come out identical; with another one, the differences show what it
// would have done.
import { z } from 'zod';
import { parseConfig } from '../config/config-file.ts';
import type { ControllerFile } from '../control/bp/controller-file.ts';
import { controllerFileSchema, controllerFrom } from '../control/bp/controller-file.ts';
import type { Decision, DecisionInputs, DecisionSetup } from '../loop/bp-decision.ts';
import { decide, loopStart } from '../loop/bp-decision.ts';
import { advisoryConfigSchema } from '../safety/advisory-gate.ts';
import { driftConfigSchema } from '../safety/drift-monitor.ts';
import { supervisorConfigSchema } from '../safety/infusion-supervisor.ts';
import type { RecordFile } from './record-file.ts';

/** The part of a record's header a replay needs. */
export const loopHeaderSchema = z.object({
  controller: controllerFileSchema,
  supervisor: supervisorConfigSchema,
  advisory: advisoryConfigSchema.nullable(),
  drift: driftConfigSchema.nullable(),
  initialRateMlPerH: z.number(),
});

export type LoopHeader = z.infer<typeof loopHeaderSchema>;

export function setupFrom(h: LoopHeader, controller: ControllerFile = h.controller): DecisionSetup {
  return { controller: controllerFrom(controller), supervisor: h.supervisor, advisory: h.advisory, drift: h.drift };
}

export interface ReplayReport {
  decisions: number;
  identical: number;
  /** The first decisions that differ, with both sides. */
  differences: { tMs: number; field: string; recorded: unknown; replayed: unknown }[];
  complete: boolean;
}

const COMPARED = ['proposedMlPerH', 'commandedMlPerH', 'mode', 'renewLease', 'controllerReason', 'limits'] as const;

export function replayRecord(rec: RecordFile, controller?: ControllerFile, maxDifferences = 20): ReplayReport {
  const header = parseConfig("the record's header cannot set up a replay", loopHeaderSchema, rec.header);
  const setup = setupFrom(header, controller);
  let state = loopStart(setup, header.initialRateMlPerH);
  const report: ReplayReport = { decisions: 0, identical: 0, differences: [], complete: rec.complete };
  for (const line of rec.lines) {
    if (line.kind !== 'decision') continue;
    const inputs = line.data.inputs as DecisionInputs;
    // JSON has no NaN: a period without clean beats was written with a null mean.
    if (inputs.obs && inputs.obs.meanMmHg === null) inputs.obs.meanMmHg = NaN;
    const recorded = line.data.decision as Decision;
    const r = decide(setup, state, inputs);
    state = r.state;
    report.decisions++;
    const replayed = JSON.parse(JSON.stringify(r.decision)) as Decision;
    let same = true;
    for (const f of COMPARED) {
      if (JSON.stringify(recorded[f]) === JSON.stringify(replayed[f])) continue;
      same = false;
      if (report.differences.length < maxDifferences) report.differences.push({ tMs: inputs.nowMs, field: f, recorded: recorded[f], replayed: replayed[f] });
    }
    if (same) report.identical++;
  }
  return report;
}
