// For tests of a node on the real interpreter: the host's session on the node's line, keyed with the key the
// test provisioned in the node's Storage, started and given time to come up. Every session event is kept
// in words ("ready <role> <board>", "lost ...", "refused ..."), so a test says exactly what it expected.
import type { Clock } from '../../protocols/clock/clock.ts';
import type { InitiatorSession } from '../../protocols/session/initiator-session.ts';
import type { HostSessionEvents } from '../../host/link/host-session.ts';
import { hostSession } from '../../host/link/host-session.ts';
import { keyFromHex } from '../../host/link/keyring.ts';
import type { Transport } from '../../host/transport/transport.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function keyedHost(
  transport: Transport, clock: Clock, keyHex: string, message?: HostSessionEvents['message'], upWithinMs = 2000,
): Promise<{ host: InitiatorSession; events: string[] }> {
  const events: string[] = [];
  const host = hostSession(transport, clock, {
    message,
    ready: (p) => events.push(`ready ${p.nodeRole} ${p.boardId}`),
    lost: (why) => events.push(`lost ${why}`),
    refused: (why) => events.push(`refused ${why}`),
  }, { keyring: { keyFor: () => keyFromHex(keyHex), describe: () => 'test' } });
  host.start();
  for (let t = 0; t < upWithinMs && !host.ready; t += 10) await sleep(10);
  return { host, events };
}
