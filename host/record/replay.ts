// Retrospective validation: a record's decision inputs fed again through a controller, the supervisor
// and the gates, decision by decision, and compared with what was decided then. With the recorded
// controller the decisions must come out identical; with another one, the differences show what it
// would have done.
import { z } from 'zod';
import { parseConfig } from '../config/config-file.ts';
import type { ControllerFile } from '../control/bp/controller-file.ts';
import { aimer, controllerFileSchema, controllerFrom } from '../control/bp/controller-file.ts';
import type { Decision, DecisionInputs, DecisionSetup, LoopState } from '../therapies/bp/bp-decision.ts';
import { decide, loopStart } from '../therapies/bp/bp-decision.ts';
import type { PeriodEvent } from '../therapies/bp/bp-period.ts';
import { PERIOD_EVENT_KINDS } from '../therapies/bp/bp-period.ts';
import { advisoryConfigSchema } from '../safety/advisory-gate.ts';
import { driftConfigSchema } from '../safety/drift-monitor.ts';
import { supervisorConfigSchema } from '../safety/infusion-supervisor.ts';
import type { RecordFile } from './record-file.ts';
import { resumedLoopState, resumePointSchema } from './resume-point.ts';

/** The part of a record's header a replay needs. */
export const loopHeaderSchema = z.object({
  controller: controllerFileSchema,
  supervisor: supervisorConfigSchema,
  advisory: advisoryConfigSchema.nullable(),
  drift: driftConfigSchema.nullable(),
  initialRateMlPerH: z.number(),
  leaseMs: z.number().int().positive(),
});

export type LoopHeader = z.infer<typeof loopHeaderSchema>;

export function setupFrom(h: LoopHeader, controller: ControllerFile = h.controller): DecisionSetup {
  return { controller: controllerFrom(controller), aim: aimer(controller), supervisor: h.supervisor, advisory: h.advisory, drift: h.drift, leaseMs: h.leaseMs };
}

export interface ReplayReport {
  decisions: number;
  identical: number;
  /** The first decisions that differ, with both sides. */
  differences: { tMs: number; field: string; recorded: unknown; replayed: unknown }[];
  complete: boolean;
}

const COMPARED = ['infusedMlPerH', 'proposedMlPerH', 'commandedMlPerH', 'mode', 'command', 'controllerReason', 'limits', 'alarms', 'raised', 'cleared'] as const;

/** What a replay needs of a therapy: its event kinds, its start and its pure decision, and the fields compared. */
export interface Replayable<State, E, D> {
  eventKinds: readonly string[];
  start(startMs: number): State;
  /** A loop that resumed from an earlier record (a restarted host) starts from the state its 'resume' line restores. */
  resume?(state: State, data: Record<string, unknown>): State;
  decide(state: State, inputs: { nowMs: number; events: E[] | null; operator: unknown; answer: { requestId: number; accept: boolean } | null }): { state: State; decision: D };
  compared: readonly (keyof D & string)[];
}

/**
 * Any therapy's record, decision by decision, through its decide() again: the same loop for every therapy.
 * Each loop-start (a host started again writes one) starts from a fresh state, or the one a 'resume' line
 * restores. Also returns the state after the last decision (what a restarted host resumes from).
 */
export function replayDecisions<State, E, D>(rec: RecordFile, t: Replayable<State, E, D>, maxDifferences = 20): ReplayReport & { state: State } {
  const start = rec.lines.find((l) => l.kind === 'loop-start');
  if (!start) throw new Error('the record has no loop-start line: it was not written by a loop, or by an older homeostat; nothing to replay');
  const kinds = new Set(t.eventKinds);
  let state = t.start(start.tMs);
  const report: ReplayReport = { decisions: 0, identical: 0, differences: [], complete: rec.complete };
  // The events each decision summarised are the lines recorded since the previous periodic decision.
  let events: E[] = [];
  for (const line of rec.lines) {
    if (line.kind === 'loop-start' && line !== start) {
      state = t.start(line.tMs);
      events = [];
      continue;
    }
    if (line.kind === 'resume' && t.resume) {
      state = t.resume(state, line.data);
      continue;
    }
    if (kinds.has(line.kind)) {
      events.push({ kind: line.kind, tMs: line.tMs, ...line.data } as E);
      continue;
    }
    if (line.kind !== 'decision') continue;
    const recordedInputs = line.data.inputs as { nowMs: number; operator: unknown; answer: { requestId: number; accept: boolean } | null };
    const inputs = { ...recordedInputs, events: recordedInputs.answer ? null : events };
    if (!recordedInputs.answer) events = [];
    const recorded = line.data.decision as D;
    const r = t.decide(state, inputs);
    state = r.state;
    report.decisions++;
    const replayed = JSON.parse(JSON.stringify(r.decision)) as D;
    let same = true;
    for (const f of t.compared) {
      if (JSON.stringify(recorded[f]) === JSON.stringify(replayed[f])) continue;
      same = false;
      if (report.differences.length < maxDifferences) report.differences.push({ tMs: inputs.nowMs, field: f, recorded: recorded[f], replayed: replayed[f] });
    }
    if (same) report.identical++;
  }
  return { ...report, state };
}

export function replayRecord(rec: RecordFile, controller?: ControllerFile, maxDifferences = 20, wrap: (s: DecisionSetup) => DecisionSetup = (s) => s): ReplayReport & { state: LoopState } {
  const header = parseConfig("the record's header cannot set up a replay", loopHeaderSchema, rec.header);
  const setup = wrap(setupFrom(header, controller));
  return replayDecisions<ReturnType<typeof loopStart>, PeriodEvent, Decision>(rec, {
    eventKinds: PERIOD_EVENT_KINDS,
    start: (tMs) => loopStart(setup, header.initialRateMlPerH, tMs),
    resume: (state, data) => resumedLoopState(setup, resumePointSchema.parse(data), state.startedMs),
    decide: (state, inputs) => decide(setup, state, inputs as DecisionInputs),
    compared: COMPARED,
  }, maxDifferences);
}
