// Advisory mode: what waits for a person, what does not, and what happens when nobody answers.
import { describe, expect, it } from 'vitest';
import type { AdvisoryConfig } from './advisory-gate.ts';
import { advise, advisoryStart, AMPLITUDE_VALUE, gateIncrease, gateStart } from './advisory-gate.ts';

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

  it('an accepted rate stands while its approval lasts: a proposal that creeps above it runs the accepted part and asks only about the rest', () => {
    const asked = advise(c, advisoryStart(), input(30), 0);
    const yes = advise(c, asked.state, input(30, 0.9, { requestId: 1, accept: true }), 7000);
    expect(yes.rateMlPerH).toBe(30);
    // The next proposal is a little higher, from the rate that ran before the answer reached the pump: the
    // person's 30 runs, and the small rest (confident, under the limit) passes too.
    const creep = advise(c, yes.state, input(30.05), 12_000);
    expect(creep.rateMlPerH).toBeCloseTo(30.05, 9);
    expect(creep.asked).toBeNull();
    // A large rise above the accepted rate: the accepted 30 runs while the rest waits for a person.
    const more = advise(c, yes.state, input(40), 12_000);
    expect(more.rateMlPerH).toBe(30);
    expect(more.asked).toMatchObject({ fromRateMlPerH: 30, proposedRateMlPerH: 40 });
    expect(more.note).toMatch(/holding 30\.0 mL\/h \(confirmed\)/);
    // Once the approval has lapsed, the last rate is what is held.
    const lapsed = advise(c, yes.state, input(40), 7000 + 60_001);
    expect(lapsed.rateMlPerH).toBe(10);
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

  it('small unconfident increases pass unasked until they add up to a change that matters; then one question', () => {
    const q: AdvisoryConfig = { ...c, minIncreaseToAskMlPerH: 2 };
    const step = (st: ReturnType<typeof advisoryStart>, last: number, to: number, t: number) =>
      advise(q, st, { supervisedRateMlPerH: to, lastRateMlPerH: last, confidence: 0.3, answer: null }, t);
    const a = step(advisoryStart(), 10, 10.8, 0);
    expect(a).toMatchObject({ rateMlPerH: 10.8, asked: null, note: null });
    const b = step(a.state, 10.8, 11.5, 5000);
    expect(b).toMatchObject({ rateMlPerH: 11.5, asked: null });
    // 10 -> 12.2 is +2.2 unconfident in all: this one waits.
    const ask = step(b.state, 11.5, 12.2, 10_000);
    expect(ask.rateMlPerH).toBe(11.5);
    expect(ask.asked).toMatchObject({ fromRateMlPerH: 11.5, proposedRateMlPerH: 12.2 });
    expect(ask.asked!.why).toMatch(/confidence 30% is below 60% \(unconfident raises from 10\.0 mL\/h add up to \+2\.2\)/);
    // Once the controller is confident again the count starts afresh; a decrease also ends it.
    const confident = advise(q, b.state, { supervisedRateMlPerH: 11.6, lastRateMlPerH: 11.5, confidence: 0.9, answer: null }, 10_000);
    expect(step(confident.state, 11.6, 12.5, 15_000).asked).toBeNull();
    const down = step(b.state, 11.5, 11, 10_000);
    expect(step(down.state, 11, 12.5, 15_000).asked).toBeNull();
  });

  it('without minIncreaseToAskMlPerH a file gets the default (2 mL/h); 0 asks about every unconfident increase', () => {
    expect(advise(c, advisoryStart(), input(11.5, 0.3), 0).asked).toBeNull();
    expect(advise(c, advisoryStart(), input(12.5, 0.3), 0).asked).not.toBeNull();
    expect(advise({ ...c, minIncreaseToAskMlPerH: 0 }, advisoryStart(), input(10.1, 0.3), 0).asked).not.toBeNull();
  });

  it('the same rule on a stimulation amplitude: small unconfident raises add up in mA, then one question worded in mA', () => {
    const limits = { maxUnconfirmedIncrease: 0.5, minConfidence: 0.5, timeoutMs: 30_000, minIncreaseToAsk: 0.3 };
    const step = (st: ReturnType<typeof gateStart>, last: number, to: number, t: number) =>
      gateIncrease(AMPLITUDE_VALUE, limits, st, { supervised: to, last, confidence: 0.2, answer: null }, t);
    const a = step(gateStart(), 2.5, 2.6, 0);
    expect(a).toMatchObject({ value: 2.6, asked: null });
    const b = step(a.state, 2.6, 2.7, 2000);
    expect(b).toMatchObject({ value: 2.7, asked: null });
    const ask = step(b.state, 2.7, 2.85, 4000);
    expect(ask.value).toBe(2.7);
    expect(ask.asked).toMatchObject({ fromMa: 2.7, proposedMa: 2.85 });
    expect(ask.asked!.why).toMatch(/unconfident raises from 2\.50 mA add up to \+0\.35/);
    expect(ask.note).toMatch(/holding 2\.70 mA until a person confirms 2\.85/);
    // With 0 (the aDBS file's default) the first unconfident raise asks.
    expect(gateIncrease(AMPLITUDE_VALUE, { ...limits, minIncreaseToAsk: 0 }, gateStart(), { supervised: 2.6, last: 2.5, confidence: 0.2, answer: null }, 0).asked).not.toBeNull();
  });
});
