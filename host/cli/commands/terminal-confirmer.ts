// Advisory requests answered by a person at this terminal. A question names the patient, the time, what
// the loop saw (a pressure, a beta power), the proposal and why it needs a person, worded per therapy; only y, yes, n or no answer it (anything
// else asks again). While a question is open a simulation waits (its virtual time stands still), for at
// most the request's timeout in real seconds, as it would at the bedside; no answer by then leaves the safe
// choice in place. Ctrl-C is never swallowed: it ends the run through the command's own clean-up (the pump
// or the stimulator ramped to its fallback, the record closed), as it would without a question open.
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';
import type { Clock, Timer } from '../../../protocols/clock/clock.ts';
import type { AskContext, Confirmer } from '../../loop/loop-shell.ts';
import { SystemClock } from '../../clock/system-clock.ts';
import { AMPLITUDE_VALUE, RATE_VALUE } from '../../safety/advisory-gate.ts';
import type { AdvisoryRequest, AmplitudeRequest, GatedValue, RateRequest } from '../../safety/advisory-gate.ts';

/** How a therapy's questions read: its gated value, and what a decision saw in a person's words. */
export interface QuestionWording<R extends AdvisoryRequest = AdvisoryRequest> {
  value: GatedValue<R>;
  /** The decision's observation (undefined: the context says nothing of it). */
  observation(decision: AskContext['decision']): string | undefined;
}

export const BP_QUESTION: QuestionWording<RateRequest> = {
  value: RATE_VALUE,
  observation: (decision) => {
    const d = decision as AskContext['decision'] & { observedMmHg?: number | null };
    if (d.observedMmHg === undefined) return undefined;
    return d.observedMmHg === null ? 'no valid pressure this period' : `mean arterial pressure ${d.observedMmHg.toFixed(0)} mmHg`;
  },
};

export const DBS_QUESTION: QuestionWording<AmplitudeRequest> = {
  value: AMPLITUDE_VALUE,
  observation: (decision) => {
    const d = decision as AskContext['decision'] & { betaUv2?: number | null };
    if (d.betaUv2 === undefined) return undefined;
    return d.betaUv2 === null ? 'no usable beta report this period' : `beta power ${d.betaUv2.toFixed(1)} µV²`;
  },
};

export interface TerminalConfirmerOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Ctrl-C at the terminal (readline takes it from the signal while it reads): by default, SIGINT to this process. */
  onInterrupt?: () => void;
  clock?: Clock;
  /** Whether the input is a terminal (readline then reads keys, and Ctrl-C comes to it). */
  terminal?: boolean;
  /** The therapy's wording (default: the blood-pressure loop's). */
  wording?: QuestionWording<any>;
}

/** The answer a line gives, or null when it is none of y, yes, n, no. */
export function parseAnswer(line: string): boolean | null {
  const t = line.trim().toLowerCase();
  if (t === 'y' || t === 'yes') return true;
  if (t === 'n' || t === 'no') return false;
  return null;
}

const clockTime = (ms: number) => {
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
};

/** The question as a person reads it (several lines). */
export function questionText<R extends AdvisoryRequest>(request: R, context?: AskContext, wording: QuestionWording<R> = BP_QUESTION as unknown as QuestionWording<R>): string {
  const { value } = wording;
  const n = (x: number) => `${x.toFixed(value.digits)} ${value.unit}`;
  const from = value.from(request);
  const to = value.proposed(request);
  const waitS = ((request.deadlineMs - request.askedMs) / 1000).toFixed(0);
  const who = context?.loop ? `patient ${context.loop}` : 'this patient';
  const when = context ? `${clockTime(context.sinceStartMs)} into the run` : '';
  const seen = context ? wording.observation(context.decision) : undefined;
  const change = `${from.toFixed(value.digits)} -> ${n(to)} (+${(to - from).toFixed(value.digits)})`;
  return [
    '',
    `ADVISORY request ${request.id}: ${who}${when ? `, ${when}` : ''}`,
    seen ? `  ${seen}` : null,
    `  proposal: raise ${value.what} ${change}`,
    `  asked because the ${request.why}`,
    context?.decision.controllerReason ? `  controller: ${context.decision.controllerReason}` : null,
    `Raise to ${n(to)}? [y/n] (${waitS} s; no answer keeps ${n(from)}) `,
  ].filter((l) => l !== null).join('\n');
}

export function terminalConfirmer(o: TerminalConfirmerOptions = {}): { confirmer: Confirmer; close(): void } {
  const input = o.input ?? process.stdin;
  const output = o.output ?? process.stderr;
  const clock = o.clock ?? new SystemClock();
  const terminal = o.terminal ?? Boolean((input as { isTTY?: boolean }).isTTY);
  const rl: Interface = createInterface({ input, output, terminal });
  const interrupt = o.onInterrupt ?? (() => process.kill(process.pid, 'SIGINT'));
  const wording: QuestionWording<any> = o.wording ?? BP_QUESTION;
  const n = (x: number) => `${x.toFixed(wording.value.digits)} ${wording.value.unit}`;
  let open: { request: AdvisoryRequest; answer: (accept: boolean) => void; timer: Timer; ended: Promise<void>; end: () => void } | null = null;

  const finish = () => {
    if (!open) return;
    open.timer.cancel();
    const end = open.end;
    open = null;
    end();
  };
  rl.on('line', (line) => {
    if (!open) return;
    const accept = parseAnswer(line);
    if (accept === null) {
      output.write(`please answer y (yes: raise to ${n(wording.value.proposed(open.request))}) or n (no: keep ${n(wording.value.from(open.request))}) `);
      return;
    }
    const answer = open.answer;
    finish();
    output.write(accept ? 'accepted\n' : 'declined\n');
    answer(accept);
  });
  // Without a listener readline would pause on Ctrl-C and swallow it: the run would go on with nobody there.
  rl.on('SIGINT', () => {
    finish();
    output.write('\n');
    interrupt();
  });

  const confirmer: Confirmer = {
    ask(request, answer, context) {
      finish();
      let end = () => undefined as void;
      const ended = new Promise<void>((r) => (end = r));
      const timer = clock.after(request.deadlineMs - request.askedMs, () => {
        if (open?.request !== request) return;
        finish();
        output.write(`\nno answer: keeping ${n(wording.value.from(request))}\n`);
      });
      open = { request, answer, timer, ended, end };
      output.write(questionText(request, context, wording));
    },
    settle() {
      return open ? open.ended : Promise.resolve();
    },
    withdraw(requestId) {
      if (open?.request.id !== requestId) return;
      finish();
      output.write('\nanswered on the dashboard\n');
    },
  };
  return {
    confirmer,
    close: () => {
      finish();
      rl.close();
    },
  };
}
