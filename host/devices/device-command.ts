// Sending one command to a device: the values are validated against the catalogue first (a bad value is
// refused on the host with the field named), then the promise settles on the device's answer.
import { codeName } from '../../protocols/catalogue/codes.ts';
import type { MessageName } from '../../protocols/host/host-codec.ts';
import { messageDef, messageId, validateValues } from '../../protocols/host/host-codec.ts';
import type { MessageValues } from '../../protocols/generated/wire-registry.ts';
import { wireCodecs } from '../../protocols/generated/wire-registry.ts';
import type { DeviceLink } from '../link/device-link.ts';

export class DeviceCommandError extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
    this.name = 'DeviceCommandError';
  }
}

/** Resolves with the lease the device applied (0 for a command without one), rejects with its reason. */
export function sendCommand<N extends MessageName>(link: DeviceLink, name: N, values: MessageValues[N]): Promise<number> {
  return new Promise((resolve, reject) => {
    // Inside the promise, so a bad value rejects it like any other refusal.
    const v = validateValues(name, values);
    const id = messageId(name);
    const def = messageDef(name);
    link.session.sendCommand(id, wireCodecs[id].write as (b: Uint8Array, o: number, m: unknown) => number, v, (result, appliedLeaseMs) => {
      if (result === 0) return resolve(appliedLeaseMs);
      const reason = codeName('NackReason', result) ?? `code ${result}`;
      const why: Record<string, string> = {
        timeout: 'no answer after every retry: the link may be down',
        'link-lost': 'the link was lost before the device answered',
        'not-ready': `the session with ${link.peer ? link.peer.uniqueId : 'the device'} is not up (${link.state})`,
        'hard-limit': 'the device refused it as above its hard limit',
        'rate-change-limit': 'the device refused a change that large in one step',
        'alarm-active': 'an alarm stands on the device: acknowledge it (stop) first',
        'out-of-range': 'the device found a value out of range',
        'queue-full': 'too many commands await an answer',
        stale: 'the device refused it as older than a command it already ran, or sent too long ago',
        expired: 'its lease had run out by the time it arrived (the line is slow: use a longer lease)',
        'unknown-message': 'the device does not take this command (is it the right device?)',
      };
      reject(new DeviceCommandError(reason, `${def.name} to ${link.peer ? link.peer.uniqueId : 'the device'} refused: ${reason} (${why[reason] ?? 'see NackReason in SPEC.md'})`));
    });
  });
}
