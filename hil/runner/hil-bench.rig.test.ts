// The HIL tier of `hil run`: on a real bench (its rig file in HOMEOSTAT_RIG, boards attached) the bench
// strategy brings it up and down again. Skipped where no bench is attached.
import { describe, expect, it } from 'vitest';
import type { StepReport } from '../rigs/bench-strategy.ts';
import { checkHilBench } from './hil-bench.ts';

const rig = process.env.HOMEOSTAT_RIG;

describe('hil run --level hil on a real bench', () => {
  it.skipIf(!rig)('brings the bench of HOMEOSTAT_RIG up through every step and down again (set HOMEOSTAT_RIG=<file.rig.yaml> to enable)', async () => {
    const steps: StepReport[] = [];
    await checkHilBench({ rigFile: rig!, kind: 'real' }, (r) => steps.push(r));
    expect(steps.map((s) => s.step)).toEqual(expect.arrayContaining(['off', 'powered', 'flashed', 'linked', 'running']));
  }, 120_000);
});
