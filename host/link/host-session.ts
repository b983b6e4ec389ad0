// Binds a protocol Session to a Transport on the host: the host is the initiator, its CRC is the
// table-driven CRC-32, and a random session id seed keeps a restarted host apart from its previous run.
import { randomInt } from 'node:crypto';
import type { Clock } from '../../protocols/clock/clock.ts';
import { crc32Range } from '../../protocols/framing/crc32.ts';
import { BOARD_ID_NONE, NODE_ROLE_HOST, isCommandId } from '../../protocols/generated/wire-codec.ts';
import type { SessionTimings } from '../../protocols/session/session-config.ts';
import { DEFAULT_TIMINGS } from '../../protocols/session/session-config.ts';
import type { SessionHandlers } from '../../protocols/session/session.ts';
import { Session } from '../../protocols/session/session.ts';
import type { Transport } from '../transport/transport.ts';

export const HOST_VERSION = { major: 0, minor: 1, patch: 0 };

export function hostSession(
  transport: Transport,
  clock: Clock,
  handlers: Omit<SessionHandlers, 'output'>,
  options: { timings?: Partial<SessionTimings>; name?: string; sessionIdSeed?: number } = {},
): Session {
  const session = new Session(
    {
      clock,
      crc: crc32Range,
      initiator: true,
      isCommand: isCommandId,
      timings: { ...DEFAULT_TIMINGS, ...options.timings },
      sessionIdSeed: options.sessionIdSeed ?? randomInt(1, 0xffffffff),
      identity: {
        nodeRole: NODE_ROLE_HOST, boardId: BOARD_ID_NONE, firmwareMajor: HOST_VERSION.major, firmwareMinor: HOST_VERSION.minor,
        firmwarePatch: HOST_VERSION.patch, uniqueId: options.name ?? 'homeostat-host',
      },
    },
    { ...handlers, output: (bytes) => transport.write(bytes) },
  );
  transport.onBytes((bytes) => session.receive(bytes));
  return session;
}
