/// <reference lib="dom" />
// The dashboard page (bundled by host/dashboard/page-bundle.ts): a card per loop, fed by the server's event
// stream, re-drawn at most once per frame. Actions are POSTs carrying the run's token, which the address
// brought in its fragment (#token=...): without it the page is a view only. Alarms follow IEC 60601-1-8 in
// manner: priority by colour and marker (high: red, "!!!", flashing about 2 Hz; medium: yellow, "!!",
// flashing about 0.6 Hz; low: cyan, "!", steady), highest first, in words.
import type uPlot from 'uplot';
import type { ChartBand, ChartData, ChartSpec } from './charts.ts';
import { makeChart, updateChart } from './charts.ts';
import type { DashboardPoint, LoopView } from '../dashboard-view.ts';
import { targetSpans } from '../dashboard-view.ts';

type Message =
  | { type: 'snapshot'; loops: LoopView[] }
  | { type: 'loop'; view: LoopView }
  | { type: 'patch'; id: string; patch: Partial<LoopView>; point?: DashboardPoint };

interface Card {
  view: LoopView;
  el: HTMLElement;
  /** The three charts, each with the spec it was made from (which says what its updates need). */
  charts: { plot: uPlot; spec: ChartSpec; data: (d: ChartData[]) => ChartData }[] | null;
  dirty: boolean;
  /** Points received since the last draw: their latency is taken once drawn. */
  fresh: DashboardPoint[];
}

const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromHash) {
  sessionStorage.setItem('homeostat-token', fromHash);
  // Out of the address bar (and any screenshot of it) once kept for this tab.
  history.replaceState(null, '', location.pathname);
}
const token = sessionStorage.getItem('homeostat-token');
const cards = new Map<string, Card>();
const latenciesMs: number[] = [];
(window as unknown as { homeostatDashboard: object }).homeostatDashboard = { latenciesMs, cards, messages: 0 };
const stats = (window as unknown as { homeostatDashboard: { messages: number } }).homeostatDashboard;

const $ = <T extends HTMLElement>(root: ParentNode, sel: string) => root.querySelector(sel) as T;
const f = (v: number | null | undefined, d = 0) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));
const nowEpochMs = () => performance.timeOrigin + performance.now();
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const MARKER = { high: '!!!', medium: '!!', low: '!' } as const;

$<HTMLElement>(document, '#access').textContent = token ? '' : 'view only: open the address homeostat printed (it ends in #token=...) to act';

function cardHtml(v: LoopView): string {
  return `<div class="head"><h2>${esc(v.name)}</h2><span class="level">${esc(v.level.toUpperCase())}</span><span class="mode"></span><span class="links"></span></div>
<div class="stopped" hidden></div>
<div class="alarms" role="alert" aria-live="assertive"></div>
<div class="numbers">
 <div><span class="label">MAP observed</span><span class="big obs"></span> mmHg</div>
 <div class="truth"><span class="label">MAP true (simulation)</span><span class="big tru"></span> mmHg</div>
 <div><span class="label">target</span><span class="big">${v.targetMmHg}</span> &plusmn;${v.bandMmHg} mmHg; ${esc(v.limitLabel)}</div>
 <div><span class="label">rate</span><span class="big rate"></span> mL/h = <span class="dose"></span> ug/kg/min</div>
 <div><span class="label">confidence</span><span class="big conf"></span> %</div>
</div>
<div class="advisory" hidden></div>
<div class="charts"><div class="c0"></div><div class="c1"></div><div class="c2"></div></div>
<div class="controls">
 <label>manual rate <input class="manual-rate" type="number" min="0" max="${v.ceilingMlPerH.toFixed(1)}" step="0.1" value="0"> mL/h</label>
 <button class="manual">Set manual rate</button><button class="auto">Back to auto</button>
 <button class="stop danger">Stop</button><button class="stop-confirm danger" hidden>Confirm: stop the pump</button><button class="stop-cancel" hidden>Cancel</button>
 <span class="result" role="status"></span>
</div>
<details><summary>links, counters, limits and log</summary><div class="detail"></div></details>`;
}

