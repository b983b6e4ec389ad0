// The HIL binding of the blood-pressure loop: the sensor and pump boards under test on a bench, a third
// board playing the patient (hil/rigs/benches/patient-bench.rig.yaml). The bench comes up through its
// strategy (off -> powered -> flashed -> linked -> running); the host then opens the sensor and the pump
// afresh through the same composition root as every level (the nodes below), while this binding keeps the
// patient-emulator's link. The patient model (hil/sim, the same as the SIL plant's, steered by the
// scenario) is stepped here on the bench's clock, on the drug the emulator counted from the pump's step
// pulses, never on what the host commanded; its pressure goes to the emulator as beats to play, with the
// line artifacts a played waveform can carry. What the host loop sees comes only through the boards.
import type { PatientSetWaveformValues } from '../../protocols/generated/wire-codec.ts';
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import { mlPerStep } from '../../firmware/src/nodes/infusion-pump/syringe-geometry.ts';
import type { NodeName } from '../../firmware/build/firmware-build.ts';
import { boardById } from '../emulator/emulated-node.ts';
import type { Fault, NotInjectable } from '../faults/fault-schedule.ts';
import { injectableFaults } from '../faults/fault-schedule.ts';
import type { SensorFault } from '../faults/sensor-faults.ts';
import type { ScenarioPlant } from '../sim/engine/scenario-plant.ts';
import { scenarioPlantOptions } from '../sim/engine/scenario-plant.ts';
import { DRIVE_SAMPLE_MS } from './plant-faults.ts';
import type { BenchSession, StepReport } from './bench-strategy.ts';
import { openBySerial } from './bench-strategy.ts';
import type { HilBench } from './hil-bench-time.ts';
import { benchDown, benchUp, HilBenchError } from './hil-bench-time.ts';
import { beatsForMean, PatientEmulatorDriver } from './patient-emulator-driver.ts';
import type { RigSession } from './rig.ts';
import { catalogueRole } from './rig.ts';
import type { Rig, SerialPortResource } from './rig-schema.ts';

const ROLES = ['bp-sensor', 'infusion-pump'] as const;
const PATIENT: NodeName = 'patient-emulator';

/** A flat output at the ADC's bottom end: the transducer off the line (a dropout), as the emulator plays it. */
const DROPOUT_MMHG = -50;

/** Line artifacts the patient emulator can play: it plays beats of a set mean and flat levels, nothing else. */
const PLAYABLE = new Set<SensorFault['kind']>(['flush', 'offset', 'dropout', 'frozen']);

export interface HilSession extends RigSession {
  /** Faults and artifacts of the scenario this bench could not inject, with why. */
  notInjectable: NotInjectable[];
  /** Every bench step of the bring-up, for the run's log. */
  steps: StepReport[];
  /** Volume the patient model has received (steps counted by the emulator), and what the emulator has counted now. */
  counts(): { receivedMl: number; countedMl: number };
  /** [tMs, mL/h]: what the pump's step pulses pushed over the last second, by the emulator's count, every DRIVE_SAMPLE_MS. */
  drive: [number, number][];
}

/** The window the drive's rate is counted over: a step is 0.4 mL/h over a second, so shorter windows only add quantisation. */
const DRIVE_WINDOW_MS = 1000;

const flat = (mmHg: number): PatientSetWaveformValues => ({ systolicMmHg: mmHg, diastolicMmHg: mmHg, heartRateBpm: 0 });

/** The beats to play at tS of the patient's time: its pressure, through the active artifacts the emulator can play. */
function playedBeats(mapMmHg: number, tS: number, o: { pulsePressureMmHg: number; heartRateBpm: number }, artifacts: SensorFault[], frozen: { mmHg: number | null }): PatientSetWaveformValues {
  const active = artifacts.filter((a) => tS >= a.atMin * 60 && tS < a.atMin * 60 + a.durationS);
  const offsetMmHg = active.reduce((sum, a) => sum + (a.kind === 'offset' ? a.offsetMmHg : 0), 0);
  const meanMmHg = mapMmHg + offsetMmHg;
  if (!active.some((a) => a.kind === 'frozen')) frozen.mmHg = null;
  const flush = active.find((a) => a.kind === 'flush');
  if (flush) return flat(flush.pressureMmHg);
  if (active.some((a) => a.kind === 'dropout')) return flat(DROPOUT_MMHG);
  if (active.some((a) => a.kind === 'frozen')) return flat((frozen.mmHg ??= meanMmHg));
  return beatsForMean(meanMmHg, o.pulsePressureMmHg, o.heartRateBpm);
}

/** Rounded as the wire carries it (0.1 mmHg, 0.1 beats/min): an unchanged setting is not sent again. */
const wireKey = (b: PatientSetWaveformValues) => [b.systolicMmHg, b.diastolicMmHg, b.heartRateBpm].map((v) => Math.round(v * 10)).join(',');

/** The blood-pressure loop at HIL needs a sensor, a pump and a board playing the patient, wired to both. */
export function checkBpRig(rig: Rig, rigFile: string): void {
  const missing = [...ROLES, PATIENT].filter((n) => !rig.nodes[n]);
  if (missing.length) {
    throw new HilBenchError(`--level hil: the bench of ${rigFile} has no ${missing.join(', ')} node: the blood-pressure loop at HIL needs the bp-sensor and infusion-pump boards and a patient-emulator board wired to them (see hil/rigs/benches/patient-bench.rig.yaml)`);
  }
}

