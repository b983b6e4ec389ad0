import { readFileSync } from 'node:fs';
import { KEEP_CONSOLE, loadThroughRepl, pinAliases } from './hil/espruino/repl-loader.ts';
for (const [f, v, pins] of [['espruino-original', 2756, ['B3','B4','B5','A1','B12','A0']], ['puckjs', 2630, ['D1','D2','D3','D31','D4','D30']]] as const) {
  const code = readFileSync(`/tmp/mem/pt-${f}.js`, 'utf8');
  const r = await loadThroughRepl(`/work/shared/espruino/espruino-${v}`, code, { prelude: KEEP_CONSOLE + pinAliases([...pins]) });
  console.log(f, r.usage, r.outOfMemory, r.uncaught);
}
