// Puts a node on its protocol port: a responder session on the HAL's UART, with the board's identity.
import { LINK_TIMINGS } from '../../../protocols/session/session-config.ts';
import type { ResponderHandlers } from '../../../protocols/session/responder-session.ts';
import { ResponderSession } from '../../../protocols/session/responder-session.ts';
import type { NodeBuildConfig } from '../board-config.ts';
import type { Hal } from '../hal/hal.ts';

export function nodeLink(
  hal: Hal,
  cfg: NodeBuildConfig<unknown>,
  nodeRole: number,
  handlers: ResponderHandlers,
  isCommand: (id: number) => boolean,
  acceptBeforeReady: (id: number) => boolean,
): ResponderSession {
  const fw = cfg.firmware;
  const session = new ResponderSession(
    {
      clock: hal.clock,
      crc: hal.crc32,
      timings: LINK_TIMINGS,
      isCommand,
      acceptBeforeReady,
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
