// The blood-pressure loop on the host: every decision period it takes the latest beat that came over the
// link, asks the controller for a rate, lets the supervisor limit it, and commands the pump with a lease
// a few periods long (so a hung loop stops the drug by itself). Each decision is kept with its reasons.
import type { Clock, Timer } from '../../protocols/clock/clock.ts';
import type { PressureBeatValues } from '../../protocols/generated/wire-codec.ts';
import type { BpObservation, ControllerDecision } from '../control/bp/pid-controller.ts';
import type { InfusionPump } from '../devices/infusion-pump.ts';
import type { PressureSensor } from '../devices/pressure-sensor.ts';
import type { SupervisorConfig, SupervisorState } from '../safety/infusion-supervisor.ts';
import { supervise, supervisorStart } from '../safety/infusion-supervisor.ts';

export type Controller<S> = (state: S, obs: BpObservation, nowMs: number) => ControllerDecision<S>;

export interface LoopDecision {
  tMs: number;
  observedMmHg: number | null;
  proposedMlPerH: number;
  commandedMlPerH: number;
  controllerReason: string;
  limits: string[];
  alarm: string | null;
  commandResult: string;
}

export interface BpLoopOptions<S> {
  clock: Clock;
  sensor: PressureSensor;
  pump: InfusionPump;
  controller: Controller<S>;
  controllerState: S;
  supervisor: SupervisorConfig;
  periodMs: number;
  leaseMs: number;
}

export class BpLoop<S> {
  readonly decisions: LoopDecision[] = [];
  private latest: { tMs: number; beat: PressureBeatValues } | null = null;
  private cState: S;
  private sState: SupervisorState = supervisorStart();
  private timer: Timer | null = null;

  constructor(private readonly o: BpLoopOptions<S>) {
    this.cState = o.controllerState;
    // Beats are stamped with the host's time of arrival: the controller sees no patient state, only the link.
    o.sensor.onBeat((beat) => {
      this.latest = { tMs: o.clock.now(), beat };
    });
  }

  start(): void {
    this.timer = this.o.clock.every(this.o.periodMs, () => this.decide());
  }

  stop(): void {
    if (this.timer) this.timer.cancel();
    this.timer = null;
  }

  private decide(): void {
    const now = this.o.clock.now();
    const latest = this.latest;
    let proposed = this.sState.lastRateMlPerH;
    let reason = 'no beat yet: holding';
    if (latest) {
      const c = this.o.controller(this.cState, { tMs: latest.tMs, meanMmHg: latest.beat.meanMmHg, quality: latest.beat.quality }, now);
      this.cState = c.state;
      proposed = c.rateMlPerH;
      reason = c.reason;
    }
    const beat = latest ? { tMs: latest.tMs, meanMmHg: latest.beat.meanMmHg, quality: latest.beat.quality } : null;
    const d = supervise(this.o.supervisor, this.sState, { proposedRateMlPerH: proposed, beat }, now);
    this.sState = d.state;
    const entry: LoopDecision = {
      tMs: now, observedMmHg: latest ? latest.beat.meanMmHg : null, proposedMlPerH: proposed, commandedMlPerH: d.rateMlPerH,
      controllerReason: reason, limits: d.limits, alarm: d.alarm ? `${d.alarm.priority}: ${d.alarm.text}` : null, commandResult: 'sent',
    };
    this.decisions.push(entry);
    this.o.pump.setRate(d.rateMlPerH, this.o.leaseMs).then(
      () => (entry.commandResult = 'acknowledged'),
      (e: Error) => (entry.commandResult = `failed: ${e.message}`),
    );
  }
}
