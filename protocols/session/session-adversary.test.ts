// Properties of the session against an attacker who owns the wire: it drops, duplicates, holds back and
// reorders frames, replays any frame seen before (also from earlier sessions), reflects frames to their
// sender, tampers with them (fixing the CRC) and forges new ones. Whatever it does, the node actuates only
// commands the host sent in the same session, each at most once, in the order sent, never older than the
// age limit; and the host settles a command as accepted only when the node actuated it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MsgId } from '../generated/wire-codec.ts';
import type { Action } from '../testing/wire-adversary.ts';
import { runAdversary, violations } from '../testing/wire-adversary.ts';

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('deliver' as const), toNode: fc.boolean(), count: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('flush' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('drop' as const, 'duplicate' as const, 'hold' as const), toNode: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('replay' as const, 'reflect' as const, 'tamper' as const), pick: fc.nat(), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('forge' as const), id: fc.constantFrom(MsgId.PumpSetRate, MsgId.PumpStop, MsgId.Ack, MsgId.Nack, MsgId.Hello, MsgId.Heartbeat),
      body: fc.array(fc.nat(255), { minLength: 8, maxLength: 40 }), seq: fc.nat(255),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 900 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('command' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reboot' as const) }) },
);

describe('session against an attacker on the wire', () => {
  it('forged, replayed, reflected, tampered, reordered, delayed and duplicated frames never actuate and never settle a command falsely', () => {
    fc.assert(
      fc.property(fc.array(actionArb, { minLength: 40, maxLength: 200 }), fc.integer({ min: 1, max: 1000 }), (actions, seed) => {
        const run = runAdversary(actions, seed);
        expect(violations(run)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
