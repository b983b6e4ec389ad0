// Faults of a device's serial link, injected on its FaultyLink (the cable, the USB bus, the host's port
// settings), never inside a transport:
//   bit-errors, drops, duplication, garbage   damage to every chunk with the given probability;
//   delay                                     every chunk late by delayMs, order kept;
//   disconnect                                the cable pulled; plugged back after durationS (if given);
//   re-enumeration                            the port vanishes and comes back durationS later under
//                                             another path (path, or the next number) with the same USB
//                                             serial number: a host that kept the path loses the device;
//   wrong-baud                                the host's port set to hostBaud while the line runs at its own.
import { z } from 'zod';
import type { FaultyLink } from './faulty-link.ts';
import { activeFault, atMin, nodeName, optionalDurationS } from './fault-timing.ts';
import type { ActiveFault } from './fault-timing.ts';

const probability = z.number().min(0).max(1);
const common = { atMin, node: nodeName, durationS: optionalDurationS };

export const linkFaultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('bit-errors'), ...common, bitErrorRate: z.number().min(0).max(0.1) }),
  z.strictObject({ kind: z.literal('drops'), ...common, dropRate: probability }),
  z.strictObject({ kind: z.literal('duplication'), ...common, duplicateRate: probability }),
  z.strictObject({ kind: z.literal('garbage'), ...common, garbageRate: probability }),
  z.strictObject({ kind: z.literal('delay'), ...common, delayMs: z.number().min(0).max(60_000) }),
  z.strictObject({ kind: z.literal('disconnect'), ...common }),
  z.strictObject({
    kind: z.literal('re-enumeration'), atMin, node: nodeName,
    /** How long the port is gone before it reappears. */
    durationS: z.number().positive().max(3600).default(1),
    path: z.string().min(1).optional(),
  }),
  z.strictObject({ kind: z.literal('wrong-baud'), ...common, hostBaud: z.number().int().min(300).max(4_000_000) }),
]);

export type LinkFault = z.infer<typeof linkFaultSchema>;

/** Puts a link fault on the link now; remove() ends it (reconnects a disconnected or re-enumerated port). */
export function applyLinkFault(link: FaultyLink, f: LinkFault): ActiveFault {
  switch (f.kind) {
    case 'bit-errors': return link.impair({ bitErrorRate: f.bitErrorRate });
    case 'drops': return link.impair({ dropRate: f.dropRate });
    case 'duplication': return link.impair({ duplicateRate: f.duplicateRate });
    case 'garbage': return link.impair({ garbageRate: f.garbageRate });
    case 'delay': return link.impair({ delayMs: f.delayMs });
    case 'wrong-baud': return link.impair({ hostBaud: f.hostBaud });
    case 'disconnect':
      link.unplug();
      return activeFault(() => link.plugIn());
    case 're-enumeration': {
      const path = f.path ?? link.nextPath();
      link.unplug();
      return activeFault(() => link.plugIn(path));
    }
  }
}
