// The safety invariants judged on synthetic traces: each rule broken on purpose must fail.
import { describe, expect, it } from 'vitest';
import type { Fault, FaultEvent } from '../faults/fault-schedule.ts';
import { criteriaSchema } from '../scenarios/hil-scenario.ts';
import type { PatientMetrics } from '../reports/bp-metrics.ts';
import type { PatientRun } from './bp-run.ts';
import type { SafetyTrace } from './fault-session.ts';
import { expiredLeaseActuation, judgeRun, safeStateAfterLoss } from './scenario-criteria.ts';

/** Drive samples every 250 ms from fromMs to toMs at a rate. */
const drive = (fromMs: number, toMs: number, rate: number): [number, number][] =>
  Array.from({ length: Math.floor((toMs - fromMs) / 250) }, (_, i) => [fromMs + i * 250, rate]);

/** Commands every 5 s with a 15 s lease, from fromMs to toMs. */
const commands = (fromMs: number, toMs: number) =>
  Array.from({ length: Math.floor((toMs - fromMs) / 5000) }, (_, i) => ({ tMs: fromMs + i * 5000, rateMlPerH: 10, leaseMs: 15_000 }));

const applied = (tMs: number, fault: Partial<Fault>): FaultEvent => ({ tMs, what: 'applied', fault: { atMin: tMs / 60_000, ...fault } as Fault });

function trace(o: Partial<SafetyTrace>): SafetyTrace {
  return { sent: [], accepted: [], drive: [], faults: [], notInjectable: [], hostStarts: 1, safeRateMlPerH: 0, maxLapseRateMlPerH: 150, maxLeaseMs: 60_000, log: [], ...o };
}

