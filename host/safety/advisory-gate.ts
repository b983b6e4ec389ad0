// Advisory mode: an increase of therapy above a configured size, or one the controller is not confident
// about, waits for a person to confirm it. Until then the safe choice runs (no increase); a request that is
// not answered in time expires to that safe choice, and after a decline or an expiry the gate stays quiet
// for one timeout before asking again, so a person is not nagged.
// Only changes that matter are asked about: an unconfident increase smaller than a set size passes, but
// such increases add up, and once the unconfident climb since the controller was last confident (or a
// person last agreed) reaches that size, the next one waits. Decreases never wait.
// The gate works on any therapy's value (an infusion rate, a stimulation amplitude): each therapy states
// its value's unit, how its requests are recorded and the question put to a person (GatedValue), and its
// config file gives the sizes in that unit. Pure: (config, state, inputs, now) -> outcome.
import { z } from 'zod';

/** The blood-pressure loop's advisory file: increases of the infusion rate. */
export const advisoryConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  maxUnconfirmedIncreaseMlPerH: z.number().min(0).max(1000),
  minConfidence: z.number().min(0).max(1),
  timeoutMs: z.number().int().min(1000).max(3_600_000),
  /**
   * An unconfident increase smaller than this, counted from where the unconfident climb began, passes
   * without asking (default 2 mL/h): a person is asked about changes that matter, not 3.1 -> 3.2 mL/h.
   */
  minIncreaseToAskMlPerH: z.number().min(0).max(1000).optional(),
});

/**
 * The size of a change worth a person's attention when a file does not say (mL/h): about 0.1 ug/kg/min of
 * nitroprusside at 200 ug/mL and 70 kg, the smallest usual titration step. Measured on the first 6 patients
 * of the default cohort and scenario (SIL, seed 1, the adaptive controller) with a person who accepts at
 * once: 200 questions without it, 44 with it (33 and 7 per patient), the same time in band.
 */
export const DEFAULT_MIN_INCREASE_TO_ASK_ML_PER_H = 2;

export type AdvisoryConfig = z.infer<typeof advisoryConfigSchema>;

/** The aDBS loop's advisory file: increases of the stimulation amplitude. */
export const stimAdvisoryConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  therapy: z.literal('dbs'),
  maxUnconfirmedIncreaseMa: z.number().min(0).max(20),
  minConfidence: z.number().min(0).max(1),
  timeoutMs: z.number().int().min(1000).max(3_600_000),
  /** Unconfident raises pass unasked until, added up, they reach this (default 0: every unconfident raise asks). */
  minIncreaseToAskMa: z.number().min(0).max(20).optional(),
});

export type StimAdvisoryConfig = z.infer<typeof stimAdvisoryConfigSchema>;

/** What every request says, whatever the therapy: the loop shell and a person's terminal read these. */
export interface AdvisoryRequest {
  id: number;
  why: string;
  askedMs: number;
  deadlineMs: number;
}

/** A request of the blood-pressure loop, as its records have always held it. */
export interface RateRequest extends AdvisoryRequest {
  fromRateMlPerH: number;
  proposedRateMlPerH: number;
}

/** A request of the aDBS loop. */
export interface AmplitudeRequest extends AdvisoryRequest {
  fromMa: number;
  proposedMa: number;
}

export interface AdvisoryAnswer {
  requestId: number;
  accept: boolean;
}

/** The value a gate holds back, as its therapy names it. */
export interface GatedValue<R extends AdvisoryRequest> {
  unit: string;
  /** Decimals in the gate's notes. */
  digits: number;
  /** The request as the therapy records it. */
  request(base: AdvisoryRequest, from: number, proposed: number): R;
  from(r: R): number;
  proposed(r: R): number;
  /** What a raise raises, as a question to a person names it. */
  what: string;
}

export const RATE_VALUE: GatedValue<RateRequest> = {
  unit: 'mL/h', digits: 1,
  // Field order as records written before the gate was shared hold it.
  request: (b, from, proposed) => ({ id: b.id, fromRateMlPerH: from, proposedRateMlPerH: proposed, why: b.why, askedMs: b.askedMs, deadlineMs: b.deadlineMs }),
  from: (r) => r.fromRateMlPerH,
  proposed: (r) => r.proposedRateMlPerH,
  what: 'the infusion',
};

export const AMPLITUDE_VALUE: GatedValue<AmplitudeRequest> = {
  unit: 'mA', digits: 2,
  request: (b, from, proposed) => ({ id: b.id, fromMa: from, proposedMa: proposed, why: b.why, askedMs: b.askedMs, deadlineMs: b.deadlineMs }),
  from: (r) => r.fromMa,
  proposed: (r) => r.proposedMa,
  what: 'the stimulation',
};

/** A gate's limits in its value's unit. */
export interface GateLimits {
  maxUnconfirmedIncrease: number;
  minConfidence: number;
  timeoutMs: number;
  /** Unconfident increases pass unasked until, added up, they reach this. */
  minIncreaseToAsk: number;
}

export interface GateState<R extends AdvisoryRequest = AdvisoryRequest> {
  nextId: number;
  pending: R | null;
  approved: { value: number; untilMs: number } | null;
  quietUntilMs: number;
  /** The value an unconfident climb started from, while small unconfident increases pass unasked. */
  climbFrom?: number | null;
}

