// Dashboard bench: ten blood-pressure loops (MIL, the default cohort's first ten patients, each held to
// ten times real time, so twenty decisions a second in all, ten times what ten real loops make) watched
// on the dashboard in headless Chromium. Measures the latency from a decision leaving its loop to the page
// having drawn it (the page takes both instants on the same epoch clock), the server's CPU (this process's
// CPU with the dashboard and a page open, less the same loops without them; Chromium is a process of its
// own), and the page's weight.
import { gzipSync } from 'node:zlib';
import { loadControllerFile } from '../../host/control/bp/controller-file.ts';
import { readConfigFile } from '../../host/config/config-file.ts';
import { DashboardServer } from '../../host/dashboard/dashboard-server.ts';
import { driftConfigSchema } from '../../host/safety/drift-monitor.ts';
import { loadSupervisorFile } from '../../host/safety/infusion-supervisor.ts';
import { launchChromium } from '../browser/headless-chromium.ts';
import { runPatient } from '../runner/bp-run.ts';
import type { BpRunSetup } from '../runner/bp-run.ts';
import { loadCohort } from '../sim/cohorts/cohort.ts';
import { loadScenario } from '../sim/scenarios/scenario.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const LOOPS = 10;
const PACE = 10;
const SIMULATED_MIN = 3;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : null;
};

export async function dashboardBench(): Promise<object> {
  const cohort = loadCohort(repo('hil/sim/cohorts/default.cohort.json'));
  const setup: BpRunSetup = {
    scenario: { ...loadScenario(repo('hil/sim/scenarios/default.scenario.json')), durationMin: SIMULATED_MIN },
    controller: loadControllerFile(repo('host/control/bp/adaptive.controller.json')),
    supervisor: loadSupervisorFile(repo('host/safety/nitroprusside.supervisor.json')),
    advisory: null,
    drift: readConfigFile(repo('host/safety/default.drift.json'), 'the drift alarm', driftConfigSchema),
    seed: 1, board: 'pico', recordDir: null, level: 'mil', pace: PACE, model: cohort.file.model,
  };
  const patients = cohort.patients.slice(0, LOOPS);
  const timed = async (s: BpRunSetup, meanwhile?: () => Promise<void>) => {
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all([...patients.map((p) => runPatient(s, p)), meanwhile?.()]);
    const used = process.cpuUsage(cpu);
    return { wallMs: performance.now() - t0, cpuMs: (used.user + used.system) / 1000 };
  };

  const bare = await timed(setup);

  const server = new DashboardServer({ port: 0 });
  const url = await server.listen();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('#connection.ok');
    type Stats = { homeostatDashboard: { latenciesMs: number[] } };
    let startUp: number[] = [];
    const watched = await timed({
      ...setup,
      onLoop: (loop) => {
        const id = server.addLoop(loop);
        return (ended) => server.loopEnded(id, ended);
      },
    }, async () => {
      // Starting ten plants in this process holds its event loop for a while: those first decisions are
      // counted apart from the steady state.
      await page.waitForFunction((n) => document.querySelectorAll('section.loop canvas').length >= 3 * n, LOOPS);
      await page.waitForTimeout(2000);
      startUp = await page.evaluate(() => (window as unknown as Stats).homeostatDashboard.latenciesMs.splice(0));
    });
    await page.waitForTimeout(500);
    const latencies = await page.evaluate(() => (window as unknown as Stats).homeostatDashboard.latenciesMs);
    const base = url.replace(/#.*$/, '');
    const weights: Record<string, { bytes: number; gzipBytes: number }> = {};
    for (const asset of ['', 'dashboard.js', 'dashboard.css', 'uplot.css']) {
      const body = Buffer.from(await (await fetch(base + asset)).arrayBuffer());
      weights[asset || 'index.html'] = { bytes: body.length, gzipBytes: gzipSync(body).length };
    }
    const total = Object.values(weights).reduce((a, w) => ({ bytes: a.bytes + w.bytes, gzipBytes: a.gzipBytes + w.gzipBytes }), { bytes: 0, gzipBytes: 0 });
    return {
      loops: LOOPS, paceTimesRealTime: PACE, simulatedMinPerLoop: SIMULATED_MIN,
      decisionsPerSecond: (LOOPS * PACE) / 5,
      latencyMs: {
        samples: latencies.length,
        p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), p99: quantile(latencies, 0.99), max: latencies.length ? Math.max(...latencies) : null,
      },
      startUpLatencyMs: { samples: startUp.length, p50: quantile(startUp, 0.5), max: startUp.length ? Math.max(...startUp) : null },
      serverCpu: {
        withoutDashboardCpuMs: Math.round(bare.cpuMs), withDashboardCpuMs: Math.round(watched.cpuMs), wallMs: Math.round(watched.wallMs),
        dashboardSharePctOfOneCore: Number(((100 * Math.max(0, watched.cpuMs - bare.cpuMs)) / watched.wallMs).toFixed(2)),
        messagesSent: server.sentMessages,
      },
      pageWeight: { ...weights, total },
      pageErrors: errors,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
