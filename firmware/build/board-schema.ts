// The schema of firmware/boards/*.board.json, checked at build time (build tooling runs in Node, so it may
// use zod; firmware sources never do). `npm run generate` also writes docs/schemas/board.schema.json for editors.
import { z } from 'zod';
import { codeTable } from '../../protocols/catalogue/codes.ts';
import type { BpSensorBoardConfig, NeurostimBoardConfig, PatientEmulatorBoardConfig, PumpBoardConfig } from '../src/board-config.ts';

const pin = z.string().regex(/^[A-Z][A-Z0-9]*$/, 'an Espruino pin name such as A5, B3, D12 or LED1');
const positive = z.number().positive();

export const pumpConfigSchema = z.strictObject({
  pins: z.strictObject({
    step: pin.describe('stepper driver STEP input'),
    dir: pin.describe('stepper driver DIR input'),
    enable: pin.describe('stepper driver EN input, active low'),
    force: pin.describe('analog input of the plunger force sensor (0..1 of full scale)'),
    endStop: pin.describe('digital input, high when the plunger reaches the end of the syringe'),
    plunger: pin.optional().describe('analog input of the plunger position sensor (a linear potentiometer across the syringe\'s stroke: 0 full, 1 empty); '
      + 'left out, the bundle carries no delivery monitor (no motor-stall or free-flow alarm): for a board whose variables cannot hold it'),
    airInLine: pin.describe('digital input of the ultrasonic air-in-line detector at the syringe outlet, high on air'),
  }),
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
});

export const bpSensorConfigSchema = z.strictObject({
  pins: z.strictObject({ pressure: pin.describe('analog input of the transducer amplifier (0..1 of full scale)') }),
  sampleRateHz: z.number().int().min(100).max(1000),
  calibration: z.strictObject({
    zeroFraction: z.number().min(0).max(1).describe('ADC reading (0..1) at 0 mmHg'),
    mmHgPerFraction: positive.describe('mmHg per unit of ADC reading above zero'),
  }),
});

export const neurostimConfigSchema = z.strictObject({
  pins: z.strictObject({
    lfp: pin.describe('analog input of the LFP amplifier (0..1 of full scale)'),
    amplitude: pin.describe('PWM (or DAC) output setting the current source, 0..1 of amplitudeOutput.fullScaleMa'),
  }),
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
}).superRefine((n, ctx) => {
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
});

export const patientEmulatorConfigSchema = z.strictObject({
  pins: z.strictObject({
    pressureOut: pin.describe('DAC pin, or PWM pin behind an RC low-pass, wired to the sensor board\'s pressure input'),
    stepIn: pin.describe('digital input wired to the pump board\'s step output; each rising edge is one step'),
  }),
  transducerOutput: z.strictObject({
    zeroFraction: z.number().min(0).max(1).describe('output level (0..1) for 0 mmHg: the sensor board\'s calibration.zeroFraction'),
    mmHgPerFraction: positive.describe('mmHg per unit of output level: the sensor board\'s calibration.mmHgPerFraction'),
    pwmHz: z.number().int().min(100).max(100_000).describe('PWM frequency on a pin without a DAC, well above the RC filter\'s corner'),
  }),
  updateHz: z.number().int().min(50).max(500).describe('how often the output level is recomputed'),
  statusEveryMs: z.number().int().min(50).max(10_000).describe('one PatientStatus (step count) per this many ms'),
});

const boardIds = Object.keys(codeTable('BoardId').values).filter((k) => k !== 'none' && k !== 'emulator') as [string, ...string[]];

export const boardSchema = z.strictObject({
  $schema: z.string().optional(),
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string(),
  boardId: z.enum(boardIds).describe('BoardId code sent in Hello'),
  variables: z.number().int().min(1000).max(100_000).describe('JS variables the interpreter has on this board'),
  interpreterVariables: z.number().int().optional().describe('size of the fixed-memory Linux build matching this board, if any'),
  nativeSha256: z.boolean()
    .describe('the board\'s Espruino build has require("crypto").SHA256 (CRYPTO and SHA256 in boards/<BOARD>.py of Espruino\'s source); false builds the JavaScript SHA-256 in'),
  uart: z.strictObject({
    port: z.enum(['USB', 'Serial1', 'Serial2', 'LoopbackA']).describe('where the protocol runs'),
    baud: z.number().int().min(9600).max(2_000_000),
    rx: pin.optional(),
    tx: pin.optional(),
    path: z.string().regex(/^[A-Za-z0-9._-]+$/).optional()
      .describe('Linux build only: the device file the port opens, relative to the interpreter\'s working directory'),
  }),
  /** Where the REPL console goes so it stays off the protocol UART. */
  console: z.enum(['USB', 'Serial1', 'LoopbackA', 'none']).describe('where the REPL goes, off the protocol port; none leaves it on Bluetooth (Puck.js)'),
  watchdogMs: z.number().int().min(100).max(30_000),
  nodes: z.strictObject({
    'infusion-pump': pumpConfigSchema.optional(),
    'bp-sensor': bpSensorConfigSchema.optional(),
    neurostimulator: neurostimConfigSchema.optional(),
    'patient-emulator': patientEmulatorConfigSchema.optional(),
  }),
  /** Where values come from, keyed by their path in this file (kept out of the bundles). */
  sources: z.record(z.string(), z.string().min(1)).optional(),
}).superRefine((b, ctx) => {
  for (const path of Object.keys(b.sources ?? {})) {
    let at: unknown = b;
    for (const key of path.split('.')) at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
    if (at === undefined) ctx.addIssue({ code: 'custom', path: ['sources', path], message: `names no value in this board file` });
  }
});

export type Board = z.infer<typeof boardSchema>;

// The firmware's own view of these sections (firmware/src/board-config.ts) must match the schema both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const pumpTypesAgree: Same<z.infer<typeof pumpConfigSchema>, PumpBoardConfig> = true;
const bpTypesAgree: Same<z.infer<typeof bpSensorConfigSchema>, BpSensorBoardConfig> = true;
const neurostimTypesAgree: Same<z.infer<typeof neurostimConfigSchema>, NeurostimBoardConfig> = true;
const patientTypesAgree: Same<z.infer<typeof patientEmulatorConfigSchema>, PatientEmulatorBoardConfig> = true;
void patientTypesAgree;
void pumpTypesAgree;
void neurostimTypesAgree;
void bpTypesAgree;
