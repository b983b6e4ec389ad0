// The schema of firmware/boards/*.board.json, checked at build time (build tooling runs in Node, so it may
// use zod; firmware sources never do). `npm run generate` also writes board.schema.json for editors.
import { z } from 'zod';
import { codeTable } from '../../protocols/catalogue/codes.ts';
import type { BpSensorBoardConfig, PumpBoardConfig } from '../src/board-config.ts';

const pin = z.string().regex(/^[A-Z][A-Z0-9]*$/, 'an Espruino pin name such as A5, B3, D12 or LED1');
const positive = z.number().positive();

export const pumpConfigSchema = z.strictObject({
  pins: z.strictObject({
    step: pin.describe('stepper driver STEP input'),
    dir: pin.describe('stepper driver DIR input'),
    enable: pin.describe('stepper driver EN input, active low'),
    force: pin.describe('analog input of the plunger force sensor (0..1 of full scale)'),
    endStop: pin.describe('digital input, high when the plunger reaches the end of the syringe'),
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
    safeRateMlPerH: z.number().min(0).max(50).describe('rate when a lease lapses (0 for a vasodilator)'),
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
  }),
});

export type Board = z.infer<typeof boardSchema>;

// The firmware's own view of these sections (firmware/src/board-config.ts) must match the schema both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const pumpTypesAgree: Same<z.infer<typeof pumpConfigSchema>, PumpBoardConfig> = true;
const bpTypesAgree: Same<z.infer<typeof bpSensorConfigSchema>, BpSensorBoardConfig> = true;
void pumpTypesAgree;
void bpTypesAgree;
