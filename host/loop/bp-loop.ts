// The blood-pressure loop on the host, the I/O shell around decide(): it gathers the beats that came over
// the link in each decision period, takes operator actions and advisory answers, makes a decision every
// period (and at once on an answer), and commands the pump with a lease a few periods long, so a hung
// loop stops the drug by itself. Everything it learns and does goes to the recorder as it happens.
import type { Clock, Timer } from '../../protocols/clock/clock.ts';
import type { PressureBeatValues } from '../../protocols/generated/wire-codec.ts';
import type { InfusionPump } from '../devices/infusion-pump.ts';
import type { PressureSensor } from '../devices/pressure-sensor.ts';
import type { AdvisoryRequest } from '../safety/advisory-gate.ts';
import type { Alarm } from '../safety/infusion-supervisor.ts';
import type { Decision, DecisionInputs, DecisionSetup, LoopState, OperatorAction, PeriodObservation } from './bp-decision.ts';
import { decide, loopStart } from './bp-decision.ts';

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
  leaseMs: number;
  initialRateMlPerH?: number;
  recorder?: LoopRecorder;
  confirmer?: Confirmer;
}

export interface LoopDecision extends Decision {
  commandResult: string;
}

export class BpLoop {
  readonly decisions: LoopDecision[] = [];
  /** Alarm raises, for metrics (a condition that stays active is one raise). */
  readonly alarmLog: { tMs: number; alarm: Alarm }[] = [];
  private beats: { tMs: number; beat: PressureBeatValues }[] = [];
  private lastBeatMs: number | null = null;
  private state: LoopState;
  private timer: Timer | null = null;
  private operator: OperatorAction | null = null;
  private active = new Map<string, Alarm>();
  private pending: AdvisoryRequest | null = null;
  private stopped = false;
  private lastObs: PeriodObservation | null = null;

  constructor(private readonly o: BpLoopOptions) {
    this.state = loopStart(o.setup, o.initialRateMlPerH ?? 0);
    // Beats are stamped with the host's time of arrival: the controller sees no patient state, only the link.
    o.sensor.onBeat((beat) => {
      if (this.stopped) return;
      const tMs = o.clock.now();
      this.beats.push({ tMs, beat });
      this.lastBeatMs = tMs;
      o.recorder?.record('beat', tMs, beat);
    });
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

  /** The period's beats, summarised. */
  private observe(): PeriodObservation | null {
    if (this.lastBeatMs === null) return null;
    let sum = 0;
    let clean = 0;
    let flagged = 0;
    let quality = 0;
    for (const b of this.beats) {
      quality |= b.beat.quality;
      if (b.beat.quality === 0) {
        sum += b.beat.meanMmHg;
        clean++;
      } else {
        flagged++;
      }
    }
    this.beats = [];
    return { tMs: this.lastBeatMs, meanMmHg: clean > 0 ? sum / clean : NaN, cleanBeats: clean, flaggedBeats: flagged, quality };
  }

  private decideNow(answer: DecisionInputs['answer']): void {
    const now = this.o.clock.now();
    // A decision on an answer comes between periods: it sees the period observation the question was asked on.
    const obs = answer ? this.lastObs : this.observe();
    this.lastObs = obs;
    const inputs: DecisionInputs = { nowMs: now, obs, operator: this.operator, answer };
    this.operator = null;
    const { state, decision } = decide(this.o.setup, this.state, inputs);
    this.state = state;
    const entry: LoopDecision = { ...decision, commandResult: decision.renewLease ? 'sent' : 'not sent: lease left to lapse' };
    this.decisions.push(entry);
    const rec = this.o.recorder;
    rec?.record('decision', now, { inputs, decision });
    this.trackAlarms(now, decision.alarms);
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
    if (!decision.renewLease) return;
    const rate = decision.commandedMlPerH;
    this.o.pump.setRate(rate, this.o.leaseMs).then(
      () => {
        entry.commandResult = 'acknowledged';
        rec?.record('ack', this.o.clock.now(), { rateMlPerH: rate });
      },
      (e: Error) => {
        entry.commandResult = `failed: ${e.message}`;
        rec?.record('command-failed', this.o.clock.now(), { rateMlPerH: rate, error: e.message });
      },
    );
  }

  private trackAlarms(now: number, alarms: Alarm[]): void {
    const seen = new Set<string>();
    for (const a of alarms) {
      seen.add(a.id);
      if (!this.active.has(a.id)) {
        this.alarmLog.push({ tMs: now, alarm: a });
        this.o.recorder?.record('alarm', now, { raised: a });
      }
      this.active.set(a.id, a);
    }
    for (const [id, a] of this.active) {
      if (seen.has(id)) continue;
      this.active.delete(id);
      this.o.recorder?.record('alarm', now, { cleared: a });
    }
  }
}
