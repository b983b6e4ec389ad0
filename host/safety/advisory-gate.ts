// Advisory mode: an increase of therapy above a configured size, or one the controller is not confident
// about, waits for a person to confirm it. Until then the safe choice runs (for a vasodilator: no
// increase); a request that is not answered in time expires to that safe choice, and after a decline or
// an expiry the gate stays quiet for one timeout before asking again, so a person is not nagged.
// Only changes that matter are asked about: an unconfident increase smaller than a set size passes, but
// such increases add up, and once the unconfident climb since the controller was last confident (or a
// person last agreed) reaches that size, the next one waits. Decreases never wait.
// Pure: (config, state, inputs, now) -> outcome.
import { z } from 'zod';

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

export interface AdvisoryRequest {
  id: number;
  fromRateMlPerH: number;
  proposedRateMlPerH: number;
  why: string;
  askedMs: number;
  deadlineMs: number;
}

export interface AdvisoryAnswer {
  requestId: number;
  accept: boolean;
}

export interface AdvisoryState {
  nextId: number;
  pending: AdvisoryRequest | null;
  approved: { rateMlPerH: number; untilMs: number } | null;
  quietUntilMs: number;
  /** The rate an unconfident climb started from, while small unconfident increases pass unasked. */
  climbFromMlPerH?: number | null;
}

export interface AdvisoryOutcome {
  rateMlPerH: number;
  /** What the gate did, in words, when it did anything. */
  note: string | null;
  /** A request made by this decision. */
  asked: AdvisoryRequest | null;
  /** A request that ended at this decision, and how. */
  resolved: { request: AdvisoryRequest; outcome: 'accepted' | 'declined' | 'timed out' } | null;
  state: AdvisoryState;
}

export function advisoryStart(): AdvisoryState {
  return { nextId: 1, pending: null, approved: null, quietUntilMs: 0, climbFromMlPerH: null };
}

const f1 = (x: number) => x.toFixed(1);

export function advise(
  c: AdvisoryConfig, s: AdvisoryState,
  x: { supervisedRateMlPerH: number; lastRateMlPerH: number; confidence: number; answer: AdvisoryAnswer | null },
  nowMs: number,
): AdvisoryOutcome {
  let { pending, approved, quietUntilMs, nextId } = s;
  let climbFrom = s.climbFromMlPerH ?? null;
  let resolved: AdvisoryOutcome['resolved'] = null;
  if (pending && x.answer && x.answer.requestId === pending.id && nowMs <= pending.deadlineMs) {
    resolved = { request: pending, outcome: x.answer.accept ? 'accepted' : 'declined' };
    if (x.answer.accept) approved = { rateMlPerH: pending.proposedRateMlPerH, untilMs: nowMs + c.timeoutMs };
    else quietUntilMs = nowMs + c.timeoutMs;
    pending = null;
  } else if (pending && nowMs > pending.deadlineMs) {
    resolved = { request: pending, outcome: 'timed out' };
    quietUntilMs = nowMs + c.timeoutMs;
    pending = null;
  }
  if (approved && nowMs > approved.untilMs) approved = null;

  const increase = x.supervisedRateMlPerH - x.lastRateMlPerH;
  const large = increase > c.maxUnconfirmedIncreaseMlPerH;
  const doubtful = x.confidence < c.minConfidence;
  // An unconfident climb is measured from where it began, so small steps cannot add up unasked.
  if (!doubtful || increase < 0 || resolved?.outcome === 'accepted') climbFrom = null;
  const climb = x.supervisedRateMlPerH - (climbFrom ?? x.lastRateMlPerH);
  const minToAsk = c.minIncreaseToAskMlPerH ?? DEFAULT_MIN_INCREASE_TO_ASK_ML_PER_H;
  const trivial = doubtful && !large && climb < minToAsk;
  const state = (asked: AdvisoryRequest | null): AdvisoryState => ({ nextId, pending: asked ?? pending, approved, quietUntilMs, climbFromMlPerH: climbFrom });
  if (increase <= 0 || (!large && !doubtful) || trivial) {
    if (trivial && increase > 0) climbFrom ??= x.lastRateMlPerH;
    return { rateMlPerH: x.supervisedRateMlPerH, note: null, asked: null, resolved, state: state(null) };
  }
  if (approved && x.supervisedRateMlPerH <= approved.rateMlPerH + 1e-9) {
    return { rateMlPerH: x.supervisedRateMlPerH, note: `increase to ${f1(x.supervisedRateMlPerH)} mL/h confirmed by the operator`, asked: null, resolved, state: state(null) };
  }
  const why = large
    ? `increase of ${f1(increase)} mL/h is above ${f1(c.maxUnconfirmedIncreaseMlPerH)}`
    : `controller confidence ${(x.confidence * 100).toFixed(0)}% is below ${(c.minConfidence * 100).toFixed(0)}%` +
      (climbFrom !== null ? ` (unconfident raises from ${f1(climbFrom)} mL/h add up to +${f1(climb)})` : '');
  let asked: AdvisoryRequest | null = null;
  if (!pending && nowMs >= quietUntilMs) {
    asked = { id: nextId++, fromRateMlPerH: x.lastRateMlPerH, proposedRateMlPerH: x.supervisedRateMlPerH, why, askedMs: nowMs, deadlineMs: nowMs + c.timeoutMs };
  }
  const waiting = asked ?? pending;
  const note = waiting
    ? `advisory: ${why}; holding ${f1(x.lastRateMlPerH)} mL/h until a person confirms ${f1(waiting.proposedRateMlPerH)} (request ${waiting.id})`
    : `advisory: ${why}; holding ${f1(x.lastRateMlPerH)} mL/h (last request unanswered or declined)`;
  return { rateMlPerH: x.lastRateMlPerH, note, asked, resolved, state: state(asked) };
}
