// `npm run bench`: runs every bench, prints its figures and saves them to dist/bench/results.json.
// Figures are measured, never asserted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { protocolBench } from '../../protocols/bench/protocol-bench.ts';
import { firmwareBench } from '../../firmware/bench/firmware-bench.ts';
import { linkBench } from './link-bench.ts';
import { bpLoopBench } from './bp-loop-bench.ts';
import { bpSafetyBench } from './bp-safety-bench.ts';
import { dbsBench } from './dbs-bench.ts';
import { faultBench } from './fault-bench.ts';

const results = {
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
  espruinoBin: process.env.ESPRUINO_BIN ? 'set' : 'unset',
  protocol: await protocolBench(),
  firmware: await firmwareBench(),
  link: await linkBench(),
  bpLoop: await bpLoopBench(),
  bpSafety: await bpSafetyBench(),
  dbs: await dbsBench(),
  faults: await faultBench(),
};
console.log(JSON.stringify(results, null, 2));
mkdirSync('dist/bench', { recursive: true });
writeFileSync('dist/bench/results.json', JSON.stringify(results, null, 2) + '\n');
console.log('saved dist/bench/results.json');
