/// <reference lib="dom" />
// Time-series charts for the live dashboard and the report, on uPlot (bundled from node_modules by
// esbuild, never fetched from a CDN): minutes on x, round ticks, a legend in HTML under the plot (labels
// never overlap), drag across to zoom in and double-click to zoom out, and three things drawn on the plot
// itself: a shaded band (the target), horizontal limit lines with their names (the floor), and scenario or
// alarm events as labelled vertical marks or spans, labels staggered so they do not collide.
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  colour: string;
  dash?: number[];
  width?: number;
}

export interface ChartMark {
  /** Start, in minutes. */
  atMin: number;
  /** End, in minutes: a span; absent: a line. */
  toMin?: number;
  label: string;
  colour: string;
}

export interface ChartSpec {
  title: string;
  /** The left axis's label with its unit. */
  yLabel: string;
  series: ChartSeries[];
  /** A fixed range for y (e.g. 0-100 %); otherwise fitted to the data, the band and the lines. */
  yRange?: [number, number];
  /** A right axis reading y in another unit: y2 = y * factor. */
  y2?: { label: string; factor: number };
  /** Shaded y ranges; one with fromMin/toMin holds only over that span of x (a target that changed), else everywhere. */
  band?: ChartBand | ChartBand[];
  lines?: ChartLine[];
  marks?: ChartMark[];
  height?: number;
  /** false: no legend (a plot of many patients, each named on hover only). */
  legend?: boolean;
}

export interface ChartBand {
  from: number;
  to: number;
  label: string;
  colour: string;
  fromMin?: number;
  toMin?: number;
}

/** A horizontal line; with fromMin/toMin only over that span of x. */
export interface ChartLine {
  y: number;
  label: string;
  colour: string;
  fromMin?: number;
  toMin?: number;
}

const bandsOf = (spec: ChartSpec): ChartBand[] => (spec.band === undefined ? [] : Array.isArray(spec.band) ? spec.band : [spec.band]);

/** Where a span of x lies on the canvas, clipped to the plot. */
function spanPx(u: uPlot, fromMin: number | undefined, toMin: number | undefined): [number, number] {
  const { left, width } = u.bbox;
  const x0 = fromMin === undefined ? left : Math.max(left, u.valToPos(fromMin, 'x', true));
  const x1 = toMin === undefined ? left + width : Math.min(left + width, u.valToPos(toMin, 'x', true));
  return [x0, x1];
}

/** x (minutes) then one array per series; null for a gap. */
export type ChartData = [number[], ...(number | null)[][]];

function drawDecorations(u: uPlot, spec: ChartSpec): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const px = devicePixelRatio || 1;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  for (const b of bandsOf(spec)) {
    const y1 = u.valToPos(b.to, 'y', true);
    const y0 = u.valToPos(b.from, 'y', true);
    const [x0, x1] = spanPx(u, b.fromMin, b.toMin);
    ctx.fillStyle = b.colour;
    if (x1 > x0) ctx.fillRect(x0, y1, x1 - x0, y0 - y1);
  }
  ctx.font = `${11 * px}px system-ui, sans-serif`;
  for (const l of spec.lines ?? []) {
    const y = Math.round(u.valToPos(l.y, 'y', true));
    const [x0, x1] = spanPx(u, l.fromMin, l.toMin);
    if (x1 <= x0) continue;
    ctx.strokeStyle = l.colour;
    ctx.lineWidth = 1.5 * px;
    ctx.setLineDash([6 * px, 4 * px]);
    ctx.beginPath();
    ctx.moveTo(x0, y);
    ctx.lineTo(x1, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = l.colour;
    ctx.textAlign = 'right';
    ctx.fillText(l.label, x1 - 4 * px, y - 4 * px);
  }
  // Event labels in up to three rows, the next free one, so close events do not write over each other.
  const rowsEnd = [-Infinity, -Infinity, -Infinity];
  for (const m of spec.marks ?? []) {
    const x0 = u.valToPos(m.atMin, 'x', true);
    if (m.toMin !== undefined) {
      const x1 = u.valToPos(m.toMin, 'x', true);
      ctx.fillStyle = m.colour + '22';
      ctx.fillRect(x0, top, Math.max(1, x1 - x0), height);
    }
    ctx.strokeStyle = m.colour;
    ctx.lineWidth = 1 * px;
    ctx.setLineDash([3 * px, 3 * px]);
    ctx.beginPath();
    ctx.moveTo(Math.round(x0), top);
    ctx.lineTo(Math.round(x0), top + height);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.textAlign = 'left';
    const w = ctx.measureText(m.label).width;
    let row = rowsEnd.findIndex((end) => x0 + 3 * px > end);
    if (row < 0) row = rowsEnd.indexOf(Math.min(...rowsEnd));
    rowsEnd[row] = x0 + 3 * px + w + 6 * px;
    const ty = top + (12 + row * 13) * px;
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(x0 + 2 * px, ty - 10 * px, w + 3 * px, 13 * px);
    ctx.fillStyle = m.colour;
    ctx.fillText(m.label, x0 + 3 * px, ty);
  }
  ctx.restore();
}

