// What every fault description shares: when it starts (minutes into the run, as every other event of a
// scenario file) and, for a fault that ends by itself, how long it lasts; and the handle of a fault in
// force, which takes it away again.
import { z } from 'zod';

/** Minutes into the run (a day at most). */
export const atMin = z.number().min(0).max(24 * 60);

/** How long a fault lasts, s; absent: until the end of the run. */
export const optionalDurationS = z.number().positive().max(24 * 3600).optional();

/** The node a fault acts on, by its node name (infusion-pump, bp-sensor, neurostimulator). */
export const nodeName = z.string().regex(/^[a-z0-9-]+$/, 'a node name such as infusion-pump or bp-sensor');

/** A fault in force on its object. remove() puts the object back as it was (a second call does nothing). */
export interface ActiveFault {
  remove(): void;
}

/** An ActiveFault whose remove() runs once. */
export function activeFault(remove: () => void): ActiveFault {
  let done = false;
  return {
    remove: () => {
      if (done) return;
      done = true;
      remove();
    },
  };
}
