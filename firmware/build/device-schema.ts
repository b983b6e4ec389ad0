// The schema of firmware/devices/<node>.device.json: what a node's device is (mechanism or calibration,
// hard limits, safe state, timing), stated once for every board that runs it. A board file adds the pins
// and may override a fact where that board truly differs (board-schema.ts); the build merges the two
// (boards.ts). `npm run generate` also writes docs/schemas/device.schema.json for editors.
import { z } from 'zod';

const positive = z.number().positive();

export const pumpDeviceFields = {
  mechanism: z.strictObject({
    syringeInnerDiameterMm: positive.max(50),
    syringeVolumeMl: positive.max(100),
    leadscrewPitchMm: positive.max(10),
    stepsPerRev: z.number().int().min(24).max(400),
    microsteps: z.number().int().min(1).max(256),
  }),
  limits: z.strictObject({
    maxRateMlPerH: positive.max(2000).describe('hard ceiling no command can exceed'),
    maxRateChangeMlPerH: positive.max(2000).describe('largest rise of the rate within rateChangeWindowMs (above the lowest rate delivered in it)'),
    rateChangeWindowMs: z.number().int().min(0).max(3_600_000).describe('window of the rate-change limit; 0 limits each command only'),
    safeRateMlPerH: z.number().min(0).max(50).describe('rate when a lease lapses and the host asked for none (0: stopped)'),
    maxLapseRateMlPerH: z.number().min(0).max(2000).describe('hard ceiling of the rate a lapsed lease may leave running when the host asks for one (a vasopressor held on host loss); 0: the pump never holds a rate'),
    maxLeaseMs: z.number().int().min(1000).max(3_600_000),
    occlusionForceFraction: z.number().gt(0).lt(1).describe('force input (0..1) above which the line counts as occluded'),
    occlusionHoldMs: z.number().int().min(0).max(60_000).describe('how long the force must stay above the threshold'),
    nearEmptyMl: z.number().min(0).max(20),
    obeyUnauthenticatedStop: z.boolean()
      .describe('obey a PumpStop that is not authenticated: a safety action for a vasodilator, a hazard for a vasopressor (SPEC.md section 3.8)'),
  }),
  controlTickMs: z.number().int().min(10).max(1000),
  statusEveryMs: z.number().int().min(100).max(60_000),
};

export const bpSensorDeviceFields = {
  sampleRateHz: z.number().int().min(100).max(1000),
  calibration: z.strictObject({
    zeroFraction: z.number().min(0).max(1).describe('ADC reading (0..1) at 0 mmHg'),
    mmHgPerFraction: positive.describe('mmHg per unit of ADC reading above zero'),
  }),
};

export const neurostimDeviceFields = {
  sampleRateHz: z.number().int().min(250).max(2000).describe('LFP sampling by Waveform'),
  lfpCalibration: z.strictObject({
    zeroFraction: z.number().min(0).max(1).describe('ADC reading (0..1) at 0 uV'),
    uvPerFraction: positive.describe('uV per unit of ADC reading'),
  }),
  amplitudeOutput: z.strictObject({
    fullScaleMa: positive.max(20).describe('current at output 1 (full duty)'),
    pwmHz: z.number().int().min(100).max(100_000),
  }),
  limits: z.strictObject({
    hardMaxMa: positive.max(20).describe('the output stage\'s ceiling: no window may exceed it'),
    windowMinMa: z.number().min(0).describe('lowest amplitude a command may set'),
    windowMaxMa: positive.describe('highest amplitude a command may set'),
    fallbackMa: z.number().min(0).describe('where the amplitude ramps to when a lease lapses, and at boot (continuous DBS)'),
    rampUpMaPerS: positive.max(100),
    rampDownMaPerS: positive.max(100),
    maxLeaseMs: z.number().int().min(1000).max(3_600_000),
  }),
  beta: z.strictObject({
    fftSize: z.number().int().refine((v) => [64, 128, 256, 512].includes(v), 'a power of two from 64 to 512').describe('samples per FFT window'),
    bandLowHz: positive,
    bandHighHz: positive,
    reportEveryMs: z.number().int().min(20).max(100).describe('one BetaPower per this many ms (10-50 Hz)'),
    blankMs: z.number().int().min(0).max(30_000).describe('no beta reported for this long after the target amplitude changes'),
  }),
  controlTickMs: z.number().int().min(5).max(100),
  statusEveryMs: z.number().int().min(100).max(60_000),
};

type NeurostimFacts = z.infer<z.ZodObject<typeof neurostimDeviceFields>>;

