// Puts a node on its protocol port: a responder session on the HAL's UART, with the board's identity,
// the device key from the board's Storage (file homeostat.key, the key's 16 bytes, written by
// `homeostat flash --key-file`) and the board's SHA-256. Every node gets the session's rules this way:
// authentication, replay, order and age checks, refusals.
import sha256 from 'homeostat:sha256';
import { LINK_TIMINGS } from '../../../protocols/session/session-config.ts';
import type { ResponderHandlers } from '../../../protocols/session/responder-session.ts';
import { ResponderSession } from '../../../protocols/session/responder-session.ts';
import type { NodeBuildConfig } from '../board-config.ts';
import type { Hal } from '../hal/hal.ts';

/** The provisioned key (16 bytes in the board's Storage, file homeostat.key), or null when there is none. */
function deviceKey(hal: Hal): Uint8Array | null {
  const key = hal.storageRead('homeostat.key');
  return key && key.length === 16 ? key : null;
}

export function nodeLink(
  hal: Hal,
  cfg: NodeBuildConfig<unknown>,
  nodeRole: number,
  handlers: ResponderHandlers,
  isCommand: (id: number) => boolean,
  maxPayloadBytes: number,
  acceptUnauthenticated?: (id: number) => boolean,
): ResponderSession {
  const fw = cfg.firmware;
  const session = new ResponderSession(
    {
      clock: hal.clock,
      crc: hal.crc32,
      sha256: cfg.bench ? null : sha256,
      timings: LINK_TIMINGS,
      isCommand,
      acceptUnauthenticated,
      maxPayloadBytes,
      deviceKey: cfg.bench ? null : deviceKey(hal),
      bench: cfg.bench,
      random: hal.random32,
      identity: {
        nodeRole, boardId: cfg.boardId, firmwareMajor: fw.major, firmwareMinor: fw.minor, firmwarePatch: fw.patch,
        uniqueId: hal.serial(),
      },
    },
    handlers,
  );
  hal.uart.onData((bytes) => session.receive(bytes));
  return session;
}
