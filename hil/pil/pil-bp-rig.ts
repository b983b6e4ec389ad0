// The PIL level of the blood-pressure loop: the plant (a scenario's patient, the bp-sensor and pump
// bundles in their emulators, the arterial line and the syringe mechanism) as its own process, each board
// on its own pseudo-terminal. The host opens the other ends with the serialport package, exactly as it
// would open two boards on USB. The clock follows the wall clock, optionally sped up (--speed) so a long
// scenario fits a bench slot; ports pace bytes to the baud rate on that clock. The patient's true mean
// pressure goes to stdout for metrics only ("TRUTH t map").
//   node --import tsx hil/pil/pil-bp-rig.ts --spec <file.json>
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { SerialTransport } from '../../host/transport/serial-transport.ts';
import type { CohortFile, VirtualPatient } from '../sim/cohorts/cohort.ts';
import { ScenarioPatient } from '../sim/engine/scenario-patient.ts';
import { bpPlant } from '../sim/engine/sil-bench.ts';
import { patientModel } from '../runner/bp-run.ts';
import { lineArtifacts, scenarioSchema } from '../sim/scenarios/scenario.ts';

export interface PilBpSpec {
  scenario: unknown;
  patient: VirtualPatient;
  seed: number;
  board: string;
  speed: number;
  sensorTty: string;
  pumpTty: string;
  patientStepS: number;
  model: CohortFile['model'];
  concentrationUgPerMl: number;
}

const { values } = parseArgs({ options: { spec: { type: 'string' } } });
if (!values.spec) {
  console.error('usage: pil-bp-rig --spec <file.json>');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(values.spec, 'utf8')) as PilBpSpec;
const scenario = scenarioSchema.parse(spec.scenario);
const patient = new ScenarioPatient(patientModel(spec.model, spec.patient, spec.concentrationUgPerMl), scenario, spec.patientStepS);
const clock = new VirtualClock();
const plant = await bpPlant(clock, {
  patient, patientStepS: spec.patientStepS, heartRateBpm: scenario.heartRateBpm, pulsePressureMmHg: scenario.pulsePressureMmHg,
  noiseMmHg: scenario.sensorNoiseMmHg, beatNoiseMmHg: scenario.beatNoiseMmHg, seed: spec.seed, board: spec.board, artifacts: lineArtifacts(scenario),
});
for (const [board, tty] of [[plant.sensorBoard, spec.sensorTty], [plant.pumpBoard, spec.pumpTty]] as const) {
  const port = board.port(plant.uart, 0);
  const line = await SerialTransport.open(tty, plant.baud);
  line.onBytes((b) => port.write(b));
  port.onBytes((b) => line.write(b));
}
clock.every(5000, () => console.log(`TRUTH ${(clock.now() / 1000).toFixed(1)} ${patient.mapMmHg.toFixed(3)} ${plant.mechanism.deliveredMl.toFixed(5)}`));
const t0 = performance.now();
setInterval(() => clock.runUntil((performance.now() - t0) * spec.speed), 1);
console.log(`PIL ready bp rig at ${spec.speed}x`);
