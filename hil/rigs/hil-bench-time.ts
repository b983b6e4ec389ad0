// A HIL bench and how its time passes: the real one (the rig's drivers on the machine's clock, time passing
// by itself) or the fake one (fake-bench.ts: emulated boards wired as the rig says, on a virtual clock that
// someone must drive, in slices with the host's promises settling between them, as in sil-rig.ts). A bench
// is named by data (the rig file and its kind) so a run's setup can cross into a worker or a record.
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { advanceSettling, settleOn } from '../../protocols/testing/virtual-time.ts';
import type { NodeName } from '../../firmware/build/firmware-build.ts';
import { boardById, builtProgram } from '../emulator/emulated-node.ts';
import type { BenchOptions, BenchSession, StepReport } from './bench-strategy.ts';
import { bringUp } from './bench-strategy.ts';
import { FakeBench } from './fake-bench.ts';
import type { BenchDrivers } from './rig-drivers.ts';
import { realDrivers } from './rig-drivers.ts';
import { loadRig } from './rig-file.ts';
import type { Rig } from './rig-schema.ts';

export type BenchKind = 'real' | 'fake';

export const BENCH_KINDS: readonly BenchKind[] = ['real', 'fake'];

/** Which bench a HIL run uses: plain data. */
export interface HilBenchSpec {
  rigFile: string;
  kind: BenchKind;
  /** The bench strategy's timeouts (tests shorten them). */
  options?: BenchOptions;
}

export interface HilBench {
  spec: HilBenchSpec;
  rig: Rig;
  drivers: BenchDrivers;
  /** Lets ms of the bench's time pass (fake: at once, in slices; real: as the machine's clock goes). */
  pass(ms: number): Promise<void>;
  /** Waits for p while the bench's time passes; the fake bench gives up after maxMs of its time. */
  settle<T>(p: Promise<T>, maxMs: number): Promise<T>;
  /** The fake bench itself (tests look at its boards). */
  fake?: FakeBench;
}

export class HilBenchError extends Error {}

/** Slices of the fake bench's time between which the host's promises settle (as sil-rig.ts). */
const SLICE_MS = 500;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function openHilBench(spec: HilBenchSpec, drivers?: BenchDrivers): Promise<HilBench> {
  const rig = loadRig(spec.rigFile);
  if (spec.kind === 'real') return { spec, rig, drivers: drivers ?? realDrivers(), pass: sleep, settle: (p) => p };
  // Bundles are built before virtual time starts: a build takes real time, which a virtual clock would not wait for.
  for (const [node, n] of Object.entries(rig.nodes)) await builtProgram(node as NodeName, boardById(n!.board));
  const clock = new VirtualClock();
  const fake = new FakeBench(rig, clock);
  return { spec, rig, drivers: fake.drivers(), fake, pass: (ms) => advanceSettling(clock, ms, SLICE_MS), settle: (p, maxMs) => settleOn(clock, p, maxMs) };
}

/** Each rig file's last shutdown still under way (powering off takes a tool's run): the next bring-up waits for it. */
const goingDown = new Map<string, Promise<void>>();

/** Shuts the bench down (links closed, switchable nodes powered off) without waiting; the next benchUp of the rig waits. */
export function benchDown(bench: HilBench, up: BenchSession): void {
  goingDown.set(bench.spec.rigFile, bench.settle(up.stop(), 60_000).catch(() => undefined));
}

/** Brings the bench up (off -> powered -> flashed -> linked -> running); the error names the rig file, the node and what to check. */
export async function benchUp(bench: HilBench, report: (r: StepReport) => void): Promise<BenchSession> {
  await goingDown.get(bench.spec.rigFile);
  try {
    return await bench.settle(bringUp(bench.rig, bench.drivers, report, bench.spec.options), 600_000);
  } catch (e) {
    throw new HilBenchError(`--level hil: the bench of ${bench.spec.rigFile} did not come up: ${(e as Error).message}`);
  }
}
