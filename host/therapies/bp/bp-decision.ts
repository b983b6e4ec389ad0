// One decision of the blood-pressure loop, as a pure function of what the loop received since the last
// one (beats, the pump's reports, device alarms, command outcomes, link states, in arrival order), an
// operator's action, an answer to an advisory request, and the time. The period is summarised here, then:
// the pump's account (what flowed, what it can do), the controller, the monitors (oscillation, target out
// of reach), the supervisor, the advisory gate, the drift monitor, and the alarms raised and cleared.
// Being pure, the record's lines are enough to replay every decision exactly (host/record/replay.ts).
import type { BpController, BpObservation } from '../../control/bp/bp-controller.ts';
import type { DecisionInputs as GenericInputs } from '../../loop/therapy.ts';
import type { AdvisoryConfig, AdvisoryState, RateRequest } from '../../safety/advisory-gate.ts';
import { advise, advisoryStart } from '../../safety/advisory-gate.ts';
import type { Alarm } from '../../safety/alarm.ts';
import { byPriority } from '../../safety/alarm.ts';
import type { DriftConfig, DriftState } from '../../safety/drift-monitor.ts';
import { driftStart, watchDrift } from '../../safety/drift-monitor.ts';
import type { Command, Mode, SupervisorConfig, SupervisorState } from '../../safety/infusion-supervisor.ts';
import { ceilingMlPerH, invalidity, supervise, supervisorStart } from '../../safety/infusion-supervisor.ts';
import type { OscillationState } from '../../safety/oscillation-monitor.ts';
import { oscillationStart, watchOscillation } from '../../safety/oscillation-monitor.ts';
import { lapseRateMlPerH } from './drugs/drug-file.ts';
import { pumpCondition } from '../../safety/pump-monitor.ts';
import type { ReachState } from '../../safety/reach-monitor.ts';
import { reachStart, watchReach } from '../../safety/reach-monitor.ts';
import type { PumpReport } from '../../safety/pump-monitor.ts';
import type { PeriodEvent, PeriodMemory, PeriodObservation } from './bp-period.ts';
import { periodStart, summarisePeriod } from './bp-period.ts';

export type { PeriodObservation } from './bp-period.ts';

export interface DecisionSetup {
  controller: BpController<unknown>;
  supervisor: SupervisorConfig;
  advisory: AdvisoryConfig | null;
  drift: DriftConfig | null;
  /** Lease of each rate command: the pump falls to its safe rate this long after the last one it got. */
  leaseMs: number;
  /** The controller aimed at another target (a target change); absent: the target cannot change. */
  aim?: (targetMmHg: number) => BpController<unknown>;
}

/** A person's action: a manual rate, back to automatic, or a new target for the controller (its state carries on). */
export type OperatorAction = { kind: 'manual'; rateMlPerH: number } | { kind: 'auto' } | { kind: 'target'; mapMmHg: number };

export type DecisionInputs = GenericInputs<PeriodEvent, OperatorAction>;

export interface LoopState {
  controller: unknown;
  /** The controller was held (the pump stopped, a latched hold): it restarts from the running rate. */
  controllerHeld: boolean;
  supervisor: SupervisorState;
  advisory: AdvisoryState;
  drift: DriftState;
  oscillation: OscillationState;
  reach: ReachState;
  period: PeriodMemory;
  last: { obs: PeriodObservation | null; pump: PumpReport } | null;
  manualRateMlPerH: number | null;
  /** Conditions active after the last decision. */
  active: Alarm[];
  startedMs: number;
  /** The target set since the loop started (null: the controller file's); absent in older states. */
  targetMmHg?: number | null;
}

