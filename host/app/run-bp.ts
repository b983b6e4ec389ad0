// `homeostat run bp`: the blood-pressure loop live, on a real sensor and a real pump (or PIL boards behind
// pseudo-terminals, which the host cannot tell from real ones). Every file is read and validated first;
// both ports are opened with the serialport package and each node must say in its Hello that it is the
// device it was opened as; then the loop runs on the system clock with its record, printing each decision.
// On Ctrl-C or SIGTERM (or when asked to stop) the pump is stopped (PumpStop, waiting for its Ack, or for
// its lease to lapse if the link is gone) before the process exits.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SystemClock } from '../clock/system-clock.ts';
import type { ControllerFile } from '../control/bp/controller-file.ts';
import type { Confirmer } from '../loop/loop-shell.ts';
import { FileRecorder } from '../record/file-recorder.ts';
import { runVersions } from '../record/versions.ts';
import type { AdvisoryConfig } from '../safety/advisory-gate.ts';
import type { DriftConfig } from '../safety/drift-monitor.ts';
import type { SupervisorConfig } from '../safety/infusion-supervisor.ts';
import { SerialTransport } from '../transport/serial-transport.ts';
import type { BpLoop } from '../therapies/bp/bp-loop.ts';
import { BP_TIMING, bpHeader, connectBp, startBp } from './bp-app.ts';
import { warnUnauthenticated } from './connect-devices.ts';
import type { ConnectedBp } from './bp-app.ts';
import { liveStop } from './live-stop.ts';
import { describePeer } from '../../protocols/session/refusal-text.ts';

export interface RunBpOptions {
  sensorPort: string;
  pumpPort: string;
  baud: number;
  controller: ControllerFile;
  supervisor: SupervisorConfig;
  advisory: AdvisoryConfig | null;
  drift: DriftConfig | null;
  outDir: string;
  confirmer?: Confirmer;
  /** How long to wait for both devices' Hello. */
  connectTimeoutMs?: number;
}

export interface LiveBp {
  loop: BpLoop;
  devices: ConnectedBp;
  recordPath: string;
  /** Stops the loop, brings the pump to its safe state, closes the record and the ports; says what it did. */
  stop(why: string): Promise<string>;
}

export async function runBpLive(o: RunBpOptions, out: (line: string) => void): Promise<LiveBp> {
  const clock = new SystemClock();
  const files = { controller: o.controller, supervisor: o.supervisor, advisory: o.advisory, drift: o.drift };
  mkdirSync(o.outDir, { recursive: true });
  const recordPath = join(o.outDir, 'live.record.jsonl');
  // Nothing is opened before the record can be kept (an existing one is never overwritten).
  const recorder = new FileRecorder(recordPath, { ...bpHeader(files), level: 'live', startedAt: new Date().toISOString() });
  let devices: ConnectedBp;
  try {
    devices = await connectBp(clock, [
      { role: 'bp-sensor', where: o.sensorPort, open: () => SerialTransport.openPort(o.sensorPort, o.baud) },
      { role: 'infusion-pump', where: o.pumpPort, open: () => SerialTransport.openPort(o.pumpPort, o.baud) },
    ], undefined, o.supervisor);
  } catch (e) {
    recorder.close({ ok: false, error: (e as Error).message });
    throw e;
  }
  for (const [role, peer] of Object.entries(devices.peers)) out(`${role}: ${describePeer(peer)}`);
  recorder.record('devices', clock.now(), {
    peers: devices.peers,
    versions: runVersions({}),
  });
  warnUnauthenticated(devices, clock, recorder, out);
  const loop = startBp({ clock, devices, files, recorder, confirmer: o.confirmer, name: 'live' });
  out(`loop running: a decision every ${BP_TIMING.periodMs / 1000} s, target ${o.controller.targetMmHg} mmHg, ${o.controller.kind} controller; record ${recordPath}; Ctrl-C stops the pump and exits`);
  loop.onStream((item) => {
    if (item.kind === 'decision') {
      const d = item.decision;
      out(`${new Date().toISOString().slice(11, 19)} MAP ${d.observedMmHg === null ? '-' : d.observedMmHg.toFixed(0)} mmHg, rate ${d.commandedMlPerH.toFixed(2)} mL/h, ${d.mode}${d.alarms.length ? `, alarms: ${d.alarms.map((a) => `${a.priority} ${a.id}`).join(', ')}` : ''}`);
    } else if (item.kind === 'alarm' && item.raised) {
      out(`ALARM ${item.raised.priority}: ${item.raised.text}`);
    }
  });
  const stop = liveStop({
    clock, safeStop: () => loop.safeStop(), recorder, close: () => devices.close(),
    unacknowledged: (e) => `the pump did not acknowledge the stop (${e.message}): it stops by itself when its lease lapses, within ${BP_TIMING.leaseMs / 1000} s`,
  });
  return { loop, devices, recordPath, stop };
}
