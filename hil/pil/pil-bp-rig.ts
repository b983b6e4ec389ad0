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
import { bpPlant } from '../sim/engine/sil-bench.ts';
import { scenarioSchema } from '../sim/scenarios/scenario.ts';
import type { ScenarioPlant } from '../sim/engine/scenario-plant.ts';
import { scenarioPlantOptions } from '../sim/engine/scenario-plant.ts';

/** The plant's patient and scenario (the scenario re-validated here), the speed and the two lines. */
export interface PilBpSpec extends Omit<ScenarioPlant, 'scenario'> {
  scenario: unknown;
  speed: number;
  sensorTty: string;
  pumpTty: string;
}

const { values } = parseArgs({ options: { spec: { type: 'string' } } });
if (!values.spec) {
  console.error('usage: pil-bp-rig --spec <file.json>');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(values.spec, 'utf8')) as PilBpSpec;
const plantOptions = scenarioPlantOptions({ ...spec, scenario: scenarioSchema.parse(spec.scenario) });
const clock = new VirtualClock();
const plant = await bpPlant(clock, plantOptions);
for (const [board, tty] of [[plant.sensorBoard, spec.sensorTty], [plant.pumpBoard, spec.pumpTty]] as const) {
  const port = board.port(plant.uart, 0);
  const line = await SerialTransport.open(tty, plant.baud);
  line.onBytes((b) => port.write(b));
  port.onBytes((b) => line.write(b));
}
clock.every(5000, () => console.log(`TRUTH ${(clock.now() / 1000).toFixed(1)} ${plantOptions.patient.mapMmHg.toFixed(3)} ${plant.mechanism.deliveredMl.toFixed(5)}`));
const t0 = performance.now();
setInterval(() => clock.runUntil((performance.now() - t0) * spec.speed), 1);
console.log(`PIL ready bp rig at ${spec.speed}x`);
