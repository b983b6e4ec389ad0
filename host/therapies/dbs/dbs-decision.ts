// One decision of the aDBS loop, as a pure function of what the loop received since the last one (beta
// reports, the stimulator's status and alarms, command outcomes, link states, in arrival order), an
// operator's action, an answer to an advisory request, and the time. The period is summarised (beta inside
// the supervisor's blanking left out), then: the stimulator's condition (fallback on stale beta or a lost
// link), the policy (or a person's amplitude, or the continuous one), the supervisor's window and ramps,
// the advisory gate, the drift of the averaged beta, and the alarms raised and cleared. Being pure, the
// record's lines are enough to replay every decision exactly (host/record/replay.ts).
import type { DbsPolicy } from '../../control/dbs/dbs-policy.ts';
import type { DecisionInputs as GenericInputs } from '../../loop/therapy.ts';
import type { AmplitudeRequest, GateState, StimAdvisoryConfig } from '../../safety/advisory-gate.ts';
import { AMPLITUDE_VALUE, gateIncrease, gateStart } from '../../safety/advisory-gate.ts';
import type { Alarm } from '../../safety/alarm.ts';
import { byPriority } from '../../safety/alarm.ts';
import type { BetaDriftConfig, DriftState } from '../../safety/drift-monitor.ts';
import { driftStart, watchBetaDrift, watchPeakDrift } from '../../safety/drift-monitor.ts';
import type { StimDevice, StimMode, StimPrescription, StimSupervisorConfig, StimSupervisorState } from '../../safety/stim-supervisor.ts';
import { blankedAt, commitAmplitude, stimCondition, stimSupervisorStart, superviseStim } from '../../safety/stim-supervisor.ts';
import type { DbsEvent, DbsPeriodMemory, DbsPeriodSummary } from './dbs-period.ts';
import { dbsPeriodStart, summariseDbsPeriod } from './dbs-period.ts';

export interface DbsSetup {
  policy: DbsPolicy<unknown>;
  /** The policy file's window, ramps and continuous amplitude, which the supervisor enforces. */
  prescription: StimPrescription;
  supervisor: StimSupervisorConfig;
  device: StimDevice;
  /** The patient's beta off stimulation as the device reports it: the policies' thresholds are shares of it. */
  baselineBetaUv2: number;
  advisory: StimAdvisoryConfig | null;
  drift: BetaDriftConfig | null;
  /** The amplitude taken as running when the loop starts: the stimulator's fallback, which it ramps to from boot and on a lapsed lease. */
  initialAmplitudeMa: number;
}

export type DbsOperatorAction = { kind: 'manual'; amplitudeMa: number } | { kind: 'auto' };

export type DbsDecisionInputs = GenericInputs<DbsEvent, DbsOperatorAction>;

export interface DbsLoopState {
  policy: unknown;
  /** The policy was set aside (fallback, manual): it restarts from the running amplitude. */
  policyHeld: boolean;
  /** The last proposal, which a decision on an advisory answer reuses (it sees no new beta). */
  proposal: { ma: number; reason: string; confidence: number };
  supervisor: StimSupervisorState;
  advisory: GateState<AmplitudeRequest>;
  drift: DriftState;
  peakDrift: DriftState;
  /** The beta and peak averages the drift rules watch (NaN before any report). */
  beta: { averageUv2: number; sinceMs: number | null; lastMs: number | null; peakHz: number };
  period: DbsPeriodMemory;
  last: DbsPeriodSummary | null;
  manualMa: number | null;
  active: Alarm[];
  startedMs: number;
}

