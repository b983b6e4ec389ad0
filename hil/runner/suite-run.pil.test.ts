// The same scenario file at SIL and at PIL: at PIL both bundles run in the plant's own process behind
// socat pseudo-terminals, the host opens them with serialport on a clock following the plant's (10x real
// time here), the occlusion acts on the syringe in the plant process and the host kill on the host's own
// process edges. The criteria judged at both levels agree on their verdicts. A short scenario keeps it
// near 30 s of wall time.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCase } from './case-run.ts';
import { planSuite } from './suite-plan.ts';

const cohort = new URL('../sim/cohorts/corners.cohort.json', import.meta.url).pathname;

describe('a scenario at SIL and at PIL', () => {
  it('runs unchanged at PIL with plant and host faults, and its criteria agree with SIL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-pil-'));
    const file = join(dir, 'short-faults.hil.yaml');
    writeFileSync(file, `name: short-faults
hazard: the pump runs on after its host is gone, or a blocked line goes unnoticed
checklist: host-loss
mitigation: the pump's lease (firmware/src/safety); the pump's occlusion alarm
patients: { cohort: ${cohort}, ids: [corners-nominal] }
durationMin: 3
targetMmHg: 85
heartRateBpm: 75
pulsePressureMmHg: 40
sensorNoiseMmHg: 1
beatNoiseMmHg: 3
faults:
  - { kind: occlusion, atMin: 0.5, durationS: 20 }
  - { kind: host-kill, atMin: 1.5, durationS: 20 }
criteria: { faultAlarmWithinS: 60 }
`);
    const [job] = planSuite([file]).jobs;
    const sil = await runCase(job, 'sil', null);
    const pil = await runCase(job, 'pil', null, 10);
    expect(sil.error).toBeUndefined();
    expect(pil.error, pil.log).toBeUndefined();
    expect(pil.level).toBe('pil');
    expect(pil.notInjectable).toBeUndefined();
    // Both faults were applied where they happen, on the plant's time, and the host came back.
    expect(pil.log).toMatch(/30\.0 s: fault occlusion applied[\s\S]*(89|9[01])\.\d s: fault host-kill applied[\s\S]*host 2 connected/);
    const verdicts = (c: typeof sil) => c.criteria.map((x) => `${x.criterion}: ${x.held}`);
    expect(verdicts(pil)).toEqual(verdicts(sil));
    expect(verdicts(pil)).toEqual(expect.arrayContaining(['no-actuation-on-expired-lease: true', 'safe-rate-after-loss: true', 'map-beyond-limit-from-drug: true']));
    // The PIL drive was sampled in the plant process over the whole run (every 250 ms of its time).
    expect(pil.simulatedS).toBe(180);
    expect(pil.criteria.find((x) => x.criterion === 'no-actuation-on-expired-lease')!.detail).toMatch(/\((6[5-9]\d|7[0-4]\d) samples\)/);
  }, 150_000);
});
