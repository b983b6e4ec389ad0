// The aDBS decision's safety rules, each with a policy that proposes whatever the test scripts (the
// supervisor must hold any policy, however wrong): the amplitude window, the ramp limits, a proposal that is
// no number, blanking after a change, fallback to the continuous amplitude on stale beta and on a lost link
// (and the bumpless return), manual mode, the advisory gate, the beta drift alarm and a silent stimulator.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StimState } from '../../../protocols/generated/wire-codec.ts';
import type { DbsPolicy } from '../../control/dbs/dbs-policy.ts';
import type { StimDevice, StimPrescription, StimSupervisorConfig } from '../../safety/stim-supervisor.ts';
import type { DbsDecision, DbsLoopState, DbsOperatorAction, DbsSetup } from './dbs-decision.ts';
import { dbsLoopStart, decideDbs } from './dbs-decision.ts';
import type { DbsEvent } from './dbs-period.ts';

const rx: StimPrescription = { windowMinMa: 0.5, windowMaxMa: 3, continuousMa: 2.5, rampUpMaPerS: 4, rampDownMaPerS: 2, decisionEveryMs: 100 };
const supervisor: StimSupervisorConfig = { therapy: 'dbs', leaseMs: 2000, staleAfterMs: 3000, blankMs: 500, statusSilentMs: 3000 };
const device: StimDevice = { windowMinMa: 0, windowMaxMa: 3, rampUpMaPerS: 12, rampDownMaPerS: 12, reportEveryMs: 50, hardMaxMa: 4, fallbackMa: 2.5, maxLeaseMs: 60_000, blankMs: 500 };

/** A policy that proposes what the test sets, and remembers where each start put it. */
interface Scripted {
  next: number;
  confidence: number;
  starts: number[];
  policy: DbsPolicy<unknown>;
}

function scripted(): Scripted {
  const p: Scripted = {
    next: 1, confidence: 1, starts: [] as number[],
    policy: {
      name: 'scripted', settings: { decisionEveryMs: 100 },
      start: (runningMa: number) => {
        p.starts.push(runningMa);
        return {};
      },
      step: (state: object) => ({ amplitudeMa: p.next, reason: `scripted ${p.next}`, confidence: p.confidence, state }),
    } as DbsPolicy<unknown>,
  };
  return p;
}

function setupWith(policy: DbsPolicy<unknown>, over: Partial<DbsSetup> = {}): DbsSetup {
  return { policy, prescription: rx, supervisor, device, baselineBetaUv2: 4, advisory: null, drift: null, initialAmplitudeMa: 2.5, ...over };
}

const beta = (tMs: number, betaPowerUv2 = 4): DbsEvent => ({ kind: 'beta', tMs, beta: { tMs, betaPowerUv2, windowMs: 256 } });
const status = (tMs: number, amplitudeMa: number): DbsEvent => ({
  kind: 'stim-status', tMs, status: { tMs, state: StimState.Stimulating, amplitudeMa, targetAmplitudeMa: amplitudeMa, leaseRemainingMs: 2000, alarms: 0 },
});

/** Drives decideDbs every 100 ms as the loop would: by default two beta reports and a status each period. */
function loop(setup: DbsSetup) {
  let state: DbsLoopState = dbsLoopStart(setup, 0);
  let nowMs = 0;
  const decisions: DbsDecision[] = [];
  return {
    get state() {
      return state;
    },
    decisions,
    step(o: { events?: DbsEvent[]; betaUv2?: number | null; operator?: DbsOperatorAction; answer?: { requestId: number; accept: boolean } } = {}): DbsDecision {
      nowMs += 100;
      const events = o.events ?? [
        ...(o.betaUv2 === null ? [] : [beta(nowMs - 60, o.betaUv2), beta(nowMs - 10, o.betaUv2)]),
        status(nowMs - 5, state.supervisor.lastMa),
      ];
      const r = decideDbs(setup, state, { nowMs, events, operator: o.operator ?? null, answer: o.answer ?? null });
      state = r.state;
      decisions.push(r.decision);
      return r.decision;
    },
    get nowMs() {
      return nowMs;
    },
  };
}

