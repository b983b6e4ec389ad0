// The MIL binding of the aDBS loop: no bundle, no emulator, no framing. The neurostimulator is its firmware's
// own sans-I/O cores run in Node (hil/sim/nodes/mil-neurostimulator.ts: the stimulation core with its
// lease, window, ramps and blanking; the FFT beta estimator) behind the interface the loop uses for the real
// proxy, around the same patient and scenario as at SIL. The policy, supervisor and loop shell are the ones
// every other level runs.
import type { NeurostimBoardConfig } from '../../firmware/src/board-config.ts';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { checkStimSetAmplitude, NackReason } from '../../protocols/generated/wire-codec.ts';
import type { AlarmValues, BetaPowerValues, StimStatusValues } from '../../protocols/generated/wire-codec.ts';
import { DeviceCommandError } from '../../host/devices/device-command.ts';
import type { WatchedLink } from '../../host/loop/therapy.ts';
import type { BetaStimulator, DbsDevices } from '../../host/therapies/dbs/dbs-loop.ts';
import { codeName } from '../../protocols/catalogue/codes.ts';
import { advanceSettling } from '../../protocols/testing/virtual-time.ts';
import { ackLease } from '../../protocols/session/responder-session.ts';
import type { DbsPlan, DbsWorld } from '../sim/engine/dbs-plant.ts';
import { dbsWorld } from '../sim/engine/dbs-plant.ts';
import { boardById } from '../emulator/emulated-node.ts';
import { MilNeurostimulator } from '../sim/nodes/mil-neurostimulator.ts';
import type { RigSession } from './rig.ts';

/** A link that is always up: an ideal device has no session to lose. */
const steadyLink: WatchedLink = { on: () => undefined };

export class IdealNeurostimulator implements BetaStimulator {
  readonly link = steadyLink;
  readonly device: MilNeurostimulator;
  private readonly betaListeners: ((b: BetaPowerValues) => void)[] = [];
  private readonly statusListeners: ((s: StimStatusValues) => void)[] = [];
  private readonly alarmListeners: ((a: AlarmValues) => void)[] = [];

  constructor(private readonly clock: VirtualClock, readonly cfg: NeurostimBoardConfig, lfpUvAt: (tMs: number) => number) {
    this.device = new MilNeurostimulator(cfg, {
      status: (s) => this.statusListeners.forEach((l) => l(s)),
      alarm: (code, priority, raised) => this.alarmListeners.forEach((l) => l({ tMs: clock.now(), code, priority, state: raised ? 1 : 0 })),
    });
    const windowMs = Math.round((cfg.beta.fftSize * 1000) / cfg.sampleRateHz);
    clock.every(cfg.controlTickMs, () => {
      this.device.tMs = clock.now();
      this.device.core.tick();
    });
    clock.every(cfg.beta.reportEveryMs, () => {
      this.device.tMs = clock.now();
      const p = this.device.sense(lfpUvAt);
      if (p !== null) for (const l of this.betaListeners) l({ tMs: clock.now(), betaPowerUv2: p, windowMs, peakHz: this.device.peakHz });
    });
    clock.every(cfg.statusEveryMs, () => {
      this.device.tMs = clock.now();
      const s = this.device.core.status();
      for (const l of this.statusListeners) l(s);
    });
  }

  onBetaPower(listener: (b: BetaPowerValues) => void): void {
    this.betaListeners.push(listener);
  }

  onStatus(listener: (s: StimStatusValues) => void): void {
    this.statusListeners.push(listener);
  }

  onAlarm(listener: (a: AlarmValues) => void): void {
    this.alarmListeners.push(listener);
  }

  /** The firmware's checks on a StimSetAmplitude: the catalogue's ranges, then the core's window. */
  setAmplitude(amplitudeMa: number, leaseMs: number): Promise<number> {
    this.device.tMs = this.clock.now();
    const m = { amplitudeMa, leaseMs };
    const refuse = (reason: number) => {
      const name = codeName('NackReason', reason) ?? `code ${reason}`;
      return Promise.reject(new DeviceCommandError(name, `StimSetAmplitude to the ideal neurostimulator refused: ${name}`));
    };
    if (checkStimSetAmplitude(m) >= 0) return refuse(NackReason.OutOfRange);
    // Sent and received at once: the ideal link has no transit time.
    const r = this.device.core.setAmplitude(amplitudeMa, leaseMs, this.device.tMs);
    return r < ackLease(0) ? refuse(r & 0xff) : Promise.resolve(r - ackLease(0));
  }
}

/** A MIL session of the aDBS loop: the ideal stimulator around the patient, on a virtual clock. */
export function milDbsSession(plan: DbsPlan): RigSession<DbsDevices> & { world: DbsWorld } {
  const clock = new VirtualClock();
  const cfg = boardById(plan.board).nodes.neurostimulator as NeurostimBoardConfig | undefined;
  if (!cfg) throw new Error(`the ${plan.board} board has no neurostimulator section: give a board that has one (pico)`);
  let stim: IdealNeurostimulator | null = null;
  const world = dbsWorld(plan, clock, () => stim!.device.deliveredMa);
  stim = new IdealNeurostimulator(clock, cfg, world.lfpUvAt);
  return {
    level: 'mil', clock, nodes: [], ideal: { stim }, world,
    probe: () => ({ deliveredMa: stim!.device.deliveredMa }),
    run: (ms) => advanceSettling(clock, ms, 100),
    close: () => undefined,
  };
}
