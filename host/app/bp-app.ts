// The blood-pressure loop's composition root, the same at every level: the files a run is made of (already
// validated), the two devices connected and checked (a bp-sensor and an infusion pump, each what it says it
// is), and the loop on the session's clock with its recorder. `homeostat run bp` calls it on real ports; the
// simulated runs call it on emulated ones (or, at MIL, on ideal devices).
import type { Clock } from '../../protocols/clock/clock.ts';
import { MsgId, checkPumpLimits, readPumpLimits } from '../../protocols/generated/wire-codec.ts';
import type { HelloValues, PumpLimitsValues } from '../../protocols/generated/wire-codec.ts';
import { codeName } from '../../protocols/catalogue/codes.ts';
import { describePeer } from '../../protocols/session/refusal-text.ts';
import type { ControllerFile } from '../control/bp/controller-file.ts';
import { controllerFrom } from '../control/bp/controller-file.ts';
import { InfusionPump } from '../devices/infusion-pump.ts';
import { PressureSensor } from '../devices/pressure-sensor.ts';
import type { DeviceLink } from '../link/device-link.ts';
import type { Confirmer, LoopRecorder } from '../loop/loop-shell.ts';
import type { AdvisoryConfig } from '../safety/advisory-gate.ts';
import type { DriftConfig } from '../safety/drift-monitor.ts';
import type { SupervisorConfig } from '../safety/infusion-supervisor.ts';
import type { DecisionSetup } from '../therapies/bp/bp-decision.ts';
import type { BpDevices, BpLoop } from '../therapies/bp/bp-loop.ts';
import { bpLoop } from '../therapies/bp/bp-loop.ts';
import { lapseRefusal } from '../therapies/bp/drugs/drug-file.ts';
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
  return { controller: controllerFrom(files.controller), supervisor: files.supervisor, advisory: files.advisory, drift: files.drift, leaseMs: BP_TIMING.leaseMs };
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

export function startBp(o: { clock: Clock; devices: BpDevices; files: BpFiles; recorder?: LoopRecorder; confirmer?: Confirmer; name?: string }): BpLoop {
  const loop = bpLoop({
    clock: o.clock, sensor: o.devices.sensor, pump: o.devices.pump, periodMs: BP_TIMING.periodMs,
    setup: bpSetup(o.files), recorder: o.recorder, confirmer: o.confirmer, name: o.name,
  });
  loop.start();
  return loop;
}
