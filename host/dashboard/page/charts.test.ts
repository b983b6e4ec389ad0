// The charts in a real browser (headless Chromium, real uPlot bundled by esbuild as the pages bundle it):
// a chart with a right axis (the dashboard's infusion rate, mL/h and ug/kg/min) takes new points the way
// the live page gives them, with no error on the page and every point drawn.
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../hil/browser/headless-chromium.ts';

let browser: Browser | null = null;
afterAll(() => browser?.close());

const here = new URL('.', import.meta.url).pathname;

describe('charts in headless Chromium (the OS package chromium, or CHROMIUM_BIN)', () => {
  it('a chart with a right axis takes new data after it is drawn', async () => {
    const bundle = await build({
      stdin: { contents: "import { makeChart, updateChart } from './charts.ts'; (window as any).charts = { makeChart, updateChart };", resolveDir: here, loader: 'ts' },
      bundle: true, write: false, format: 'iife', target: 'es2020', logLevel: 'silent',
    });
    browser = await launchChromium();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
    await page.setContent('<div id="c"></div>');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    const drawn = await page.evaluate(() => {
      type Charts = { makeChart: (...a: unknown[]) => { data: unknown[][] }; updateChart: (...a: unknown[]) => void };
      const { makeChart, updateChart } = (window as unknown as { charts: Charts }).charts;
      const spec = { title: 'Infusion rate', yLabel: 'mL/h', series: [{ label: 'commanded', colour: '#c64600' }], y2: { label: 'ug/kg/min', factor: 0.01 } };
      const u = makeChart(document.getElementById('c'), spec, [[0], [1]], 400);
      updateChart(u, spec, [[0, 0.1, 0.2], [1, 2, 3]]);
      return u.data.map((s) => s.length);
    });
    expect(errors, errors.join('\n')).toEqual([]);
    // x, the rate, and the legend's copy of the rate read in ug/kg/min: three points each.
    expect(drawn).toEqual([3, 3, 3]);
  });

  it('a band with a span of x is drawn only over that span (a target that changed at minute 5)', async () => {
    const bundle = await build({
      stdin: { contents: "import { makeChart } from './charts.ts'; (window as any).charts = { makeChart };", resolveDir: here, loader: 'ts' },
      bundle: true, write: false, format: 'iife', target: 'es2020', logLevel: 'silent',
    });
    browser ??= await launchChromium();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
    await page.setContent('<div id="c"></div>');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    const green = await page.evaluate(async () => {
      type U = { ctx: CanvasRenderingContext2D; valToPos: (v: number, s: string, c: boolean) => number };
      const { makeChart } = (window as unknown as { charts: { makeChart: (...a: unknown[]) => U } }).charts;
      const band = (from: number, fromMin?: number, toMin?: number) => ({ from, to: from + 10, label: 'target', colour: 'rgb(0,255,0)', fromMin, toMin });
      const spec = { title: 'MAP', yLabel: 'mmHg', yRange: [60, 120], series: [{ label: 'MAP', colour: '#000' }], band: [band(80, undefined, 5), band(95, 5)] };
      const u = makeChart(document.getElementById('c'), spec, [[0, 10], [65, 65]], 400);
      // uPlot lays out and draws on the next frames.
      for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(r));
      const at = (min: number, mmHg: number) => {
        const d = u.ctx.getImageData(Math.round(u.valToPos(min, 'x', true)), Math.round(u.valToPos(mmHg, 'y', true)), 1, 1).data;
        return d[1] > 200 && d[0] < 60 && d[2] < 60;
      };
      return { first: at(2, 85), firstOnly: at(7, 85), second: at(7, 100), secondOnly: at(2, 100) };
    });
    expect(errors, errors.join('\n')).toEqual([]);
    expect(green).toEqual({ first: true, firstOnly: false, second: true, secondOnly: false });
  });
});
