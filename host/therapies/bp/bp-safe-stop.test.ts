// How the blood-pressure loop leaves its pump when it ends (Ctrl-C, SIGTERM, a person's Stop): each drug's
// state on host loss, from its drug file through the supervisor file.
import { describe, expect, it } from 'vitest';
import { loadSupervisorFile, parseSupervisorConfig } from '../../safety/infusion-supervisor.ts';
import type { DecisionSetup } from './bp-decision.ts';
import type { BpDevices } from './bp-loop.ts';
import { bpTherapy } from './bp-loop.ts';

const repo = (p: string) => new URL(`../../../${p}`, import.meta.url).pathname;

function devices() {
  const calls: string[] = [];
  const link = { on: () => undefined };
  const d: BpDevices = {
    sensor: { link, onBeat: () => undefined, onAlarm: () => undefined },
    pump: {
      link, onStatus: () => undefined, onAlarm: () => undefined,
      setRate: () => Promise.resolve(15_000),
      stop: () => (calls.push('stop'), Promise.resolve()),
      release: () => void calls.push('release'),
    },
  };
  return { d, calls };
}

const setupFor = (drug: string) => ({
  supervisor: parseSupervisorConfig({ ...loadSupervisorFile(repo(`host/safety/${drug}.supervisor.json`)), weightKg: 70 }),
}) as unknown as DecisionSetup;

describe('the blood-pressure loop ending', () => {
  it('stops the pump for nitroprusside and waits for its Ack', async () => {
    const { d, calls } = devices();
    expect(await bpTherapy.safeStop(d, setupFor('nitroprusside'))).toBe('pump stopped (acknowledged)');
    expect(calls).toEqual(['stop']);
  });

  it('never stops a norepinephrine pump: it lets the lease run out to the held rate, and says so', async () => {
    const { d, calls } = devices();
    const said = await bpTherapy.safeStop(d, setupFor('norepinephrine'));
    expect(calls).toEqual(['release']);
    expect(said).toMatch(/pump not stopped: norepinephrine must not stop abruptly.*holds its rate.*at most \d+ mL\/h.*at the pump/);
  });
});
