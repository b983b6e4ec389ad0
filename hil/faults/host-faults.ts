// Faults of the host, injected on its process (signals) or, in a simulation on virtual time, on its edges
// (the clock and the transports it is built on), never in the host's code:
//   host-kill   the host dies at once (SIGKILL: no goodbye, no PumpStop); started again after durationS
//               (absent: stays dead), when the new host must find the devices and resume from the record;
//   host-hang   the host's event loop blocked for durationS: no timer runs, no byte is read, nothing is
//               sent, then everything queued runs at once;
//   slow-host   every event the host handles (a period, a frame, an answer) handled up to delayMs late.
import { z } from 'zod';
import { activeFault, atMin, optionalDurationS } from './fault-timing.ts';
import type { ActiveFault } from './fault-timing.ts';

export const hostFaultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('host-kill'), atMin, durationS: optionalDurationS }),
  z.strictObject({ kind: z.literal('host-hang'), atMin, durationS: z.number().positive().max(3600) }),
  z.strictObject({ kind: z.literal('slow-host'), atMin, durationS: optionalDurationS, delayMs: z.number().positive().max(60_000) }),
]);

export type HostFault = z.infer<typeof hostFaultSchema>;

/** A host that can be killed and started again, hung and slowed: a process (HostProcess) or an in-process host (InProcessHost). */
export interface HostFaultTarget {
  kill(): void;
  restart(): void;
  hang(): void;
  resume(): void;
  /** Every event handled up to delayMs late; 0 ends it. */
  slow(delayMs: number): void;
}

/** Puts a host fault on the host now; remove() ends it (restarts a killed host). */
export function applyHostFault(host: HostFaultTarget, f: HostFault): ActiveFault {
  switch (f.kind) {
    case 'host-kill':
      host.kill();
      return activeFault(() => host.restart());
    case 'host-hang':
      host.hang();
      return activeFault(() => host.resume());
    case 'slow-host':
      host.slow(f.delayMs);
      return activeFault(() => host.slow(0));
  }
}
