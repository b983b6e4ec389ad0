// Session timings and identity. The values are the ones SPEC.md states (section 3.6).

/** Timings every peer uses. */
export interface LinkTimings {
  /** Period of Heartbeat frames while the session is up. */
  heartbeatMs: number;
  /** Silence longer than this means the link is lost. */
  linkTimeoutMs: number;
  /** Period of LinkStatus frames while up; 0 sends none. */
  linkStatusMs: number;
  /** A command sent longer ago than this (by its time field) is refused as stale (responder). */
  maxCommandAgeMs: number;
}

/** Timings only the initiator (host) needs. */
export interface SessionTimings extends LinkTimings {
  /** Wait for an Ack/Nack before sending a command again. */
  retransmitMs: number;
  /** Sends of one command in all (first send included) before it fails with a timeout. */
  maxTries: number;
  /** Period of Hello frames while the initiator waits for an answer. */
  helloRetryMs: number;
  /** Commands awaiting an answer at once; more are refused with queue-full. */
  maxInFlight: number;
}

/** What a node needs, and all a firmware bundle carries. */
export const LINK_TIMINGS: LinkTimings = {
  heartbeatMs: 500,
  linkTimeoutMs: 2000,
  linkStatusMs: 5000,
  maxCommandAgeMs: 2000,
};

export interface SessionIdentity {
  nodeRole: number;
  boardId: number;
  firmwareMajor: number;
  firmwareMinor: number;
  firmwarePatch: number;
  uniqueId: string;
}
