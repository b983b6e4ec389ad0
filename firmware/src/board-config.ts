// The part of a board file a node is built with, as firmware sees it. The build validates the board file
// against its zod schema (firmware/build/board-schema.ts, which also checks at compile time that these
// types match it) and hands the node this object as the module 'homeostat:board'.

export interface PumpBoardConfig {
  pins: { step: string; dir: string; enable: string; force: string; endStop: string; plunger?: string; airInLine: string };
  mechanism: {
    syringeInnerDiameterMm: number;
    syringeVolumeMl: number;
    leadscrewPitchMm: number;
    stepsPerRev: number;
    microsteps: number;
  };
  limits: {
    maxRateMlPerH: number;
    maxRateChangeMlPerH: number;
    rateChangeWindowMs: number;
    safeRateMlPerH: number;
    /** Most a lapsed lease may leave running (the host asks per command: lapseRateMlPerH); 0: always safeRateMlPerH. */
    maxLapseRateMlPerH: number;
    maxLeaseMs: number;
    occlusionForceFraction: number;
    occlusionHoldMs: number;
    nearEmptyMl: number;
    obeyUnauthenticatedStop: boolean;
  };
  controlTickMs: number;
  statusEveryMs: number;
}

export interface BpSensorBoardConfig {
  pins: { pressure: string };
  sampleRateHz: number;
  calibration: { zeroFraction: number; mmHgPerFraction: number };
}

export interface NeurostimBoardConfig {
  pins: { lfp: string; amplitude: string };
  sampleRateHz: number;
  lfpCalibration: { zeroFraction: number; uvPerFraction: number };
  amplitudeOutput: { fullScaleMa: number; pwmHz: number };
  limits: {
    hardMaxMa: number;
    windowMinMa: number;
    windowMaxMa: number;
    fallbackMa: number;
    rampUpMaPerS: number;
    rampDownMaPerS: number;
    maxLeaseMs: number;
  };
  beta: { fftSize: number; bandLowHz: number; bandHighHz: number; reportEveryMs: number; blankMs: number };
  controlTickMs: number;
  statusEveryMs: number;
}

export interface NodeBuildConfig<N> {
  boardId: number;
  uart: { port: string; baud: number; rx?: string; tx?: string; path?: string };
  console: string;
  watchdogMs: number;
  firmware: { major: number; minor: number; patch: number };
  /** Built in unauthenticated bench mode: no MAC, no protection (SPEC.md section 3.8). */
  bench: boolean;
  node: N;
}

/**
 * The pump's node section as its bundle gets it: the build folds the syringe geometry into mL per step
 * (syringe-geometry.ts, stated once), so a board holds one number instead of four and the arithmetic
 * (on the Espruino Original and Puck.js every variable counts).
 */
export type PumpBuildNode = Omit<PumpBoardConfig, 'mechanism'> & { mechanism: { syringeVolumeMl: number }; mlPerStep: number };
export type PumpBuildConfig = NodeBuildConfig<PumpBuildNode>;
export type BpSensorBuildConfig = NodeBuildConfig<BpSensorBoardConfig>;
export type NeurostimBuildConfig = NodeBuildConfig<NeurostimBoardConfig>;

export interface PatientEmulatorBoardConfig {
  pins: { pressureOut: string; stepIn: string };
  transducerOutput: { zeroFraction: number; mmHgPerFraction: number; pwmHz: number };
  updateHz: number;
  statusEveryMs: number;
}

export type PatientEmulatorBuildConfig = NodeBuildConfig<PatientEmulatorBoardConfig>;
