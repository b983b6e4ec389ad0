// For tests of the CLI as a user runs it: the processes a command started (its descendants), found in
// /proc while it runs, so a test can check that none of them outlives it.
import { readdirSync, readFileSync } from 'node:fs';

function parentOf(pid: number): number | null {
  try {
    // The command name, in parentheses, may hold spaces: the fields after it are counted from its end.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** Every process below pid, children first. */
export function descendants(pid: number): number[] {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  const parents = new Map(all.map((p) => [p, parentOf(p)]));
  const found: number[] = [];
  const walk = (of: number) => {
    for (const [p, parent] of parents) {
      if (parent === of) {
        found.push(p);
        walk(p);
      }
    }
  };
  walk(pid);
  return found;
}

/** The command line of a process, or null once it has exited (a zombie counts as exited). */
export function commandLine(pid: number): string | null {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (state.slice(state.lastIndexOf(')') + 2).startsWith('Z')) return null;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return null;
  }
}

/** Those of the given processes still running, with their command lines. */
export function stillRunning(pids: number[]): string[] {
  return pids.map((p) => ({ p, cmd: commandLine(p) })).filter((x) => x.cmd !== null).map((x) => `${x.p} ${x.cmd}`);
}