describe('the aDBS decision holds any policy to the prescription', () => {
  it('keeps the amplitude inside the window, naming the limit', () => {
    const p = scripted();
    const l = loop(setupWith(p.policy));
    p.next = 9;
    for (let i = 0; i < 20; i++) l.step();
    expect(Math.max(...l.decisions.map((d) => d.commandedMa))).toBe(3);
    expect(l.decisions.at(-1)!.limits.join(' ')).toMatch(/window: proposal 9.00 mA above the maximum 3.00 mA/);
    p.next = 0;
    for (let i = 0; i < 40; i++) l.step();
    expect(l.decisions.at(-1)!.commandedMa).toBe(0.5);
    expect(l.decisions.at(-1)!.limits.join(' ')).toMatch(/below the minimum 0.50 mA/);
  });

  it('never changes the amplitude faster than the ramp limits, whatever the policy proposes', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -5, max: 10, noNaN: true }), { minLength: 5, maxLength: 60 }), (proposals) => {
      const p = scripted();
      const l = loop(setupWith(p.policy));
      let last = 2.5;
      for (const x of proposals) {
        p.next = x;
        const d = l.step();
        const dtS = 0.1;
        expect(d.commandedMa - last).toBeLessThanOrEqual(rx.rampUpMaPerS * dtS + 1e-9);
        expect(last - d.commandedMa).toBeLessThanOrEqual(rx.rampDownMaPerS * dtS + 1e-9);
        expect(d.commandedMa).toBeGreaterThanOrEqual(rx.windowMinMa);
        expect(d.commandedMa).toBeLessThanOrEqual(rx.windowMaxMa);
        last = d.commandedMa;
      }
    }), { numRuns: 60 });
  });

  it('runs the continuous amplitude, with an alarm, when a policy proposes no number', () => {
    const p = scripted();
    const l = loop(setupWith(p.policy));
    p.next = 1;
    for (let i = 0; i < 10; i++) l.step();
    p.next = NaN;
    const d = l.step();
    expect(d.alarms.map((a) => a.id)).toContain('policy-fault');
    expect(d.commandedMa).toBeGreaterThan(l.decisions.at(-2)!.commandedMa);
  });
});

describe('blanking', () => {
  it('leaves out beta that arrives within blankMs of a change of amplitude, and uses it after', () => {
    const p = scripted();
    const l = loop(setupWith(p.policy));
    p.next = 2.5;
    l.step();
    l.step();
    expect(l.decisions.at(-1)!.reports).toBe(2);
    p.next = 2.3; // a change: blanking starts at this decision
    l.step();
    p.next = 2.3;
    const inside = l.step();
    expect(inside.reports).toBe(0);
    expect(inside.blanked).toBe(2);
    expect(inside.betaUv2).toBeNull();
    for (let i = 0; i < 5; i++) l.step();
    const after = l.step();
    expect(after.reports).toBe(2);
    expect(after.blanked).toBe(0);
  });
});

describe('fallback to continuous DBS', () => {
  it('ramps to the continuous amplitude while beta is stale, and restarts the policy bumpless from what runs when it returns', () => {
    const p = scripted();
    const l = loop(setupWith(p.policy));
    p.next = 0.5;
    for (let i = 0; i < 30; i++) l.step();
    expect(l.decisions.at(-1)!.commandedMa).toBe(0.5);
    for (let i = 0; i < 30; i++) l.step({ betaUv2: null });
    const stale = l.decisions.find((d) => d.mode === 'fallback')!;
    expect(stale.tMs - 3000).toBeGreaterThan(0);
    expect(stale.alarms.map((a) => a.id)).toContain('beta-stale');
    for (let i = 0; i < 20; i++) l.step({ betaUv2: null });
    expect(l.decisions.at(-1)!.commandedMa).toBe(2.5);
    expect(l.decisions.at(-1)!.command).toBe('set');
    const startsBefore = p.starts.length;
    const back = l.step();
    expect(back.mode).toBe('auto');
    expect(back.cleared.map((a) => a.id)).toContain('beta-stale');
    expect(p.starts.slice(startsBefore)).toEqual([2.5]);
  });

  it('on a lost link: fallback, no command (nothing reaches the device), an alarm naming the device\'s own fallback', () => {
    const p = scripted();
    const l = loop(setupWith(p.policy));
    p.next = 1;
    for (let i = 0; i < 10; i++) l.step();
    const d = l.step({ events: [{ kind: 'link', tMs: l.nowMs + 50, device: 'neurostimulator', state: 'lost', detail: 'port closed' }] });
    expect(d.mode).toBe('fallback');
    expect(d.command).toBe('none');
    const alarm = d.alarms.find((a) => a.id === 'stim-link-lost')!;
    expect(alarm.priority).toBe('high');
    expect(alarm.text).toMatch(/fallback of 2.50 mA/);
    const back = l.step({ events: [{ kind: 'link', tMs: l.nowMs + 50, device: 'neurostimulator', state: 'ready', detail: '' }, beta(l.nowMs + 60), status(l.nowMs + 70, 1)] });
    expect(back.command).toBe('set');
  });
});

