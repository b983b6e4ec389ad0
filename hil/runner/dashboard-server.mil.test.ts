// The dashboard server in this process, on a real MIL loop held to 50 times real time: what it sends a
// page (the loop's view, alarms highest priority first) and what it accepts (only actions with the run's
// token, from this machine, well formed, each reaching the loop through its own seams and recorded).
import { request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { loadControllerFile, shippedControllerPath } from '../../host/control/bp/controller-file.ts';
import { readConfigFile } from '../../host/config/config-file.ts';
import { DashboardServer } from '../../host/dashboard/dashboard-server.ts';
import type { LoopView } from '../../host/dashboard/dashboard-view.ts';
import { driftConfigSchema } from '../../host/safety/drift-monitor.ts';
import { loadSupervisorFile } from '../../host/safety/infusion-supervisor.ts';
import { loadCohort } from '../sim/cohorts/cohort.ts';
import { loadScenario } from '../sim/scenarios/scenario.ts';
import { runPatient } from './bp-run.ts';
import type { PatientRun } from './bp-run.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const server = new DashboardServer({ port: 0 });
afterAll(() => server.close());

function post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: { ok: boolean; text?: string; error?: string } }> {
  return new Promise((resolve, reject) => {
    const q = request({ host: '127.0.0.1', port: server.port, path: '/api/action', method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    q.on('error', reject);
    q.end(body);
  });
}

/** The views the page would hold: the snapshot, then each patch applied. */
async function watch(): Promise<{ views: Map<string, LoopView>; close(): void }> {
  const views = new Map<string, LoopView>();
  const r = await fetch(`http://127.0.0.1:${server.port}/events`);
  const reader = r.body!.getReader();
  let buffer = '';
  let open = true;
  void (async () => {
    while (open) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += Buffer.from(value).toString();
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const chunk = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = chunk.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const m = JSON.parse(data.slice(6)) as { type: string; loops?: LoopView[]; view?: LoopView; id?: string; patch?: Partial<LoopView>; point?: LoopView['points'][number] };
        if (m.type === 'snapshot') for (const v of m.loops!) views.set(v.id, v);
        if (m.type === 'loop') views.set(m.view!.id, m.view!);
        if (m.type !== 'patch') continue;
        const v = views.get(m.id!)!;
        Object.assign(v, m.patch);
        if (m.point) v.points.push(m.point);
      }
    }
  })();
  return { views, close: () => ((open = false), void reader.cancel()) };
}

