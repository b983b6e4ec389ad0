// The HIL level's way in: before any case, the bench its rig file describes is brought up by the rig's
// bench strategy (off -> powered -> flashed -> linked -> running) and down again, reporting each step.
// Without the bench attached the run stops there, before any case, saying which node and step failed and
// what to check; with it, each case brings the bench up again and runs on it (hil/rigs/hil-bp.ts).
import type { StepReport } from '../rigs/bench-strategy.ts';
import type { HilBenchSpec } from '../rigs/hil-bench-time.ts';
import { benchUp, openHilBench } from '../rigs/hil-bench-time.ts';
import type { BenchDrivers } from '../rigs/rig-drivers.ts';

export { HilBenchError } from '../rigs/hil-bench-time.ts';

/** Brings the bench up and down again; throws a HilBenchError naming the rig file, the node and the step that failed. */
export async function checkHilBench(spec: HilBenchSpec, report: (r: StepReport) => void, drivers?: BenchDrivers): Promise<void> {
  const bench = await openHilBench(spec, drivers);
  const up = await benchUp(bench, report);
  await bench.settle(up.stop(), 60_000);
}
