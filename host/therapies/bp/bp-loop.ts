// The blood-pressure loop on the host, the I/O shell around decide(): everything the devices send (beats,
// the pump's status, device alarms, command outcomes, link states) becomes a typed event, recorded as it
// arrives and kept for the next decision; every period (and at once on an advisory answer) the pure
// decision runs on those events, and its command goes to the pump: a rate with a lease a few periods long
// (so a hung loop stops the drug by itself), a stop, or nothing.
import type { Clock, Timer } from '../../protocols/clock/clock.ts';
import type { InfusionPump } from '../devices/infusion-pump.ts';
import type { PressureSensor } from '../devices/pressure-sensor.ts';
import { DeviceCommandError } from '../devices/device-command.ts';
import type { AdvisoryRequest } from '../safety/advisory-gate.ts';
import type { Alarm } from '../safety/alarm.ts';
import type { Decision, DecisionSetup, LoopState, OperatorAction } from './bp-decision.ts';
import { decide, loopStart } from './bp-decision.ts';
import type { PeriodEvent } from './bp-period.ts';

/** Where the loop's events go (host/record's file recorder, or nothing). */
export interface LoopRecorder {
  record(kind: string, tMs: number, data: object): void;
}

/** Who answers advisory requests: a terminal, a dashboard, or a script in tests. */
export interface Confirmer {
  ask(request: AdvisoryRequest, answer: (accept: boolean) => void): void;
  /** For a person on a simulated loop: resolves once the open request is answered or given up. */
  settle?(): Promise<void>;
}

export interface BpLoopOptions {
  clock: Clock;
  sensor: PressureSensor;
  pump: InfusionPump;
  setup: DecisionSetup;
  periodMs: number;
  initialRateMlPerH?: number;
  recorder?: LoopRecorder;
  confirmer?: Confirmer;
}

export interface LoopDecision extends Decision {
  commandResult: string;
}

/** A period event as a record line, and back (host/record/replay.ts reads them). */
export function eventLine(e: PeriodEvent): { kind: string; tMs: number; data: object } {
  const { kind, tMs, ...data } = e;
  return { kind, tMs, data };
}

export class BpLoop {
  readonly decisions: LoopDecision[] = [];
  /** Alarm raises, for metrics (a condition that stays active is one raise). */
  readonly alarmLog: { tMs: number; alarm: Alarm }[] = [];
  private events: PeriodEvent[] = [];
  private state: LoopState;
  private timer: Timer | null = null;
  private operator: OperatorAction | null = null;
  private pending: AdvisoryRequest | null = null;
  private stopped = false;

  constructor(private readonly o: BpLoopOptions) {
    this.state = loopStart(o.setup, o.initialRateMlPerH ?? 0, o.clock.now());
    o.recorder?.record('loop-start', o.clock.now(), { initialRateMlPerH: o.initialRateMlPerH ?? 0 });
    // Everything is stamped with the host's time of arrival: the controller sees no patient state, only the link.
    o.sensor.onBeat((beat) => this.take({ kind: 'beat', tMs: o.clock.now(), beat }));
    o.pump.onStatus((status) => this.take({ kind: 'pump-status', tMs: o.clock.now(), status }));
    o.sensor.onAlarm((alarm) => this.take({ kind: 'device-alarm', tMs: o.clock.now(), device: 'bp-sensor', alarm }));
    o.pump.onAlarm((alarm) => this.take({ kind: 'device-alarm', tMs: o.clock.now(), device: 'infusion-pump', alarm }));
    for (const [device, link] of [['bp-sensor', o.sensor.link], ['infusion-pump', o.pump.link]] as const) {
      link.on({ state: (state, detail) => this.take({ kind: 'link', tMs: o.clock.now(), device, state, detail }) });
    }
  }

  start(): void {
    this.timer = this.o.clock.every(this.o.periodMs, () => this.decideNow(null));
  }

  stop(): void {
    if (this.timer) this.timer.cancel();
    this.timer = null;
    this.stopped = true;
  }

  /** A person takes over at this rate, or hands back to the controller; applied at the next decision. */
  operatorAction(action: OperatorAction): void {
    this.operator = action;
    this.o.recorder?.record('operator', this.o.clock.now(), action);
  }

  get pendingRequest(): AdvisoryRequest | null {
    return this.pending;
  }

  /** Conditions active after the last decision, highest priority first. */
  get activeAlarms(): Alarm[] {
    return this.state.active;
  }

  private take(e: PeriodEvent): void {
    if (this.stopped) return;
    this.events.push(e);
    if (this.o.recorder) {
      const l = eventLine(e);
      this.o.recorder.record(l.kind, l.tMs, l.data);
    }
  }

  private decideNow(answer: { requestId: number; accept: boolean } | null): void {
    const now = this.o.clock.now();
    // A decision on an answer comes between periods: the period's events wait for the next periodic one.
    const events = answer ? null : this.events;
    if (!answer) this.events = [];
    const operator = this.operator;
    this.operator = null;
    const { state, decision } = decide(this.o.setup, this.state, { nowMs: now, events, operator, answer });
    this.state = state;
    const entry: LoopDecision = { ...decision, commandResult: decision.command === 'none' ? 'not sent' : 'sent' };
    this.decisions.push(entry);
    const rec = this.o.recorder;
    rec?.record('decision', now, { inputs: { nowMs: now, operator, answer }, decision });
    for (const a of decision.raised) {
      this.alarmLog.push({ tMs: now, alarm: a });
      rec?.record('alarm', now, { raised: a });
    }
    for (const a of decision.cleared) rec?.record('alarm', now, { cleared: a });
    if (decision.resolved && this.pending?.id === decision.resolved.requestId) this.pending = null;
    if (decision.asked) {
      this.pending = decision.asked;
      const id = decision.asked.id;
      // An answer is taken as its own decision, never inside the one that asked (a confirmer may answer at once).
      this.o.confirmer?.ask(decision.asked, (accept) => {
        this.o.clock.after(0, () => {
          if (this.stopped || this.pending?.id !== id) return;
          rec?.record('answer', this.o.clock.now(), { requestId: id, accept });
          this.decideNow({ requestId: id, accept });
        });
      });
    }
    if (decision.command === 'none') return;
    const rate = decision.commandedMlPerH;
    const command = decision.command;
    const sent = command === 'stop' ? this.o.pump.stop() : this.o.pump.setRate(rate, this.o.setup.leaseMs);
    sent.then(
      () => {
        entry.commandResult = 'acknowledged';
        this.take({ kind: 'command', tMs: this.o.clock.now(), command, rateMlPerH: rate, outcome: 'acknowledged', reason: null });
      },
      (e: Error) => {
        entry.commandResult = `failed: ${e.message}`;
        const reason = e instanceof DeviceCommandError ? e.reason : e.message;
        this.take({ kind: 'command', tMs: this.o.clock.now(), command, rateMlPerH: rate, outcome: 'refused', reason });
      },
    );
  }
}
