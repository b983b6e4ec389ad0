// The SIL bench of the blood-pressure loop: a patient model, the bp-sensor and infusion-pump firmware
// bundles each in its own board emulator, the arterial line and syringe mechanism between them and the
// patient, and the host's links to both boards, all on one virtual clock. The engine owns the clock and
// integrates the patient at a fixed step from the drug the mechanism actually delivered. Controllers (on
// the host) see only what comes over the links; the patient's state is ground truth for metrics only.
import { VirtualClock } from '../../../protocols/clock/virtual-clock.ts';
import { advanceSettling, settleOn } from '../../../protocols/testing/virtual-time.ts';
import { InfusionPump } from '../../../host/devices/infusion-pump.ts';
import { PressureSensor } from '../../../host/devices/pressure-sensor.ts';
import { DeviceLink } from '../../../host/link/device-link.ts';
import type { BpSensorBoardConfig, PumpBoardConfig } from '../../../firmware/src/board-config.ts';
import { BoardEmulator } from '../../emulator/board-emulator.ts';
import { boardById, builtProgram } from '../../emulator/emulated-node.ts';
import { SIM_KEYRING } from '../../emulator/sim-keys.ts';
import type { Artifact } from '../arterial-waveform.ts';
import { ArterialWaveform, shapeMeanFraction } from '../arterial-waveform.ts';
import { seededRandom } from '../../../protocols/testing/seeded-random.ts';
import { gaussian } from '../gaussian.ts';
import { attachTransducer } from '../pressure-transducer.ts';
import { PATIENT_LINE, SyringeMechanism } from '../syringe-mechanism.ts';

/** Any patient model driven by the infusion rate actually delivered. */
export interface DrugResponsePatient {
  step(deliveredRateMlPerH: number): number;
  readonly mapMmHg: number;
}

export interface SilBenchOptions {
  patient: DrugResponsePatient;
  /** Integration step of the patient, s (it must match the patient's own). */
  patientStepS: number;
  heartRateBpm: number;
  pulsePressureMmHg: number;
  noiseMmHg: number;
  /** White noise on each beat's mean pressure (physiological variation the controller must filter). */
  beatNoiseMmHg?: number;
  seed: number;
  board?: string;
  /** Arterial-line artifacts (flush, over-damping, offset, dropout, frozen). */
  artifacts?: Artifact[];
}

export interface SilBench {
  clock: VirtualClock;
  sensor: PressureSensor;
  pump: InfusionPump;
  sensorLink: DeviceLink;
  pumpLink: DeviceLink;
  mechanism: SyringeMechanism;
  /** Ground truth, for metrics only. */
  truthMapMmHg(): number;
  /** Runs virtual time in slices, letting the host's promises settle between them. */
  run(ms: number): Promise<void>;
  /** Runs virtual time until a host promise (a command) settles, at most 10 s of it. */
  settle<T>(p: Promise<T>): Promise<T>;
}

/** The plant of the loop: the patient, both boards running their firmware, the line and the mechanism. */
export interface BpPlant {
  sensorBoard: BoardEmulator;
  pumpBoard: BoardEmulator;
  mechanism: SyringeMechanism;
  /** The boards' protocol UART. */
  uart: string;
  baud: number;
}

/** Builds the plant on a clock: both bundles loaded, the patient stepped on the drug actually delivered. */
export async function bpPlant(clock: VirtualClock, o: SilBenchOptions): Promise<BpPlant> {
  const boardConfig = boardById(o.board ?? 'pico');
  const sensorBoard = new BoardEmulator({ clock, serial: 'bp-sensor' });
  const pumpBoard = new BoardEmulator({ clock, serial: 'infusion-pump' });
  sensorBoard.load(await builtProgram('bp-sensor', boardConfig));
  pumpBoard.load(await builtProgram('infusion-pump', boardConfig));
  const mechanism = new SyringeMechanism(pumpBoard, boardConfig.nodes['infusion-pump'] as PumpBoardConfig, clock, PATIENT_LINE);

  // The patient, stepped on the drug delivered during each step.
  let lastDelivered = 0;
  clock.every(o.patientStepS * 1000, () => {
    const delivered = mechanism.deliveredMl;
    o.patient.step(((delivered - lastDelivered) * 3600) / o.patientStepS);
    lastDelivered = delivered;
  });
  const meanShare = shapeMeanFraction(o.heartRateBpm);
  const beatRandom = seededRandom(o.seed + 7919);
  const wave = new ArterialWaveform({
    systolicMmHg: 0, diastolicMmHg: 0, heartRateBpm: o.heartRateBpm, noiseMmHg: o.noiseMmHg, rrJitter: 0.03, seed: o.seed,
    beatPressures: () => {
      const beatMean = o.patient.mapMmHg + (o.beatNoiseMmHg ?? 0) * gaussian(beatRandom);
      const diastolic = beatMean - o.pulsePressureMmHg * meanShare;
      return { systolicMmHg: diastolic + o.pulsePressureMmHg, diastolicMmHg: diastolic };
    },
  }, o.artifacts ?? []);
  attachTransducer(sensorBoard, boardConfig.nodes['bp-sensor'] as BpSensorBoardConfig, wave);
  return { sensorBoard, pumpBoard, mechanism, uart: boardConfig.uart.port, baud: boardConfig.uart.baud };
}

export async function silBench(o: SilBenchOptions): Promise<SilBench> {
  const clock = new VirtualClock();
  const { sensorBoard, pumpBoard, mechanism, uart } = await bpPlant(clock, o);
  const sensorLink = new DeviceLink({ name: 'bp-sensor', open: async () => sensorBoard.port(uart), clock, sessionIdSeed: o.seed * 2 + 1, keyring: SIM_KEYRING });
  const pumpLink = new DeviceLink({ name: 'infusion-pump', open: async () => pumpBoard.port(uart), clock, sessionIdSeed: o.seed * 2 + 2, keyring: SIM_KEYRING });
  const sensor = new PressureSensor(sensorLink);
  const pump = new InfusionPump(pumpLink, clock);
  sensorLink.start();
  pumpLink.start();
  const run = (ms: number) => advanceSettling(clock, ms, 500);
  await run(1000);
  if (!sensorLink.ready || !pumpLink.ready) {
    throw new Error(`the SIL bench did not come up: sensor ${sensorLink.state} (${sensorLink.lastProblem}), pump ${pumpLink.state} (${pumpLink.lastProblem})`);
  }
  const settle = <T>(p: Promise<T>) => settleOn(clock, p, 10_000);
  return { clock, sensor, pump, sensorLink, pumpLink, mechanism, truthMapMmHg: () => o.patient.mapMmHg, run, settle };
}
