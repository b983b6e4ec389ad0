// The HIL level's way in: a suite at HIL runs on the physical bench its rig file describes, brought up by
// the rig's bench strategy (off -> powered -> flashed -> linked -> running) with the real drivers. Without
// the bench attached the run stops before any case, saying which node and step failed and what to check.
import type { BenchDrivers } from '../rigs/rig-drivers.ts';
import { realDrivers } from '../rigs/rig-drivers.ts';
import type { BenchOptions, StepReport } from '../rigs/bench-strategy.ts';
import { bringUp } from '../rigs/bench-strategy.ts';
import { loadRig } from '../rigs/rig-file.ts';

export class HilBenchError extends Error {}

/**
 * Brings the rig's bench up and down again, reporting each step; throws a HilBenchError naming the rig file
 * and the step that failed. Driving scenarios on a brought-up bench (the patient-emulator board playing the
 * patient) is not part of this runner yet: that is said plainly rather than run at another level.
 */
export async function checkHilBench(rigFile: string, report: (r: StepReport) => void, drivers: BenchDrivers = realDrivers(), o: BenchOptions = {}): Promise<never> {
  const rig = loadRig(rigFile);
  let bench;
  try {
    bench = await bringUp(rig, drivers, report, o);
  } catch (e) {
    throw new HilBenchError(`--level hil: the bench of ${rigFile} did not come up: ${(e as Error).message}`);
  }
  await bench.stop();
  throw new HilBenchError(`--level hil: the bench of ${rigFile} came up and was powered off again, but running scenarios on physical boards is not built in this runner yet; run the suite with --level pil, or --level sil`);
}
