// `homeostat run dbs` against a PIL neurostimulator (its bundle in the plant's process behind a socat
// pseudo-terminal, sampling a virtual patient's LFP), which it cannot tell from a real one: it closes the
// loop, and Ctrl-C ramps the stimulator to its fallback amplitude (never zero) before it exits.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDbsCohort } from '../sim/cohorts/cohort.ts';
import { loadDbsScenario } from '../sim/scenarios/dbs-scenario.ts';
import { pilKeyringEnv } from './pil-boards.testing.ts';
import { pilSession } from './pil-rig.ts';
import type { RigSession } from './rig.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sessions: RigSession[] = [];
afterAll(() => sessions.forEach((s) => s.close()));

describe('homeostat run dbs on a PIL neurostimulator', () => {
  it('closes the loop on the system clock, records it, and on Ctrl-C ramps to the fallback and exits', async () => {
    const patient = loadDbsCohort(repo('hil/sim/cohorts/dbs.cohort.json')).patients[0];
    const plan = { scenario: loadDbsScenario(repo('hil/sim/scenarios/rest.scenario.json')), patient, seed: 7, board: 'pico', stimulate: true };
    const session = await pilSession({ therapy: 'dbs', plan, roles: ['neurostimulator'], board: 'pico', seed: 7, speed: 1 });
    sessions.push(session);
    const out = mkdtempSync(join(tmpdir(), 'run-dbs-'));
    const p = spawn(process.execPath, [repo('host/cli/bin.js'), 'run', 'dbs', '--stim', session.nodes[0].where, '--baseline-uv2', '2', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'], env: pilKeyringEnv() });
    let output = '';
    p.stdout!.on('data', (d: Buffer) => (output += d));
    p.stderr!.on('data', (d: Buffer) => (output += d));
    const done = new Promise<number | null>((r) => p.on('close', (code) => r(code)));
    for (let i = 0; i < 1200 && (output.match(/ beta [\d.]+ uV\^2, amplitude/g) ?? []).length < 3; i++) await sleep(50);
    expect(output).toMatch(/neurostim: 'neurostimulator' \(neurostim on pico/);
    // Protocol v2: the board's key is in the user's keyring, so the session is authenticated (no bench-mode warning).
    expect(output).not.toMatch(/WARNING/);
    expect((output.match(/ beta [\d.]+ uV\^2, amplitude [\d.]+ mA \(delivered (-|[\d.]+)\), auto/g) ?? []).length).toBeGreaterThanOrEqual(3);
    p.kill('SIGINT');
    expect(await done).toBe(130);
    expect(output).toMatch(/SIGINT: stimulator ramping to its fallback of 2.50 mA \(acknowledged\) after \d+ ms/);
    for (let i = 0; i < 40 && Math.abs(session.probe().deliveredMa - 2.5) > 1e-3; i++) await sleep(100);
    expect(session.probe().deliveredMa).toBeCloseTo(2.5, 2);
    const lines = readFileSync(join(out, 'live.record.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.kind === 'decision').length).toBeGreaterThanOrEqual(10);
    expect(lines.filter((l) => l.kind === 'beta').length).toBeGreaterThanOrEqual(10);
    expect(lines.at(-1)).toMatchObject({ kind: 'end', data: { ok: true } });
  }, 120_000);
});
