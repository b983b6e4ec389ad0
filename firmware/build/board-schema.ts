// The schema of firmware/boards/*.board.json, checked at build time (build tooling runs in Node, so it may
// use zod; firmware sources never do), and of the Board every consumer gets: the board file with each node's
// device file (device-schema.ts) merged in by boards.ts. A board states its own facts and its pins; a node's
// mechanism, calibration, limits and timing live once in its device file. `npm run generate` also writes
// docs/schemas/board.schema.json for editors.
import { z } from 'zod';
import { codeTable } from '../../protocols/catalogue/codes.ts';
import type { DeviceName } from './device-schema.ts';
import {
  bpSensorDeviceFields, checkNeurostim, checkSources, DEVICE_FIELDS, neurostimDeviceFields, patientEmulatorDeviceFields, pumpDeviceFields, sourcesSchema,
} from './device-schema.ts';
import type { BpSensorBoardConfig, NeurostimBoardConfig, PatientEmulatorBoardConfig, PumpBoardConfig } from '../src/board-config.ts';

const pin = z.string().regex(/^[A-Z][A-Z0-9]*$/, 'an Espruino pin name such as A5, B3, D12 or LED1');

export const pumpPinsSchema = z.strictObject({
  step: pin.describe('stepper driver STEP input'),
  dir: pin.describe('stepper driver DIR input'),
  enable: pin.describe('stepper driver EN input, active low'),
  force: pin.describe('analog input of the plunger force sensor (0..1 of full scale)'),
  endStop: pin.describe('digital input, high when the plunger reaches the end of the syringe'),
  plunger: pin.optional().describe('analog input of the plunger position sensor (a linear potentiometer across the syringe\'s stroke: 0 full, 1 empty); '
    + 'left out, the bundle carries no delivery monitor (no motor-stall or free-flow alarm): for a board whose variables cannot hold it'),
  airInLine: pin.describe('digital input of the ultrasonic air-in-line detector at the syringe outlet, high on air'),
});

export const bpSensorPinsSchema = z.strictObject({ pressure: pin.describe('analog input of the transducer amplifier (0..1 of full scale)') });

export const neurostimPinsSchema = z.strictObject({
  lfp: pin.describe('analog input of the LFP amplifier (0..1 of full scale)'),
  amplitude: pin.describe('PWM (or DAC) output setting the current source, 0..1 of amplitudeOutput.fullScaleMa'),
});

export const patientEmulatorPinsSchema = z.strictObject({
  pressureOut: pin.describe('DAC pin, or PWM pin behind an RC low-pass, wired to the sensor board\'s pressure input'),
  stepIn: pin.describe('digital input wired to the pump board\'s step output; each rising edge is one step'),
});

const PINS = {
  'infusion-pump': pumpPinsSchema,
  'bp-sensor': bpSensorPinsSchema,
  neurostimulator: neurostimPinsSchema,
  'patient-emulator': patientEmulatorPinsSchema,
} as const satisfies Record<DeviceName, z.ZodType>;

// A node as the firmware gets it: the board's pins, then the device's facts (with any override), in the
// order the bundles have always embedded them.
export const pumpConfigSchema = z.strictObject({ pins: pumpPinsSchema, ...pumpDeviceFields });
export const bpSensorConfigSchema = z.strictObject({ pins: bpSensorPinsSchema, ...bpSensorDeviceFields });
export const neurostimConfigSchema = z.strictObject({ pins: neurostimPinsSchema, ...neurostimDeviceFields }).superRefine(checkNeurostim);
export const patientEmulatorConfigSchema = z.strictObject({ pins: patientEmulatorPinsSchema, ...patientEmulatorDeviceFields });

/** Each node's resolved schema (pins and device facts merged), by its name. */
export const NODE_CONFIG_SCHEMAS = {
  'infusion-pump': pumpConfigSchema,
  'bp-sensor': bpSensorConfigSchema,
  neurostimulator: neurostimConfigSchema,
  'patient-emulator': patientEmulatorConfigSchema,
} as const;

/** Every device field made optional, nested objects included: what a board may override. */
function overridable(fields: Record<string, z.ZodType>): Record<string, z.ZodType> {
  return Object.fromEntries(Object.entries(fields).map(([k, s]) => [k, (s instanceof z.ZodObject ? z.strictObject(overridable(s.shape)) : s).optional()]));
}

/** A node's section in a board file: its pins, and the device facts this board states differently. */
function boardNodeSchema(name: DeviceName) {
  return z.strictObject({ pins: PINS[name], ...overridable(DEVICE_FIELDS[name]) }).optional()
    .describe(`the ${name}'s pins on this board; its other facts come from firmware/devices/${name}.device.json, and any given here `
      + 'override that file for this board only (each needs its reason in sources)');
}

const boardIds = Object.keys(codeTable('BoardId').values).filter((k) => k !== 'none' && k !== 'emulator') as [string, ...string[]];

// What a board states of itself, in a board file and in the resolved Board alike.
const boardFields = {
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
};

/** A board file as written: the board's own facts and, per node, its pins and any override of the device file. */
export const boardFileSchema = z.strictObject({
  ...boardFields,
  nodes: z.strictObject({
    'infusion-pump': boardNodeSchema('infusion-pump'),
    'bp-sensor': boardNodeSchema('bp-sensor'),
    neurostimulator: boardNodeSchema('neurostimulator'),
    'patient-emulator': boardNodeSchema('patient-emulator'),
  }).describe('the nodes this board can run, each with its pins; the rest of a node\'s facts are in firmware/devices/<node>.device.json'),
  sources: sourcesSchema('board'),
}).superRefine((b, ctx) => checkSources(b, 'board', ctx));

export type BoardFile = z.infer<typeof boardFileSchema>;

/**
 * A board with each node's device file merged in: what the firmware build, the emulator, the rigs and the CLI
 * use. Its sources hold the device files' citations (under nodes.<node>.) and the board's own.
 */
export const boardSchema = z.strictObject({
  ...boardFields,
  nodes: z.strictObject({
    'infusion-pump': pumpConfigSchema.optional(),
    'bp-sensor': bpSensorConfigSchema.optional(),
    neurostimulator: neurostimConfigSchema.optional(),
    'patient-emulator': patientEmulatorConfigSchema.optional(),
  }),
  sources: z.record(z.string(), z.string()).optional(),
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
