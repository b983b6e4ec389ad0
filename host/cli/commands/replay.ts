// `homeostat replay <record>`: the recorded decision inputs through the recorded (or another) controller,
// decision by decision; prints how many decisions came out the same and the first differences.
import { loadControllerFile } from '../../control/bp/controller-file.ts';
import { readRecord } from '../../record/record-file.ts';
import type { ReplayReport } from '../../record/replay.ts';
import { replayRecord } from '../../record/replay.ts';
import { isDbsRecord, replayDbsRecord } from '../../record/dbs-replay.ts';
import { loadPolicyFile } from '../../control/dbs/policy-file.ts';
import { dbsHeaderSchema } from '../../record/dbs-replay.ts';
import { dataFile } from './data-file.ts';

export function replay(path: string, controller: string | undefined, out: (line: string) => void): ReplayReport & { ok: boolean } {
  const rec = readRecord(path);
  // An aDBS record replays through a policy (--controller names a policy file there); any other, a BP controller.
  const dbs = isDbsRecord(rec);
  const other = controller === undefined ? undefined
    : dbs ? loadPolicyFile(dataFile(controller, 'policy', 'host/control/dbs'), dbsHeaderSchema.parse(rec.header).device)
      : loadControllerFile(dataFile(controller, 'controller', 'host/control/bp'));
  const r = dbs ? replayDbsRecord(rec, other as never) : replayRecord(rec, other as never);
  const against = other ? `the ${other.kind} ${dbs ? 'policy' : 'controller'} of ${controller}` : `the recorded ${dbs ? 'policy' : 'controller'}`;
  out(`${path}: ${r.decisions} decisions replayed through ${against}${rec.complete ? '' : ' (the record ends without its end line: the run crashed or is still going)'}`);
  out(`identical: ${r.identical} of ${r.decisions}`);
  for (const d of r.differences) out(`  at ${(d.tMs / 1000).toFixed(0)} s, ${d.field}: recorded ${JSON.stringify(d.recorded)}, replayed ${JSON.stringify(d.replayed)}`);
  // With the recorded controller every decision must match; with another, differences are the answer.
  return { ...r, ok: other ? true : r.identical === r.decisions };
}
