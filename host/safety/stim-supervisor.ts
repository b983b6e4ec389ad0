// The safety supervisor of adaptive deep-brain stimulation, separate from every policy: it takes the
// policy's proposal and what came over the link, and decides the amplitude actually commanded, naming every
// limit that acted. Pure. Its rules, on the host and independent of the stimulator's own (the firmware
// enforces its window, ramps, lease and blanking again, from its board file):
//  - the amplitude window and the ramp limits of the prescription (the policy file's numbers, checked
//    against the device before a run), whatever the policy's code proposes; a proposal that is not a number
//    runs the continuous amplitude, with an alarm;
//  - blanking: beta that arrives within blankMs of a change of the commanded amplitude is not used (it may
//    carry the change's artifact);
//  - fallback to the continuous amplitude (continuous DBS, the reference therapy) while beta is stale or the
//    link is down; the policy restarts from the running amplitude when beta returns;
//  - every command carries a lease: a host that stops deciding leaves the stimulator ramping to its own
//    fallback amplitude, never to zero;
//  - alarms: link lost, stale beta, a silent stimulator, a lapsed lease, the device's impedance and
//    hard-limit flags, refused commands;
//  - manual mode: a person's amplitude, held to the same window and ramps.
import { z } from 'zod';
import { StimAlarmFlags, StimState } from '../../protocols/generated/wire-codec.ts';
import type { AlarmValues, StimStatusValues } from '../../protocols/generated/wire-codec.ts';
import type { DeviceLimits, PolicyBase } from '../control/dbs/dbs-policy.ts';
import type { Alarm } from './alarm.ts';

export const stimSupervisorConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  therapy: z.literal('dbs'),
  /** Lease of each amplitude command: without a renewal the stimulator ramps to its own fallback this long after the last one. */
  leaseMs: z.number().int().min(100).max(600_000),
  /** No usable beta for this long: the policy is set aside and the continuous amplitude runs until beta returns. */
  staleAfterMs: z.number().int().min(100).max(600_000),
  /** Beta arriving within this long of a change of the commanded amplitude is not used. */
  blankMs: z.number().int().min(0).max(60_000),
  /** No status from the stimulator for this long: an alarm of its own (it reports every second). */
  statusSilentMs: z.number().int().min(1000).max(60_000),
}).superRefine((c, ctx) => {
  if (c.blankMs >= c.staleAfterMs) ctx.addIssue({ code: 'custom', path: ['staleAfterMs'], message: `staleAfterMs ${c.staleAfterMs} ms must be longer than blankMs ${c.blankMs} ms, or every change of amplitude would end in fallback` });
});

export type StimSupervisorConfig = z.infer<typeof stimSupervisorConfigSchema>;

/** What the supervisor holds every amplitude to: the policy file's window, ramps and continuous amplitude. */
export type StimPrescription = Pick<PolicyBase, 'windowMinMa' | 'windowMaxMa' | 'continuousMa' | 'rampUpMaPerS' | 'rampDownMaPerS' | 'decisionEveryMs'>;

/** The stimulator's own facts (its board section), which settings are checked against before a run. */
export interface StimDevice extends DeviceLimits {
  hardMaxMa: number;
  fallbackMa: number;
  maxLeaseMs: number;
  blankMs: number;
}

/** Every way the supervisor's settings fail the prescription or the device, one sentence each. */
export function stimSupervisorProblems(c: StimSupervisorConfig, p: StimPrescription, device: StimDevice): string[] {
  const out: string[] = [];
  if (c.leaseMs > device.maxLeaseMs) out.push(`leaseMs ${c.leaseMs} is above the device's longest lease ${device.maxLeaseMs} ms (it would cut it short)`);
  if (c.leaseMs < 2 * p.decisionEveryMs) out.push(`leaseMs ${c.leaseMs} is shorter than two decisions (${2 * p.decisionEveryMs} ms): one late decision would let the lease lapse`);
  const fullRampMs = Math.ceil(((p.windowMaxMa - p.windowMinMa) / Math.min(p.rampUpMaPerS, p.rampDownMaPerS)) * 1000);
  const quiet = fullRampMs + Math.max(c.blankMs, device.blankMs) + 2 * device.reportEveryMs;
  if (c.staleAfterMs < quiet) {
    out.push(`staleAfterMs ${c.staleAfterMs} is shorter than a ramp across the window (${fullRampMs} ms) plus blanking (${Math.max(c.blankMs, device.blankMs)} ms) and two beta reports: at least ${quiet} ms, or a ramp would end in fallback`);
  }
  return out;
}

