// What a command must undo however it ends (finished, failed, Ctrl-C, SIGTERM): stop a monitor and print
// its last counters, remove temporary files, close ports. Child processes are owned through
// host/process/owned-children.ts, which kills them at exit; main.ts runs these tasks before it exits.

/** Why the command is ending. A task may return the exit status it wants (monitor: Ctrl-C is its normal end). */
export type ShutdownReason = 'exit' | 'SIGINT' | 'SIGTERM';
export type ShutdownTask = (why: ShutdownReason) => number | void;

const tasks = new Set<ShutdownTask>();

/** Registers something to undo at the end; the returned function unregisters it once it is undone anyway. */
export function onShutdown(task: ShutdownTask): () => void {
  tasks.add(task);
  return () => void tasks.delete(task);
}

/** Runs every registered task, newest first, once; returns the first exit status a task asked for. */
export function runShutdown(why: ShutdownReason): number | undefined {
  let status: number | undefined;
  for (const task of [...tasks].reverse()) {
    tasks.delete(task);
    try {
      const s = task(why);
      if (status === undefined && typeof s === 'number') status = s;
    } catch {
      // One failed undo must not keep the others from running.
    }
  }
  return status;
}
