// The cohort report as a person sees it, in headless Chromium: pages open from disk with no console
// error, every chart is drawn with its data (pixels of each series' colour counted on the canvas; the same
// chart without data counts none, so the check can fail), a drag zooms, the record is a link that
// resolves, failing patients are listed first. Screenshots are kept beside the report for a person.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { shippedControllerPath } from '../../host/control/bp/controller-file.ts';
import { flagWords } from '../../protocols/catalogue/codes.ts';
import { launchChromium } from '../browser/headless-chromium.ts';
import { runCohort } from '../runner/bp-cohort-run.ts';
import type { CohortRunResult } from '../runner/bp-cohort-run.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;

/** Pixels of a colour (within a small tolerance) on the n-th canvas of the page. */
function colourPixels(page: Page, canvas: number, rgb: [number, number, number]): Promise<number> {
  return page.evaluate(([i, [r, g, b]]) => {
    const c = document.querySelectorAll('canvas')[i] as HTMLCanvasElement;
    const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let k = 0; k < px.length; k += 4) if (Math.abs(px[k] - r) < 24 && Math.abs(px[k + 1] - g) < 24 && Math.abs(px[k + 2] - b) < 24 && px[k + 3] > 200) n++;
    return n;
  }, [canvas, rgb] as const);
}

describe('pressure flags in words', () => {
  it('names each bit of a quality value instead of printing the number', () => {
    expect(flagWords('PressureQuality', 62)).toBe('over damped, flat line, out of range, lost signal, irregular beat');
    expect(flagWords('PressureQuality', 1 | 128)).toBe('flush spike, bits 128');
  });
});

describe('the cohort report in headless Chromium (the OS package chromium, or CHROMIUM_BIN)', () => {
  let browser: Browser;
  let r: CohortRunResult;
  const outDir = mkdtempSync(join(tmpdir(), 'report-'));
  beforeAll(async () => {
    // One patient made to fail (an acceptance no one meets), so the failing list shows.
    const acceptancePath = join(outDir, 'strict.acceptance.json');
    writeFileSync(acceptancePath, JSON.stringify({ ...JSON.parse(readFileSync(repo('hil/reports/default.acceptance.json'), 'utf8')), $schema: undefined, maxSettlingMin: 1 }));
    r = await runCohort({
      cohortPath: repo('hil/sim/cohorts/default.cohort.json'), scenarioPath: repo('hil/sim/scenarios/default.scenario.json'),
      controllerPath: shippedControllerPath('adaptive'), supervisorPath: repo('host/safety/nitroprusside.supervisor.json'),
      driftPath: repo('host/safety/default.drift.json'), advisoryPath: null, acceptancePath, split: 'all', patients: 2, seed: 3, board: 'pico',
      outDir, level: 'mil',
    });
    browser = await launchChromium();
  }, 120_000);
  afterAll(() => browser?.close());

  async function open(path: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('requestfailed', (q) => errors.push(`request failed: ${q.url()}`));
    await page.goto(pathToFileURL(path).href);
    await page.waitForFunction(() => (window as unknown as { homeostatCharts?: unknown[] }).homeostatCharts !== undefined);
    return { page, errors };
  }

  it('a patient page draws its charts with their data, zooms on a drag, links its record, all offline', async () => {
    const id = r.runs[0].patient.id;
    const { page, errors } = await open(join(outDir, 'patients', `${id}.html`));
    expect(await page.locator('canvas').count()).toBe(3);
    await page.screenshot({ path: join(outDir, `${id}.png`), fullPage: true });
    // Each chart shows its first series: true MAP blue, commanded rate orange, confidence green.
    expect(await colourPixels(page, 0, [0x1a, 0x5f, 0xb4])).toBeGreaterThan(150);
    expect(await colourPixels(page, 1, [0xc6, 0x46, 0x00])).toBeGreaterThan(150);
    expect(await colourPixels(page, 2, [0x26, 0xa2, 0x69])).toBeGreaterThan(150);
    // The same count on the same chart drawn without data is nil: the check sees an empty plot.
    await page.evaluate(() => {
      const [u] = (window as unknown as { homeostatCharts: { data: unknown[][]; setData(d: unknown[][]): void }[] }).homeostatCharts;
      u.setData(u.data.map(() => []));
    });
    expect(await colourPixels(page, 0, [0x1a, 0x5f, 0xb4])).toBeLessThan(50);
    await page.reload();
    await page.waitForFunction(() => (window as unknown as { homeostatCharts?: unknown[] }).homeostatCharts !== undefined);
    // Drag across the pressure chart: its x range narrows.
    const xRange = () => page.evaluate(() => {
      const [u] = (window as unknown as { homeostatCharts: { scales: { x: { min: number; max: number } } }[] }).homeostatCharts;
      return u.scales.x.max - u.scales.x.min;
    });
    const before = await xRange();
    const over = (await page.locator('.u-over').first().boundingBox())!;
    await page.mouse.move(over.x + over.width * 0.3, over.y + over.height / 2);
    await page.mouse.down();
    await page.mouse.move(over.x + over.width * 0.5, over.y + over.height / 2, { steps: 5 });
    await page.mouse.up();
    expect(await xRange()).toBeLessThan(before * 0.5);
    // Scenario events are marked, readable metric names, the glossary, the record a link that resolves.
    const html = readFileSync(join(outDir, 'patients', `${id}.html`), 'utf8');
    expect(html).toMatch(/stimulation \+10 mmHg/);
    expect(html).toMatch(/line: flush/);
    expect(html).toMatch(/floor 65 mmHg/);
    expect(await page.textContent('body')).toMatch(/time within \+-5 mmHg after settling/);
    expect(await page.textContent('body')).not.toMatch(/timeInBand5AfterSettlingPct/);
    expect(await page.textContent('dl')).toMatch(/MDAPE.*Wobble.*Divergence/s);
    const href = await page.getAttribute('a[href$=".record.jsonl"]', 'href');
    expect(existsSync(resolve(dirname(join(outDir, 'patients', `${id}.html`)), href!))).toBe(true);
    expect(html).not.toMatch(/<script src=|<link [^>]*href="http/);
    expect(errors).toEqual([]);
  });

  it('the cohort page lists the failing patients first and draws every patient', async () => {
    const { page, errors } = await open(join(outDir, 'index.html'));
    await page.screenshot({ path: join(outDir, 'index.png'), fullPage: true });
    expect(r.failures.some((f) => f.length > 0)).toBe(true);
    const failing = await page.locator('ul li.failed a').allTextContents();
    expect(failing).toEqual(r.runs.filter((_, i) => r.failures[i].length > 0).map((x) => x.patient.id));
    expect(await page.textContent('body')).toMatch(/failed acceptance|patient\(s\) failed/);
    expect(await colourPixels(page, 0, [0xc0, 0x1c, 0x28])).toBeGreaterThan(40);
    expect(errors).toEqual([]);
  });
});
