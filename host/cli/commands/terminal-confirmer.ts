// Advisory requests answered by a person at this terminal. A question names the patient, the time, the
// pressure the loop saw, the proposal and why it needs a person; only y, yes, n or no answer it (anything
// else asks again). While a question is open a simulation waits (its virtual time stands still), for at
// most the request's timeout in real seconds, as it would at the bedside; no answer by then leaves the safe
// choice in place. Ctrl-C is never swallowed: it ends the run through the command's own clean-up (the pump
// stopped, the record closed), as it would without a question open.
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';
import type { Clock, Timer } from '../../../protocols/clock/clock.ts';
import type { AskContext, Confirmer } from '../../loop/loop-shell.ts';
import { SystemClock } from '../../clock/system-clock.ts';
import type { AdvisoryRequest } from '../../safety/advisory-gate.ts';

export interface TerminalConfirmerOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Ctrl-C at the terminal (readline takes it from the signal while it reads): by default, SIGINT to this process. */
  onInterrupt?: () => void;
  clock?: Clock;
  /** Whether the input is a terminal (readline then reads keys, and Ctrl-C comes to it). */
  terminal?: boolean;
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
export function questionText(request: AdvisoryRequest, context?: AskContext): string {
  const d = context?.decision as (AskContext['decision'] & { observedMmHg?: number | null; confidence?: number }) | undefined;
  const waitS = ((request.deadlineMs - request.askedMs) / 1000).toFixed(0);
  const who = context?.loop ? `patient ${context.loop}` : 'this patient';
  const when = context ? `${clockTime(context.sinceStartMs)} into the run` : '';
  const map = d?.observedMmHg === undefined ? '' : d.observedMmHg === null ? 'no valid pressure this period' : `mean arterial pressure ${d.observedMmHg.toFixed(0)} mmHg`;
  const change = `${request.fromRateMlPerH.toFixed(1)} -> ${request.proposedRateMlPerH.toFixed(1)} mL/h (+${(request.proposedRateMlPerH - request.fromRateMlPerH).toFixed(1)})`;
  return [
    '',
    `ADVISORY request ${request.id}: ${who}${when ? `, ${when}` : ''}`,
    map ? `  ${map}` : null,
    `  proposal: raise the infusion ${change}`,
    `  asked because the ${request.why}`,
    d?.controllerReason ? `  controller: ${d.controllerReason}` : null,
    `Raise to ${request.proposedRateMlPerH.toFixed(1)} mL/h? [y/n] (${waitS} s; no answer keeps ${request.fromRateMlPerH.toFixed(1)} mL/h) `,
  ].filter((l) => l !== null).join('\n');
}

export function terminalConfirmer(o: TerminalConfirmerOptions = {}): { confirmer: Confirmer; close(): void } {
  const input = o.input ?? process.stdin;
  const output = o.output ?? process.stderr;
  const clock = o.clock ?? new SystemClock();
  const terminal = o.terminal ?? Boolean((input as { isTTY?: boolean }).isTTY);
  const rl: Interface = createInterface({ input, output, terminal });
  const interrupt = o.onInterrupt ?? (() => process.kill(process.pid, 'SIGINT'));
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
      output.write(`please answer y (yes: raise to ${open.request.proposedRateMlPerH.toFixed(1)} mL/h) or n (no: keep ${open.request.fromRateMlPerH.toFixed(1)} mL/h) `);
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
        output.write(`\nno answer: keeping ${request.fromRateMlPerH.toFixed(1)} mL/h\n`);
      });
      open = { request, answer, timer, ended, end };
      output.write(questionText(request, context));
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
