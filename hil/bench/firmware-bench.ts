// Firmware figures for `npm run bench`: each bundle's size and variables against its board, the emulator's
// speed per node (simulated seconds per wall second), and on the real interpreter the cost of one command
// frame and one control tick.
import { performance } from 'node:perf_hooks';
import { loadBoards } from '../../firmware/build/boards.ts';
import { buildNode, FIRMWARE_NODES } from '../../firmware/build/firmware-build.ts';
import { measureFit } from '../espruino/measure-fit.ts';
import { benchOnEspruino } from '../espruino/bench-on-espruino.ts';
import { emulatedNode } from '../emulator/emulated-node.ts';
import { benchWorld } from '../sim/nodes/bench-world.ts';
import { MsgId, writePatientSetWaveform, writePumpSetRate } from '../../protocols/generated/wire-codec.ts';
import { wiredBenchOfRig } from '../emulator/wired-bench.ts';
import { loadRig } from '../rigs/rig-file.ts';
import { fileURLToPath } from 'node:url';

async function bundles() {
  const rows = [];
  for (const board of loadBoards()) {
    for (const node of FIRMWARE_NODES) {
      if (!board.nodes[node.name]) continue;
      const built = await buildNode(node.name, board);
      const fit = await measureFit(built.program.code, board);
      rows.push({ node: node.name, board: board.id, bytes: built.bytes, variablesUsed: fit.usedVariables, budget: fit.budget, freePercent: fit.freePercent, method: fit.method, ...(fit.problem ? { problem: fit.problem } : {}) });
    }
  }
  return rows;
}

async function emulatorSpeed() {
  const simulatedS = 600;
  const pump = await emulatedNode('infusion-pump', 'pico');
  benchWorld('infusion-pump', pump.board, pump.boardConfig, pump.clock);
  pump.clock.advance(1000);
  pump.host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 80, leaseMs: 30_000 }, () => undefined);
  pump.clock.every(10_000, () => pump.host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 80, leaseMs: 30_000 }, () => undefined));
  let t0 = performance.now();
  pump.clock.advance(simulatedS * 1000);
  const pumpWallS = (performance.now() - t0) / 1000;
  const sensor = await emulatedNode('bp-sensor', 'pico');
  benchWorld('bp-sensor', sensor.board, sensor.boardConfig, sensor.clock);
  t0 = performance.now();
  sensor.clock.advance(simulatedS * 1000);
  const sensorWallS = (performance.now() - t0) / 1000;
  const patientBenchS = 120;
  const bench = await wiredBenchOfRig(loadRig(fileURLToPath(new URL('../rigs/benches/patient-bench.rig.yaml', import.meta.url))));
  bench.clock.advance(1000);
  bench.node('patient-emulator').host.sendCommand(MsgId.PatientSetWaveform, writePatientSetWaveform, { systolicMmHg: 120, diastolicMmHg: 75, heartRateBpm: 72 }, () => undefined);
  bench.node('infusion-pump').host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 36, leaseMs: 600_000 }, () => undefined);
  t0 = performance.now();
  bench.clock.advance(patientBenchS * 1000);
  const benchWallS = (performance.now() - t0) / 1000;
  return {
    'patient bench (patient-emulator, bp-sensor and infusion-pump wired, 36 mL/h: 72 steps/s)': {
      simulatedS: patientBenchS, wallS: Number(benchWallS.toFixed(3)), simulatedSecondsPerWallSecond: Math.round(patientBenchS / benchWallS),
    },
    'infusion-pump': { simulatedS, wallS: Number(pumpWallS.toFixed(3)), simulatedSecondsPerWallSecond: Math.round(simulatedS / pumpWallS) },
    'bp-sensor (125 Hz sampling)': { simulatedS, wallS: Number(sensorWallS.toFixed(3)), simulatedSecondsPerWallSecond: Math.round(simulatedS / sensorWallS) },
  };
}

function onInterpreter() {
  return benchOnEspruino(new URL('../../firmware/bench/espruino-node-bench.ts', import.meta.url), 'NODE-BENCH ');
}

export async function firmwareBench() {
  return { bundles: await bundles(), emulatorSpeed: await emulatorSpeed(), pumpNodeOnInterpreter: await onInterpreter() };
}
