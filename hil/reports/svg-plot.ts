// A small static line plot as inline SVG (no script), for pages that must read without JavaScript: the HIL
// suite's per-case pages and the aDBS report. The cohort report draws interactive charts instead (report-page.ts).
import { esc } from './html-parts.ts';

export interface Series {
  points: [number, number][];
  colour: string;
  label: string;
}

/** A line plot over time (in minutes unless xLabel says otherwise), with an optional shaded band. */
export function plot(title: string, series: Series[], yLabel: string, band?: [number, number], marks: number[] = [], xLabel = 'minutes'): string {
  const W = 1000;
  const H = 220;
  const L = 50;
  const B = 25;
  const all = series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map((p) => p[0]));
  let yMin = Math.min(...all.map((p) => p[1]), ...(band ?? []));
  let yMax = Math.max(...all.map((p) => p[1]), ...(band ?? []));
  if (!Number.isFinite(yMin)) (yMin = 0), (yMax = 1);
  if (yMax - yMin < 1e-9) yMax = yMin + 1;
  const X = (x: number) => L + ((W - L - 10) * x) / xMax;
  const Y = (y: number) => H - B - ((H - B - 10) * (y - yMin)) / (yMax - yMin);
  const parts: string[] = [`<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><text x="${L}" y="12" font-size="12">${esc(title)}</text>`];
  if (band) parts.push(`<rect x="${L}" y="${Y(band[1])}" width="${W - L - 10}" height="${Y(band[0]) - Y(band[1])}" fill="#d8f0d8"/>`);
  for (const m of marks) parts.push(`<line x1="${X(m)}" x2="${X(m)}" y1="10" y2="${H - B}" stroke="#e33" stroke-dasharray="3,3"/>`);
  for (const s of series) {
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="1.3"><title>${esc(s.label)}</title></path>`);
  }
  for (let i = 0; i <= 4; i++) {
    const y = yMin + ((yMax - yMin) * i) / 4;
    parts.push(`<text x="2" y="${Y(y) + 4}" font-size="10">${y.toFixed(yMax - yMin < 5 ? 2 : 0)}</text>`);
  }
  for (let m = 0; m <= xMax; m += Math.max(1, Math.round(xMax / 10))) parts.push(`<text x="${X(m) - 4}" y="${H - 8}" font-size="10">${m}</text>`);
  parts.push(`<text x="${W - 160}" y="12" font-size="10">x: ${esc(xLabel)}, y: ${esc(yLabel)}</text>`);
  if (series.length <= 4) parts.push(series.map((s, i) => `<text x="${L + 200 + i * 160}" y="12" font-size="11" fill="${s.colour}">${esc(s.label)}</text>`).join(''));
  return parts.join('') + '</svg>';
}

