// Advisory mode: an increase of therapy above a configured size, or one the controller is not confident
// about, waits for a person to confirm it. Until then the safe choice runs (for a vasodilator: no
// increase); a request that is not answered in time expires to that safe choice, and after a decline or
// an expiry the gate stays quiet for one timeout before asking again, so a person is not nagged.
// Decreases never wait. Pure: (config, state, inputs, now) -> outcome.
import { z } from 'zod';

export const advisoryConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  maxUnconfirmedIncreaseMlPerH: z.number().min(0).max(1000),
  minConfidence: z.number().min(0).max(1),
  timeoutMs: z.number().int().min(1000).max(3_600_000),
});

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
  return { nextId: 1, pending: null, approved: null, quietUntilMs: 0 };
}

const f1 = (x: number) => x.toFixed(1);

export function advise(
  c: AdvisoryConfig, s: AdvisoryState,
  x: { supervisedRateMlPerH: number; lastRateMlPerH: number; confidence: number; answer: AdvisoryAnswer | null },
  nowMs: number,
): AdvisoryOutcome {
  let { pending, approved, quietUntilMs, nextId } = s;
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
  const state = (asked: AdvisoryRequest | null): AdvisoryState => ({ nextId, pending: asked ?? pending, approved, quietUntilMs });
  if (increase <= 0 || (!large && !doubtful)) {
    return { rateMlPerH: x.supervisedRateMlPerH, note: null, asked: null, resolved, state: state(null) };
  }
  if (approved && x.supervisedRateMlPerH <= approved.rateMlPerH + 1e-9) {
    return { rateMlPerH: x.supervisedRateMlPerH, note: `increase to ${f1(x.supervisedRateMlPerH)} mL/h confirmed by the operator`, asked: null, resolved, state: state(null) };
  }
  const why = large
    ? `increase of ${f1(increase)} mL/h is above ${f1(c.maxUnconfirmedIncreaseMlPerH)}`
    : `controller confidence ${(x.confidence * 100).toFixed(0)}% is below ${(c.minConfidence * 100).toFixed(0)}%`;
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
