/// <reference lib="dom" />
// The report's charts (bundled by host/dashboard/page-bundle.ts and inlined, so each HTML file stays
// self-contained): every element with a data-chart attribute names a JSON block holding its spec and data,
// drawn with the dashboard's uPlot charts (drag across to zoom in, double-click to zoom out).
import type { ChartData, ChartSpec } from '../../../host/dashboard/page/charts.ts';
import { makeChart } from '../../../host/dashboard/page/charts.ts';

const charts = [...document.querySelectorAll<HTMLElement>('[data-chart]')].map((el) => {
  const source = document.getElementById(el.dataset.chart!);
  const { spec, data } = JSON.parse(source!.textContent!) as { spec: ChartSpec; data: ChartData };
  return makeChart(el, spec, data, Math.max(480, el.clientWidth || 1000));
});
// For a test or a curious reader's console.
(window as unknown as { homeostatCharts: unknown }).homeostatCharts = charts;
