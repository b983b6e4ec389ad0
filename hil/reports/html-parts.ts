// Parts of the self-contained HTML reports (every therapy's, and the HIL suite's): escaping, number cells
// and the style sheet. Static plots are in svg-plot.ts.
export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
export const fmt = (v: number | null | boolean | string, d = 1) => (v === null ? '-' : typeof v === 'number' ? v.toFixed(d) : String(v));

export const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
.callout,.failed{background:#fde2e2}.note{color:#555}.chart{margin:8px 0 16px}dt{font-weight:bold;margin-top:.5em}dd{margin-left:1.5em}
svg{background:#fafafa;border:1px solid #ddd;margin:4px 0}`;