/** The y range that shows the data, the band and the lines, a little padded. */
function fitRange(spec: ChartSpec, dataMin: number | null, dataMax: number | null): [number, number] {
  const xs = [dataMin, dataMax, ...bandsOf(spec).flatMap((b) => [b.from, b.to]), ...(spec.lines ?? []).map((l) => l.y)].filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
  if (xs.length === 0) return [0, 1];
  let lo = Math.min(...xs);
  let hi = Math.max(...xs);
  if (hi - lo < 1e-9) hi = lo + 1;
  const pad = (hi - lo) * 0.06;
  return [lo - pad, hi + pad];
}

export function makeChart(el: HTMLElement, spec: ChartSpec, data: ChartData, width: number): uPlot {
  const opts: uPlot.Options = {
    title: spec.title,
    width,
    height: spec.height ?? 220,
    scales: {
      x: { time: false },
      y: spec.yRange ? { range: spec.yRange } : { range: (_u, min, max) => fitRange(spec, min, max) },
    },
    axes: [
      { label: 'minutes', labelSize: 18 },
      { label: spec.yLabel, labelSize: 18, size: 56 },
      // The right axis reads the left one's ticks in the second unit (same scale, so the two always agree).
      ...(spec.y2 ? [{ scale: 'y', side: 1 as const, label: spec.y2.label, labelSize: 18, size: 64, grid: { show: false }, values: (_u: uPlot, ticks: number[]) => ticks.map((v) => Number((v * spec.y2!.factor).toPrecision(3)).toString()) }] : []),
    ],
    series: [
      { label: 'minutes', value: (_u, v) => (v === null || v === undefined ? '-' : v.toFixed(2)) },
      ...spec.series.map((s) => ({
        label: s.label, stroke: s.colour, width: s.width ?? 1.5, dash: s.dash, spanGaps: false, points: { show: false },
        value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '-' : v.toFixed(2)),
      })),
    ],
    cursor: { drag: { x: true, y: false } },
    legend: { show: spec.legend ?? true },
    hooks: { draw: [(u) => drawDecorations(u, spec)] },
  };
  // The legend reads the first series in the second unit too (an invisible copy of it, see plotted).
  if (spec.y2) {
    const factor = spec.y2.factor;
    opts.series.push({ label: spec.y2.label, stroke: 'rgba(0,0,0,0)', points: { show: false }, value: (_u, v) => (v === null || v === undefined ? '-' : (v * factor).toFixed(3)) });
  }
  return new uPlot(opts, plotted(spec, data), el);
}

/** New data for a chart made by makeChart from the same spec (uPlot needs one array per series it drew). */
export function updateChart(u: uPlot, spec: ChartSpec, data: ChartData): void {
  u.setData(plotted(spec, data));
}

/** The arrays uPlot draws: the spec's series and, with a right axis, the legend's copy of the first. */
function plotted(spec: ChartSpec, data: ChartData): uPlot.AlignedData {
  return (spec.y2 ? [...data, data[1]] : data) as uPlot.AlignedData;
}
