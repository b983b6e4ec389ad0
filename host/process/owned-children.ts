// Child processes this process started and must not leave behind (socat pairs, PIL rigs, interpreters):
// each is remembered while it runs, and whatever still runs when this process exits, for any reason, is
// killed with SIGKILL (the Espruino interpreter ignores SIGTERM). SIGINT and SIGTERM end the process
// through exit() once the command line has said so (exitOnSignals), so they reach that same clean-up.
import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const c of running) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}

/** A child just spawned, to be killed when this process exits: `owned(spawn(...))`. */
export function owned<C extends ChildProcess>(child: C): C {
  if (!hooked) {
    hooked = true;
    process.on('exit', killAll);
  }
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

/** For a command line: Ctrl-C and SIGTERM exit (128 + signal) after `beforeExit` ran, killing owned children. */
export function exitOnSignals(beforeExit: (signal: NodeJS.Signals) => Promise<void> | void = () => undefined): void {
  let exiting = false;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      if (exiting) return process.exit(code);
      exiting = true;
      Promise.resolve(beforeExit(signal)).finally(() => process.exit(code));
    });
  }
}
