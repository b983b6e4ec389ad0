// How a live loop ends (a person's stop, Ctrl-C, SIGTERM), the same for every therapy: the loop stops
// deciding, the therapy brings its devices to their safe state (waiting for the Ack, or for a lease to lapse
// if the link is gone), the record says why and what happened and is closed, and the ports are closed. Asked
// twice, it does it once.
import type { Clock } from '../../protocols/clock/clock.ts';
import type { FileRecorder } from '../record/file-recorder.ts';

export function liveStop(o: {
  clock: Clock; safeStop: () => Promise<string>; recorder: FileRecorder; close: () => void;
  /** What happens when the devices do not acknowledge the safe stop. */
  unacknowledged: (e: Error) => string;
}): (why: string) => Promise<string> {
  let stopping: Promise<string> | null = null;
  return (why) => {
    stopping ??= (async () => {
      const stoppedAt = o.clock.now();
      let result: string;
      try {
        result = await o.safeStop();
      } catch (e) {
        result = o.unacknowledged(e as Error);
      }
      o.recorder.record('stop', o.clock.now(), { why, result, afterMs: o.clock.now() - stoppedAt });
      o.recorder.close({ ok: true });
      o.close();
      return `${why}: ${result} after ${(o.clock.now() - stoppedAt).toFixed(0)} ms`;
    })();
    return stopping;
  };
}