export interface DbsDecision {
  tMs: number;
  /** Mean of the period's usable beta reports, µV² (null: none). */
  betaUv2: number | null;
  reports: number;
  blanked: number;
  /** What the stimulator delivers by its latest status (null before any). */
  deliveredMa: number | null;
  proposedMa: number;
  commandedMa: number;
  command: 'set' | 'none';
  mode: StimMode;
  controllerReason: string;
  confidence: number;
  /** Every limit that acted, in words: the supervisor's and the advisory gate's. */
  limits: string[];
  alarms: Alarm[];
  raised: Alarm[];
  cleared: Alarm[];
  asked: AmplitudeRequest | null;
  resolved: { requestId: number; outcome: 'accepted' | 'declined' | 'timed out' } | null;
  /** The averaged beta the drift rule watches (null before any report). */
  betaAverageUv2: number | null;
  /** The averaged beta peak the drift rule watches (null before any report with one). */
  peakAverageHz: number | null;
}

const f2 = (x: number) => x.toFixed(2);

/** The loop's state at its start. */
export function dbsLoopStart(setup: DbsSetup, startedMs = 0): DbsLoopState {
  const runningMa = setup.initialAmplitudeMa;
  return {
    policy: setup.policy.start(runningMa, setup.baselineBetaUv2), policyHeld: false,
    proposal: { ma: runningMa, reason: 'no decision yet', confidence: 0 },
    supervisor: stimSupervisorStart(runningMa, startedMs), advisory: gateStart<AmplitudeRequest>(), drift: driftStart(), peakDrift: driftStart(),
    beta: { averageUv2: NaN, sinceMs: null, lastMs: null, peakHz: NaN },
    period: dbsPeriodStart(), last: null, manualMa: null, active: [], startedMs,
  };
}

