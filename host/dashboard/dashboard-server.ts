// The live dashboard: a page that shows every running loop (pressure against its band and floor, rate in
// mL/h and ug/kg/min, confidence, alarms by priority, links and counters) and lets a person act on it:
// Accept or Decline an advisory question, set a manual rate, go back to auto, Stop. Every action goes
// through the loop's own seams (its confirmer, operatorAction, the run's safe stop), so each is recorded as
// the terminal's would be. Node's http module serves it, and server-sent events carry the loop's stream to
// the page (one way is all the page needs; actions are POSTs). Measured against fastify and ws for this
// load (see the commit that added it): no faster, and one dependency fewer.
// Bound to the loopback address unless told otherwise; every action must carry the run's token, which is
// printed with the address and never sent back by the server; requests naming another host (DNS
// rebinding) or coming from another origin are refused.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { AdvisoryRequest } from '../safety/advisory-gate.ts';
import type { AskContext, Confirmer } from '../loop/loop-shell.ts';
import type { BpLoop } from '../therapies/bp/bp-loop.ts';
import type { BpFiles } from '../app/bp-app.ts';
import { ceilingMlPerH } from '../safety/infusion-supervisor.ts';
import type { Decision } from '../therapies/bp/bp-decision.ts';
import { chartCss, pageScript } from './page-bundle.ts';
import type { DashboardPoint, LoopView } from './dashboard-view.ts';
import { MAX_POINTS, decisionPatch, logEntry, pushBounded, requestView } from './dashboard-view.ts';

/** A loop as the dashboard is given it by a run (live or simulated). */
export interface DashboardLoopSpec {
  name: string;
  level: string;
  loop: BpLoop;
  files: BpFiles;
  /** Ground truth in simulation (the patient's own mean pressure); absent live. */
  truth?: () => { mapMmHg?: number } | null;
  /** Each link's counters by device. */
  counters?: () => Record<string, Record<string, number>>;
  /** Each link's state now (later changes come on the loop's stream). */
  linkStates?: () => Record<string, string>;
  /** Stops the loop and brings the pump to its safe state; says what it did. */
  stop(why: string): Promise<string>;
}

export interface DashboardOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The run's token (made here when not given). */
  token?: string;
}

const actionSchema = z.discriminatedUnion('action', [
  z.strictObject({ loop: z.string(), action: z.literal('accept'), requestId: z.number().int() }),
  z.strictObject({ loop: z.string(), action: z.literal('decline'), requestId: z.number().int() }),
  z.strictObject({ loop: z.string(), action: z.literal('manual'), rateMlPerH: z.number().min(0).max(1000) }),
  z.strictObject({ loop: z.string(), action: z.literal('auto') }),
  z.strictObject({ loop: z.string(), action: z.literal('stop') }),
]);
export type DashboardAction = z.infer<typeof actionSchema>;

const nowEpochMs = () => performance.timeOrigin + performance.now();
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

interface Entry {
  spec: DashboardLoopSpec;
  view: LoopView;
}

export class DashboardServer {
  readonly token: string;
  private readonly server: Server;
  private readonly loops = new Map<string, Entry>();
  private readonly clients = new Set<ServerResponse>();
  /** Open questions' answers, by loop name and request id. */
  private readonly answers = new Map<string, { answer: (accept: boolean) => void; ended: () => void; timer: NodeJS.Timeout }>();
  private readonly settled = new Set<Promise<void>>();
  private keepAlive: NodeJS.Timeout | null = null;
  private address: AddressInfo | null = null;
  /** Messages sent to pages, for the bench. */
  sentMessages = 0;