export interface Decision {
  tMs: number;
  observedMmHg: number | null;
  /** What ran over the period just ended, by the pump's own account. */
  infusedMlPerH: number;
  proposedMlPerH: number;
  commandedMlPerH: number;
  command: Command;
  mode: Mode;
  controllerReason: string;
  confidence: number;
  identified: { gainMmHgPerMlPerH: number; delayS: number } | null;
  /** Every limit that acted, in words: the supervisor's and the advisory gate's. */
  limits: string[];
  /** Conditions active after this decision, highest priority first. */
  alarms: Alarm[];
  /** Conditions that became active, and that ended, at this decision. */
  raised: Alarm[];
  cleared: Alarm[];
  /** The cap the commanded rate sits at, if any (controller maximum, dose ceiling, or no infusion). */
  atCap: string | null;
  /** The supervisor's count of the dose given so far toward the budget, ug (a resumed loop's includes the dead host's). */
  doseUg: number;
  asked: RateRequest | null;
  resolved: { requestId: number; outcome: 'accepted' | 'declined' | 'timed out' } | null;
}

export function loopStart(setup: DecisionSetup, runningRateMlPerH: number, startedMs = 0): LoopState {
  const supervisor = { ...supervisorStart(), lastRateMlPerH: runningRateMlPerH };
  return {
    controller: setup.controller.start(runningRateMlPerH), controllerHeld: false, supervisor, advisory: advisoryStart(), drift: driftStart(),
    oscillation: oscillationStart(), reach: reachStart(), period: periodStart(), last: null, manualRateMlPerH: null, active: [], startedMs,
  };
}