describe('a person at the loop', () => {
  it('manual mode holds the person\'s amplitude to the same window and ramps', () => {
    const p = scripted();
    const l = loop(setupWith(p.policy));
    p.next = 2.5;
    l.step();
    const d = l.step({ operator: { kind: 'manual', amplitudeMa: 7 } });
    expect(d.mode).toBe('manual');
    expect(d.commandedMa).toBeLessThanOrEqual(2.5 + rx.rampUpMaPerS * 0.1 + 1e-9);
    for (let i = 0; i < 10; i++) l.step();
    expect(l.decisions.at(-1)!.commandedMa).toBe(3);
    expect(l.decisions.at(-1)!.limits.join(' ')).toMatch(/window: manual amplitude 7.00 mA/);
  });

  it('advisory mode: a large or unconfident increase waits for a person; accepted, it runs', () => {
    const p = scripted();
    const advisory = { therapy: 'dbs' as const, maxUnconfirmedIncreaseMa: 0.2, minConfidence: 0.5, timeoutMs: 10_000 };
    const l = loop(setupWith(p.policy, { advisory }));
    p.next = 0.5;
    for (let i = 0; i < 30; i++) l.step();
    p.next = 3;
    const asked = l.step();
    expect(asked.commandedMa).toBe(0.5);
    expect(asked.asked).not.toBeNull();
    expect(asked.asked!.proposedMa).toBeCloseTo(0.9, 6);
    expect(asked.limits.join(' ')).toMatch(/advisory: increase of 0.40 mA is above 0.20; holding 0.50 mA/);
    const answered = l.step({ answer: { requestId: asked.asked!.id, accept: true }, events: [] });
    expect(answered.resolved).toEqual({ requestId: asked.asked!.id, outcome: 'accepted' });
    expect(answered.commandedMa).toBeCloseTo(0.9, 6);
    // Decreases never wait.
    p.next = 0.5;
    const down = l.step();
    expect(down.commandedMa).toBeLessThan(0.9);
    expect(down.asked).toBeNull();
  });
});

describe('alarms about the patient and the device', () => {
  it('beta drift: a lasting fall of the averaged beta raises an alarm that names it', () => {
    const p = scripted();
    p.next = 2.5;
    const drift = { therapy: 'dbs' as const, bandFactor: 2, minConfidence: 0.9, holdMs: 5000, averageMs: 2000 };
    const l = loop(setupWith(p.policy, { drift }));
    for (let i = 0; i < 50; i++) l.step({ betaUv2: 4 });
    expect(l.decisions.every((d) => d.alarms.length === 0)).toBe(true);
    for (let i = 0; i < 120; i++) l.step({ betaUv2: 1 });
    const raised = l.decisions.find((d) => d.raised.some((a) => a.id === 'beta-drift'))!;
    expect(raised).toBeDefined();
    expect(raised.raised.find((a) => a.id === 'beta-drift')!.text).toMatch(/beta power has fallen from 4.00/);
  });

  it('a stimulator that sends no status raises its own alarm', () => {
    const p = scripted();
    const l = loop(setupWith(p.policy));
    for (let i = 0; i < 40; i++) l.step({ events: [beta(l.nowMs + 50)] });
    expect(l.decisions.at(-1)!.alarms.map((a) => a.id)).toContain('stim-not-answering');
  });
});