export function decideDbs(setup: DbsSetup, state: DbsLoopState, x: DbsDecisionInputs): { state: DbsLoopState; decision: DbsDecision } {
  const now = x.nowMs;
  const sv = setup.supervisor;
  const rx = setup.prescription;
  let period = state.period;
  let summary = state.last;
  const fresh = x.events !== null || !summary;
  if (fresh) {
    const s = summariseDbsPeriod(period, x.events ?? [], (t) => blankedAt(state.supervisor, t));
    period = s.memory;
    summary = s.summary;
  }
  const sum = summary!;
  let manual = state.manualMa;
  let policyHeld = state.policyHeld;
  if (x.operator?.kind === 'manual') manual = x.operator.amplitudeMa;
  if (x.operator?.kind === 'auto') manual = null;

  const cond = stimCondition(sv, setup.device, rx, state.supervisor, sum.stim, now);
  const mode: StimMode = manual !== null ? 'manual' : cond.fallback ? 'fallback' : 'auto';
  let policyState = state.policy;
  let proposal = state.proposal;
  if (mode === 'manual') {
    proposal = { ma: manual!, reason: `manual: ${f2(manual!)} mA set by the operator; policy idle`, confidence: 0 };
    policyHeld = true;
  } else if (mode === 'fallback') {
    proposal = { ma: rx.continuousMa, reason: `fallback (${cond.fallback}): continuous ${f2(rx.continuousMa)} mA; the policy restarts from the running amplitude when beta returns`, confidence: 0 };
    policyHeld = true;
  } else if (fresh) {
    // Bumpless: a policy set aside starts again from the amplitude that runs.
    if (policyHeld) {
      policyState = setup.policy.start(state.supervisor.lastMa, setup.baselineBetaUv2);
      policyHeld = false;
    }
    const d = setup.policy.step(policyState, sum.obs, now);
    policyState = d.state;
    proposal = { ma: d.amplitudeMa, reason: d.reason, confidence: d.confidence };
  }

  const s = superviseStim(sv, rx, state.supervisor, { proposedMa: proposal.ma, mode, linkUp: sum.stim.linkUp }, now);
  let amplitude = s.amplitudeMa;
  let supervisor = s.state;
  // The supervisor's lists are this decision's own: added to, not copied.
  const limits = s.limits;
  const alarms = cond.alarms;
  alarms.push(...s.alarms);
  let advisory = state.advisory;
  let asked: AmplitudeRequest | null = null;
  let resolved: DbsDecision['resolved'] = null;
  if (setup.advisory && mode === 'auto') {
    const a = setup.advisory;
    const g = gateIncrease(AMPLITUDE_VALUE, {
      maxUnconfirmedIncrease: a.maxUnconfirmedIncreaseMa, minConfidence: a.minConfidence, timeoutMs: a.timeoutMs,
      minIncreaseToAsk: a.minIncreaseToAskMa ?? 0,
    }, advisory,
      { supervised: amplitude, last: state.supervisor.lastMa, confidence: proposal.confidence, answer: x.answer }, now);
    advisory = g.state;
    asked = g.asked;
    resolved = g.resolved ? { requestId: g.resolved.request.id, outcome: g.resolved.outcome } : null;
    if (g.note) limits.push(g.note);
    if (g.value !== amplitude) {
      amplitude = g.value;
      supervisor = commitAmplitude(sv, state.supervisor, amplitude, now);
    }
  }
  let beta = state.beta;
  let drift = state.drift;
  let peakDrift = state.peakDrift;
  if (fresh && sum.obs.reports > 0) {
    const dt = beta.lastMs === null ? 0 : now - beta.lastMs;
    const toward = (avg: number, x: number) => (Number.isNaN(avg) ? x : avg + (x - avg) * (1 - Math.exp(-dt / (setup.drift?.averageMs ?? 30_000))));
    const peakHz = Number.isNaN(sum.peakHz) ? beta.peakHz : toward(beta.peakHz, sum.peakHz);
    beta = { averageUv2: toward(beta.averageUv2, sum.obs.betaPowerUv2), sinceMs: beta.sinceMs ?? now, lastMs: now, peakHz };
  }
  if (setup.drift && fresh) {
    const confidence = beta.sinceMs === null ? 0 : Math.min(1, (now - beta.sinceMs) / setup.drift.averageMs);
    const d = watchBetaDrift(setup.drift, drift, Number.isNaN(beta.averageUv2) ? undefined : beta.averageUv2, confidence, now);
    drift = d.state;
    if (d.alarm) alarms.push(d.alarm);
    const pd = watchPeakDrift(setup.drift, peakDrift, Number.isNaN(beta.peakHz) ? undefined : beta.peakHz, confidence, now);
    peakDrift = pd.state;
    if (pd.alarm) alarms.push(pd.alarm);
  } else {
    // A decision on an answer sees no new beta: a standing drift alarm stands.
    for (const id of ['beta-drift', 'beta-peak-drift']) {
      const standing = state.active.find((a) => a.id === id);
      if (standing) alarms.push(standing);
    }
  }
  const active = byPriority(alarms);
  const raised = state.active.length === 0 ? active : active.filter((a) => !state.active.some((b) => b.id === a.id));
  const cleared = active.length === 0 ? state.active : state.active.filter((a) => !active.some((b) => b.id === a.id));
  return {
    state: {
      policy: policyState, policyHeld, proposal, supervisor, advisory, drift, peakDrift, beta, period, last: sum, manualMa: manual, active, startedMs: state.startedMs,
    },
    decision: {
      tMs: now, betaUv2: fresh && sum.obs.reports > 0 ? sum.obs.betaPowerUv2 : null, reports: fresh ? sum.obs.reports : 0, blanked: fresh ? sum.blanked : 0,
      deliveredMa: sum.stim.status ? sum.stim.status.amplitudeMa : null,
      proposedMa: proposal.ma, commandedMa: amplitude, command: s.command, mode, controllerReason: proposal.reason, confidence: proposal.confidence,
      limits, alarms: active, raised, cleared, asked, resolved,
      betaAverageUv2: Number.isNaN(beta.averageUv2) ? null : beta.averageUv2,
      peakAverageHz: Number.isNaN(beta.peakHz) ? null : beta.peakHz,
    },
  };
}
