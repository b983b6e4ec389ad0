// Browser code as one script: a page's TypeScript entry bundled with esbuild, uPlot taken from
// node_modules (never a CDN), built once per process. The dashboard serves it; the report inlines it, so
// its HTML files stay self-contained.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const built = new Map<string, Promise<string>>();

/** The entry (a .ts file under host/ or hil/) bundled to a minified IIFE. */
export function pageScript(entry: string): Promise<string> {
  let p = built.get(entry);
  if (!p) {
    p = build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', minify: true, target: 'es2020', logLevel: 'silent' })
      .then((r) => r.outputFiles[0].text);
    built.set(entry, p);
  }
  return p;
}

/** uPlot's own style sheet, from node_modules. */
export function chartCss(): string {
  return readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8');
}
