// The host's full set of session timings (SPEC.md section 3.6): the shared link timings plus the
// initiator's own. Host only (it uses object spread, which firmware bundles may not).
import type { SessionTimings } from './session-config.ts';
import { LINK_TIMINGS } from './session-config.ts';

export const DEFAULT_TIMINGS: SessionTimings = {
  ...LINK_TIMINGS,
  retransmitMs: 250,
  maxTries: 4,
  helloRetryMs: 500,
  maxInFlight: 8,
};