/** What the stimulator told the host, summarised for one decision (host/therapies/dbs/dbs-period.ts). */
export interface StimReport {
  /** The latest status, and when it arrived (host clock); null before any. */
  status: StimStatusValues | null;
  statusAtMs: number | null;
  /** Arrival of the latest beta report the loop used (not blanked); null before any. */
  lastBetaMs: number | null;
  linkUp: boolean;
  /** What the link last said about itself. */
  linkDetail: string;
  /** Commands refused or failed in the period, with their reason. */
  refusals: string[];
  alarmsRaised: AlarmValues[];
}

export type StimMode = 'auto' | 'fallback' | 'manual';

export interface StimSupervisorState {
  /** The amplitude last commanded (at start: the one assumed running, the device's fallback). */
  lastMa: number;
  lastMs: number | null;
  /** Beta arriving before this is not used. */
  blankUntilMs: number;
  startedMs: number;
}

export function stimSupervisorStart(runningMa: number, startedMs: number): StimSupervisorState {
  return { lastMa: runningMa, lastMs: null, blankUntilMs: startedMs, startedMs };
}

const f2 = (x: number) => x.toFixed(2);
const s1 = (ms: number) => (ms / 1000).toFixed(1);

/** Beta that arrived at this time may carry a change's artifact. */
export function blankedAt(s: StimSupervisorState, arrivalMs: number): boolean {
  return arrivalMs < s.blankUntilMs;
}

/**
 * The stimulator's condition at one decision: why the policy must be set aside (null: it may run), and the
 * alarms that name every problem.
 */
export function stimCondition(c: StimSupervisorConfig, device: Pick<StimDevice, 'fallbackMa'>, p: StimPrescription, s: StimSupervisorState, r: StimReport, nowMs: number): {
  fallback: string | null; alarms: Alarm[];
} {
  const alarms: Alarm[] = [];
  let fallback: string | null = null;
  if (!r.linkUp) {
    fallback = `link down (${r.linkDetail})`;
    alarms.push({ id: 'stim-link-lost', priority: 'high', text: `neurostimulator: the link is down (${r.linkDetail}): it ramps to its own fallback of ${f2(device.fallbackMa)} mA when its lease lapses (within ${s1(c.leaseMs)} s); the loop resumes when the link is back` });
  } else {
    const betaAgeMs = nowMs - (r.lastBetaMs ?? s.startedMs);
    if (betaAgeMs > c.staleAfterMs) {
      fallback = `no usable beta for ${s1(betaAgeMs)} s`;
      alarms.push({ id: 'beta-stale', priority: 'medium', text: `neurostimulator: no usable beta for ${s1(betaAgeMs)} s: continuous stimulation at ${f2(p.continuousMa)} mA until it returns` });
    }
  }
  const silentMs = nowMs - (r.statusAtMs ?? s.startedMs);
  if (silentMs > c.statusSilentMs) {
    alarms.push({ id: 'stim-not-answering', priority: 'high', text: `neurostimulator: no status for ${s1(silentMs)} s: check its cable and power; it ramps to its fallback of ${f2(device.fallbackMa)} mA when its lease lapses` });
  }
  const st = r.status;
  const flags = st ? st.alarms : 0;
  if (flags & StimAlarmFlags.Impedance) {
    alarms.push({ id: 'stim-impedance', priority: 'high', text: 'neurostimulator: electrode impedance out of range: check the lead and its connection' });
  }
  if (flags & StimAlarmFlags.HardLimitClamped) {
    alarms.push({ id: 'stim-hard-limit', priority: 'medium', text: 'neurostimulator: it refused an amplitude outside its window' });
  }
  if (st && st.state === StimState.RampingDown && flags & StimAlarmFlags.LeaseExpired) {
    alarms.push({ id: 'stim-lease-lapsed', priority: 'medium', text: `neurostimulator: its lease lapsed without renewal: it ramps to its fallback of ${f2(st.targetAmplitudeMa)} mA` });
  }
  if (r.refusals.length > 0) alarms.push({ id: 'stim-refused', priority: 'medium', text: `neurostimulator: refused ${r.refusals.join('; ')}` });
  return { fallback, alarms };
}

