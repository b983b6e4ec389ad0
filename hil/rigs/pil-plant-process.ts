// The PIL level's plant as its own process: the plant a therapy's plan describes (patient, boards running
// their bundles, node models), each board's protocol port bridged to its own pseudo-terminal, which the host
// opens with the serialport package exactly as it would open a board on USB. The plant's clock follows the
// wall clock, optionally sped up so a long scenario fits a bench slot; ports pace bytes to the baud rate on
// that clock. The plant-side faults a run schedules (the pump's mechanism, the boards' reset and power) act
// here, on the plant's clock. Ground truth (the probe, and a therapy's traces), fault events and the pump's
// sampled drive go to the parent over the IPC channel, never over the boards' lines.
//   node --import tsx hil/rigs/pil-plant-process.ts --spec <file.json>   (spawned with an 'ipc' channel)
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { SerialTransport } from '../../host/transport/serial-transport.ts';
import type { NodeName } from '../../firmware/build/firmware-build.ts';
import type { FaultEvent, NotInjectable } from '../faults/fault-schedule.ts';
import { buildPlant } from './plant-builders.ts';
import { plantFaults } from './plant-faults.ts';
import type { PilPlantSpec } from './pil-rig.ts';

const { values } = parseArgs({ options: { spec: { type: 'string' } } });
if (!values.spec) {
  console.error('usage: pil-plant-process --spec <file.json>');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(values.spec, 'utf8')) as PilPlantSpec;
const built = await buildPlant(spec.therapy, spec.plan);
const plant = built.plant;
for (const [role, tty] of Object.entries(spec.ttys) as [NodeName, string][]) {
  const node = plant.node(role);
  // No extra latency on the board's end: the pseudo-terminal and the host's port add their own.
  const port = plant.port(role, 0);
  const line = await SerialTransport.open(tty, node.config.uart.baud);
  line.onBytes((b) => port.write(b));
  port.onBytes((b) => line.write(b));
}
const send = (m: object) => process.send?.(m);
let drive: [number, number][] = [];
let notInjectable: NotInjectable[] = [];
if (spec.faults) {
  const faults = spec.faults;
  if (built.mechanism) {
    const f = plantFaults({ plant, mechanism: built.mechanism }, spec.board, faults, 'pil', (event: FaultEvent) => send({ kind: 'fault', event }), (tMs, rate) => drive.push([tMs, rate]));
    notInjectable = f.notInjectable;
  } else notInjectable = faults.map((fault) => ({ fault, why: `not injectable at pil: the ${spec.therapy} plant has no pump mechanism or boards for it` }));
}
plant.every(spec.truthEveryMs, () => {
  send({ kind: 'truth', tMs: plant.clock.now(), truth: plant.probe(), drive, trace: built.drainTrace?.() });
  drive = [];
});
const t0 = performance.now();
setInterval(() => plant.clock.runUntil((performance.now() - t0) * spec.speed), 1);
// The parent going away (killed, crashed) ends the plant: its IPC channel closes.
process.on('disconnect', () => process.exit(0));
// The plant's time 0 on the machine's clock (ms since the epoch), so the host's clock can follow the plant's.
send({ kind: 'ready', truth: plant.probe(), originEpochMs: performance.timeOrigin + t0, notInjectable });
