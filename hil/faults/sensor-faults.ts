// Faults of the arterial line, injected on the line model that the transducer reads (never in the sensor
// firmware): flush, over-damping, offset, dropout, frozen, noise step. Their descriptions are the scenario
// file's `artifacts` entries (shapes from docs/clinical-basis.md#noise-and-disturbances: flushes of 100-300 mmHg for
// 5-30 s; 0.74 mmHg per cm of transducer height).
import { z } from 'zod';
import type { Clock } from '../../protocols/clock/clock.ts';
import type { Artifact, ArterialWaveform } from '../sim/arterial-waveform.ts';
import { activeFault, atMin, nodeName } from './fault-timing.ts';
import type { ActiveFault } from './fault-timing.ts';

// Optional, no default: a scenario file without it parses to exactly what it did before.
const node = nodeName.optional();

export const sensorFaultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('flush'), atMin, node, durationS: z.number().min(1).max(60), pressureMmHg: z.number().min(100).max(400) }),
  z.strictObject({ kind: z.literal('over-damped'), atMin, node, durationS: z.number().min(1).max(3600), timeConstantS: z.number().min(0.01).max(2) }),
  z.strictObject({ kind: z.literal('offset'), atMin, node, durationS: z.number().min(1).max(24 * 3600), offsetMmHg: z.number().min(-40).max(40) }),
  z.strictObject({ kind: z.literal('dropout'), atMin, node, durationS: z.number().min(0.1).max(3600) }),
  z.strictObject({ kind: z.literal('frozen'), atMin, node, durationS: z.number().min(0.1).max(3600) }),
  // Added noise (standard deviation) on every sample, on top of the line's own.
  z.strictObject({ kind: z.literal('noise-step'), atMin, node, durationS: z.number().min(0.1).max(24 * 3600), noiseMmHg: z.number().positive().max(50) }),
]);

export type SensorFault = z.infer<typeof sensorFaultSchema>;

/** A sensor fault in the waveform synthesiser's terms (seconds from the start of the run). */
export function sensorFaultArtifact(f: SensorFault, startS = f.atMin * 60, durationS = f.durationS): Artifact {
  switch (f.kind) {
    case 'flush': return { kind: 'flush', startS, durationS, pressureMmHg: f.pressureMmHg };
    case 'over-damped': return { kind: 'over-damped', startS, durationS, timeConstantS: f.timeConstantS };
    case 'offset': return { kind: 'offset', startS, durationS, offsetMmHg: f.offsetMmHg };
    case 'dropout': return { kind: 'dropout', startS, durationS };
    case 'frozen': return { kind: 'frozen', startS, durationS };
    case 'noise-step': return { kind: 'noise-step', startS, durationS, noiseMmHg: f.noiseMmHg };
  }
}

/**
 * Puts a sensor fault on a running line now (the line's time is the clock's, from 0); remove() ends it.
 * The scheduler removes it after its durationS; a scenario's artifacts can also be given to the line up front.
 */
export function applySensorFault(wave: ArterialWaveform, f: SensorFault, clock: Clock): ActiveFault {
  const a = sensorFaultArtifact(f, clock.now() / 1000, Number.POSITIVE_INFINITY);
  wave.addArtifact(a);
  return activeFault(() => (a.durationS = clock.now() / 1000 - a.startS));
}
