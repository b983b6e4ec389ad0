// `homeostat run bp` is the process a user runs against real boards; here it runs against PIL boards (both
// bundles in the plant's process, each behind a socat pseudo-terminal, the patient feeding them), which it
// cannot tell from real ones. It closes the loop, and Ctrl-C stops the pump before it exits; a port holding
// the wrong device, a missing port, or one another host holds is refused with nothing actuated.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SerialTransport } from '../../host/transport/serial-transport.ts';
import { pilBpBoards, pilKeyringEnv } from './pil-boards.testing.ts';
import type { RigSession } from './rig.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sessions: RigSession[] = [];
afterAll(() => sessions.forEach((s) => s.close()));

async function pilBoards(): Promise<{ sensor: string; pump: string; session: RigSession }> {
  const boards = await pilBpBoards();
  sessions.push(boards.session);
  return boards;
}

const env = pilKeyringEnv();

function cli(args: string[]) {
  const p = spawn(process.execPath, [repo('host/cli/bin.js'), 'run', 'bp', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env,
  });
  let output = '';
  p.stdout!.on('data', (d: Buffer) => (output += d));
  p.stderr!.on('data', (d: Buffer) => (output += d));
  const done = new Promise<number | null>((r) => p.on('close', (code) => r(code)));
  return { p, output: () => output, done };
}

describe('homeostat run bp on PIL boards', () => {
  it('closes the loop on the system clock, records it, and on Ctrl-C stops the pump and exits', async () => {
    const { sensor, pump, session } = await pilBoards();
    const out = mkdtempSync(join(tmpdir(), 'run-bp-'));
    const run = cli(['--sensor', sensor, '--pump', pump, '--weight-kg', '70', '--out', out]);
    for (let i = 0; i < 400 && (run.output().match(/ MAP \d+ mmHg/g) ?? []).length < 3; i++) await sleep(50);
    expect(run.output()).toMatch(/bp-sensor: 'bp-sensor' \(bp-sensor on pico/);
    expect(run.output()).toMatch(/infusion-pump: 'infusion-pump' \(infusion-pump on pico/);
    expect((run.output().match(/ MAP \d+ mmHg, rate [\d.]+ mL\/h, auto/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(session.probe().pumpDriving).toBe(1);
    run.p.kill('SIGINT');
    expect(await run.done).toBe(130);
    expect(run.output()).toMatch(/SIGINT: pump stopped \(acknowledged\) after \d+ ms/);
    // The plant reports its truth every second of its time.
    for (let i = 0; i < 30 && session.probe().pumpDriving !== 0; i++) await sleep(100);
    expect(session.probe().pumpDriving).toBe(0);
    const lines = readFileSync(join(out, 'live.record.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.kind === 'decision').length).toBeGreaterThanOrEqual(3);
    expect(lines.at(-2)).toMatchObject({ kind: 'stop', data: { why: 'SIGINT', result: 'pump stopped (acknowledged)' } });
    expect(lines.at(-1)).toMatchObject({ kind: 'end', data: { ok: true } });
  }, 60_000);

  it('refuses a pump opened as the sensor, a missing port and a port another host holds, and commands nothing', async () => {
    const { sensor, pump, session } = await pilBoards();
    const swapped = cli(['--sensor', pump, '--pump', sensor, '--weight-kg', '70', '--out', mkdtempSync(join(tmpdir(), 'run-bp-'))]);
    expect(await swapped.done).toBe(1);
    expect(swapped.output()).toMatch(/holds 'infusion-pump' \(infusion-pump on pico.*\), not a bp-sensor: are the infusion-pump and the bp-sensor swapped\?/);
    const missing = cli(['--sensor', '/dev/no-such-port', '--pump', pump, '--weight-kg', '70', '--out', mkdtempSync(join(tmpdir(), 'run-bp-'))]);
    expect(await missing.done).toBe(1);
    expect(missing.output()).toMatch(/bp-sensor on \/dev\/no-such-port: cannot open serial port \/dev\/no-such-port/);
    const other = await SerialTransport.open(sensor, 115200);
    const held = cli(['--sensor', sensor, '--pump', pump, '--weight-kg', '70', '--out', mkdtempSync(join(tmpdir(), 'run-bp-'))]);
    expect(await held.done).toBe(1);
    expect(held.output()).toMatch(/bp-sensor on .*: cannot open serial port .*(lock|busy|Resource temporarily unavailable)/i);
    other.close();
    expect(session.probe().pushedMl).toBe(0);
  }, 90_000);
});
