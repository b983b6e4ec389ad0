// Child processes this process started and must not leave behind (socat pairs, PIL rigs, interpreters):
// each is remembered while it runs, and whatever still runs when this process exits, for any reason, is
// killed with SIGKILL (the Espruino interpreter ignores SIGTERM). SIGINT and SIGTERM end the process
// through exit() once the command line has said so (exitOnSignals), so they reach that same clean-up.
import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
let hooked = false;

/** Kills every owned child still running (at exit; and after each test file, see owned-children.setup.ts). */
export function killOwnedChildren(): void {
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
    process.on('exit', killOwnedChildren);
  }
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

const cleanups: ((signal: NodeJS.Signals) => Promise<void> | void)[] = [];
let signalsHooked = false;

/** Work to finish before a signal ends the process (a pump to stop, a record to close); the newest runs first. */
export function beforeSignalExit(fn: (signal: NodeJS.Signals) => Promise<void> | void): void {
  cleanups.push(fn);
}

/**
 * For a command line: Ctrl-C and SIGTERM run the registered clean-ups, then exit (128 + signal), which kills
 * owned children. A second signal while they run exits at once.
 */
export function exitOnSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  let exiting = false;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      if (exiting) return process.exit(code);
      exiting = true;
      void (async () => {
        for (const fn of [...cleanups].reverse()) {
          try {
            await fn(signal);
          } catch (e) {
            console.error(`homeostat: while stopping: ${(e as Error).message}`);
          }
        }
        process.exit(code);
      })();
    });
  }
}