  constructor(private readonly o: DashboardOptions = {}) {
    this.token = o.token ?? randomBytes(18).toString('base64url');
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: Error) => this.reply(res, 500, { ok: false, error: e.message }));
    });
  }

  /** Starts serving; resolves with the page's address (token included, in the fragment, which browsers never send). */
  async listen(): Promise<string> {
    const host = this.o.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (e: NodeJS.ErrnoException) =>
        reject(new Error(e.code === 'EADDRINUSE' ? `the dashboard's port ${this.o.port} is in use: choose another with --port, or 0 for any free one` : `the dashboard cannot listen on ${host}:${this.o.port ?? 0}: ${e.message}`)));
      this.server.listen(this.o.port ?? 0, host, () => resolve());
    });
    this.address = this.server.address() as AddressInfo;
    // Comments keep idle event streams open through proxies and tell the page the server is alive.
    this.keepAlive = setInterval(() => this.broadcastRaw(': alive\n\n'), 15_000);
    this.keepAlive.unref();
    // Built now, so the first page load does not wait for it.
    await pageScript(PAGE_ENTRY);
    return this.url;
  }

  get url(): string {
    const a = this.address!;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}/#token=${this.token}`;
  }

  get port(): number {
    return this.address?.port ?? 0;
  }

  /** Answers advisory questions from the page: Accept and Decline. */
  readonly confirmer: Confirmer = {
    ask: (request: AdvisoryRequest, answer: (accept: boolean) => void, context?: AskContext) => {
      const key = `${context?.loop ?? ''}#${request.id}`;
      let ended = () => undefined as void;
      const done = new Promise<void>((r) => (ended = r));
      this.settled.add(done);
      void done.then(() => this.settled.delete(done));
      // A simulation waits for a person at most the request's timeout, in real seconds.
      const timer = setTimeout(() => this.closeQuestion(key), request.deadlineMs - request.askedMs);
      timer.unref();
      this.answers.set(key, { answer, ended, timer });
    },
    settle: () => (this.settled.size ? Promise.race([...this.settled]) : Promise.resolve()),
    withdraw: (requestId: number) => {
      for (const key of [...this.answers.keys()]) if (key.endsWith(`#${requestId}`)) this.closeQuestion(key);
    },
  };

  addLoop(spec: DashboardLoopSpec): string {
    let id = spec.name.replace(/[^\w.-]/g, '_') || 'loop';
    for (let i = 2; this.loops.has(id); i++) id = `${spec.name}-${i}`;
    const sup = spec.files.supervisor;
    const raises = sup.drugEffect === 'raises';
    const view: LoopView = {
      id, name: spec.name, level: spec.level, targetMmHg: spec.files.controller.targetMmHg, bandMmHg: 5,
      limitMmHg: raises ? sup.highMmHg : sup.floorMmHg, limitLabel: raises ? `high limit ${sup.highMmHg} mmHg` : `floor ${sup.floorMmHg} mmHg`,
      dosePerMlPerH: sup.concentrationUgPerMl / (60 * sup.weightKg), ceilingMlPerH: ceilingMlPerH(sup), weightKg: sup.weightKg,
      points: [], mode: 'starting', reason: '', limits: [], alarms: [], request: null, links: {}, counters: {}, log: [], stopped: null,
    };
    for (const [device, state] of Object.entries(spec.linkStates?.() ?? {})) view.links[device] = { state, detail: '' };
    this.loops.set(id, { spec, view });
    const t0 = spec.loop.startedAtMs;
    spec.loop.onStream((item) => {
      const sinceS = (item.tMs - t0) / 1000;
      if (item.kind === 'decision') {
        const d = item.decision as Decision;
        const truth = spec.truth?.()?.mapMmHg;
        const { point, patch } = decisionPatch(d, item.tMs - t0, truth === undefined ? null : truth, nowEpochMs(), view.targetMmHg);
        pushBounded(view.points, point, MAX_POINTS);
        Object.assign(view, patch);
        if (d.asked) {
          view.request = requestView(d.asked, d, item.tMs - t0);
          logEntry(view, sinceS, `advisory request ${d.asked.id}: raise ${d.asked.fromRateMlPerH.toFixed(1)} -> ${d.asked.proposedRateMlPerH.toFixed(1)} mL/h? (${d.asked.why})`);
        }
        if (d.resolved) {
          if (view.request?.id === d.resolved.requestId) view.request = null;
          this.closeQuestion(`${spec.name}#${d.resolved.requestId}`);
          logEntry(view, sinceS, `advisory request ${d.resolved.requestId} ${d.resolved.outcome}`);
        }
        if (spec.counters) view.counters = spec.counters();
        this.send({ type: 'patch', id, point, patch: { ...patch, request: view.request, counters: view.counters, log: view.log } });
      } else if (item.kind === 'event' && item.event.kind === 'link') {
        const e = item.event;
        view.links[e.device] = { state: e.state, detail: e.detail };
        this.send({ type: 'patch', id, patch: { links: view.links } });
      } else if (item.kind === 'operator') {
        const a = item.action;
        if (a.kind === 'target') {
          // A new target (a scenario's schedule): logged in words and shown as the view's target.
          view.targetMmHg = a.mapMmHg;
          logEntry(view, sinceS, `operator: target ${a.mapMmHg.toFixed(0)} mmHg`);
          this.send({ type: 'patch', id, patch: { log: view.log, targetMmHg: view.targetMmHg } });
        } else {
          logEntry(view, sinceS, a.kind === 'manual' ? `operator: manual rate ${a.rateMlPerH.toFixed(1)} mL/h` : 'operator: back to auto');
          this.send({ type: 'patch', id, patch: { log: view.log } });
        }
      } else if (item.kind === 'answer') {
        logEntry(view, sinceS, `answer to request ${item.answer.requestId}: ${item.answer.accept ? 'accepted' : 'declined'}`);
        this.send({ type: 'patch', id, patch: { log: view.log } });
      } else if (item.kind === 'alarm') {
        const a = item.raised ?? item.cleared!;
        logEntry(view, sinceS, `${item.raised ? 'alarm' : 'cleared'} (${a.priority}): ${a.text}`);
      }
    });
    this.send({ type: 'loop', view });
    return id;
  }

  /** The run ended by itself (a simulated patient finished): the page keeps its plots and says so. */
  loopEnded(id: string, text: string): void {
    const e = this.loops.get(id);
    if (!e || e.view.stopped) return;
    e.view.stopped = text;
    e.view.request = null;
    this.send({ type: 'patch', id, patch: { stopped: text, request: null } });
  }

  async close(): Promise<void> {
    if (this.keepAlive) clearInterval(this.keepAlive);
    for (const key of [...this.answers.keys()]) this.closeQuestion(key);
    for (const c of this.clients) c.end();
    this.clients.clear();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Carries out an action as the page would (the token already checked). */
  async act(a: DashboardAction): Promise<{ status: number; text: string }> {
    const e = this.loops.get(a.loop);
    if (!e) return { status: 404, text: `no loop '${a.loop}' on this dashboard` };
    const { spec, view } = e;
    if (view.stopped) return { status: 409, text: `loop ${spec.name} has stopped (${view.stopped}): nothing to act on` };
    switch (a.action) {
      case 'accept':
      case 'decline': {
        const key = `${spec.name}#${a.requestId}`;
        const open = this.answers.get(key);
        if (!open) return { status: 409, text: `advisory request ${a.requestId} is no longer open (answered, or timed out)` };
        this.closeQuestion(key);
        open.answer(a.action === 'accept');
        return { status: 200, text: `request ${a.requestId} ${a.action === 'accept' ? 'accepted: the loop raises the rate now' : 'declined: the rate stays'}` };
      }
      case 'manual':
        spec.loop.operatorAction({ kind: 'manual', rateMlPerH: a.rateMlPerH });
        return { status: 200, text: `manual rate ${a.rateMlPerH.toFixed(1)} mL/h from the next decision (within the supervisor's limits)` };
      case 'auto':
        spec.loop.operatorAction({ kind: 'auto' });
        return { status: 200, text: 'back to automatic control from the next decision, starting from the running rate' };
      case 'stop': {
        const text = await spec.stop('Stop on the dashboard');
        view.stopped = text;
        view.request = null;
        logEntry(view, (view.points.at(-1)?.tMin ?? 0) * 60, text);
        this.send({ type: 'patch', id: view.id, patch: { stopped: text, request: null, log: view.log } });
        return { status: 200, text };
      }
    }
  }

  private closeQuestion(key: string): void {
    const open = this.answers.get(key);
    if (!open) return;
    clearTimeout(open.timer);
    this.answers.delete(key);
    open.ended();
  }

  private send(message: object): void {
    this.broadcastRaw(`data: ${JSON.stringify(message)}\n\n`);
  }

  private broadcastRaw(text: string): void {
    for (const c of this.clients) c.write(text);
    if (text.startsWith('data:')) this.sentMessages++;
  }

  private reply(res: ServerResponse, status: number, body: object, type = 'application/json'): void {
    if (res.headersSent) return void res.end();
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(JSON.stringify(body));
  }

  /** Host and Origin must name this server: a page elsewhere cannot drive it through the browser. */
  private foreign(req: IncomingMessage): string | null {
    const bound = this.address!;
    const loopback = LOOPBACK.has(bound.address) || bound.address.startsWith('127.');
    const hostHeader = req.headers.host ?? '';
    const hostName = hostHeader.replace(/:\d+$/, '');
    if (loopback && !LOOPBACK.has(hostName) && !hostName.startsWith('127.')) return `host '${hostHeader}' is not this machine`;
    const origin = req.headers.origin;
    if (origin && origin !== `http://${hostHeader}`) return `requests from ${origin} are not accepted`;
    return null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const problem = this.foreign(req);
    if (problem) return this.reply(res, 403, { ok: false, error: problem });
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'" });
      return void res.end(PAGE_HTML);
    }
    if (req.method === 'GET' && path === '/dashboard.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(await pageScript(PAGE_ENTRY));
    }
    if (req.method === 'GET' && path === '/favicon.ico') return void res.writeHead(204).end();
    if (req.method === 'GET' && path === '/dashboard.css') {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' });
      return void res.end(readFileSync(PAGE_CSS, 'utf8'));
    }
    if (req.method === 'GET' && path === '/uplot.css') {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' });
      return void res.end(chartCss());
    }
    if (req.method === 'GET' && path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(`retry: 1000\ndata: ${JSON.stringify({ type: 'snapshot', loops: [...this.loops.values()].map((e) => e.view), serverNowMs: nowEpochMs() })}\n\n`);
      this.clients.add(res);
      req.on('close', () => this.clients.delete(res));
      return;
    }
    if (req.method === 'POST' && path === '/api/action') {
      if (!this.tokenOk(req.headers['x-homeostat-token'])) {
        return this.reply(res, 403, { ok: false, error: 'this action needs the run\'s token: open the address homeostat printed (it ends in #token=...)' });
      }
      let raw = '';
      for await (const chunk of req) {
        raw += chunk;
        if (raw.length > 10_000) return this.reply(res, 413, { ok: false, error: 'request too large' });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        return this.reply(res, 400, { ok: false, error: 'the action is not JSON' });
      }
      const a = actionSchema.safeParse(parsed);
      if (!a.success) return this.reply(res, 400, { ok: false, error: `not an action: ${a.error.issues.map((i) => `${i.path.join('.') || 'action'}: ${i.message}`).join('; ')}` });
      const r = await this.act(a.data);
      return this.reply(res, r.status, { ok: r.status === 200, text: r.text, error: r.status === 200 ? undefined : r.text });
    }
    this.reply(res, 404, { ok: false, error: `nothing at ${req.method} ${path}` });
  }

  private tokenOk(given: string | string[] | undefined): boolean {
    if (typeof given !== 'string') return false;
    const a = Buffer.from(given);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

const PAGE_ENTRY = new URL('./page/dashboard-page.ts', import.meta.url).pathname;
const PAGE_CSS = new URL('./page/dashboard.css', import.meta.url).pathname;

const PAGE_HTML = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>homeostat: live loops</title><link rel="stylesheet" href="/uplot.css"><link rel="stylesheet" href="/dashboard.css">
<body><header><h1>homeostat: live loops</h1><span id="connection" class="conn">connecting...</span><span id="access"></span></header>
<main id="loops"><p class="note">No loop is running yet.</p></main>
<script src="/dashboard.js"></script></body></html>`;

export type { DashboardPoint };
