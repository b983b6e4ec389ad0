// The supervisor's rules through the real firmware at the SIL level: what the pump reports reaches the
// loop's decisions (a syringe run dry warns first and then stops the loop asking for drug, an occlusion is an
// alarm within a period, the dose counted is what flowed), and a mistuned loop's limit cycle is caught.
import { describe, expect, it } from 'vitest';
import type { SlateParameters } from '../sim/patients/slate-patient.ts';
import { silBpLoop } from './sil-bp-loop.ts';

const NOMINAL: Omit<SlateParameters, 'gainMmHgPerMlPerH'> = { transportDelayS: 30, recirculationDelayS: 45, recirculationFraction: 0.4, timeConstantS: 40 };
/** A PID that asks for a lot at once: it reaches the 150 mL/h cap on an insensitive patient. */
const PUSHY_PID = { kind: 'pid' as const, targetMmHg: 85, kpMlPerHPerMmHg: 2, integralTimeS: 60, derivativeTimeS: 0, derivativeFilterS: 5, minRateMlPerH: 0, maxRateMlPerH: 150, drugEffect: 'lowers' as const };

describe('BP loop with the pump\'s own alarms (SIL)', () => {
  it('an insensitive patient runs the syringe dry: near-empty warns first, empty is a high alarm within a period, nothing more is commanded, and the dose is what flowed', async () => {
    const { bench: b, loop, firstAlarm } = await silBpLoop({ patient: { ...NOMINAL, gainMmHgPerMlPerH: 0.05 }, baselineMmHg: 130, seed: 5, controller: PUSHY_PID });
    loop.start();
    let emptyAtMs: number | null = null;
    for (let t = 0; t < 40 * 60_000; t += 5000) {
      await b.run(5000);
      if (emptyAtMs === null && b.mechanism.pushedMl >= 50) emptyAtMs = b.clock.now();
    }
    loop.stop();
    expect(emptyAtMs, 'the syringe ran dry').not.toBeNull();
    const near = firstAlarm('pump-near-empty');
    const empty = firstAlarm('pump-syringe-empty');
    expect(near).not.toBeNull();
    expect(empty).not.toBeNull();
    expect(near!).toBeLessThan(empty!);
    // The end stop closed between two clock slices; the host's alarm comes within one decision period after.
    expect(empty! - emptyAtMs!).toBeLessThanOrEqual(5000 + 5000);
    const after = loop.decisions.filter((d) => d.tMs > empty!);
    expect(after.length).toBeGreaterThan(100);
    for (const d of after) {
      expect(d.command).toBe('none');
      expect(d.commandedMlPerH).toBe(0);
      expect(d.alarms[0].id).toBe('pump-syringe-empty');
      expect(d.controllerReason).toMatch(/controller held: the pump stopped \(syringe empty\)/);
    }
    // No command was refused by the pump for an alarm the host ignored.
    expect(loop.decisions.filter((d) => /alarm-active/.test(d.commandResult)).length).toBe(0);
    // What flowed: the pump's own account, not the 150 mL/h commanded before.
    expect(after.every((d) => d.infusedMlPerH === 0)).toBe(true);
    expect(b.mechanism.deliveredMl).toBeLessThan(50.1);
  }, 60_000);

  it('an occlusion is a high alarm within a period of the pump stopping, and the loop resumes after a person acts once it is cleared', async () => {
    const { bench: b, loop, firstAlarm } = await silBpLoop({ patient: { ...NOMINAL, gainMmHgPerMlPerH: 0.72 }, baselineMmHg: 130, seed: 5, controller: PUSHY_PID });
    loop.start();
    await b.run(5 * 60_000);
    const rate = loop.decisions.at(-1)!.commandedMlPerH;
    expect(rate).toBeGreaterThan(1);
    b.mechanism.occluded = true;
    const occludedAtMs = b.clock.now();
    await b.run(60_000);
    const alarmAt = firstAlarm('pump-occlusion');
    expect(alarmAt).not.toBeNull();
    // The pump needs its force high for its hold time (2 s on the Pico board) and the pressure to build first.
    expect(alarmAt! - occludedAtMs).toBeLessThan(30_000);
    expect(loop.decisions.at(-1)).toMatchObject({ command: 'none', mode: 'held' });
    b.mechanism.occluded = false;
    loop.operatorAction({ kind: 'auto' });
    await b.run(60_000);
    expect(loop.decisions.at(-1)!.mode).toBe('auto');
    expect(loop.decisions.at(-1)!.command).toBe('set-rate');
    expect(loop.activeAlarms.map((a) => a.id)).not.toContain('pump-occlusion');
    expect(b.mechanism.deliveredMl).toBeGreaterThan(0);
  }, 60_000);

  it('the shipped PID on the most sensitive patient with the longest delays sits in a limit cycle: an alarm, then a conservative fixed rate that stops it', async () => {
    const { bench: b, loop, firstAlarm } = await silBpLoop({ patient: { gainMmHgPerMlPerH: 9.5, transportDelayS: 60, recirculationDelayS: 75, recirculationFraction: 1, timeConstantS: 60 }, baselineMmHg: 130, seed: 5, controller: 'pid' });
    loop.start();
    const truth: { tMs: number; mapMmHg: number }[] = [];
    for (let t = 0; t < 50 * 60_000; t += 5000) {
      await b.run(5000);
      truth.push({ tMs: b.clock.now(), mapMmHg: b.truthMapMmHg() });
    }
    loop.stop();
    const alarmAt = firstAlarm('oscillation');
    const heldAt = firstAlarm('controller-stopped');
    expect(alarmAt).not.toBeNull();
    expect(heldAt).not.toBeNull();
    expect(heldAt!).toBeGreaterThan(alarmAt!);
    expect(heldAt!).toBeLessThan(30 * 60_000);
    // Held at the fixed rate to the end, and the swings die out: the last 15 minutes stay above the floor.
    const after = loop.decisions.filter((d) => d.tMs > heldAt!);
    expect(after.every((d) => d.mode === 'held' || d.mode === 'fallback')).toBe(true);
    const late = truth.filter((x) => x.tMs > truth.at(-1)!.tMs - 15 * 60_000);
    expect(Math.min(...late.map((x) => x.mapMmHg))).toBeGreaterThan(65);
  }, 60_000);
});