function addCard(v: LoopView): void {
  document.querySelector('#loops > p.note')?.remove();
  const el = document.createElement('section');
  el.className = 'loop';
  el.id = `loop-${v.id}`;
  el.innerHTML = cardHtml(v);
  $<HTMLElement>(document, '#loops').appendChild(el);
  const card: Card = { view: v, el, charts: null, dirty: true, fresh: [] };
  cards.set(v.id, card);
  const result = $<HTMLElement>(el, '.result');
  const act = async (body: object) => {
    if (!token) return void (result.textContent = 'view only: this page was opened without the run\'s token');
    result.textContent = '...';
    try {
      const r = await fetch('/api/action', { method: 'POST', headers: { 'content-type': 'application/json', 'x-homeostat-token': token }, body: JSON.stringify({ loop: card.view.id, ...body }) });
      const j = (await r.json()) as { ok: boolean; text?: string; error?: string };
      result.textContent = j.ok ? j.text ?? 'done' : `refused: ${j.error}`;
      result.className = `result ${j.ok ? 'ok' : 'refused'}`;
    } catch (e) {
      result.textContent = `not sent: ${(e as Error).message}`;
      result.className = 'result refused';
    }
  };
  el.addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest('button');
    if (!b) return;
    const stopButtons = (confirming: boolean) => {
      $<HTMLElement>(el, '.stop').hidden = confirming;
      $<HTMLElement>(el, '.stop-confirm').hidden = !confirming;
      $<HTMLElement>(el, '.stop-cancel').hidden = !confirming;
    };
    if (b.classList.contains('manual')) void act({ action: 'manual', rateMlPerH: Number($<HTMLInputElement>(el, '.manual-rate').value) });
    else if (b.classList.contains('auto')) void act({ action: 'auto' });
    else if (b.classList.contains('stop')) stopButtons(true);
    else if (b.classList.contains('stop-cancel')) stopButtons(false);
    else if (b.classList.contains('stop-confirm')) (stopButtons(false), void act({ action: 'stop' }));
    else if (b.classList.contains('accept')) void act({ action: 'accept', requestId: Number(b.dataset.request) });
    else if (b.classList.contains('decline')) void act({ action: 'decline', requestId: Number(b.dataset.request) });
  });
  schedule();
}

function targetBand(v: LoopView): ChartBand[] {
  return targetSpans(v).map((x) => ({ ...x, label: 'target', colour: 'rgba(38,162,105,0.18)' }));
}

function chartData(v: LoopView): ChartData[] {
  const x = v.points.map((p) => p.tMin);
  return [
    [x, v.points.map((p) => p.observedMmHg), v.points.map((p) => p.trueMmHg)],
    [x, v.points.map((p) => p.rateMlPerH)],
    [x, v.points.map((p) => p.confidence * 100)],
  ];
}

function makeCharts(card: Card): NonNullable<Card['charts']> {
  const v = card.view;
  const width = Math.max(320, $<HTMLElement>(card.el, '.charts').clientWidth - 8);
  const simulated = v.points.some((p) => p.trueMmHg !== null) || v.level !== 'live';
  const charts: { spec: ChartSpec; data: (d: ChartData[]) => ChartData }[] = [
    {
      spec: {
        title: 'Mean arterial pressure', yLabel: 'mmHg',
        series: [{ label: 'observed (over the link)', colour: '#222' }, ...(simulated ? [{ label: 'true (simulation)', colour: '#1a5fb4', dash: [5, 3] }] : [])],
        band: targetBand(v),
        lines: [{ y: v.limitMmHg, label: v.limitLabel, colour: '#c01c28' }],
      },
      data: (d) => (simulated ? d[0] : [d[0][0], d[0][1]]),
    },
    {
      spec: { title: 'Infusion rate', yLabel: 'mL/h', series: [{ label: 'commanded', colour: '#c64600' }], y2: { label: 'ug/kg/min', factor: v.dosePerMlPerH }, height: 170 },
      data: (d) => d[1],
    },
    {
      spec: { title: 'Controller confidence', yLabel: '%', yRange: [0, 100], series: [{ label: 'confidence', colour: '#26a269' }], height: 130 },
      data: (d) => d[2],
    },
  ];
  const data = chartData(v);
  return charts.map((c, i) => ({ ...c, plot: makeChart($(card.el, `.c${i}`), c.spec, c.data(data), width) }));
}

