// The blood-pressure loop's composition root, the same at every level: the files a run is made of (already
// validated), the two devices connected and checked (a bp-sensor and an infusion pump, each what it says it
// is), and the loop on the session's clock with its recorder. `homeostat run bp` calls it on real ports; the
// simulated runs call it on emulated ones (or, at MIL, on ideal devices).
import type { Clock } from '../../protocols/clock/clock.ts';
import type { HelloValues, PumpLimitsValues, PumpStatusValues } from '../../protocols/generated/wire-codec.ts';
import { codeName } from '../../protocols/catalogue/codes.ts';
import { describePeer } from '../../protocols/session/refusal-text.ts';
import type { ControllerFile } from '../control/bp/controller-file.ts';
import { aimer, controllerFrom } from '../control/bp/controller-file.ts';
import { InfusionPump } from '../devices/infusion-pump.ts';
import { PressureSensor } from '../devices/pressure-sensor.ts';
import type { DeviceLink } from '../link/device-link.ts';
import type { Confirmer, LoopRecorder } from '../loop/loop-shell.ts';
import type { AdvisoryConfig } from '../safety/advisory-gate.ts';
import type { DriftConfig } from '../safety/drift-monitor.ts';
import type { SupervisorConfig } from '../safety/infusion-supervisor.ts';
import type { DecisionSetup } from '../therapies/bp/bp-decision.ts';
import type { BpDevices, BpLoop } from '../therapies/bp/bp-loop.ts';
import { bpLoop, bpTherapy } from '../therapies/bp/bp-loop.ts';
import { lapseRefusal } from '../therapies/bp/drugs/drug-file.ts';
import { LoopShell } from '../loop/loop-shell.ts';
import type { RecordFile } from '../record/record-file.ts';
import { resumeFromRecord } from '../record/resume-from-record.ts';
import type { ResumePoint } from '../record/resume-point.ts';
import { resumedLoopState } from '../record/resume-point.ts';
import type { DeviceSpec } from './connect-devices.ts';
import { connectDevices } from './connect-devices.ts';

/** The loop's timing, stated once: a decision every period, each rate command leased for three of them. */
export const BP_TIMING = { periodMs: 5000, leaseMs: 15_000 } as const;

/** What a blood-pressure run is made of, validated. */
export interface BpFiles {
  /** Aimed at the run's target. */
  controller: ControllerFile;
  /** With the patient's weight. */
  supervisor: SupervisorConfig;
  advisory: AdvisoryConfig | null;
  drift: DriftConfig | null;
}

export function bpSetup(files: BpFiles): DecisionSetup {
  return { controller: controllerFrom(files.controller), aim: aimer(files.controller), supervisor: files.supervisor, advisory: files.advisory, drift: files.drift, leaseMs: BP_TIMING.leaseMs };
}

/** The part of a record's header that sets up its replay (host/record/replay.ts reads it back). */
export function bpHeader(files: BpFiles): object {
  return { therapy: 'bp', ...files, initialRateMlPerH: 0, leaseMs: BP_TIMING.leaseMs, periodMs: BP_TIMING.periodMs };
}

export interface ConnectedBp extends BpDevices {
  sensor: PressureSensor;
  pump: InfusionPump;
  peers: { 'bp-sensor': HelloValues; 'infusion-pump': HelloValues };
  links: DeviceLink[];
  close(): void;
}

/**
 * Connects the sensor and the pump (nodes in any order), checks each is what it was opened as, and, given
 * the supervisor's drug, that the pump can take the drug's state on host loss (else every link is closed and
 * the error says what to change).
 */
export async function connectBp(
  clock: Clock, nodes: DeviceSpec[], wait?: () => Promise<void>, drug?: Pick<SupervisorConfig, 'drug' | 'onHostLoss'>,
): Promise<ConnectedBp> {
  // The pump sends its limits as its session comes up, before a proxy exists: caught here.
  let limits: PumpLimitsValues | null = null;
  const c = await connectDevices(clock, nodes, {
    wait,
    listen: (role, link) => {
      if (role !== 'infusion-pump') return;
      link.messages.on('PumpLimits', (v) => (limits = v));
    },
  });
  const s = c['bp-sensor'];
  const p = c['infusion-pump'];
  if (!s || !p) throw new Error(`a blood-pressure loop needs a bp-sensor and an infusion-pump; got ${Object.keys(c).join(' and ')}`);
  const connected: ConnectedBp = {
    sensor: new PressureSensor(s.link), pump: new InfusionPump(p.link, clock, limits),
    peers: { 'bp-sensor': s.peer, 'infusion-pump': p.peer },
    links: [s.link, p.link],
    close: () => {
      s.link.close();
      p.link.close();
    },
  };
  if (drug?.onHostLoss.kind === 'hold-rate') {
    // The limits follow the pump's Hello: give them a moment before judging.
    for (const t0 = clock.now(); connected.pump.limits === null && clock.now() - t0 < LIMITS_WAIT_MS;) await (wait ?? (() => new Promise<void>((r) => clock.after(50, r))))();
    const where = nodes.find((n) => n.role === 'infusion-pump')?.where ?? '';
    const refusal = lapseRefusal(drug, connected.pump.limits, `${describePeer(p.peer)} on ${where}`, codeName('BoardId', p.peer.boardId) ?? String(p.peer.boardId));
    if (refusal) {
      connected.close();
      throw new Error(refusal);
    }
  }
  return connected;
}

/** How long a pump's limits may take to follow its Hello. */
const LIMITS_WAIT_MS = 2000;

export interface StartBpOptions {
  clock: Clock;
  devices: BpDevices;
  files: BpFiles;
  recorder?: LoopRecorder;
  confirmer?: Confirmer;
  name?: string;
}

/** Starts the loop afresh, or (resume) from where a dead host left it, the point recorded after loop-start. */
export function startBp(o: StartBpOptions & { resume?: ResumePoint }): BpLoop {
  const resume = o.resume;
  const options = {
    clock: o.clock, periodMs: BP_TIMING.periodMs, setup: bpSetup(o.files), recorder: o.recorder, confirmer: o.confirmer, name: o.name,
  };
  const loop = resume
    ? new LoopShell({ ...bpTherapy, start: (setup, startedMs) => resumedLoopState(setup, resume, startedMs) }, { ...options, devices: o.devices, initialValue: resume.runningRateMlPerH })
    : bpLoop({ ...options, sensor: o.devices.sensor, pump: o.devices.pump });
  if (resume) o.recorder?.record('resume', o.clock.now(), resume);
  loop.start();
  return loop;
}

/** How long a restarted host waits for the pump's first status before it gives up resuming. */
const RESUME_STATUS_TIMEOUT_MS = 10_000;

/**
 * A host started again after its predecessor died: it waits for the pump's first status (what it runs,
 * what it has delivered), reads the dead host's record and starts the loop from that point.
 */
export async function resumeBp(o: StartBpOptions & { record: RecordFile }): Promise<{ loop: BpLoop; point: ResumePoint }> {
  const status = await new Promise<PumpStatusValues>((resolve, reject) => {
    const timer = o.clock.after(RESUME_STATUS_TIMEOUT_MS, () => reject(new Error(`no status from the pump within ${RESUME_STATUS_TIMEOUT_MS / 1000} s: cannot tell what it delivered, so the loop does not resume`)));
    o.devices.pump.onStatus((st) => {
      timer.cancel();
      resolve(st);
    });
  });
  const point = resumeFromRecord(o.record, { rateMlPerH: status.rateMlPerH, deliveredMl: status.deliveredMl });
  return { loop: startBp({ ...o, resume: point }), point };
}
