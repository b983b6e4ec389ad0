// `homeostat run dbs`: the aDBS loop live, on a real neurostimulator (or a PIL board behind a pseudo-terminal,
// which the host cannot tell from a real one). Every file is checked against the stimulator's board limits
// first; the port is opened with the serialport package and the node must say in its Hello that it is a
// neurostimulator on that board; then the loop runs on the system clock with its record, printing each
// second's decision. On Ctrl-C or SIGTERM the stimulator is sent to its fallback amplitude (continuous DBS,
// never zero) before the process exits.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describePeer } from '../../protocols/session/refusal-text.ts';
import { SystemClock } from '../clock/system-clock.ts';
import type { Confirmer } from '../loop/loop-shell.ts';
import { FileRecorder } from '../record/file-recorder.ts';
import { runVersions } from '../record/versions.ts';
import { SerialTransport } from '../transport/serial-transport.ts';
import type { DbsLoop } from '../therapies/dbs/dbs-loop.ts';
import type { ConnectedDbs, DbsFiles } from './dbs-app.ts';
import { connectDbs, dbsHeader, dbsSetup, startDbs } from './dbs-app.ts';
import { warnUnauthenticated } from './connect-devices.ts';
import { liveStop } from './live-stop.ts';

export interface RunDbsOptions {
  stimPort: string;
  baud: number;
  /** The board the stimulator's limits were read from (its Hello must name it). */
  board: string;
  files: DbsFiles;
  outDir: string;
  confirmer?: Confirmer;
}

export interface LiveDbs {
  loop: DbsLoop;
  devices: ConnectedDbs;
  recordPath: string;
  stop(why: string): Promise<string>;
}

export async function runDbsLive(o: RunDbsOptions, out: (line: string) => void): Promise<LiveDbs> {
  dbsSetup(o.files); // every check before anything is opened
  const clock = new SystemClock();
  mkdirSync(o.outDir, { recursive: true });
  const recordPath = join(o.outDir, 'live.record.jsonl');
  const recorder = new FileRecorder(recordPath, { ...dbsHeader(o.files), level: 'live', startedAt: new Date().toISOString() });
  let devices: ConnectedDbs;
  try {
    devices = await connectDbs(clock, [{ role: 'neurostim', where: o.stimPort, open: () => SerialTransport.openPort(o.stimPort, o.baud) }], o.board);
  } catch (e) {
    recorder.close({ ok: false, error: (e as Error).message });
    throw e;
  }
  out(`neurostim: ${describePeer(devices.peer)}`);
  recorder.record('devices', clock.now(), { peers: { neurostim: devices.peer }, versions: runVersions({}) });
  warnUnauthenticated(devices, clock, recorder, out);
  const loop = startDbs({ clock, devices, files: o.files, recorder, confirmer: o.confirmer });
  const p = o.files.policy;
  out(`loop running: a decision every ${p.decisionEveryMs} ms, ${p.kind} policy in ${p.windowMinMa}..${p.windowMaxMa} mA, continuous ${p.continuousMa} mA; record ${recordPath}; Ctrl-C ramps to the fallback and exits`);
  let lastPrintMs = -Infinity;
  loop.onStream((item) => {
    if (item.kind === 'decision' && item.tMs - lastPrintMs >= 1000) {
      lastPrintMs = item.tMs;
      const d = item.decision;
      out(`${new Date().toISOString().slice(11, 19)} beta ${d.betaUv2 === null ? '-' : d.betaUv2.toFixed(2)} uV^2, amplitude ${d.commandedMa.toFixed(2)} mA (delivered ${d.deliveredMa === null ? '-' : d.deliveredMa.toFixed(2)}), ${d.mode}${d.alarms.length ? `, alarms: ${d.alarms.map((a) => `${a.priority} ${a.id}`).join(', ')}` : ''}`);
    } else if (item.kind === 'alarm' && item.raised) {
      out(`ALARM ${item.raised.priority}: ${item.raised.text}`);
    }
  });
  const stop = liveStop({
    clock, safeStop: () => loop.safeStop(), recorder, close: () => devices.close(),
    unacknowledged: (e) => `the stimulator did not acknowledge (${e.message}): it ramps to its fallback of ${o.files.device.fallbackMa.toFixed(2)} mA by itself when its lease lapses, within ${o.files.supervisor.leaseMs / 1000} s`,
  });
  return { loop, devices, recordPath, stop };
}
