// Faults as a scenario schedules them: `{ kind, atMin, durationS?, ...params }`, one list for every kind,
// each applied at atMin to the object it acts on and removed durationS later, on the run's clock. Every
// application and removal is an event with its time, for the run's record and its criteria (an alarm
// within N s of a fault).
import { z } from 'zod';
import type { Clock } from '../../protocols/clock/clock.ts';
import type { ArterialWaveform } from '../sim/arterial-waveform.ts';
import type { SyringeMechanism } from '../sim/syringe-mechanism.ts';
import { actuatorFaultSchema, applyActuatorFault } from './actuator-faults.ts';
import { applyDeviceFault, deviceFaultSchema } from './device-faults.ts';
import type { DeviceFaultTarget } from './device-faults.ts';
import type { ActiveFault } from './fault-timing.ts';
import type { FaultyLink } from './faulty-link.ts';
import { applyHostFault, hostFaultSchema } from './host-faults.ts';
import type { HostFaultTarget } from './host-faults.ts';
import { applyLinkFault, linkFaultSchema } from './link-faults.ts';
import { applySensorFault, sensorFaultSchema } from './sensor-faults.ts';

export const faultSchema = z.discriminatedUnion('kind', [
  ...linkFaultSchema.options, ...actuatorFaultSchema.options, ...deviceFaultSchema.options, ...sensorFaultSchema.options, ...hostFaultSchema.options,
]);

export type Fault = z.infer<typeof faultSchema>;

const LINK = new Set<string>(linkFaultSchema.options.map((o) => o.shape.kind.value));
const ACTUATOR = new Set<string>(actuatorFaultSchema.options.map((o) => o.shape.kind.value));
const DEVICE = new Set<string>(deviceFaultSchema.options.map((o) => o.shape.kind.value));
const SENSOR = new Set<string>(sensorFaultSchema.options.map((o) => o.shape.kind.value));

/** What a level offers faults to act on, by node name; a level without one cannot run that fault. */
export interface FaultTargets {
  link?(node: string): FaultyLink | undefined;
  board?(node: string): DeviceFaultTarget | undefined;
  mechanism?(node: string): SyringeMechanism | undefined;
  line?(node: string): ArterialWaveform | undefined;
  host?: HostFaultTarget;
}

export interface FaultEvent {
  tMs: number;
  what: 'applied' | 'removed';
  fault: Fault;
}

type Target = { apply(): ActiveFault };

/** The level offers nothing of the kind a fault acts on (as opposed to a fault naming a node that has no such part). */
class NoTargetKind extends Error {}

/**
 * Where a fault happens: on the arterial line (the sensor's artifacts, in the plant's line model), in the
 * plant (the pump's mechanism, the boards' reset, power and oscillator) or on the host's side (the cable
 * and port it opens, its own process).
 */
export function faultSide(f: Fault): 'line' | 'plant' | 'host' {
  const kind = f.kind as string;
  if (SENSOR.has(kind)) return 'line';
  return ACTUATOR.has(kind) || DEVICE.has(kind) ? 'plant' : 'host';
}

/** A fault a level has nothing to act on (an actuator fault on a real pump without a fixture): reported, never dropped silently. */
export interface NotInjectable {
  fault: Fault;
  why: string;
}

/**
 * Splits faults into those this level's targets can inject and those it cannot (it offers nothing of
 * their kind), with why. A fault naming a node that lacks the part (an occlusion of the bp-sensor) is the
 * scenario's mistake, not the level's: that still throws.
 */
export function injectableFaults(faults: Fault[], targets: FaultTargets, clock: Clock, level: string): { injectable: Fault[]; notInjectable: NotInjectable[] } {
  const injectable: Fault[] = [];
  const notInjectable: NotInjectable[] = [];
  faults.forEach((f, i) => {
    try {
      bind(f, targets, clock, `faults[${i}]`);
      injectable.push(f);
    } catch (e) {
      if (!(e instanceof NoTargetKind)) throw e;
      notInjectable.push({ fault: f, why: `not injectable at ${level}: ${e.message}` });
    }
  });
  return { injectable, notInjectable };
}

function bind(f: Fault, targets: FaultTargets, clock: Clock, where: string): Target {
  const missing = (what: string, node?: string) =>
    node ? new Error(`${where} (${f.kind}): this level has no ${what} for node '${node}' to act on`) : new NoTargetKind(`${where} (${f.kind}): this level has no ${what} to act on`);
  const kind = f.kind as string;
  if (LINK.has(kind)) {
    const lf = f as z.infer<typeof linkFaultSchema>;
    if (!targets.link) throw missing('serial link');
    const link = targets.link(lf.node);
    if (!link) throw missing('serial link', lf.node);
    return { apply: () => applyLinkFault(link, lf) };
  }
  if (ACTUATOR.has(kind)) {
    const af = f as z.infer<typeof actuatorFaultSchema>;
    if (!targets.mechanism) throw missing('syringe mechanism');
    const m = targets.mechanism(af.node);
    if (!m) throw missing('syringe mechanism', af.node);
    return { apply: () => applyActuatorFault(m, af) };
  }
  if (DEVICE.has(kind)) {
    const df = f as z.infer<typeof deviceFaultSchema>;
    if (!targets.board) throw missing('board control');
    const b = targets.board(df.node);
    if (!b) throw missing('board control', df.node);
    return { apply: () => applyDeviceFault(b, df) };
  }
  if (SENSOR.has(kind)) {
    const sf = f as z.infer<typeof sensorFaultSchema>;
    const node = sf.node ?? 'bp-sensor';
    if (!targets.line) throw missing('arterial line model');
    const line = targets.line(node);
    if (!line) throw missing('arterial line model', node);
    return { apply: () => applySensorFault(line, sf, clock) };
  }
  const host = targets.host;
  if (!host) throw missing('host process');
  return { apply: () => applyHostFault(host, f as z.infer<typeof hostFaultSchema>) };
}

/**
 * Schedules faults on the clock (minutes from its current time). Every target is looked up first, so a
 * scenario that asks for a fault the level cannot inject fails before the run, naming the fault.
 */
export function scheduleFaults(clock: Clock, faults: Fault[], targets: FaultTargets, onEvent: (e: FaultEvent) => void = () => undefined): { events: FaultEvent[]; cancel(): void } {
  const events: FaultEvent[] = [];
  const emit = (what: FaultEvent['what'], fault: Fault) => {
    const e = { tMs: clock.now(), what, fault };
    events.push(e);
    onEvent(e);
  };
  const bound = faults.map((f, i) => ({ f, t: bind(f, targets, clock, `faults[${i}]`) }));
  const timers = bound.map(({ f, t }) =>
    clock.after(f.atMin * 60_000, () => {
      const active = t.apply();
      emit('applied', f);
      const durationS = 'durationS' in f ? f.durationS : undefined;
      if (durationS !== undefined) {
        timers.push(clock.after(durationS * 1000, () => {
          active.remove();
          emit('removed', f);
        }));
      }
    }));
  return { events, cancel: () => timers.forEach((t) => t.cancel()) };
}
