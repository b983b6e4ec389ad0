// Advisory mode: what waits for a person, what does not, and what happens when nobody answers.
import { describe, expect, it } from 'vitest';
import type { AdvisoryConfig } from './advisory-gate.ts';
import { advise, advisoryStart } from './advisory-gate.ts';

const c: AdvisoryConfig = { maxUnconfirmedIncreaseMlPerH: 5, minConfidence: 0.6, timeoutMs: 60_000 };
const input = (supervisedRateMlPerH: number, confidence = 0.9, answer: { requestId: number; accept: boolean } | null = null) =>
  ({ supervisedRateMlPerH, lastRateMlPerH: 10, confidence, answer });

describe('advisory gate', () => {
  it('small confident increases and every decrease pass without asking', () => {
    expect(advise(c, advisoryStart(), input(14), 0)).toMatchObject({ rateMlPerH: 14, asked: null, note: null });
    expect(advise(c, advisoryStart(), input(0, 0.1), 0)).toMatchObject({ rateMlPerH: 0, asked: null });
  });

  it('a large increase waits, holding the safe rate, and runs once a person accepts', () => {
    const asked = advise(c, advisoryStart(), input(30), 0);
    expect(asked.rateMlPerH).toBe(10);
    expect(asked.asked).toMatchObject({ id: 1, proposedRateMlPerH: 30, deadlineMs: 60_000 });
    expect(asked.note).toMatch(/increase of 20\.0 mL\/h is above 5\.0.*holding 10\.0/);
    const still = advise(c, asked.state, input(30), 5000);
    expect(still.asked).toBeNull();
    expect(still.rateMlPerH).toBe(10);
    const yes = advise(c, still.state, input(30, 0.9, { requestId: 1, accept: true }), 7000);
    expect(yes.rateMlPerH).toBe(30);
    expect(yes.resolved!.outcome).toBe('accepted');
  });

  it('a low-confidence increase waits; unanswered, it times out to the safe rate and the gate stays quiet a while', () => {
    const asked = advise(c, advisoryStart(), input(12, 0.3), 0);
    expect(asked.rateMlPerH).toBe(10);
    expect(asked.note).toMatch(/confidence 30% is below 60%/);
    const late = advise(c, asked.state, input(12, 0.3), 61_000);
    expect(late.resolved!.outcome).toBe('timed out');
    expect(late.rateMlPerH).toBe(10);
    expect(late.asked).toBeNull();
    expect(advise(c, late.state, input(12, 0.3), 122_000).asked).not.toBeNull();
  });

  it('a decline keeps the safe rate; an answer to an expired request changes nothing', () => {
    const asked = advise(c, advisoryStart(), input(30), 0);
    const no = advise(c, asked.state, input(30, 0.9, { requestId: 1, accept: false }), 3000);
    expect(no.rateMlPerH).toBe(10);
    expect(no.resolved!.outcome).toBe('declined');
    const tooLate = advise(c, asked.state, input(30, 0.9, { requestId: 1, accept: true }), 70_000);
    expect(tooLate.rateMlPerH).toBe(10);
    expect(tooLate.resolved!.outcome).toBe('timed out');
  });
});
