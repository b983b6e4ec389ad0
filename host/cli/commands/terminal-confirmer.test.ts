// The advisory question at a terminal, driven through streams: what it shows, which answers count, the
// timeout, Ctrl-C and a question answered elsewhere.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../protocols/clock/virtual-clock.ts';
import type { AskContext } from '../../loop/loop-shell.ts';
import type { AmplitudeRequest, RateRequest } from '../../safety/advisory-gate.ts';
import { DBS_QUESTION, parseAnswer, questionText, terminalConfirmer } from './terminal-confirmer.ts';

const request: RateRequest = { id: 4, fromRateMlPerH: 6.2, proposedRateMlPerH: 9.5, why: 'controller confidence 30% is below 50%', askedMs: 600_000, deadlineMs: 660_000 };
const context = {
  loop: 'p017', sinceStartMs: 754_000,
  decision: { observedMmHg: 104.4, controllerReason: 'MAP 104 above target 90: raising', confidence: 0.3 },
} as unknown as AskContext;

function setup() {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d) => (shown += d));
  const clock = new VirtualClock();
  let interrupted = 0;
  const t = terminalConfirmer({ input, output, clock, terminal: false, onInterrupt: () => interrupted++ });
  const answers: boolean[] = [];
  t.confirmer.ask(request, (a) => answers.push(a), context);
  const type = async (line: string) => {
    input.write(`${line}\n`);
    await new Promise((r) => setImmediate(r));
  };
  return { t, input, clock, answers, type, shown: () => shown, interrupted: () => interrupted };
}

describe('terminal confirmer', () => {
  it('only y, yes, n and no answer a question', () => {
    for (const y of ['y', 'Y', ' yes ', 'YES']) expect(parseAnswer(y)).toBe(true);
    for (const n of ['n', 'No', 'no ']) expect(parseAnswer(n)).toBe(false);
    for (const other of ['', 'maybe', 'ye', 'yess', 'nope', '1', 'ok']) expect(parseAnswer(other)).toBeNull();
  });

  it('shows the patient, the time, the pressure, the proposal and why', () => {
    const q = questionText(request, context);
    expect(q).toContain('patient p017');
    expect(q).toContain('12:34 into the run');
    expect(q).toContain('mean arterial pressure 104 mmHg');
    expect(q).toContain('6.2 -> 9.5 mL/h (+3.3)');
    expect(q).toContain('asked because the controller confidence 30% is below 50%');
    expect(q).toContain('controller: MAP 104 above target 90');
    expect(q).toContain('(60 s; no answer keeps 6.2 mL/h)');
  });

  it('words an aDBS question in its own terms: beta power and amplitudes in mA', () => {
    const stim: AmplitudeRequest = { id: 2, fromMa: 2.5, proposedMa: 3.1, why: 'increase of 0.60 mA is above 0.50', askedMs: 0, deadlineMs: 30_000 };
    const q = questionText(stim, { loop: 'dbs-003', sinceStartMs: 65_000, decision: { betaUv2: 4.26, controllerReason: 'beta above the upper threshold', confidence: 0.9 } } as unknown as AskContext, DBS_QUESTION);
    expect(q).toContain('patient dbs-003, 01:05 into the run');
    expect(q).toContain('beta power 4.3 µV²');
    expect(q).toContain('proposal: raise the stimulation 2.50 -> 3.10 mA (+0.60)');
    expect(q).toContain('(30 s; no answer keeps 2.50 mA)');
    expect(q).not.toMatch(/mL\/h|pressure/);
  });

  it('an aDBS confirmer asks, re-asks and gives up in mA', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d) => (shown += d));
    const clock = new VirtualClock();
    const t = terminalConfirmer({ input, output, clock, terminal: false, onInterrupt: () => undefined, wording: DBS_QUESTION });
    const stim: AmplitudeRequest = { id: 1, fromMa: 2.5, proposedMa: 2.9, why: 'policy confidence 20% is below 50%', askedMs: 0, deadlineMs: 30_000 };
    t.confirmer.ask(stim, () => undefined);
    input.write('maybe\n');
    await new Promise((r) => setImmediate(r));
    clock.advance(30_000);
    await t.confirmer.settle!();
    expect(shown).toContain('Raise to 2.90 mA? [y/n]');
    expect(shown).toContain('please answer y (yes: raise to 2.90 mA) or n (no: keep 2.50 mA)');
    expect(shown).toContain('no answer: keeping 2.50 mA');
    t.close();
  });

  it('asks again on anything else, and takes the first real answer once', async () => {
    const s = setup();
    await s.type('maybe');
    expect(s.answers).toEqual([]);
    expect(s.shown()).toContain('please answer y');
    await s.type('yes');
    await s.type('n');
    expect(s.answers).toEqual([true]);
    await s.t.confirmer.settle!();
    s.t.close();
  });

  it('a question not answered in time settles with no answer (the safe choice stays)', async () => {
    const s = setup();
    let settled = false;
    void s.t.confirmer.settle!().then(() => (settled = true));
    s.clock.advance(59_000);
    await Promise.resolve();
    expect(settled).toBe(false);
    s.clock.advance(1_000);
    await Promise.resolve();
    expect(settled).toBe(true);
    expect(s.shown()).toContain('no answer: keeping 6.2 mL/h');
    await s.type('y');
    expect(s.answers).toEqual([]);
    s.t.close();
  });

  it('a question answered on the dashboard is withdrawn here', async () => {
    const s = setup();
    s.t.confirmer.withdraw!(4);
    await s.t.confirmer.settle!();
    await s.type('y');
    expect(s.answers).toEqual([]);
    expect(s.shown()).toContain('answered on the dashboard');
    s.t.close();
  });

  it('Ctrl-C is passed on (the run stops safely), never taken as an answer', async () => {
    // readline emits SIGINT on the interface when it reads Ctrl-C from a terminal.
    const input = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (b: boolean) => void };
    input.isTTY = true;
    input.setRawMode = () => undefined;
    const t = terminalConfirmer({ input, output: new PassThrough(), clock: new VirtualClock(), terminal: true, onInterrupt: () => interrupted++ });
    let interrupted = 0;
    const answers: boolean[] = [];
    t.confirmer.ask(request, (a) => answers.push(a), context);
    input.write('\x03');
    await new Promise((r) => setImmediate(r));
    expect(interrupted).toBe(1);
    expect(answers).toEqual([]);
    await t.confirmer.settle!();
    t.close();
  });
});
