// The blood-pressure therapy in the generic loop shell (host/loop/loop-shell.ts): the sensor's beats and
// alarms and the pump's status and alarms become period events, decide() is the pure step of
// bp-decision.ts, and a decision's command goes to the pump as a leased rate, a stop, or nothing.
import type { Clock } from '../../../protocols/clock/clock.ts';
import type { AlarmValues, PressureBeatValues, PumpStatusValues } from '../../../protocols/generated/wire-codec.ts';
import { DeviceCommandError } from '../../devices/device-command.ts';
import type { LoopShellOptions } from '../../loop/loop-shell.ts';
import { LoopShell } from '../../loop/loop-shell.ts';
import type { Therapy, WatchedLink } from '../../loop/therapy.ts';
import type { Decision, DecisionSetup, LoopState, OperatorAction } from './bp-decision.ts';
import { decide, loopStart } from './bp-decision.ts';
import { lapseRateMlPerH } from './drugs/drug-file.ts';
import type { PeriodEvent } from './bp-period.ts';
import { PERIOD_EVENT_KINDS } from './bp-period.ts';

export type { Confirmer, LoopRecorder } from '../../loop/loop-shell.ts';

/** The arterial-pressure sensor as the loop sees it: the real proxy (host/devices) or an ideal model (MIL). */
export interface BeatSource {
  readonly link: WatchedLink;
  onBeat(listener: (b: PressureBeatValues) => void): void;
  onAlarm(listener: (a: AlarmValues) => void): void;
}

/** The infusion pump as the loop sees it. */
export interface RatePump {
  readonly link: WatchedLink;
  onStatus(listener: (s: PumpStatusValues) => void): void;
  onAlarm(listener: (a: AlarmValues) => void): void;
  /**
   * Resolves with the lease the pump applied (it may be shorter than asked: its maxLeaseMs). If the lease
   * lapses the pump falls to lapseRateMlPerH (within its own limit), or stops when it is 0.
   */
  setRate(rateMlPerH: number, leaseMs: number, lapseRateMlPerH: number): Promise<number>;
  stop(): Promise<void>;
  /** Stops renewing any lease the proxy keeps alive (the current one runs out on the pump). */
  release?(): void;
}

export interface BpDevices {
  sensor: BeatSource;
  pump: RatePump;
}

export const bpTherapy: Therapy<DecisionSetup, LoopState, PeriodEvent, OperatorAction, Decision, BpDevices> = {
  name: 'bp',
  eventKinds: PERIOD_EVENT_KINDS,
  start: (setup, startedMs) => loopStart(setup, 0, startedMs),
  decide,
  listen(d, take, clock) {
    // Everything is stamped with the host's time of arrival: the controller sees no patient state, only the link.
    d.sensor.onBeat((beat) => take({ kind: 'beat', tMs: clock.now(), beat }));
    d.pump.onStatus((status) => take({ kind: 'pump-status', tMs: clock.now(), status }));
    d.sensor.onAlarm((alarm) => take({ kind: 'device-alarm', tMs: clock.now(), device: 'bp-sensor', alarm }));
    d.pump.onAlarm((alarm) => take({ kind: 'device-alarm', tMs: clock.now(), device: 'infusion-pump', alarm }));
  },
  links: (d) => ({ 'bp-sensor': d.sensor.link, 'infusion-pump': d.pump.link }),
  execute(d, setup, decision, take, clock) {
    if (decision.command === 'none') return null;
    const rate = decision.commandedMlPerH;
    const command = decision.command;
    // Each rate says where the pump goes if its lease lapses: the drug's state on host loss.
    const sent = command === 'stop' ? d.pump.stop() : d.pump.setRate(rate, setup.leaseMs, lapseRateMlPerH(setup.supervisor.onHostLoss, rate));
    return sent.then(
      () => {
        take({ kind: 'command', tMs: clock.now(), command, rateMlPerH: rate, outcome: 'acknowledged', reason: null });
        return 'acknowledged';
      },
      (e: Error) => {
        const reason = e instanceof DeviceCommandError ? e.reason : e.message;
        take({ kind: 'command', tMs: clock.now(), command, rateMlPerH: rate, outcome: 'refused', reason });
        return `failed: ${e.message}`;
      },
    );
  },
  async safeStop(d, setup) {
    const loss = setup.supervisor.onHostLoss;
    if (loss.kind === 'hold-rate') {
      // Stopping a vasopressor abruptly drops the pressure within minutes: leaving the loop is not a reason to.
      // The pump runs out its lease, then holds the rate each command gave it for a lapse, until a person acts.
      d.pump.release?.();
      const drug = setup.supervisor.drug ?? 'the drug';
      return `pump not stopped: ${drug} must not stop abruptly; it runs out its lease, then holds its rate` +
        `${loss.maxMlPerH !== undefined ? ` (at most ${loss.maxMlPerH} mL/h)` : ''} with a lease-expired alarm until a person stops or changes it at the pump`;
    }
    // A vasodilator's safe state is stopped; the pump also stops by itself when its lease lapses.
    await d.pump.stop();
    return 'pump stopped (acknowledged)';
  },
};

export type BpLoop = LoopShell<DecisionSetup, LoopState, PeriodEvent, OperatorAction, Decision, BpDevices>;
export type LoopDecision = BpLoop['decisions'][number];

/** The blood-pressure loop on a sensor and a pump. */
export function bpLoop(o: Omit<LoopShellOptions<DecisionSetup, BpDevices, OperatorAction>, 'devices'> & BpDevices): BpLoop {
  const { sensor, pump, ...rest } = o;
  return new LoopShell(bpTherapy, { ...rest, devices: { sensor, pump } });
}
