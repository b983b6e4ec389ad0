// The host's side of the PIL blood-pressure rig: two pseudo-terminal pairs, the rig process on their
// board ends, and the host's links opened on the other ends with the real serialport package, on a
// system clock running at the rig's speed. Truth lines from the rig feed metrics only.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SystemClock } from '../../host/clock/system-clock.ts';
import { InfusionPump } from '../../host/devices/infusion-pump.ts';
import { PressureSensor } from '../../host/devices/pressure-sensor.ts';
import { SIM_KEYRING } from '../emulator/sim-keys.ts';
import { DeviceLink } from '../../host/link/device-link.ts';
import { SerialTransport } from '../../host/transport/serial-transport.ts';
import { boardById } from '../emulator/emulated-node.ts';
import type { LoopEnvironment } from '../runner/loop-environment.ts';
import type { PilBpSpec } from './pil-bp-rig.ts';
import { ptyPair, startPilProcess } from './pil-rig.ts';

const rigScript = fileURLToPath(new URL('./pil-bp-rig.ts', import.meta.url));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function pilBpEnvironment(spec: Omit<PilBpSpec, 'sensorTty' | 'pumpTty'>): Promise<LoopEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-pil-bp-'));
  const procs: ChildProcess[] = [];
  const stop = () => {
    for (const p of procs) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    procs.push(await ptyPair(join(dir, 'sensor-host'), join(dir, 'sensor-board')));
    procs.push(await ptyPair(join(dir, 'pump-host'), join(dir, 'pump-board')));
    const specPath = join(dir, 'spec.json');
    writeFileSync(specPath, JSON.stringify({ ...spec, sensorTty: join(dir, 'sensor-board'), pumpTty: join(dir, 'pump-board') }));
    let truth = NaN;
    let delivered = 0;
    const rig = await startPilProcess(rigScript, ['--spec', specPath], 'the PIL rig', 30_000, (l) => {
      const m = /^TRUTH (\S+) (\S+) (\S+)/.exec(l);
      if (m) {
        truth = Number(m[2]);
        delivered = Number(m[3]);
      }
      return m !== null;
    });
    procs.push(rig.proc);
    const clock = new SystemClock(spec.speed);
    const baud = boardById(spec.board).uart.baud;
    const sensorLink = new DeviceLink({ name: 'bp-sensor', open: () => SerialTransport.open(join(dir, 'sensor-host'), baud), clock, sessionIdSeed: spec.seed * 2 + 1, keyring: SIM_KEYRING });
    const pumpLink = new DeviceLink({ name: 'infusion-pump', open: () => SerialTransport.open(join(dir, 'pump-host'), baud), clock, sessionIdSeed: spec.seed * 2 + 2, keyring: SIM_KEYRING });
    const sensor = new PressureSensor(sensorLink);
    const pump = new InfusionPump(pumpLink, clock);
    sensorLink.start();
    pumpLink.start();
    for (let i = 0; i < 500 && !(sensorLink.ready && pumpLink.ready); i++) await sleep(10);
    if (!sensorLink.ready || !pumpLink.ready) {
      throw new Error(`the PIL rig's boards did not answer: sensor ${sensorLink.state} (${sensorLink.lastProblem}), pump ${pumpLink.state} (${pumpLink.lastProblem})`);
    }
    return {
      level: 'pil', clock, sensor, pump, links: { 'bp-sensor': sensorLink, 'infusion-pump': pumpLink },
      truthMapMmHg: () => truth, deliveredMl: () => delivered,
      run: async (ms) => {
        await sleep(ms / spec.speed);
        // The plant is gone: the run fails here, and the record keeps everything up to now.
        if (rig.proc.exitCode !== null || rig.proc.signalCode !== null) throw new Error(`the PIL rig stopped (${rig.proc.exitCode ?? rig.proc.signalCode}): ${rig.output().slice(-300)}`);
      },
      close: () => {
        sensorLink.close();
        pumpLink.close();
        stop();
      },
    };
  } catch (e) {
    stop();
    throw e;
  }
}