export function decide(setup: DecisionSetup, state: LoopState, x: DecisionInputs): { state: LoopState; decision: Decision } {
  const now = x.nowMs;
  const sv = setup.supervisor;
  // A new target aims the controller there from this decision on; it is not an act on the pump (no hold ends).
  const targetMmHg = x.operator?.kind === 'target' ? x.operator.mapMmHg : (state.targetMmHg ?? null);
  const controller = targetMmHg !== null && setup.aim ? setup.aim(targetMmHg) : setup.controller;
  const settings = controller.settings;
  const acted = x.operator !== null && x.operator.kind !== 'target';
  const lastRate = state.supervisor.lastRateMlPerH;
  let period = state.period;
  let summary = state.last;
  if (x.events !== null || !summary) {
    const s = summarisePeriod(period, x.events ?? []);
    period = s.memory;
    summary = { obs: s.obs, pump: s.pump };
  }
  const pump = pumpCondition({ pumpSilentMs: sv.pumpSilentMs, leaseMs: setup.leaseMs, lapseMlPerH: lapseRateMlPerH(sv.onHostLoss, lastRate) }, summary.pump, lastRate, now, state.startedMs);
  let controllerState = state.controller;
  let controllerHeld = state.controllerHeld;
  let manual = state.manualRateMlPerH;
  if (x.operator?.kind === 'manual') manual = x.operator.rateMlPerH;
  if (x.operator?.kind === 'auto' && manual !== null) {
    // Bumpless transfer: the controller starts from the rate the person left running.
    controllerState = controller.start(manual);
    manual = null;
  }
  // The controller learns what flowed, not what was asked for.
  // Field by field rather than spread: this runs every period, and a spread copy costs several times more.
  const o = summary.obs;
  const obs: BpObservation | null = o ? { tMs: o.tMs, meanMmHg: o.meanMmHg, cleanBeats: o.cleanBeats, flaggedBeats: o.flaggedBeats, quality: o.quality, infusedMlPerH: pump.infusedMlPerH } : null;

  let proposed = lastRate;
  let reason = 'no beat yet: holding';
  let confidence = 0;
  let identified: Decision['identified'] = null;
  const held = !pump.delivering ? `the pump stopped (${pump.stoppedBecause})` : state.supervisor.hold && !acted ? state.supervisor.hold.limit : null;
  if (manual !== null) {
    proposed = manual;
    reason = `manual mode: ${manual.toFixed(1)} mL/h set by the operator; controller idle`;
  } else if (held) {
    proposed = 0;
    reason = `controller held: ${held}; it restarts from the running rate when an operator resumes`;
    controllerHeld = true;
  } else if (obs) {
    if (controllerHeld) {
      controllerState = controller.start(pump.actualMlPerH ?? 0);
      controllerHeld = false;
    }
    const c = controller.step(controllerState, obs, now);
    controllerState = c.state;
    proposed = c.rateMlPerH;
    reason = c.reason;
    confidence = c.confidence;
    identified = c.identified ?? null;
  }

  // The monitors look at the valid pressure only.
  const errorMmHg = obs && !invalidity(sv, obs, now) ? obs.meanMmHg - settings.targetMmHg : null;
  // An operator's action starts the oscillation count afresh (it ends any hold the count made).
  const oscFrom = acted ? oscillationStart() : state.oscillation;
  const osc = manual === null ? watchOscillation(sv.oscillation, oscFrom, errorMmHg, pump.infusedMlPerH, now) : { state: oscFrom, alarm: null, escalate: null };
  const reach = watchReach(sv.outOfReach, state.reach, {
    errorMmHg, drugEffect: sv.drugEffect, rateMlPerH: lastRate, targetMmHg: settings.targetMmHg,
    caps: { upper: [{ name: 'controller maximum', rateMlPerH: settings.maxRateMlPerH }, { name: 'dose ceiling', rateMlPerH: ceilingMlPerH(sv) }] },
  }, now);

  const s = supervise(sv, state.supervisor, {
    proposedRateMlPerH: proposed, obs, manualRateMlPerH: manual, pump, operatorActed: acted,
    holdRequest: osc.escalate,
  }, now);
  let rate = s.rateMlPerH;
  // The supervisor's lists are this decision's own: added to, not copied.
  const limits = s.limits;
  const alarms = s.alarms;
  if (osc.alarm) alarms.push(osc.alarm);
  if (reach.alarm) alarms.push(reach.alarm);
  let advisory = state.advisory;
  let asked: RateRequest | null = null;
  let resolved: Decision['resolved'] = null;
  if (setup.advisory && s.mode === 'auto') {
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
  const active = byPriority(alarms);
  // Raised and cleared by id; most decisions have no alarm before or after, so no sets are built.
  const raised = state.active.length === 0 ? active : active.filter((a) => !state.active.some((b) => b.id === a.id));
  const cleared = active.length === 0 ? state.active : state.active.filter((a) => !active.some((b) => b.id === a.id));
  return {
    state: {
      controller: controllerState, controllerHeld,
      supervisor: { ...s.state, lastRateMlPerH: rate },
      advisory, drift, oscillation: osc.state, reach: reach.state, period, last: summary, manualRateMlPerH: manual, active, startedMs: state.startedMs, targetMmHg,
    },
    decision: new DecisionRow(
      now, obs && obs.cleanBeats > 0 ? obs.meanMmHg : null, pump.infusedMlPerH, proposed, rate, s.command, s.mode, reason, confidence, identified, limits,
      active, raised, cleared, reach.atCap, asked, resolved, s.state.deliveredUg,
    ),
  };
}

/**
 * A decision made by a constructor rather than an object literal, with the same fields in the same order.
 * Every decision is kept for the whole run, and V8 moves the objects of a literal whose objects all live
 * on (allocation-site pretenuring) straight into the old generation, where holding young values costs far
 * more; objects made by a constructor are not moved so. A MIL run with the PID ran at about half the speed.
 */
class DecisionRow implements Decision {
  constructor(
    public tMs: number, public observedMmHg: number | null, public infusedMlPerH: number, public proposedMlPerH: number, public commandedMlPerH: number,
    public command: Command, public mode: Mode, public controllerReason: string, public confidence: number, public identified: Decision['identified'],
    public limits: string[], public alarms: Alarm[], public raised: Alarm[], public cleared: Alarm[], public atCap: string | null,
    public asked: RateRequest | null, public resolved: Decision['resolved'], public doseUg: number,
  ) {}
}
