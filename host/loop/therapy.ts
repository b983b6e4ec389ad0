// What a therapy gives the generic loop shell (host/loop/loop-shell.ts): the pure decision over the events
// that came in since the last one, how its devices' messages become those events, and how a decision's
// command goes back to a device. Everything else (the period, recording, answers to advisory requests,
// operator actions, alarm raise and clear, command outcomes, the typed event stream) is the shell's, the
// same for every therapy.
import type { Clock } from '../../protocols/clock/clock.ts';
import type { AdvisoryRequest } from '../safety/advisory-gate.ts';
import type { Alarm } from '../safety/alarm.ts';

/** Anything the loop receives, stamped with the host's time of arrival. */
export interface TimedEvent {
  kind: string;
  tMs: number;
}

/** A device link's state changed ("ready", "lost", ...), for every therapy. */
export interface LinkEvent extends TimedEvent {
  kind: 'link';
  device: string;
  state: string;
  detail: string;
}

/** An advisory request answered by a person. */
export interface AdvisoryAnswer {
  requestId: number;
  accept: boolean;
}

export interface DecisionInputs<E, O> {
  nowMs: number;
  /**
   * What arrived since the last periodic decision; null for a decision between periods (on an advisory
   * answer), which sees the summary the question was asked on and leaves the events to the next one.
   */
  events: E[] | null;
  operator: O | null;
  answer: AdvisoryAnswer | null;
}

/** What every decision says, whatever the therapy. */
export interface CommonDecision {
  tMs: number;
  mode: string;
  controllerReason: string;
  limits: string[];
  alarms: Alarm[];
  raised: Alarm[];
  cleared: Alarm[];
  asked: AdvisoryRequest | null;
  resolved: { requestId: number; outcome: 'accepted' | 'declined' | 'timed out' } | null;
}

/** A device link as the shell watches it. */
export interface WatchedLink {
  on(listener: { state?(state: string, detail: string): void }): void;
}

export interface Therapy<Setup, State, E extends TimedEvent, O, D extends CommonDecision, Devices> {
  readonly name: string;
  /** The record line kinds that are this therapy's events (replay feeds them back to decide()). */
  readonly eventKinds: readonly string[];
  /** How the record's loop-start line names the value running at the start (default initialRateMlPerH). */
  readonly initialValueKey?: string;
  start(setup: Setup, startedMs: number): State;
  decide(setup: Setup, state: State, x: DecisionInputs<E, O>): { state: State; decision: D };
  /** Subscribes to the devices: every message becomes a typed event handed to take(). */
  listen(devices: Devices, take: (e: E) => void, clock: Clock): void;
  /** The devices' links by name, whose state changes become link events. */
  links(devices: Devices): Record<string, WatchedLink>;
  /**
   * Carries out a decision's command, if it has one: resolves with what happened in words, and hands the
   * outcome to take() as an event (the next decision learns whether its command was taken).
   */
  execute(devices: Devices, setup: Setup, d: D, take: (e: E) => void, clock: Clock): Promise<string> | null;
  /** Brings the devices to their safe state when the loop ends on a person's or a signal's request. */
  safeStop(devices: Devices, setup: Setup): Promise<string>;
}