/** The neurostimulator's facts checked together as physics; run on the device file and again on each board's merge. */
export function checkNeurostim(n: NeurostimFacts, ctx: z.RefinementCtx): void {
  const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const l = n.limits;
  if (l.windowMinMa > l.windowMaxMa) problem(['limits', 'windowMinMa'], `windowMinMa ${l.windowMinMa} mA is above windowMaxMa ${l.windowMaxMa} mA`);
  if (l.windowMaxMa > l.hardMaxMa) problem(['limits', 'windowMaxMa'], `windowMaxMa ${l.windowMaxMa} mA is above hardMaxMa ${l.hardMaxMa} mA`);
  if (l.fallbackMa < l.windowMinMa || l.fallbackMa > l.windowMaxMa) {
    problem(['limits', 'fallbackMa'], `fallbackMa ${l.fallbackMa} mA lies outside the window ${l.windowMinMa}..${l.windowMaxMa} mA`);
  }
  if (l.hardMaxMa > n.amplitudeOutput.fullScaleMa) problem(['limits', 'hardMaxMa'], `hardMaxMa ${l.hardMaxMa} mA is above what the output reaches (amplitudeOutput.fullScaleMa ${n.amplitudeOutput.fullScaleMa} mA)`);
  const b = n.beta;
  const fs = n.sampleRateHz;
  if (!(b.bandLowHz < b.bandHighHz && b.bandHighHz < fs / 2)) problem(['beta', 'bandHighHz'], `the band ${b.bandLowHz}..${b.bandHighHz} Hz must rise and stay below half the sampling rate (${fs / 2} Hz)`);
  if (Math.floor((b.bandHighHz * b.fftSize) / fs) < Math.ceil((b.bandLowHz * b.fftSize) / fs)) {
    problem(['beta', 'fftSize'], `no FFT bin (${(fs / b.fftSize).toFixed(2)} Hz apart) falls in ${b.bandLowHz}..${b.bandHighHz} Hz: take a longer fftSize`);
  }
  const windowMs = (b.fftSize * 1000) / fs;
  if (windowMs < 200 || windowMs > 400) problem(['beta', 'fftSize'], `fftSize ${b.fftSize} at ${fs} Hz averages over ${windowMs.toFixed(0)} ms; beta needs 200-400 ms`);
  const hop = (fs * b.reportEveryMs) / 1000;
  if (hop !== Math.round(hop) || hop > b.fftSize) problem(['beta', 'reportEveryMs'], `reportEveryMs ${b.reportEveryMs} must be a whole number of samples at ${fs} Hz, at most fftSize`);
  if (b.blankMs < windowMs) problem(['beta', 'blankMs'], `blankMs ${b.blankMs} is shorter than the FFT window (${windowMs.toFixed(0)} ms): a blanked change would still be in the first beta reported`);
}

export const patientEmulatorDeviceFields = {
  transducerOutput: z.strictObject({
    zeroFraction: z.number().min(0).max(1).describe('output level (0..1) for 0 mmHg: the bp-sensor device\'s calibration.zeroFraction'),
    mmHgPerFraction: positive.describe('mmHg per unit of output level: the bp-sensor device\'s calibration.mmHgPerFraction'),
    pwmHz: z.number().int().min(100).max(100_000).describe('PWM frequency on a pin without a DAC, well above the RC filter\'s corner'),
  }),
  updateHz: z.number().int().min(50).max(500).describe('how often the output level is recomputed'),
  statusEveryMs: z.number().int().min(50).max(10_000).describe('one PatientStatus (step count) per this many ms'),
};

/** Each node's device facts, by the node's name (as in a board file's nodes and the firmware build). */
export const DEVICE_FIELDS = {
  'infusion-pump': pumpDeviceFields,
  'bp-sensor': bpSensorDeviceFields,
  neurostimulator: neurostimDeviceFields,
  'patient-emulator': patientEmulatorDeviceFields,
} as const;

export type DeviceName = keyof typeof DEVICE_FIELDS;
export const DEVICE_NAMES = Object.keys(DEVICE_FIELDS) as DeviceName[];

/** Where values come from, keyed by their dotted path in the file; a path that names no value is refused. */
export function sourcesSchema(where: string) {
  return z.record(z.string(), z.string().min(1)).optional()
    .describe(`where each value comes from, keyed by its dotted path in this ${where} file (kept out of the bundles)`);
}

export function checkSources(file: { sources?: Record<string, string> }, where: string, ctx: z.RefinementCtx): void {
  for (const path of Object.keys(file.sources ?? {})) {
    let at: unknown = file;
    for (const key of path.split('.')) at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
    if (at === undefined) ctx.addIssue({ code: 'custom', path: ['sources', path], message: `names no value in this ${where} file` });
  }
}

function deviceFile<N extends DeviceName>(name: N) {
  return z.strictObject({
    $schema: z.string().optional(),
    $comment: z.string().optional(),
    device: z.literal(name).describe('the node this device belongs to; must match the file name'),
    ...DEVICE_FIELDS[name],
    sources: sourcesSchema('device'),
  });
}

const pumpDeviceFile = deviceFile('infusion-pump').superRefine((d, ctx) => checkSources(d, 'device', ctx));
const bpSensorDeviceFile = deviceFile('bp-sensor').superRefine((d, ctx) => checkSources(d, 'device', ctx));
const neurostimDeviceFile = deviceFile('neurostimulator').superRefine((d, ctx) => {
  checkNeurostim(d, ctx);
  checkSources(d, 'device', ctx);
});
const patientEmulatorDeviceFile = deviceFile('patient-emulator').superRefine((d, ctx) => checkSources(d, 'device', ctx));

/** One device file's schema, by its node. */
export const DEVICE_FILE_SCHEMAS = {
  'infusion-pump': pumpDeviceFile,
  'bp-sensor': bpSensorDeviceFile,
  neurostimulator: neurostimDeviceFile,
  'patient-emulator': patientEmulatorDeviceFile,
} as const;

export const deviceFileSchema = z.discriminatedUnion('device', [pumpDeviceFile, bpSensorDeviceFile, neurostimDeviceFile, patientEmulatorDeviceFile]);

export type DeviceFile = z.infer<typeof deviceFileSchema>;
