// Retrospective validation of an aDBS record: its decision inputs through the recorded (or another) policy,
// the supervisor and the gates again, decision by decision, with the replay loop every therapy shares
// (replay.ts). With the recorded policy the decisions must come out identical.
import { z } from 'zod';
import { dbsSetup } from '../app/dbs-app.ts';
import { parseConfig } from '../config/config-file.ts';
import type { PolicyFile } from '../control/dbs/policy-file.ts';
import { policyFileSchema } from '../control/dbs/policy-file.ts';
import { stimAdvisoryConfigSchema } from '../safety/advisory-gate.ts';
import { betaDriftConfigSchema } from '../safety/drift-monitor.ts';
import { stimSupervisorConfigSchema } from '../safety/stim-supervisor.ts';
import type { DbsDecision, DbsLoopState } from '../therapies/dbs/dbs-decision.ts';
import { dbsLoopStart, decideDbs } from '../therapies/dbs/dbs-decision.ts';
import type { DbsDecisionInputs } from '../therapies/dbs/dbs-decision.ts';
import type { DbsEvent } from '../therapies/dbs/dbs-period.ts';
import { DBS_EVENT_KINDS } from '../therapies/dbs/dbs-period.ts';
import type { RecordFile } from './record-file.ts';
import type { ReplayReport } from './replay.ts';
import { replayDecisions } from './replay.ts';

/** The part of an aDBS record's header a replay needs (host/app/dbs-app.ts dbsHeader writes it). */
export const dbsHeaderSchema = z.object({
  therapy: z.literal('dbs'),
  policy: policyFileSchema,
  supervisor: stimSupervisorConfigSchema,
  advisory: stimAdvisoryConfigSchema.nullable(),
  drift: betaDriftConfigSchema.nullable(),
  device: z.object({
    windowMinMa: z.number(), windowMaxMa: z.number(), rampUpMaPerS: z.number(), rampDownMaPerS: z.number(), reportEveryMs: z.number(),
    hardMaxMa: z.number(), fallbackMa: z.number(), maxLeaseMs: z.number(), blankMs: z.number(),
  }),
  baselineBetaUv2: z.number(),
});

const COMPARED = ['betaUv2', 'reports', 'blanked', 'proposedMa', 'commandedMa', 'command', 'mode', 'controllerReason', 'limits', 'alarms', 'raised', 'cleared'] as const;

export function isDbsRecord(rec: RecordFile): boolean {
  return rec.header.therapy === 'dbs';
}

export function replayDbsRecord(rec: RecordFile, policy?: PolicyFile, maxDifferences = 20): ReplayReport {
  const h = parseConfig("the aDBS record's header cannot set up a replay", dbsHeaderSchema, rec.header);
  const setup = dbsSetup({ ...h, policy: policy ?? h.policy });
  return replayDecisions<DbsLoopState, DbsEvent, DbsDecision>(rec, {
    eventKinds: DBS_EVENT_KINDS,
    start: (tMs) => dbsLoopStart(setup, tMs),
    decide: (state, inputs) => decideDbs(setup, state, inputs as DbsDecisionInputs),
    compared: COMPARED,
  }, maxDifferences);
}
