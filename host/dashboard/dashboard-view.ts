// What the dashboard shows of one blood-pressure loop, as plain data the page renders: the loop's
// settings (target band, floor, dose conversion), a bounded history of decision points (observed and, in
// simulation, true pressure; rate; confidence), the mode, the active alarms by priority, the open advisory
// question, link states and counters, and a log of what people did. Built from the loop's typed stream;
// the page gets the whole view once and then patches.
import type { Alarm } from '../safety/alarm.ts';
import type { RateRequest } from '../safety/advisory-gate.ts';
import type { Decision } from '../therapies/bp/bp-decision.ts';

export interface DashboardPoint {
  /** Minutes since the loop started. */
  tMin: number;
  observedMmHg: number | null;
  /** Ground truth in simulation; null live. */
  trueMmHg: number | null;
  rateMlPerH: number;
  confidence: number;
  /** The target in force at this decision (a person or a schedule can change it). */
  targetMmHg: number;
  /** When the decision left the loop (epoch ms, sub-millisecond), for the latency the page measures. */
  emittedAtMs: number;
}

export interface DashboardRequest extends RateRequest {
  observedMmHg: number | null;
  controllerReason: string;
  /** Seconds since the loop started when it was asked. */
  askedAtS: number;
}

export interface LoopView {
  id: string;
  name: string;
  level: string;
  targetMmHg: number;
  bandMmHg: number;
  /** The drug's pressure limit: a vasodilator's floor, a vasopressor's high limit. */
  limitMmHg: number;
  limitLabel: string;
  /** ug/kg/min per mL/h at this concentration and weight. */
  dosePerMlPerH: number;
  ceilingMlPerH: number;
  weightKg: number;
  points: DashboardPoint[];
  mode: string;
  reason: string;
  limits: string[];
  alarms: Alarm[];
  request: DashboardRequest | null;
  links: Record<string, { state: string; detail: string }>;
  counters: Record<string, Record<string, number>>;
  log: { atS: number; text: string }[];
  /** Set once the loop stopped: what stopping did. */
  stopped: string | null;
}

/** How many decision points a view keeps (one hour at one per 5 s). */
export const MAX_POINTS = 720;
const MAX_LOG = 30;

export function pushBounded<T>(xs: T[], x: T, max: number): void {
  xs.push(x);
  if (xs.length > max) xs.splice(0, xs.length - max);
}

/** A decision's point and the parts of the view it changes. */
export function decisionPatch(d: Decision, sinceStartMs: number, trueMmHg: number | null, emittedAtMs: number, targetMmHg: number): { point: DashboardPoint; patch: Partial<LoopView> } {
  return {
    point: { tMin: sinceStartMs / 60_000, observedMmHg: d.observedMmHg, trueMmHg, rateMlPerH: d.commandedMlPerH, confidence: d.confidence, targetMmHg, emittedAtMs },
    patch: { mode: d.mode, reason: d.controllerReason, limits: d.limits, alarms: d.alarms },
  };
}

/** The request as the page shows it, with what the loop saw when it asked. */
export function requestView(r: RateRequest, d: Decision, sinceStartMs: number): DashboardRequest {
  return { ...r, observedMmHg: d.observedMmHg, controllerReason: d.controllerReason, askedAtS: sinceStartMs / 1000 };
}

export function logEntry(view: LoopView, atS: number, text: string): void {
  pushBounded(view.log, { atS, text }, MAX_LOG);
}

/**
 * One span per target from its changes (minutes, in order): each runs to the next change, the first from the
 * left edge, the last to the right edge. The report's chart (from a scenario's schedule) and the live page
 * (from the decision points) draw the same spans.
 */
export function spansOfTargets(changes: { fromMin: number; mapMmHg: number }[]): { mapMmHg: number; fromMin?: number; toMin?: number }[] {
  return changes.map((c, i) => ({ mapMmHg: c.mapMmHg, fromMin: i === 0 ? undefined : c.fromMin, toMin: i + 1 < changes.length ? changes[i + 1].fromMin : undefined }));
}

/** The target band as it held over time: each target from the first decision that used it; a target set since the last decision from there on. */
export function targetSpans(v: Pick<LoopView, 'points' | 'targetMmHg' | 'bandMmHg'>): { from: number; to: number; fromMin?: number; toMin?: number }[] {
  const changes: { fromMin: number; mapMmHg: number }[] = [];
  for (const p of v.points) if (changes.at(-1)?.mapMmHg !== p.targetMmHg) changes.push({ fromMin: p.tMin, mapMmHg: p.targetMmHg });
  if (changes.at(-1)?.mapMmHg !== v.targetMmHg) changes.push({ fromMin: v.points.at(-1)?.tMin ?? 0, mapMmHg: v.targetMmHg });
  return spansOfTargets(changes).map((x) => ({ from: x.mapMmHg - v.bandMmHg, to: x.mapMmHg + v.bandMmHg, fromMin: x.fromMin, toMin: x.toMin }));
}
