// The loop on the host, one shell for every therapy: everything the devices send becomes a typed event,
// put on the loop's event stream as it arrives and kept for the next decision; every period (and at once
// on an advisory answer) the therapy's pure decision runs on those events, its command goes to a device,
// and the command's outcome comes back as an event. The stream (events, decisions, alarms raised and
// cleared, operator actions, answers) is what the recorder, replay, reports and a dashboard consume.
import type { Clock, Timer } from '../../protocols/clock/clock.ts';
import type { AdvisoryRequest } from '../safety/advisory-gate.ts';
import type { Alarm } from '../safety/alarm.ts';
import type { AdvisoryAnswer, CommonDecision, LinkEvent, Therapy, TimedEvent } from './therapy.ts';

/** Where the loop's stream goes as record lines (host/record's file recorder, or nothing). */
export interface LoopRecorder {
  record(kind: string, tMs: number, data: object): void;
}

/** What a person needs besides the request to answer it: which loop asks, when, and on what. */
export interface AskContext {
  /** The loop's name (a patient's id in simulation), when it has one. */
  loop: string | null;
  /** Time since the loop started, on its clock. */
  sinceStartMs: number;
  /** The decision that asked: its observation, the controller's reason, its confidence. */
  decision: CommonDecision;
}

/** Who answers advisory requests: a terminal, a dashboard, or a script in tests. */
export interface Confirmer {
  ask(request: AdvisoryRequest, answer: (accept: boolean) => void, context?: AskContext): void;
  /** For a person on a simulated loop: resolves once the open request is answered or given up. */
  settle?(): Promise<void>;
  /** The question was answered elsewhere (another confirmer): stop asking it. */
  withdraw?(requestId: number): void;
}

/** Several ways to answer (a terminal and a dashboard): each is asked, the first answer counts, the others are withdrawn. */
export function firstAnswer(confirmers: Confirmer[]): Confirmer {
  return {
    ask(request, answer, context) {
      let done = false;
      const once = (from: Confirmer) => (accept: boolean) => {
        if (done) return;
        done = true;
        for (const c of confirmers) if (c !== from) c.withdraw?.(request.id);
        answer(accept);
      };
      for (const c of confirmers) c.ask(request, once(c), context);
    },
    settle() {
      const open = confirmers.filter((c) => c.settle).map((c) => c.settle!());
      return open.length ? Promise.race(open) : Promise.resolve();
    },
    withdraw(id) {
      for (const c of confirmers) c.withdraw?.(id);
    },
  };
}

/** One item of the loop's typed event stream. */
export type LoopStreamItem<E, O, D> =
  | { kind: 'loop-start'; tMs: number; initialValue: number }
  | { kind: 'event'; tMs: number; event: E | LinkEvent }
  | { kind: 'decision'; tMs: number; inputs: { nowMs: number; operator: O | null; answer: AdvisoryAnswer | null }; decision: D }
  | { kind: 'alarm'; tMs: number; raised?: Alarm; cleared?: Alarm }
  | { kind: 'operator'; tMs: number; action: O }
  | { kind: 'answer'; tMs: number; answer: AdvisoryAnswer };

/** A therapy event as a record line: its kind, time and the rest as data. */
export function eventLine(e: TimedEvent): { kind: string; tMs: number; data: object } {
  const { kind, tMs, ...data } = e;
  return { kind, tMs, data };
}

/** The stream as record lines, in the format replay reads (host/record/replay.ts). */
export function recordStream<E extends TimedEvent, O, D>(recorder: LoopRecorder, initialValueKey = 'initialRateMlPerH'): (item: LoopStreamItem<E, O, D>) => void {
  return (item) => {
    switch (item.kind) {
      case 'loop-start': return recorder.record('loop-start', item.tMs, { [initialValueKey]: item.initialValue });
      case 'event': {
        const l = eventLine(item.event);
        return recorder.record(l.kind, l.tMs, l.data);
      }
      case 'decision': return recorder.record('decision', item.tMs, { inputs: item.inputs, decision: item.decision });
      case 'alarm': return recorder.record('alarm', item.tMs, item.raised ? { raised: item.raised } : { cleared: item.cleared! });
      case 'operator': return recorder.record('operator', item.tMs, item.action as object);
      case 'answer': return recorder.record('answer', item.tMs, item.answer);
    }
  };
}

export interface LoopShellOptions<Setup, Devices, O> {
  clock: Clock;
  devices: Devices;
  setup: Setup;
  periodMs: number;
  /** The therapy's value already running when the loop starts (a rate, an amplitude). */
  initialValue?: number;
  recorder?: LoopRecorder;
  confirmer?: Confirmer;
  /** Called for every operator action before it is applied (for checks a therapy wants at the edge). */
  onOperator?: (action: O) => void;
  /** Names the loop to a person (a patient's id in simulation): in advisory questions, on a dashboard. */
  name?: string;
}

export interface LoopDecisionOf<D> {
  decision: D;
  /** What became of its command: "sent", "acknowledged", "failed: ...", "not sent". */
  commandResult: string;
}

