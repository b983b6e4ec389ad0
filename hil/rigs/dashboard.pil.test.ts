// The live dashboard as a person uses it: `homeostat run bp --dashboard` against PIL boards (both bundles
// behind socat pseudo-terminals, at real time), the page opened in headless Chromium (the OS's chromium,
// driven by playwright-core). The page shows the running loop; an advisory Accept clicked on it reaches the
// loop (recorded as the answer, the rate raised); Stop, confirmed, stops the pump and ends the command.
// Without the token in the address the page is a view only and the server refuses actions.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../browser/headless-chromium.ts';
import { pilBpBoards, pilKeyringEnv } from './pil-boards.testing.ts';
import type { RigSession } from './rig.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function browser(): Promise<Browser> {
  const b = await launchChromium();
  cleanups.push(() => b.close());
  return b;
}

describe('the live dashboard in headless Chromium (the OS package chromium, or CHROMIUM_BIN)', () => {
  it('shows a running PIL loop; Accept reaches the loop; Stop stops the pump; without the token nothing acts', async () => {
    const { sensor, pump, session } = await pilBpBoards();
    cleanups.push(() => (session as RigSession).close());
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    // An advisory file that asks about every raise over 0.5 mL/h, so a question comes within seconds.
    const eager = join(dir, 'eager.advisory.json');
    writeFileSync(eager, JSON.stringify({ maxUnconfirmedIncreaseMlPerH: 0.5, minConfidence: 0, timeoutMs: 60_000, minIncreaseToAskMlPerH: 0 }));
    const p = spawn(process.execPath, [repo('host/cli/bin.js'), 'run', 'bp', '--sensor', sensor, '--pump', pump, '--weight-kg', '70', '--out', join(dir, 'out'),
      '--dashboard', '--port', '0', '--advisory', eager], { stdio: ['ignore', 'pipe', 'pipe'], env: pilKeyringEnv() });
    cleanups.push(() => p.exitCode === null && p.kill('SIGKILL'));
    let output = '';
    p.stdout!.on('data', (d: Buffer) => (output += d));
    p.stderr!.on('data', (d: Buffer) => (output += d));
    const exited = new Promise<number | null>((r) => p.on('close', (code) => r(code)));
    for (let i = 0; i < 300 && !/dashboard: (\S+)/.test(output); i++) await sleep(100);
    const url = output.match(/dashboard: (\S+)/)?.[1];
    expect(url, output).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{20,}$/);
    const base = url!.replace(/#.*$/, '');

    const b = await browser();
    const errors: string[] = [];
    const page = await b.newPage({ viewport: { width: 1200, height: 1400 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(url!);

    // A view without the token: the page says so, its buttons are off, and the server refuses an action.
    const viewer = await b.newPage();
    await viewer.goto(base);
    await expect.poll(() => viewer.textContent('#access')).toMatch(/view only/);
    const refused = await viewer.evaluate(async () => (await fetch('/api/action', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"loop":"live","action":"stop"}' })).status);
    expect(refused).toBe(403);
    // Another page's origin cannot act through the browser either, even with the token.
    const token = url!.split('#token=')[1];
    const foreign = await fetch(`${base}api/action`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-homeostat-token': token, origin: 'http://evil.example' }, body: '{"loop":"live","action":"stop"}' });
    expect(foreign.status).toBe(403);

    // The running loop: its card, the pressure number, the three charts drawn with points.
    await page.waitForSelector('section.loop .head h2', { timeout: 30_000 });
    expect(await page.textContent('section.loop .head h2')).toBe('live');
    await expect.poll(() => page.textContent('section.loop .obs'), { timeout: 30_000 }).toMatch(/^\d+$/);
    expect(await page.locator('section.loop canvas').count()).toBeGreaterThanOrEqual(3);
    expect(await page.textContent('section.loop .alarms')).toMatch(/no active alarm|PRIORITY/);

    // An advisory question on the page: Accept it.
    await page.waitForSelector('.advisory:not([hidden]) button.accept', { timeout: 60_000 });
    const question = await page.textContent('.advisory');
    expect(question).toMatch(/Advisory request (\d+): raise the infusion\?/);
    expect(question).toMatch(/ug\/kg\/min/);
    const id = Number(question!.match(/Advisory request (\d+)/)![1]);
    await page.click('.advisory button.accept');
    await expect.poll(() => page.textContent('section.loop .result')).toMatch(new RegExp(`request ${id} accepted`));
    const recordPath = join(dir, 'out', 'live.record.jsonl');
    const record = () => readFileSync(recordPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; data: Record<string, unknown> });
    await expect.poll(() => record().some((l) => l.kind === 'answer' && l.data.requestId === id && l.data.accept === true), { timeout: 15_000 }).toBe(true);
    type Recorded = { commandedMlPerH: number; resolved?: { requestId: number; outcome: string } };
    const decisions = () => record().filter((l) => l.kind === 'decision').map((l) => l.data.decision as Recorded);
    await expect.poll(() => decisions().some((d) => d.resolved?.requestId === id && d.resolved.outcome === 'accepted'), { timeout: 15_000 }).toBe(true);

    // Stop asks once more, then stops the pump; the command ends with the record closed.
    // The plant reports its truth every second of its time: the accepted rate drives the pump.
    await expect.poll(() => session.probe().pumpDriving, { timeout: 60_000 }).toBe(1);
    // No error on the page while the run is served (once the command has ended, its reconnects fail, rightly).
    expect(errors, errors.join("\n")).toEqual([]);
    await page.click('button.stop');
    expect(await page.isVisible('button.stop-confirm')).toBe(true);
    await page.click('button.stop-confirm');
    await expect.poll(() => page.textContent('section.loop .stopped'), { timeout: 15_000 }).toMatch(/Stopped: Stop on the dashboard: pump stopped \(acknowledged\)/);
    expect(await exited).toBe(0);
    for (let i = 0; i < 30 && session.probe().pumpDriving !== 0; i++) await sleep(100);
    expect(session.probe().pumpDriving).toBe(0);
    const lines = record();
    expect(lines.at(-2)).toMatchObject({ kind: 'stop', data: { why: 'Stop on the dashboard', result: 'pump stopped (acknowledged)' } });
    expect(lines.at(-1)).toMatchObject({ kind: 'end', data: { ok: true } });

    // Every decision reached the page; how long each took is the bench's to report.
    const latencies = await page.evaluate(() => (window as unknown as { homeostatDashboard: { latenciesMs: number[] } }).homeostatDashboard.latenciesMs);
    expect(latencies.length).toBeGreaterThan(0);
    expect(errors.every((e) => /ERR_CONNECTION_REFUSED|Failed to load resource/.test(e)), errors.join('\n')).toBe(true);
  }, 240_000);
});