describe('safety invariants', () => {
  it('a drive that stops when the lease runs out holds; one that runs on past it fails', () => {
    const sent = commands(0, 60_000); // last command at 55 s: lease to 70 s
    const good = trace({ sent, accepted: sent, drive: [...drive(0, 70_000, 10), ...drive(70_000, 90_000, 0)] });
    expect(expiredLeaseActuation(good).violations).toBe(0);
    const bad = trace({ sent, accepted: sent, drive: drive(0, 90_000, 10) });
    const v = expiredLeaseActuation(bad);
    expect(v.violations).toBeGreaterThan(0);
    expect(v.firstMs).toBeGreaterThan(70_000);
    expect(v.firstMs).toBeLessThanOrEqual(72_000);
  });

  it('a lease longer than the pump allows is cut to its maximum', () => {
    const sent = [{ tMs: 0, rateMlPerH: 10, leaseMs: 600_000 }];
    expect(expiredLeaseActuation(trace({ sent, maxLeaseMs: 20_000, drive: drive(0, 30_000, 10) })).violations).toBeGreaterThan(0);
  });

  it('after a host kill the pump must be at its safe rate by the lease\'s end, unless the host was back first', () => {
    const sent = commands(0, 60_000);
    const kill = applied(60_000, { kind: 'host-kill' });
    const safe = safeStateAfterLoss(trace({ sent, accepted: sent, faults: [kill], drive: [...drive(0, 70_000, 10), ...drive(70_000, 100_000, 0)] }));
    expect(safe).toHaveLength(1);
    expect(safe[0].safeAtMs).toBe(70_000);
    expect(safe[0].safeAtMs!).toBeLessThanOrEqual(safe[0].deadlineMs);
    const lateTrace = trace({ sent, accepted: sent, faults: [kill], drive: [...drive(0, 80_000, 10), ...drive(80_000, 100_000, 0)] });
    const late = safeStateAfterLoss(lateTrace);
    expect(late[0].safeAtMs!).toBeGreaterThan(late[0].deadlineMs);
    const judged = judgeRun(criteriaSchema.parse({}), { samples: [], alarms: [], safety: lateTrace, targets: [{ fromS: 0, mapMmHg: 85 }], resumes: [] } as unknown as PatientRun, {} as PatientMetrics);
    expect(judged.find((x) => x.criterion === 'safe-rate-after-loss')).toMatchObject({ held: false, detail: 'host-kill at 60.0 s: at 80.0 s at the safe rate 0 mL/h (by 71.5 s)' });
    const back = commands(65_000, 100_000);
    const recovered = safeStateAfterLoss(trace({ sent: [...sent, ...back], accepted: [...sent, ...back], faults: [kill], drive: drive(0, 100_000, 10) }));
    expect(recovered[0].recovered).toBe(true);
  });

  it('a command that asks the pump to hold its rate on lapse (a vasopressor) lets it rest there, never above the board\'s maximum', () => {
    const held = commands(0, 60_000).map((c) => ({ ...c, lapseRateMlPerH: 10 }));
    const kill = applied(60_000, { kind: 'host-kill' });
    const holding = trace({ sent: held, accepted: held, faults: [kill], drive: drive(0, 100_000, 10) });
    expect(expiredLeaseActuation(holding).violations).toBe(0);
    expect(safeStateAfterLoss(holding)[0]).toMatchObject({ safeAtMs: 60_000, restMlPerH: 10 });
    // The board holds at most 5 mL/h: 10 after the lease is a violation, and no safe state is reached.
    const capped = trace({ sent: held, accepted: held, faults: [kill], maxLapseRateMlPerH: 5, drive: drive(0, 100_000, 10) });
    expect(expiredLeaseActuation(capped).violations).toBeGreaterThan(0);
    expect(safeStateAfterLoss(capped)[0]).toMatchObject({ safeAtMs: null, restMlPerH: 5 });
    // Without the ask, the same drive is a pump that ran on past its lease.
    expect(expiredLeaseActuation(trace({ sent: commands(0, 60_000), drive: drive(0, 100_000, 10) })).violations).toBeGreaterThan(0);
  });

  it('judges every criterion in words, and fails the run on each broken one', () => {
    const sent = commands(0, 60_000);
    const run = {
      samples: [0, 5, 10].map((tS) => ({ tS, mapMmHg: 60, observedMmHg: 60, rateMlPerH: 10, deliveredMlPerH: 10, confidence: 1, mode: 'auto', atCap: null })),
      alarms: [{ tMs: 65_000, alarm: { id: 'pump-lease-lapsed', priority: 'medium', text: '' } }],
      deliveredMl: 100, concentrationUgPerMl: 200, drugEffect: 'lowers', floorMmHg: 65, highMmHg: 140, targets: [{ fromS: 0, mapMmHg: 85 }], resumes: [],
      safety: trace({ sent, accepted: sent, faults: [applied(60_000, { kind: 'host-kill' }), applied(100_000, { kind: 'occlusion' })], drive: drive(0, 90_000, 10) }),
    } as unknown as PatientRun;
    const m = { settled: true, settlingTimeS: 1200, overshootMmHg: 12, steadyStateDeviationMmHg: 4, timeInBand5AfterSettlingPct: 70, alarmsPerHour: 9 } as PatientMetrics;
    const c = criteriaSchema.parse({ settlingTimeMaxMin: 15, overshootMaxMmHg: 10, steadyStateDeviationMaxMmHg: 3, timeInBandMinPct: 85, faultAlarmWithinS: 30, doseBudgetMg: 10, alarmsPerHourMax: 4,
      alarmsRaised: [{ id: 'pump-lease-lapsed', withinMin: 2 }, { id: 'pump-lease-lapsed', withinMin: 1 }, { id: 'target-not-reached', withinMin: 30 }] });
    const r = judgeRun(c, run, m);
    const failed = r.filter((x) => !x.held).map((x) => x.criterion);
    expect(failed).toEqual(['settling-time', 'overshoot', 'steady-state-deviation', 'time-in-band', 'no-actuation-on-expired-lease', 'safe-rate-after-loss', 'fault-alarm', 'dose-budget', 'alarm-raised', 'alarm-raised', 'alarms-per-hour', 'map-beyond-limit-from-drug']);
    expect(r.filter((x) => x.criterion === 'alarm-raised').map((x) => x.detail)).toEqual([
      "'pump-lease-lapsed' raised at 1.1 min (within 2 min)", "'pump-lease-lapsed' raised at 1.1 min (within 1 min)", "'target-not-reached' never raised (expected within 30 min)",
    ]);
    expect(r.find((x) => x.criterion === 'fault-alarm' && x.held)?.detail).toMatch(/host-kill at 60\.0 s: 'pump-lease-lapsed' after 5\.0 s/);
    expect(r.find((x) => x.criterion === 'dose-budget')?.detail).toBe('20.00 mg reached the patient (at most 10)');
  });
});