export class LoopShell<Setup, State, E extends TimedEvent, O, D extends CommonDecision, Devices> {
  /** Every decision with what became of its command, in order. */
  readonly decisions: (D & { commandResult: string })[] = [];
  /** Alarm raises (a condition that stays active is one raise). */
  readonly alarmLog: { tMs: number; alarm: Alarm }[] = [];
  private readonly listeners: ((item: LoopStreamItem<E, O, D>) => void)[] = [];
  private events: E[] = [];
  private state: State;
  private timer: Timer | null = null;
  private operator: O | null = null;
  private pending: AdvisoryRequest | null = null;
  private stopped = false;
  private readonly startedMs: number;

  constructor(readonly therapy: Therapy<Setup, State, E, O, D, Devices>, private readonly o: LoopShellOptions<Setup, Devices, O>) {
    this.startedMs = o.clock.now();
    this.state = therapy.start(o.setup, this.startedMs);
    if (o.recorder) this.listeners.push(recordStream<E, O, D>(o.recorder, therapy.initialValueKey));
    this.emit({ kind: 'loop-start', tMs: o.clock.now(), initialValue: o.initialValue ?? 0 });
    therapy.listen(o.devices, (e) => this.take(e), o.clock);
    for (const [device, link] of Object.entries(therapy.links(o.devices))) {
      link.on({ state: (state, detail) => this.take({ kind: 'link', tMs: o.clock.now(), device, state, detail } as unknown as E) });
    }
  }

  /** Listens to the loop's typed event stream from now on. */
  onStream(listener: (item: LoopStreamItem<E, O, D>) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.timer = this.o.clock.every(this.o.periodMs, () => this.decideNow(null));
  }

  stop(): void {
    if (this.timer) this.timer.cancel();
    this.timer = null;
    this.stopped = true;
  }

  /** Stops deciding and brings the devices to their safe state (a person's stop, Ctrl-C, SIGTERM). */
  async safeStop(): Promise<string> {
    this.stop();
    return this.therapy.safeStop(this.o.devices, this.o.setup);
  }

  /** A person's action (manual value, back to auto); applied at the next decision. */
  operatorAction(action: O): void {
    this.o.onOperator?.(action);
    this.operator = action;
    this.emit({ kind: 'operator', tMs: this.o.clock.now(), action });
  }

  get name(): string | null {
    return this.o.name ?? null;
  }

  /** When the loop started, on its clock. */
  get startedAtMs(): number {
    return this.startedMs;
  }

  /** True once the loop was stopped (it decides no more). */
  get isStopped(): boolean {
    return this.stopped;
  }

  get pendingRequest(): AdvisoryRequest | null {
    return this.pending;
  }

  /** Conditions active after the last decision, highest priority first. */
  get activeAlarms(): Alarm[] {
    return this.decisions.at(-1)?.alarms ?? [];
  }

  private emit(item: LoopStreamItem<E, O, D>): void {
    for (const l of this.listeners) l(item);
  }

  private take(e: E): void {
    if (this.stopped) return;
    this.events.push(e);
    // A loop nobody listens to (a MIL sweep without records) makes no stream items.
    if (this.listeners.length > 0) this.emit({ kind: 'event', tMs: e.tMs, event: e });
  }

  private decideNow(answer: AdvisoryAnswer | null): void {
    const clock = this.o.clock;
    const now = clock.now();
    // A decision on an answer comes between periods: the period's events wait for the next periodic one.
    const events = answer ? null : this.events;
    if (!answer) this.events = [];
    const operator = this.operator;
    this.operator = null;
    const { state, decision } = this.therapy.decide(this.o.setup, this.state, { nowMs: now, events, operator, answer });
    this.state = state;
    if (this.listeners.length > 0) this.emit({ kind: 'decision', tMs: now, inputs: { nowMs: now, operator, answer }, decision });
    // The decision is this loop's own from here: what became of its command is kept on it (not recorded with it).
    const entry = decision as D & { commandResult: string };
    entry.commandResult = 'not sent';
    this.decisions.push(entry);
    for (const a of decision.raised) {
      this.alarmLog.push({ tMs: now, alarm: a });
      this.emit({ kind: 'alarm', tMs: now, raised: a });
    }
    for (const a of decision.cleared) this.emit({ kind: 'alarm', tMs: now, cleared: a });
    if (decision.resolved && this.pending?.id === decision.resolved.requestId) this.pending = null;
    if (decision.asked) {
      this.pending = decision.asked;
      const id = decision.asked.id;
      // An answer is taken as its own decision, never inside the one that asked (a confirmer may answer at once).
      this.o.confirmer?.ask(decision.asked, (accept) => {
        clock.after(0, () => {
          if (this.stopped || this.pending?.id !== id) return;
          const a = { requestId: id, accept };
          this.emit({ kind: 'answer', tMs: clock.now(), answer: a });
          this.decideNow(a);
        });
      }, { loop: this.o.name ?? null, sinceStartMs: now - this.startedMs, decision });
    }
    const sent = this.therapy.execute(this.o.devices, this.o.setup, decision, (e) => this.take(e), clock);
    if (!sent) return;
    entry.commandResult = 'sent';
    sent.then((result) => {
      entry.commandResult = result;
    });
  }
}
