// Advisory requests answered by a person at this terminal. While a request is open the simulation waits
// (its virtual time stands still), for at most the request's timeout in real seconds, as it would at the
// bedside; no answer by then leaves the safe choice in place.
import { createInterface } from 'node:readline';
import type { Confirmer } from '../../loop/loop-shell.ts';
import { SystemClock } from '../../clock/system-clock.ts';
import type { AdvisoryRequest, GatedValue } from '../../safety/advisory-gate.ts';

/** `value` is the therapy's gated value: it words the question put to the person. */
export function terminalConfirmer<R extends AdvisoryRequest>(value: Pick<GatedValue<R>, 'question'>): { confirmer: Confirmer; close(): void } {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const clock = new SystemClock();
  let open: { request: AdvisoryRequest; answer: (accept: boolean) => void } | null = null;
  const confirmer: Confirmer = {
    ask(request, answer) {
      open = { request, answer };
      process.stderr.write(`\nADVISORY ${request.id}: ${request.why}. ${value.question(request as R)} ` +
        `[y/N] (${((request.deadlineMs - request.askedMs) / 1000).toFixed(0)} s) `);
    },
    settle() {
      const asked = open;
      if (!asked) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = clock.after(asked.request.deadlineMs - asked.request.askedMs, () => {
          rl.off('line', onLine);
          process.stderr.write('no answer: keeping what runs now\n');
          open = null;
          resolve();
        });
        const onLine = (line: string) => {
          timer.cancel();
          rl.off('line', onLine);
          open = null;
          asked.answer(/^y(es)?$/i.test(line.trim()));
          resolve();
        };
        rl.on('line', onLine);
      });
    },
  };
  return { confirmer, close: () => rl.close() };
}
