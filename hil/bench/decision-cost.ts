// The controller's cost per decision, measured on what it really saw: each record's period observations
// (with the rate that ran over each period, as the loop gives it) replayed through the recorded controller
// alone, its proposals checked against the recorded ones. Each short chunk of decisions counts at the fastest
// of several runs (a run the scheduler interrupted is slower, never faster), per decision.
import type { BpObservation } from '../../host/control/bp/bp-controller.ts';
import { controllerFileSchema, controllerFrom } from '../../host/control/bp/controller-file.ts';
import { parseConfig } from '../../host/config/config-file.ts';
import { readRecord } from '../../host/record/record-file.ts';
import { replayRecord } from '../../host/record/replay.ts';

interface Replayed {
  controller: ReturnType<typeof controllerFrom>;
  steps: { obs: BpObservation; nowMs: number; proposed: number }[];
}

/** The steps the controller took in a record, as the record's replay hands them to it (outside manual mode). */
function controllerSteps(path: string): Replayed {
  const rec = readRecord(path);
  const controller = controllerFrom(parseConfig(`${path}: header.controller`, controllerFileSchema, rec.header.controller));
  const steps: Replayed['steps'] = [];
  replayRecord(rec, undefined, 0, (setup) => ({
    ...setup,
    controller: {
      ...setup.controller,
      step: (state, obs, nowMs) => {
        const d = setup.controller.step(state, obs, nowMs);
        steps.push({ obs: { ...obs }, nowMs, proposed: d.rateMlPerH });
        return d;
      },
    },
  }));
  return { controller, steps };
}

export interface DecisionCost {
  records: number;
  decisions: number;
  /** Mean wall time per decision, microseconds: each chunk of CHUNK decisions counted at the fastest of `replays` runs. */
  usPerDecision: number;
  /** Whether every replayed proposal equals the recorded one. */
  identicalToRecords: boolean;
}

/** Decisions timed together: short enough that most repetitions of a chunk run uninterrupted on a loaded machine. */
const CHUNK = 40;

export function decisionCost(recordPaths: string[], replays = 7): DecisionCost {
  const records = recordPaths.map(controllerSteps);
  let totalMs = 0;
  let decisions = 0;
  let identical = true;
  for (const r of records) {
    // One pass checks the proposals and keeps the state at the start of each chunk (steps are pure, so a
    // chunk can be run again from its state); then each chunk counts with the fastest of its repetitions.
    const starts: unknown[] = [];
    let state = r.controller.start(0);
    for (let i = 0; i < r.steps.length; i++) {
      if (i % CHUNK === 0) starts.push(state);
      const s = r.steps[i];
      const d = r.controller.step(state, s.obs, s.nowMs);
      state = d.state;
      if (d.rateMlPerH !== s.proposed) identical = false;
    }
    for (let c = 0; c < starts.length; c++) {
      const from = c * CHUNK;
      const to = Math.min(r.steps.length, from + CHUNK);
      let fastest = Infinity;
      for (let k = 0; k < replays; k++) {
        let st = starts[c] as typeof state;
        const t = performance.now();
        for (let i = from; i < to; i++) st = r.controller.step(st, r.steps[i].obs, r.steps[i].nowMs).state;
        fastest = Math.min(fastest, performance.now() - t);
      }
      totalMs += fastest;
    }
    decisions += r.steps.length;
  }
  return { records: records.length, decisions, usPerDecision: Number(((totalMs * 1000) / decisions).toFixed(1)), identicalToRecords: identical };
}