export interface StimSupervision {
  amplitudeMa: number;
  /** 'none' while the link is down: nothing can reach the stimulator. */
  command: 'set' | 'none';
  limits: string[];
  alarms: Alarm[];
  state: StimSupervisorState;
}

/** The amplitude commanded: the proposal (the policy's, a person's, or the continuous one) held to the window and ramps. */
export function superviseStim(c: StimSupervisorConfig, p: StimPrescription, s: StimSupervisorState, x: {
  proposedMa: number; mode: StimMode; linkUp: boolean;
}, nowMs: number): StimSupervision {
  const limits: string[] = [];
  const alarms: Alarm[] = [];
  let ma = x.proposedMa;
  if (!Number.isFinite(ma)) {
    alarms.push({ id: 'policy-fault', priority: 'high', text: `the policy proposed no usable amplitude (${ma}): continuous ${f2(p.continuousMa)} mA instead; review the policy` });
    limits.push(`proposal ${ma} is not an amplitude: continuous ${f2(p.continuousMa)} mA`);
    ma = p.continuousMa;
  }
  const who = x.mode === 'manual' ? 'manual amplitude' : 'proposal';
  if (ma > p.windowMaxMa) {
    limits.push(`window: ${who} ${f2(ma)} mA above the maximum ${f2(p.windowMaxMa)} mA`);
    ma = p.windowMaxMa;
  } else if (ma < p.windowMinMa) {
    limits.push(`window: ${who} ${f2(ma)} mA below the minimum ${f2(p.windowMinMa)} mA`);
    ma = p.windowMinMa;
  }
  const dtS = s.lastMs === null ? 0 : (nowMs - s.lastMs) / 1000;
  const up = p.rampUpMaPerS * dtS;
  const down = p.rampDownMaPerS * dtS;
  if (ma - s.lastMa > up + 1e-9) {
    limits.push(`ramp: up from ${f2(s.lastMa)} to ${f2(ma)} mA limited to ${f2(p.rampUpMaPerS)} mA/s`);
    ma = s.lastMa + up;
  } else if (s.lastMa - ma > down + 1e-9) {
    limits.push(`ramp: down from ${f2(s.lastMa)} to ${f2(ma)} mA limited to ${f2(p.rampDownMaPerS)} mA/s`);
    ma = s.lastMa - down;
  }
  // The wire carries thousandths of a mA: round toward what runs, so rounding never breaks a limit.
  const rounded = ma >= s.lastMa ? Math.floor(ma * 1000 + 1e-6) / 1000 : Math.ceil(ma * 1000 - 1e-6) / 1000;
  return { amplitudeMa: rounded, command: x.linkUp ? 'set' : 'none', limits, alarms, state: commitAmplitude(c, s, rounded, nowMs) };
}

/** The amplitude this decision commands becomes the last one; a change starts the blanking. */
export function commitAmplitude(c: StimSupervisorConfig, s: StimSupervisorState, ma: number, nowMs: number): StimSupervisorState {
  const changed = Math.abs(ma - s.lastMa) > 1e-9;
  return { ...s, lastMa: ma, lastMs: nowMs, blankUntilMs: changed ? nowMs + c.blankMs : s.blankUntilMs };
}
