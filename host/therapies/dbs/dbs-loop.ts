// Adaptive deep-brain stimulation in the generic loop shell (host/loop/loop-shell.ts): the neurostimulator's
// BetaPower, StimStatus and Alarm messages become period events, decide() is the pure step of
// dbs-decision.ts, and a decision's command goes to the stimulator as a leased StimSetAmplitude. A person's
// or a signal's stop ramps the stimulator to its fallback amplitude (continuous DBS), never to zero.
import type { Clock } from '../../../protocols/clock/clock.ts';
import type { AlarmValues, BetaPowerValues, StimStatusValues } from '../../../protocols/generated/wire-codec.ts';
import { DeviceCommandError } from '../../devices/device-command.ts';
import type { LoopShellOptions } from '../../loop/loop-shell.ts';
import { LoopShell } from '../../loop/loop-shell.ts';
import type { Therapy, WatchedLink } from '../../loop/therapy.ts';
import type { DbsDecision, DbsLoopState, DbsOperatorAction, DbsSetup } from './dbs-decision.ts';
import { dbsLoopStart, decideDbs } from './dbs-decision.ts';
import type { DbsEvent } from './dbs-period.ts';
import { DBS_EVENT_KINDS } from './dbs-period.ts';

/** The neurostimulator as the loop sees it: the real proxy (host/devices) or an ideal model (MIL). */
export interface BetaStimulator {
  readonly link: WatchedLink;
  onBetaPower(listener: (b: BetaPowerValues) => void): void;
  onStatus(listener: (s: StimStatusValues) => void): void;
  onAlarm(listener: (a: AlarmValues) => void): void;
  /** Resolves with the lease the stimulator applied. */
  setAmplitude(amplitudeMa: number, leaseMs: number): Promise<number>;
}

export interface DbsDevices {
  stim: BetaStimulator;
}

export const dbsTherapy: Therapy<DbsSetup, DbsLoopState, DbsEvent, DbsOperatorAction, DbsDecision, DbsDevices> = {
  name: 'dbs',
  eventKinds: DBS_EVENT_KINDS,
  initialValueKey: 'initialAmplitudeMa',
  start: (setup, startedMs) => dbsLoopStart(setup, startedMs),
  decide: decideDbs,
  listen(d, take, clock) {
    // Stamped with the host's time of arrival: the policy sees no patient state, only the link.
    d.stim.onBetaPower((beta) => take({ kind: 'beta', tMs: clock.now(), beta }));
    d.stim.onStatus((status) => take({ kind: 'stim-status', tMs: clock.now(), status }));
    d.stim.onAlarm((alarm) => take({ kind: 'device-alarm', tMs: clock.now(), device: 'neurostimulator', alarm }));
  },
  links: (d) => ({ neurostimulator: d.stim.link }),
  execute(d, setup, decision, take, clock) {
    if (decision.command === 'none') return null;
    const ma = decision.commandedMa;
    return d.stim.setAmplitude(ma, setup.supervisor.leaseMs).then(
      () => {
        take({ kind: 'command', tMs: clock.now(), command: 'set-amplitude', amplitudeMa: ma, outcome: 'acknowledged', reason: null });
        return 'acknowledged';
      },
      (e: Error) => {
        take({ kind: 'command', tMs: clock.now(), command: 'set-amplitude', amplitudeMa: ma, outcome: 'refused', reason: e instanceof DeviceCommandError ? e.reason : e.message });
        return `failed: ${e.message}`;
      },
    );
  },
  async safeStop(d, setup) {
    // Stopping DBS abruptly is a hazard: the stimulator ramps to its fallback, and stays there once the lease lapses.
    const ma = setup.device.fallbackMa;
    await d.stim.setAmplitude(ma, setup.supervisor.leaseMs);
    return `stimulator ramping to its fallback of ${ma.toFixed(2)} mA (acknowledged)`;
  },
};

export type DbsLoop = LoopShell<DbsSetup, DbsLoopState, DbsEvent, DbsOperatorAction, DbsDecision, DbsDevices>;
export type DbsLoopDecision = DbsLoop['decisions'][number];

/** The aDBS loop on a neurostimulator; a decision every period of the policy file. */
export function dbsLoop(o: Omit<LoopShellOptions<DbsSetup, DbsDevices, DbsOperatorAction>, 'devices' | 'periodMs' | 'initialValue'> & DbsDevices): DbsLoop {
  const { stim, ...rest } = o;
  return new LoopShell(dbsTherapy, { ...rest, devices: { stim }, periodMs: o.setup.prescription.decisionEveryMs, initialValue: o.setup.initialAmplitudeMa });
}
