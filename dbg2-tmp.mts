import { readFileSync } from 'node:fs';
import { KEEP_CONSOLE, loadThroughRepl, pinAliases } from './hil/espruino/repl-loader.ts';
const code = readFileSync('dist/firmware/infusion-pump.espruino-original.js', 'utf8');
const r = await loadThroughRepl('/work/shared/espruino/espruino-2756', code, { prelude: KEEP_CONSOLE + pinAliases(['B3','B4','B5','A1','B12','A0']), lineTimeoutMs: 1000 });
const i = r.stdout.indexOf('ASSERT');
console.log(JSON.stringify(r.stdout.slice(Math.max(0, i - 700), i + 80)));
console.log(code.split('\n').length);
