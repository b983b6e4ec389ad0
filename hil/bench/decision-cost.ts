// The controller's cost per decision, measured on what it really saw: each record's period observations
// (with the rate that ran over each period, as the loop gives it) replayed through the recorded controller
// alone, its proposals checked against the recorded ones. The fastest of several replays of each record
// counts (a replay the scheduler interrupted is slower, never faster), per decision.
import type { BpObservation } from '../../host/control/bp/bp-controller.ts';
import { controllerFileSchema, controllerFrom } from '../../host/control/bp/controller-file.ts';
import { parseConfig } from '../../host/config/config-file.ts';
import { readRecord } from '../../host/record/record-file.ts';
import type { Decision, DecisionInputs } from '../../host/loop/bp-decision.ts';

interface Replayed {
  controller: ReturnType<typeof controllerFrom>;
  steps: { obs: BpObservation; nowMs: number; proposed: number }[];
}

/** The steps the controller took in a record: every decision with an observation outside manual mode. */
function controllerSteps(path: string): Replayed {
  const rec = readRecord(path);
  const controller = controllerFrom(parseConfig(`${path}: header.controller`, controllerFileSchema, rec.header.controller));
  const steps: Replayed['steps'] = [];
  let lastRate = Number(rec.header.initialRateMlPerH ?? 0);
  for (const line of rec.lines) {
    if (line.kind !== 'decision') continue;
    const inputs = line.data.inputs as DecisionInputs;
    const decision = line.data.decision as Decision;
    if (inputs.obs && decision.mode !== 'manual' && !decision.controllerReason.startsWith('manual mode')) {
      // JSON has no NaN: a period without clean beats was written with a null mean.
      const obs = { ...inputs.obs, meanMmHg: inputs.obs.meanMmHg ?? NaN, infusedMlPerH: lastRate };
      steps.push({ obs, nowMs: inputs.nowMs, proposed: decision.proposedMlPerH });
    }
    lastRate = decision.commandedMlPerH;
  }
  return { controller, steps };
}

export interface DecisionCost {
  records: number;
  decisions: number;
  /** Mean wall time per decision, microseconds: per record the fastest of `replays` replays. */
  usPerDecision: number;
  /** Whether every replayed proposal equals the recorded one. */
  identicalToRecords: boolean;
}

export function decisionCost(recordPaths: string[], replays = 7): DecisionCost {
  const records = recordPaths.map(controllerSteps);
  let totalMs = 0;
  let decisions = 0;
  let identical = true;
  for (const r of records) {
    let fastest = Infinity;
    for (let k = 0; k < replays; k++) {
      let state = r.controller.start(0);
      const t = performance.now();
      for (let i = 0; i < r.steps.length; i++) {
        const s = r.steps[i];
        const d = r.controller.step(state, s.obs, s.nowMs);
        state = d.state;
        if (k === 0 && d.rateMlPerH !== s.proposed) identical = false;
      }
      fastest = Math.min(fastest, performance.now() - t);
    }
    totalMs += fastest;
    decisions += r.steps.length;
  }
  return { records: records.length, decisions, usPerDecision: Number(((totalMs * 1000) / decisions).toFixed(1)), identicalToRecords: identical };
}
