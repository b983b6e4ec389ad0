// One decision of the blood-pressure loop, as a pure function of what the loop knew then: the period's
// observation, an operator's action, an answer to an advisory request, and the time. Controller, then
// supervisor, then the advisory gate, then the drift monitor. Being pure, a recording of the inputs is
// enough to replay every decision exactly (host/record/replay.ts).
import type { BpController, BpObservation } from '../control/bp/bp-controller.ts';
import type { AdvisoryAnswer, AdvisoryConfig, AdvisoryRequest, AdvisoryState } from '../safety/advisory-gate.ts';
import { advise, advisoryStart } from '../safety/advisory-gate.ts';
import type { DriftConfig, DriftState } from '../safety/drift-monitor.ts';
import { driftStart, watchDrift } from '../safety/drift-monitor.ts';
import type { Alarm, Mode, SupervisorConfig, SupervisorState } from '../safety/infusion-supervisor.ts';
import { supervise, supervisorStart } from '../safety/infusion-supervisor.ts';

export interface DecisionSetup {
  controller: BpController<unknown>;
  supervisor: SupervisorConfig;
  advisory: AdvisoryConfig | null;
  drift: DriftConfig | null;
}

export type OperatorAction = { kind: 'manual'; rateMlPerH: number } | { kind: 'auto' };

/** The observation as the loop summarised it; the rate commanded over the period is added by decide(). */
export type PeriodObservation = Omit<BpObservation, 'infusedMlPerH'>;

export interface DecisionInputs {
  nowMs: number;
  obs: PeriodObservation | null;
  operator: OperatorAction | null;
  answer: AdvisoryAnswer | null;
}

export interface LoopState {
  controller: unknown;
  supervisor: SupervisorState;
  advisory: AdvisoryState;
  drift: DriftState;
  manualRateMlPerH: number | null;
}

export interface Decision {
  tMs: number;
  observedMmHg: number | null;
  proposedMlPerH: number;
  commandedMlPerH: number;
  renewLease: boolean;
  mode: Mode;
  controllerReason: string;
  confidence: number;
  identified: { gainMmHgPerMlPerH: number; delayS: number } | null;
  /** Every limit that acted, in words: the supervisor's and the advisory gate's. */
  limits: string[];
  /** Conditions active after this decision, highest priority first. */
  alarms: Alarm[];
  asked: AdvisoryRequest | null;
  resolved: { requestId: number; outcome: 'accepted' | 'declined' | 'timed out' } | null;
}

export function loopStart(setup: DecisionSetup, runningRateMlPerH: number): LoopState {
  const supervisor = { ...supervisorStart(), lastRateMlPerH: runningRateMlPerH };
  return { controller: setup.controller.start(runningRateMlPerH), supervisor, advisory: advisoryStart(), drift: driftStart(), manualRateMlPerH: null };
}

export function decide(setup: DecisionSetup, state: LoopState, x: DecisionInputs): { state: LoopState; decision: Decision } {
  const now = x.nowMs;
  const lastRate = state.supervisor.lastRateMlPerH;
  let controllerState = state.controller;
  let manual = state.manualRateMlPerH;
  if (x.operator?.kind === 'manual') manual = x.operator.rateMlPerH;
  if (x.operator?.kind === 'auto' && manual !== null) {
    // Bumpless transfer: the controller starts from the rate the person left running.
    controllerState = setup.controller.start(manual);
    manual = null;
  }
  const obs: BpObservation | null = x.obs ? { ...x.obs, infusedMlPerH: lastRate } : null;

  let proposed = lastRate;
  let reason = 'no beat yet: holding';
  let confidence = 0;
  let identified: Decision['identified'] = null;
  if (manual !== null) {
    proposed = manual;
    reason = `manual mode: ${manual.toFixed(1)} mL/h set by the operator; controller idle`;
  } else if (obs) {
    const c = setup.controller.step(controllerState, obs, now);
    controllerState = c.state;
    proposed = c.rateMlPerH;
    reason = c.reason;
    confidence = c.confidence;
    identified = c.identified ?? null;
  }

  const sv = supervise(setup.supervisor, state.supervisor, { proposedRateMlPerH: proposed, obs, manualRateMlPerH: manual }, now);
  let rate = sv.rateMlPerH;
  const limits = [...sv.limits];
  const alarms = [...sv.alarms];
  let advisory = state.advisory;
  let asked: AdvisoryRequest | null = null;
  let resolved: Decision['resolved'] = null;
  if (setup.advisory && sv.mode === 'auto') {
    const a = advise(setup.advisory, advisory, { supervisedRateMlPerH: rate, lastRateMlPerH: lastRate, confidence, answer: x.answer }, now);
    rate = a.rateMlPerH;
    advisory = a.state;
    asked = a.asked;
    resolved = a.resolved ? { requestId: a.resolved.request.id, outcome: a.resolved.outcome } : null;
    if (a.note) limits.push(a.note);
  }
  let drift = state.drift;
  if (setup.drift) {
    const d = watchDrift(setup.drift, drift, identified ?? undefined, confidence, now);
    drift = d.state;
    if (d.alarm) alarms.push(d.alarm);
  }
  return {
    state: {
      controller: controllerState,
      supervisor: { ...sv.state, lastRateMlPerH: rate },
      advisory, drift, manualRateMlPerH: manual,
    },
    decision: {
      tMs: now, observedMmHg: obs && obs.cleanBeats > 0 ? obs.meanMmHg : null, proposedMlPerH: proposed, commandedMlPerH: rate,
      renewLease: sv.renewLease, mode: sv.mode, controllerReason: reason, confidence, identified, limits, alarms, asked, resolved,
    },
  };
}
