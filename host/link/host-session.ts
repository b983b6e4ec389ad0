// Binds a protocol Session to a Transport on the host: the host is the initiator, its CRC is the
// table-driven CRC-32, and a random session id seed keeps a restarted host apart from its previous run.
import { randomInt } from 'node:crypto';
import type { Clock } from '../../protocols/clock/clock.ts';
import { crc32Range } from '../../protocols/framing/crc32.ts';
import { BoardId, NodeRole } from '../../protocols/generated/wire-codec.ts';
import type { HelloValues } from '../../protocols/generated/wire-codec.ts';
import { InitiatorSession } from '../../protocols/session/initiator-session.ts';
import { lostText, refusalText } from '../../protocols/session/refusal-text.ts';
import type { SessionTimings } from '../../protocols/session/session-config.ts';
import { DEFAULT_TIMINGS } from '../../protocols/session/default-timings.ts';
import type { Transport } from '../transport/transport.ts';

export const HOST_VERSION = { major: 0, minor: 1, patch: 0 };

/** What the host is told about a device session, with refusals and losses already in words. */
export interface HostSessionEvents {
  message(msgId: number, buf: Uint8Array, start: number, end: number): void;
  ready(peer: HelloValues): void;
  lost(why: string): void;
  refused(why: string): void;
}

export function hostSession(
  transport: Transport,
  clock: Clock,
  events: HostSessionEvents,
  options: { timings?: Partial<SessionTimings>; name?: string; sessionIdSeed?: number } = {},
): InitiatorSession {
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const session: InitiatorSession = new InitiatorSession(
    {
      clock,
      crc: crc32Range,
      timings,
      sessionIdSeed: options.sessionIdSeed ?? randomInt(1, 0xffffffff),
      identity: {
        nodeRole: NodeRole.Host, boardId: BoardId.None, firmwareMajor: HOST_VERSION.major, firmwareMinor: HOST_VERSION.minor,
        firmwarePatch: HOST_VERSION.patch, uniqueId: options.name ?? 'homeostat-host',
      },
    },
    {
      output: (bytes) => transport.write(bytes),
      message: events.message,
      ready: events.ready,
      lost: (why) => events.lost(lostText(why, timings.linkTimeoutMs)),
      refused: (reason, peer) =>
        events.refused(refusalText(reason, peer, { layoutHash: session.layoutHash, foreignVersion: session.foreignVersion })),
    },
  );
  transport.onBytes((bytes) => session.receive(bytes));
  return session;
}
