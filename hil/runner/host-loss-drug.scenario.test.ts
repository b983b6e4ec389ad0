// The drug's own state when the host is lost, closed loop at SIL: the host killed for 5 minutes (a lease is
// 15 s) on a norepinephrine patient and on a nitroprusside one. The norepinephrine pump holds the rate it was
// told to hold and the pressure stays up; the nitroprusside pump stops and the pressure climbs back towards
// the patient's own. The lease invariants hold for both, each against the rest rate its last command set.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDrugFile } from '../../host/therapies/bp/drugs/drug-file.ts';
import { runCase } from './case-run.ts';
import type { CaseResult } from './case-run.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const KILL_MIN = 12;
const KILL_S = 300;

async function hostKilled(cohort: string, patient: string, targetMmHg: number): Promise<CaseResult> {
  const file = join(mkdtempSync(join(tmpdir(), 'host-loss-')), `${cohort}-host-killed.hil.json`);
  writeFileSync(file, JSON.stringify({
    name: `${cohort}-host-killed`, hazard: 'The host dies while the pump runs a drug', checklist: 'host-loss',
    mitigation: 'the drug file\'s onHostLoss, sent with each PumpSetRate as its lapse rate',
    patients: { cohort: repo(`hil/sim/cohorts/${cohort}.cohort.json`), ids: [patient] },
    durationMin: 20, targetMmHg, heartRateBpm: 75, pulsePressureMmHg: 40, sensorNoiseMmHg: 1, beatNoiseMmHg: 3,
    faults: [{ kind: 'host-kill', atMin: KILL_MIN, durationS: KILL_S }],
  }));
  const r = await runCase({ index: 0, file, scenario: `${cohort}-host-killed`, patient }, 'sil', null);
  expect(r.error, r.log).toBeUndefined();
  return r;
}

/** Trace rows [min, true MAP, observed, commanded, delivered] from the lease's end to the host's return. */
const whileDead = (r: CaseResult) => r.trace!.rows.filter(([min]) => min > KILL_MIN + 0.75 && min <= KILL_MIN + KILL_S / 60);
const before = (r: CaseResult) => r.trace!.rows.filter(([min]) => min > KILL_MIN - 1 && min <= KILL_MIN);

describe('host loss: each drug goes to its own safe state', () => {
  it('norepinephrine: the pump holds its last rate through a 5 min host loss and the pressure stays up; nitroprusside: the pump stops', async () => {
    const ne = await hostKilled('norepinephrine', 'norepinephrine-002', 75);
    // The last rate commanded, within the drug's own cap on what it holds (and the board's, 150 mL/h).
    const onHostLoss = loadDrugFile('norepinephrine').onHostLoss as { maxMlPerH: number };
    const heldRate = Math.min(before(ne).at(-1)![3], onHostLoss.maxMlPerH, 150);
    expect(heldRate).toBeGreaterThan(1);
    for (const [min, , , , delivered] of whileDead(ne)) expect(Math.abs(delivered - heldRate), `${min} min`).toBeLessThan(0.05 * heldRate + 0.2);
    // Settled near its 75 mmHg target before the kill; stopped instead, this patient falls to about 54 mmHg.
    const neBefore = Math.min(...before(ne).map((x) => x[1]));
    expect(neBefore).toBeGreaterThan(70);
    expect(Math.min(...whileDead(ne).map((x) => x[1]))).toBeGreaterThan(neBefore - 5);
    expect(ne.criteria.filter((c) => c.criterion === 'safe-rate-after-loss' || c.criterion === 'no-actuation-on-expired-lease').every((c) => c.held), JSON.stringify(ne.criteria)).toBe(true);

    const snp = await hostKilled('corners', 'corners-nominal', 85);
    expect(before(snp).at(-1)![3]).toBeGreaterThan(1);
    for (const [min, , , , delivered] of whileDead(snp)) expect(delivered, `${min} min`).toBeLessThan(0.05);
    // Without the drug the pressure climbs back towards the patient's own (above the 85 mmHg target).
    expect(Math.max(...whileDead(snp).map((x) => x[1]))).toBeGreaterThan(Math.max(...before(snp).map((x) => x[1])) + 5);
    expect(snp.criteria.filter((c) => c.criterion === 'safe-rate-after-loss' || c.criterion === 'no-actuation-on-expired-lease').every((c) => c.held), JSON.stringify(snp.criteria)).toBe(true);
  }, 180_000);
});
