// Session timings and identity. Defaults are the values SPEC.md states; both sides may tighten them.

export interface SessionTimings {
  /** Period of Heartbeat frames while the session is up. */
  heartbeatMs: number;
  /** Silence longer than this means the link is lost. */
  linkTimeoutMs: number;
  /** Wait for an Ack/Nack before sending a command again. */
  retransmitMs: number;
  /** Sends of one command in all (first send included) before it fails with a timeout. */
  maxTries: number;
  /** Period of Hello frames while the initiator waits for an answer. */
  helloRetryMs: number;
  /** How long a received command is remembered for duplicate detection. */
  dedupeWindowMs: number;
  /** Commands awaiting an answer at once; more are refused with queue-full. */
  maxInFlight: number;
  /** Period of LinkStatus frames while up; 0 sends none. */
  linkStatusMs: number;
}

export const DEFAULT_TIMINGS: SessionTimings = {
  heartbeatMs: 500,
  linkTimeoutMs: 2000,
  retransmitMs: 250,
  maxTries: 4,
  helloRetryMs: 500,
  dedupeWindowMs: 2000,
  maxInFlight: 8,
  linkStatusMs: 5000,
};

export interface SessionIdentity {
  nodeRole: number;
  boardId: number;
  firmwareMajor: number;
  firmwareMinor: number;
  firmwarePatch: number;
  uniqueId: string;
}