export interface GateOutcome<R extends AdvisoryRequest> {
  value: number;
  /** What the gate did, in words, when it did anything. */
  note: string | null;
  /** A request made by this decision. */
  asked: R | null;
  /** A request that ended at this decision, and how. */
  resolved: { request: R; outcome: 'accepted' | 'declined' | 'timed out' } | null;
  state: GateState<R>;
}

export function gateStart<R extends AdvisoryRequest>(): GateState<R> {
  return { nextId: 1, pending: null, approved: null, quietUntilMs: 0, climbFrom: null };
}

/** One decision's pass through the gate: `supervised` is what the supervisor allows, `last` what runs now. */
export function gateIncrease<R extends AdvisoryRequest>(
  q: GatedValue<R>, c: GateLimits, s: GateState<R>,
  x: { supervised: number; last: number; confidence: number; answer: AdvisoryAnswer | null },
  nowMs: number,
): GateOutcome<R> {
  const f = (v: number) => v.toFixed(q.digits);
  let { pending, approved, quietUntilMs, nextId } = s;
  let climbFrom = s.climbFrom ?? null;
  let resolved: GateOutcome<R>['resolved'] = null;
  if (pending && x.answer && x.answer.requestId === pending.id && nowMs <= pending.deadlineMs) {
    resolved = { request: pending, outcome: x.answer.accept ? 'accepted' : 'declined' };
    if (x.answer.accept) approved = { value: q.proposed(pending), untilMs: nowMs + c.timeoutMs };
    else quietUntilMs = nowMs + c.timeoutMs;
    pending = null;
  } else if (pending && nowMs > pending.deadlineMs) {
    resolved = { request: pending, outcome: 'timed out' };
    quietUntilMs = nowMs + c.timeoutMs;
    pending = null;
  }
  if (approved && nowMs > approved.untilMs) approved = null;

  // A confirmed value stands while its approval lasts: a proposal that has crept above it gets the confirmed
  // part at once, and only the rest is weighed (a person's Accept is never undone by a later small rise).
  const base = approved && approved.value > x.last && x.supervised > approved.value ? approved.value : x.last;
  const increase = x.supervised - base;
  const large = increase > c.maxUnconfirmedIncrease;
  const doubtful = x.confidence < c.minConfidence;
  // An unconfident climb is measured from where it began, so small steps cannot add up unasked.
  if (!doubtful || increase < 0 || resolved?.outcome === 'accepted') climbFrom = null;
  const climb = x.supervised - (climbFrom ?? base);
  const trivial = doubtful && !large && climb < c.minIncreaseToAsk;
  const state = (asked: R | null): GateState<R> => ({ nextId, pending: asked ?? pending, approved, quietUntilMs, climbFrom });
  if (increase <= 0 || (!large && !doubtful) || trivial) {
    if (trivial && increase > 0) climbFrom ??= base;
    return { value: x.supervised, note: null, asked: null, resolved, state: state(null) };
  }
  if (approved && x.supervised <= approved.value + 1e-9) {
    return { value: x.supervised, note: `increase to ${f(x.supervised)} ${q.unit} confirmed by the operator`, asked: null, resolved, state: state(null) };
  }
  const why = large
    ? `increase of ${f(increase)} ${q.unit} is above ${f(c.maxUnconfirmedIncrease)}`
    : `controller confidence ${(x.confidence * 100).toFixed(0)}% is below ${(c.minConfidence * 100).toFixed(0)}%` +
      (climbFrom !== null ? ` (unconfident raises from ${f(climbFrom)} ${q.unit} add up to +${f(climb)})` : '');
  let asked: R | null = null;
  if (!pending && nowMs >= quietUntilMs) {
    asked = q.request({ id: nextId++, why, askedMs: nowMs, deadlineMs: nowMs + c.timeoutMs }, base, x.supervised);
  }
  const waiting = asked ?? pending;
  const held = base > x.last ? `${f(base)} ${q.unit} (confirmed)` : `${f(x.last)} ${q.unit}`;
  const note = waiting
    ? `advisory: ${why}; holding ${held} until a person confirms ${f(q.proposed(waiting))} (request ${waiting.id})`
    : `advisory: ${why}; holding ${held} (last request unanswered or declined)`;
  return { value: base, note, asked, resolved, state: state(asked) };
}

// The blood-pressure loop's gate, in its own terms.
export type AdvisoryState = GateState<RateRequest>;

export interface AdvisoryOutcome {
  rateMlPerH: number;
  note: string | null;
  asked: RateRequest | null;
  resolved: GateOutcome<RateRequest>['resolved'];
  state: AdvisoryState;
}

export const advisoryStart = (): AdvisoryState => gateStart<RateRequest>();

export function advise(
  c: AdvisoryConfig, s: AdvisoryState,
  x: { supervisedRateMlPerH: number; lastRateMlPerH: number; confidence: number; answer: AdvisoryAnswer | null },
  nowMs: number,
): AdvisoryOutcome {
  const o = gateIncrease(RATE_VALUE, {
    maxUnconfirmedIncrease: c.maxUnconfirmedIncreaseMlPerH, minConfidence: c.minConfidence, timeoutMs: c.timeoutMs,
    minIncreaseToAsk: c.minIncreaseToAskMlPerH ?? DEFAULT_MIN_INCREASE_TO_ASK_ML_PER_H,
  }, s,
    { supervised: x.supervisedRateMlPerH, last: x.lastRateMlPerH, confidence: x.confidence, answer: x.answer }, nowMs);
  return { rateMlPerH: o.value, note: o.note, asked: o.asked, resolved: o.resolved, state: o.state };
}
