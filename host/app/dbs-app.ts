// The aDBS loop's composition root, the same at every level: the files a run is made of, checked against
// each other and against the stimulator's own limits before anything is opened; the neurostimulator
// connected and checked (a neurostim node, on the board its limits were read for); and the loop on the
// session's clock with its recorder. `homeostat run dbs` calls it on a real port; the simulated runs call
// it on emulated ones (or, at MIL, on an ideal device).
import type { Clock } from '../../protocols/clock/clock.ts';
import { codeName } from '../../protocols/catalogue/codes.ts';
import type { HelloValues } from '../../protocols/generated/wire-codec.ts';
import { describePeer } from '../../protocols/session/refusal-text.ts';
import type { PolicyFile } from '../control/dbs/policy-file.ts';
import { policyFrom, policyProblems } from '../control/dbs/policy-file.ts';
import { Neurostimulator } from '../devices/neurostimulator.ts';
import type { DeviceLink } from '../link/device-link.ts';
import type { Confirmer, LoopRecorder } from '../loop/loop-shell.ts';
import type { StimAdvisoryConfig } from '../safety/advisory-gate.ts';
import type { BetaDriftConfig } from '../safety/drift-monitor.ts';
import type { StimDevice, StimSupervisorConfig } from '../safety/stim-supervisor.ts';
import { stimSupervisorProblems } from '../safety/stim-supervisor.ts';
import type { DbsSetup } from '../therapies/dbs/dbs-decision.ts';
import type { DbsDevices, DbsLoop } from '../therapies/dbs/dbs-loop.ts';
import { dbsLoop } from '../therapies/dbs/dbs-loop.ts';
import type { DeviceSpec } from './connect-devices.ts';
import { connectDevices } from './connect-devices.ts';

/** What an aDBS run is made of. */
export interface DbsFiles {
  policy: PolicyFile;
  supervisor: StimSupervisorConfig;
  advisory: StimAdvisoryConfig | null;
  drift: BetaDriftConfig | null;
  /** The stimulator's limits, from its board file. */
  device: StimDevice;
  /** The patient's beta off stimulation as the device reports it (a calibration recording's median). */
  baselineBetaUv2: number;
}

/**
 * Every way the files fail each other or the device, one sentence each: the policy's window, ramps and
 * decision period against the device's; the supervisor's lease and timing; the calibration.
 */
export function dbsProblems(f: DbsFiles): string[] {
  const out = policyProblems(f.policy, f.device).map((p) => `policy: ${p}`);
  out.push(...stimSupervisorProblems(f.supervisor, f.policy, f.device).map((p) => `supervisor: ${p}`));
  if (Math.abs(f.policy.continuousMa - f.device.fallbackMa) > 1e-9) {
    out.push(`policy: continuousMa ${f.policy.continuousMa} mA differs from the device's fallback ${f.device.fallbackMa} mA, which it delivers when the host is gone: make them one amplitude`);
  }
  if (!(f.baselineBetaUv2 > 0) || !Number.isFinite(f.baselineBetaUv2)) out.push(`baseline beta ${f.baselineBetaUv2} uV^2 must be a power above 0 (the median beta of a recording off stimulation)`);
  return out;
}

/** The setup of the pure decision, after every check; an error names each value and its limit. */
export function dbsSetup(f: DbsFiles): DbsSetup {
  const problems = dbsProblems(f);
  if (problems.length > 0) throw new Error(`the aDBS run's settings do not fit the neurostimulator: ${problems.join('; ')}`);
  return {
    policy: policyFrom(f.policy), prescription: f.policy, supervisor: f.supervisor, device: f.device,
    baselineBetaUv2: f.baselineBetaUv2, advisory: f.advisory, drift: f.drift, initialAmplitudeMa: f.device.fallbackMa,
  };
}

/** The part of a record's header that sets up its replay (host/record/replay.ts reads it back). */
export function dbsHeader(f: DbsFiles): object {
  return { therapy: 'dbs', ...f, initialAmplitudeMa: f.device.fallbackMa, periodMs: f.policy.decisionEveryMs };
}

export interface ConnectedDbs extends DbsDevices {
  stim: Neurostimulator;
  peer: HelloValues;
  links: DeviceLink[];
  close(): void;
}

/** Connects the neurostimulator and checks it is one, on the board whose limits the run was checked against. */
export async function connectDbs(clock: Clock, nodes: DeviceSpec[], boardId: string, wait?: () => Promise<void>): Promise<ConnectedDbs> {
  const c = await connectDevices(clock, nodes, { wait });
  const n = c.neurostim;
  const close = () => Object.values(c).forEach((d) => d.link.close());
  if (!n) {
    close();
    throw new Error(`an aDBS loop needs a neurostim node; got ${Object.keys(c).join(' and ')}`);
  }
  const board = codeName('BoardId', n.peer.boardId);
  if (board !== boardId) {
    close();
    throw new Error(`${nodes[0].where} holds ${describePeer(n.peer)}, on ${board}, but the run was checked against the ${boardId} board's limits: give --board ${board}`);
  }
  return { stim: new Neurostimulator(n.link, clock), peer: n.peer, links: [n.link], close };
}

export function startDbs(o: { clock: Clock; devices: DbsDevices; files: DbsFiles; recorder?: LoopRecorder; confirmer?: Confirmer }): DbsLoop {
  const loop = dbsLoop({ clock: o.clock, stim: o.devices.stim, setup: dbsSetup(o.files), recorder: o.recorder, confirmer: o.confirmer });
  loop.start();
  return loop;
}