describe('dashboard server on a MIL loop', () => {
  it('sends the loop and its alarms by priority; accepts only well-formed actions with the token from this machine; each reaches the loop', async () => {
    await server.listen();
    const page = await watch();
    const patient = loadCohort(repo('hil/sim/cohorts/default.cohort.json')).patients[0];
    // A 60 s dropout of the arterial line from minute 1: no valid pressure, so alarms.
    const scenario = { ...loadScenario(repo('hil/sim/scenarios/default.scenario.json')), durationMin: 8, disturbances: [], artifacts: [{ kind: 'dropout' as const, atMin: 1, node: 'bp-sensor', durationS: 60 }] };
    const operatorSeen: string[] = [];
    let done: PatientRun | null = null;
    void runPatient({
      // A new target at 0.5 min, as a scenario's schedule gives it.
      targets: [{ atMin: 0.5, mapMmHg: 80 }],
      scenario, controller: loadControllerFile(shippedControllerPath('adaptive')), supervisor: loadSupervisorFile(repo('host/safety/nitroprusside.supervisor.json')),
      advisory: null, drift: readConfigFile(repo('host/safety/default.drift.json'), 'the drift alarm', driftConfigSchema),
      seed: 2, board: 'pico', recordDir: null, level: 'mil', pace: 50,
      onLoop: (spec) => {
        spec.loop.onStream((item) => item.kind === 'operator' && operatorSeen.push(item.action.kind));
        const id = server.addLoop(spec);
        return (ended) => server.loopEnded(id, ended);
      },
    }, patient).then((r) => (done = r));
    await expect.poll(() => page.views.get(patient.id)?.points.length ?? 0).toBeGreaterThan(0);
    const view = page.views.get(patient.id)!;
    // The first decision ran on the controller file's target (a loaded machine may see the new one already).
    expect(view).toMatchObject({ name: patient.id, level: 'mil', limitLabel: 'floor 65 mmHg', bandMmHg: 5 });
    expect(view.points[0].targetMmHg).toBe(85);
    expect(view.dosePerMlPerH).toBeCloseTo(200 / (60 * Number(patient.weightKg.toFixed(1))), 6);

    // Refused: no token, a wrong token, another host's name (DNS rebinding), another origin, malformed, unknown loop.
    const token = { 'x-homeostat-token': server.token };
    expect(await post(JSON.stringify({ loop: patient.id, action: 'auto' }))).toMatchObject({ status: 403, json: { error: expect.stringMatching(/needs the run's token.*#token=/) } });
    expect((await post(JSON.stringify({ loop: patient.id, action: 'auto' }), { 'x-homeostat-token': 'x'.repeat(server.token.length) })).status).toBe(403);
    expect(await post('{}', { ...token, host: 'evil.example:80' })).toMatchObject({ status: 403, json: { error: expect.stringMatching(/not this machine/) } });
    expect(await post('{}', { ...token, origin: 'http://evil.example' })).toMatchObject({ status: 403, json: { error: expect.stringMatching(/not accepted/) } });
    expect(await post('{"loop":', token)).toMatchObject({ status: 400, json: { error: 'the action is not JSON' } });
    expect(await post(JSON.stringify({ loop: patient.id, action: 'manual', rateMlPerH: -3 }), token)).toMatchObject({ status: 400, json: { error: expect.stringMatching(/not an action: rateMlPerH/) } });
    expect(await post(JSON.stringify({ loop: 'nobody', action: 'auto' }), token)).toMatchObject({ status: 404 });
    expect(await post(JSON.stringify({ loop: patient.id, action: 'accept', requestId: 9 }), token)).toMatchObject({ status: 409, json: { error: expect.stringMatching(/no longer open/) } });
    expect(operatorSeen).toEqual([]);

    // A manual rate, then back to auto: through the loop's operator seam, seen on the page.
    expect(await post(JSON.stringify({ loop: patient.id, action: 'manual', rateMlPerH: 4.5 }), token)).toMatchObject({ status: 200 });
    await expect.poll(() => page.views.get(patient.id)!.mode).toBe('manual');
    await expect.poll(() => page.views.get(patient.id)!.points.at(-1)!.rateMlPerH).toBeCloseTo(4.5, 3);
    expect(await post(JSON.stringify({ loop: patient.id, action: 'auto' }), token)).toMatchObject({ status: 200 });
    await expect.poll(() => page.views.get(patient.id)!.mode).not.toBe('manual');
    expect(operatorSeen.filter((k) => k !== 'target')).toEqual(['manual', 'auto']);
    expect(page.views.get(patient.id)!.log.map((l) => l.text)).toEqual(expect.arrayContaining(['operator: manual rate 4.5 mL/h', 'operator: back to auto']));

    // The scheduled target reached the page: in the log and as the view's target.
    await expect.poll(() => page.views.get(patient.id)!.targetMmHg).toBe(80);
    await expect.poll(() => page.views.get(patient.id)!.points.at(-1)!.targetMmHg).toBe(80);
    expect(page.views.get(patient.id)!.log.map((l) => l.text)).toContain('operator: target 80 mmHg');

    // The dropout raises alarms: the page gets them in words, highest priority first.
    await expect.poll(() => page.views.get(patient.id)!.alarms.length, { timeout: 20_000 }).toBeGreaterThan(0);
    const alarms = page.views.get(patient.id)!.alarms;
    const rank = { high: 0, medium: 1, low: 2 };
    for (let i = 1; i < alarms.length; i++) expect(rank[alarms[i].priority]).toBeGreaterThanOrEqual(rank[alarms[i - 1].priority]);
    expect(alarms[0].text).not.toMatch(/quality \d/);

    // Stop: the run ends at its next period with the pump stopped; the page says so and takes no more actions.
    const stop = await post(JSON.stringify({ loop: patient.id, action: 'stop' }), token);
    expect(stop).toMatchObject({ status: 200, json: { text: expect.stringMatching(/pump stopped/) } });
    await expect.poll(() => done !== null).toBe(true);
    expect(done!.error).toMatch(/stopped early \(Stop on the dashboard\)/);
    await expect.poll(() => page.views.get(patient.id)!.stopped).toMatch(/pump stopped/);
    expect(await post(JSON.stringify({ loop: patient.id, action: 'auto' }), token)).toMatchObject({ status: 409 });
    page.close();
    await sleep(10);
  }, 60_000);
});