/**
 * The bench brought up and the patient playing. faults: the scenario's scheduled faults (none can be
 * injected on this bench yet: each comes back as not injectable at hil); the scenario's line artifacts
 * are played when the emulator can play them, listed as not injectable otherwise.
 */
export async function hilBpSession(plan: ScenarioPlant, bench: HilBench, faults: Fault[] = []): Promise<HilSession> {
  const rigFile = bench.spec.rigFile;
  checkBpRig(bench.rig, rigFile);
  const steps: StepReport[] = [];
  const up: BenchSession = await benchUp(bench, (r) => steps.push(r));
  const d = bench.drivers;
  const clock = d.clock;
  const timers: { cancel(): void }[] = [];
  const close = () => {
    for (const t of timers) t.cancel();
    benchDown(bench, up);
  };
  try {
    const pumpBoard = boardById(bench.rig.nodes['infusion-pump']!.board);
    const link = up.links[PATIENT]!;
    const driver = new PatientEmulatorDriver(link.session, mlPerStep((pumpBoard.nodes['infusion-pump'] as PumpBoardConfig).mechanism), link.messages);
    // The bench checked the sensor and the pump; the loop's host opens them again, as `run bp` would.
    for (const role of ROLES) up.links[role]!.close();
    const o = scenarioPlantOptions(plan);
    const artifacts = plan.scenario.artifacts as SensorFault[];
    const notInjectable: NotInjectable[] = [
      ...artifacts.filter((a) => !PLAYABLE.has(a.kind)).map((a) => ({ fault: a as Fault, why: `not injectable at hil: the patient emulator plays beats and flat levels only, not ${a.kind === 'noise-step' ? 'noise on each sample' : 'a damped line'}` })),
      ...injectableFaults(faults, {}, clock, 'hil').notInjectable,
    ];
    const playable = artifacts.filter((a) => PLAYABLE.has(a.kind));
    for (let t = 0; driver.status === null; t += 100) {
      if (t > 5000) throw new HilBenchError(`--level hil: the patient-emulator of ${rigFile} sent no status within 5 s of its link coming up`);
      await bench.pass(100);
    }
    // The patient's time starts now; the model is stepped on what the emulator counted over each step.
    const stepS = plan.patientStepS;
    const frozen = { mmHg: null as number | null };
    let tS = 0;
    let countedBefore = driver.deliveredMl;
    let receivedMl = 0;
    let sent = '';
    let inFlight = false;
    let refused: Error | null = null;
    const play = () => {
      const beats = playedBeats(o.patient.mapMmHg, tS, o, playable, frozen);
      if (inFlight || wireKey(beats) === sent) return;
      inFlight = true;
      driver.play(beats).then(() => (sent = wireKey(beats)), (e: Error) => (refused ??= e)).finally(() => (inFlight = false));
    };
    play();
    timers.push(clock.every(stepS * 1000, () => {
      const countedMl = driver.deliveredMl;
      o.patient.step(((countedMl - countedBefore) * 3600) / stepS);
      receivedMl += countedMl - countedBefore;
      countedBefore = countedMl;
      tS += stepS;
      play();
    }));
    // What the pump did, as counted outside it: the safety invariants are judged on this, never on the host's word.
    const drive: [number, number][] = [];
    const counted: [number, number][] = [];
    timers.push(clock.every(DRIVE_SAMPLE_MS, () => {
      const now = clock.now();
      counted.push([now, driver.deliveredMl]);
      while (counted.length > 1 && counted[1][0] <= now - DRIVE_WINDOW_MS) counted.shift();
      const [t0, ml0] = counted[0];
      drive.push([now, now > t0 ? ((driver.deliveredMl - ml0) * 3_600_000) / (now - t0) : 0]);
    }));
    // The sensor reads a few beats of the patient before any host looks.
    await bench.pass(3000);
    const port = (role: NodeName) => bench.rig.resources[bench.rig.nodes[role]!.port] as SerialPortResource;
    return {
      level: 'hil',
      clock,
      notInjectable,
      steps,
      nodes: ROLES.map((role, i) => ({
        role: catalogueRole(role), where: `${role} (USB serial ${port(role).usbSerial}) of ${rigFile}`, open: openBySerial(d, role, port(role)), sessionIdSeed: plan.seed * 2 + 1 + i, keyring: d.keyring,
      })),
      wait: bench.fake ? () => bench.pass(1000) : undefined,
      // Ground truth for metrics: the model's own pressure, and the drug that reached it (the emulator's count).
      probe: () => ({ mapMmHg: o.patient.mapMmHg, deliveredMl: receivedMl }),
      counts: () => ({ receivedMl, countedMl: driver.deliveredMl }),
      drive,
      run: async (ms) => {
        await bench.pass(ms);
        if (refused) throw new HilBenchError(`--level hil: ${rigFile}: ${refused.message}`);
        if (!link.ready) throw new HilBenchError(`--level hil: ${rigFile}: the patient-emulator's link is ${link.state} (${link.lastProblem}): the patient is no longer played`);
      },
      close,
    };
  } catch (e) {
    close();
    throw e;
  }
}