function render(card: Card): void {
  const v = card.view;
  const el = card.el;
  const last = v.points.at(-1);
  $<HTMLElement>(el, '.mode').textContent = v.mode.toUpperCase();
  $<HTMLElement>(el, '.mode').className = `mode mode-${v.mode}`;
  $<HTMLElement>(el, '.links').innerHTML = Object.entries(v.links).map(([d, l]) => `<span class="link link-${esc(l.state)}" title="${esc(l.detail)}">${esc(d)}: ${esc(l.state)}</span>`).join('');
  $<HTMLElement>(el, '.obs').textContent = f(last?.observedMmHg);
  $<HTMLElement>(el, '.tru').textContent = f(last?.trueMmHg);
  $<HTMLElement>(el, '.truth').hidden = !last || last.trueMmHg === null;
  $<HTMLElement>(el, '.rate').textContent = f(last?.rateMlPerH, 1);
  $<HTMLElement>(el, '.dose').textContent = last ? f(last.rateMlPerH * v.dosePerMlPerH, 3) : '-';
  $<HTMLElement>(el, '.conf').textContent = last ? f(last.confidence * 100) : '-';
  $<HTMLElement>(el, '.alarms').innerHTML = v.alarms.length === 0
    ? '<div class="alarm none">no active alarm</div>'
    : v.alarms.map((a) => `<div class="alarm alarm-${a.priority}"><b>${MARKER[a.priority]} ${a.priority.toUpperCase()} PRIORITY</b> ${esc(a.text)}</div>`).join('');
  const adv = $<HTMLElement>(el, '.advisory');
  const r = v.request;
  adv.hidden = !r;
  if (r && adv.dataset.request !== String(r.id)) {
    adv.dataset.request = String(r.id);
    const dose = (x: number) => (x * v.dosePerMlPerH).toFixed(3);
    adv.innerHTML = `<h3>Advisory request ${r.id}: raise the infusion?</h3>
<p><b>${r.fromRateMlPerH.toFixed(1)} &rarr; ${r.proposedRateMlPerH.toFixed(1)} mL/h</b> (${dose(r.fromRateMlPerH)} &rarr; ${dose(r.proposedRateMlPerH)} ug/kg/min)
 at ${f(r.askedAtS / 60, 1)} min, MAP ${f(r.observedMmHg)} mmHg.</p><p>Asked because the ${esc(r.why)}. Controller: ${esc(r.controllerReason)}</p>
<p>Unanswered within ${((r.deadlineMs - r.askedMs) / 1000).toFixed(0)} s, the rate stays at ${r.fromRateMlPerH.toFixed(1)} mL/h.</p>
<button class="accept" data-request="${r.id}">Accept</button> <button class="decline" data-request="${r.id}">Decline</button>`;
  }
  if (!r) delete adv.dataset.request;
  const stopped = $<HTMLElement>(el, '.stopped');
  stopped.hidden = !v.stopped;
  stopped.textContent = v.stopped ? `Stopped: ${v.stopped}` : '';
  el.classList.toggle('is-stopped', Boolean(v.stopped));
  for (const b of el.querySelectorAll<HTMLButtonElement>('.controls button')) b.disabled = Boolean(v.stopped) || !token;
  const counters = Object.entries(v.counters);
  $<HTMLElement>(el, '.detail').innerHTML = `<p><b>Controller:</b> ${esc(v.reason)}</p>${v.limits.length ? `<p><b>Limits that acted:</b> ${esc(v.limits.join('; '))}</p>` : ''}
${counters.length ? `<table><tr><th>link</th>${Object.keys(counters[0][1]).map((k) => `<th>${esc(k)}</th>`).join('')}</tr>${counters.map(([d, c]) => `<tr><td>${esc(d)}</td>${Object.values(c).map((n) => `<td>${n}</td>`).join('')}</tr>`).join('')}</table>` : ''}
<ol class="log">${v.log.slice().reverse().map((l) => `<li>${f(l.atS / 60, 2)} min: ${esc(l.text)}</li>`).join('')}</ol>`;
  if (v.points.length > 0) {
    if (!card.charts) card.charts = makeCharts(card);
    else {
      const data = chartData(v);
      // The band follows the target over time; the chart's draw hook reads it from its spec.
      card.charts[0].spec.band = targetBand(v);
      for (const c of card.charts) updateChart(c.plot, c.spec, c.data(data));
    }
  }
}

let scheduled = false;
function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    for (const c of cards.values()) {
      if (!c.dirty) continue;
      c.dirty = false;
      render(c);
      const shown = nowEpochMs();
      for (const p of c.fresh) latenciesMs.push(shown - p.emittedAtMs);
      c.fresh = [];
    }
    if (latenciesMs.length > 5000) latenciesMs.splice(0, latenciesMs.length - 5000);
  });
}

function handle(m: Message): void {
  stats.messages++;
  if (m.type === 'snapshot') {
    for (const c of cards.values()) c.el.remove();
    cards.clear();
    for (const v of m.loops) addCard(v);
  } else if (m.type === 'loop') {
    addCard(m.view);
  } else {
    const c = cards.get(m.id);
    if (!c) return;
    Object.assign(c.view, m.patch);
    if (m.point) {
      c.view.points.push(m.point);
      if (c.view.points.length > 720) c.view.points.shift();
      c.fresh.push(m.point);
    }
    c.dirty = true;
    schedule();
  }
}

const conn = $<HTMLElement>(document, '#connection');
const events = new EventSource('/events');
events.onopen = () => ((conn.textContent = 'connected'), (conn.className = 'conn ok'));
events.onerror = () => ((conn.textContent = 'connection lost: retrying (is homeostat still running?)'), (conn.className = 'conn lost'));
events.onmessage = (e) => handle(JSON.parse(e.data as string) as Message);
