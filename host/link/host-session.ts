// Binds a protocol Session to a Transport on the host: the host is the initiator, its CRC is the
// table-driven CRC-32, SHA-256 and nonces come from node:crypto, device keys from a keyring, and a random
// session id seed keeps a restarted host apart from its previous run.
import * as nodeCrypto from 'node:crypto';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Clock } from '../../protocols/clock/clock.ts';
import { crc32Range } from '../../protocols/framing/crc32.ts';
import { BoardId, NodeRole } from '../../protocols/generated/wire-codec.ts';
import type { HelloValues } from '../../protocols/generated/wire-codec.ts';
import type { Sha256Fn } from '../../protocols/integrity/hmac.ts';
import { InitiatorSession } from '../../protocols/session/initiator-session.ts';
import { lostText, refusalText } from '../../protocols/session/refusal-text.ts';
import type { SessionTimings } from '../../protocols/session/session-config.ts';
import { DEFAULT_TIMINGS } from '../../protocols/session/default-timings.ts';
import type { Transport } from '../transport/transport.ts';
import type { Keyring } from './keyring.ts';
import { defaultKeyringPath, fileKeyring } from './keyring.ts';

export const HOST_VERSION = { major: 0, minor: 1, patch: 0 };

/** node:crypto's one-shot hash (Node 20.12 on), which spares a Hash object per call: two per MAC, one MAC per frame. */
const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;
export const nodeSha256: Sha256Fn = oneShot ? (d) => new Uint8Array(oneShot('sha256', d, 'buffer')) : (d) => new Uint8Array(createHash('sha256').update(d).digest());

/** What the host is told about a device session, with refusals and losses already in words. */
export interface HostSessionEvents {
  /** Payload bytes of each message (a DeviceLink hands them to its typed dispatch); a Hello check needs none. */
  message?(msgId: number, buf: Uint8Array, start: number, end: number): void;
  ready(peer: HelloValues): void;
  lost(why: string): void;
  refused(why: string): void;
}

export interface HostSessionOptions {
  timings?: Partial<SessionTimings>;
  name?: string;
  sessionIdSeed?: number;
  /** Device keys; the keyring file (HOMEOSTAT_KEYRING or ~/.config/homeostat/keyring.json) by default. */
  keyring?: Keyring;
}

export function hostSession(transport: Transport, clock: Clock, events: HostSessionEvents, options: HostSessionOptions = {}): InitiatorSession {
  const timings = { ...DEFAULT_TIMINGS, ...options.timings };
  const keyring = options.keyring ?? fileKeyring(defaultKeyringPath());
  const session: InitiatorSession = new InitiatorSession(
    {
      clock,
      crc: crc32Range,
      sha256: nodeSha256,
      timings,
      sessionIdSeed: options.sessionIdSeed ?? randomInt(1, 0xffffffff),
      random: () => randomBytes(4).readUInt32LE(0),
      keyFor: (id) => keyring.keyFor(id),
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
      refused: (why, peer) => events.refused(refusalText(why, peer, {
        layoutHash: session.layoutHash, foreignVersion: session.foreignVersion, expectRole: session.expectRole,
        expectBoard: session.expectBoard, keyring: keyring.describe(),
      })),
    },
  );
  transport.onBytes((bytes) => session.receive(bytes));
  return session;
}
