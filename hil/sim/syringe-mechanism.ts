// The syringe pump's mechanics around the firmware: step pulses on the STEP pin (counted while the driver
// is enabled) push the plunger. A freshly loaded syringe has slack in the drive train that the plunger must
// take up before anything flows (the start-up delay of IEC 60601-2-24 trumpet curves, long at low rates;
// once taken up it stays taken up, the leadscrew staying engaged when the motor stops); what is pushed
// then fills the compliant line, which empties into the patient with a time constant (so low rates reach
// the patient smoothed and late). When the line is occluded the volume pushed is trapped in its compliance
// and raises its pressure, which the force sensor reads. The end stop closes when the syringe is empty.
// Two more sensors watch delivery: a linear potentiometer on the plunger, read by the board's ADC (noise and
// quantisation included), spans the syringe's stroke (0 as loaded, 1 at the end stop); an ultrasonic
// air-in-line detector at the syringe's outlet reads high while air sits in front of it.
// Its physical conditions (occluded line, stalled motor, the syringe's content, air ahead of the drug, a
// siphoning free flow) are set by the actuator faults of hil/faults, never by the firmware's side.
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import { mlPerStep } from '../../firmware/src/nodes/infusion-pump/syringe-geometry.ts';
import type { BoardEmulator } from '../emulator/board-emulator.ts';
import type { Clock } from '../../protocols/clock/clock.ts';
import { seededRandom } from '../../protocols/testing/seeded-random.ts';
import { gaussian } from './gaussian.ts';

export interface LineModel {
  /** Volume the occluded line takes up per mmHg of pressure (tubing and syringe compliance). */
  complianceMlPerMmHg: number;
  /** Pressure at which the force sensor reads full scale. */
  sensorFullScaleMmHg: number;
  /** Force reading with the line open (friction of the plunger), 0..1. */
  baselineForceFraction: number;
  /** Drive-train slack of a freshly loaded syringe, taken up before fluid moves. */
  startupSlackMl: number;
  /** Time constant of the open line between the syringe and the patient (0: none). */
  lineTimeConstantS: number;
}

/** An ideal mechanism (no slack, no line lag): for the pump's own accuracy tests. About 0.5 uL/mmHg of occluded compliance [U, engineering estimate]. */
export const DEFAULT_LINE: LineModel = {
  complianceMlPerMmHg: 0.0005, sensorFullScaleMmHg: 500, baselineForceFraction: 0.1, startupSlackMl: 0, lineTimeConstantS: 0,
};

/**
 * A 50 mL syringe on a bedside line: 20 uL of slack (72 s of start-up delay at 1 mL/h, 4 s at 20 mL/h) and a
 * 5 s line time constant [U, engineering estimates shaped after IEC 60601-2-24 start-up curves].
 */
export const PATIENT_LINE: LineModel = { ...DEFAULT_LINE, startupSlackMl: 0.02, lineTimeConstantS: 5 };

/** The plunger position sensor as the board's ADC reads it. */
export interface PlungerSensorModel {
  /** Resolution of the ADC: readings are whole steps of 1 / 2^adcBits of full scale. */
  adcBits: number;
  /** Standard deviation of a reading's noise (wiper noise, supply ripple), in ADC steps. */
  noiseLsb: number;
  seed: number;
}

/**
 * A 12-bit ADC (STM32F4, ESP32) reading a potentiometer with 1.5 steps of noise: one step is 12 uL of a 50 mL
 * syringe [U, engineering estimate of a conductive-plastic linear pot on a board's ADC].
 */
export const PLUNGER_SENSOR: PlungerSensorModel = { adcBits: 12, noiseLsb: 1.5, seed: 7 };

export class SyringeMechanism {
  /** Volume that reached the patient. */
  deliveredMl = 0;
  /** Plunger travel as volume: what the firmware's steps pushed. */
  pushedMl = 0;
  /** Volume in the open line, on its way to the patient. */
  inLineMl = 0;
  /** Volume pushed while occluded, held by the line's compliance. */
  trappedMl = 0;
  occluded = false;
  /** The motor turns (its pulses are counted) but the plunger does not move: a slipped coupling, a jam. */
  stalled = false;
  /** Plunger travel at which the syringe is empty (the end stop): a full syringe unless loaded short. */
  loadedMl: number;
  /** Air at the syringe's outlet: the next this much pushed carries no drug. */
  airAheadMl = 0;
  /** Drug siphoning out with no steps (an unclamped plunger above the patient), mL/h. */
  freeFlowMlPerH = 0;
  /** Plunger travel (pushedMl) when the syringe in place was loaded: the position sensor's zero. */
  loadedAtMl = 0;
  readonly mlPerStep: number;
  private countedPulses = 0;
  private slackLeftMl: number;
  private readonly updateS: number;

  constructor(
    private readonly board: BoardEmulator,
    private readonly cfg: PumpBoardConfig,
    clock: Clock,
    private readonly line: LineModel = DEFAULT_LINE,
    updateMs = 20,
    sensor: PlungerSensorModel = PLUNGER_SENSOR,
  ) {
    this.mlPerStep = mlPerStep(cfg.mechanism);
    this.slackLeftMl = line.startupSlackMl;
    this.loadedMl = this.syringeVolumeMl;
    this.updateS = updateMs / 1000;
    // Each ADC read draws its own noise, then rounds to the ADC's step.
    const random = seededRandom(sensor.seed);
    const steps = Math.pow(2, sensor.adcBits);
    if (cfg.pins.plunger) board.analogSource(cfg.pins.plunger, () => Math.round(this.plungerFraction * steps + sensor.noiseLsb * gaussian(random)) / steps);
    clock.every(updateMs, () => this.update());
    this.update();
  }

  /** What a full syringe holds. */
  get syringeVolumeMl(): number {
    return this.cfg.mechanism.syringeVolumeMl;
  }

  /** Where the plunger stands on its stroke, 0..1 (the position sensor's true value). */
  get plungerFraction(): number {
    return Math.max(0, Math.min(1, (this.pushedMl - this.loadedAtMl) / this.syringeVolumeMl));
  }

  get pressureMmHg(): number {
    return this.trappedMl / this.line.complianceMlPerMmHg;
  }

  update(): void {
    const pins = this.cfg.pins;
    const pulses = this.board.pulses(pins.step);
    const newPulses = pulses - this.countedPulses;
    this.countedPulses = pulses;
    const enabled = this.board.pin(pins.enable).out === 0;
    const forward = this.board.pin(pins.dir).out === 1;
    if (enabled && forward && newPulses > 0 && !this.stalled) {
      // Nothing moves past the end stop.
      const ml = Math.min(newPulses * this.mlPerStep, Math.max(0, this.loadedMl - this.pushedMl));
      this.pushedMl += ml;
      if (this.occluded) {
        this.trappedMl += ml;
      } else {
        const slack = Math.min(ml, this.slackLeftMl);
        this.slackLeftMl -= slack;
        this.toLine(ml - slack);
      }
    }
    if (this.freeFlowMlPerH > 0 && !this.occluded) {
      const ml = Math.min((this.freeFlowMlPerH * this.updateS) / 3600, Math.max(0, this.loadedMl - this.pushedMl));
      this.pushedMl += ml;
      this.toLine(ml);
    }
    const out = this.line.lineTimeConstantS > 0 ? this.inLineMl * (1 - Math.exp(-this.updateS / this.line.lineTimeConstantS)) : this.inLineMl;
    this.inLineMl -= out;
    this.deliveredMl += out;
    if (!this.occluded) this.trappedMl = 0; // an open line relieves the pressure
    // A siphoning plunger runs ahead of its pusher: the force sensor loses contact.
    const contact = this.freeFlowMlPerH > 0 ? 0 : this.line.baselineForceFraction;
    this.board.setAnalog(pins.force, contact + this.pressureMmHg / this.line.sensorFullScaleMmHg);
    this.board.setDigital(pins.endStop, this.pushedMl >= this.loadedMl);
    this.board.setDigital(pins.airInLine, this.airAheadMl > 0);
  }

  /** Volume leaving the syringe into the open line: air first, then drug. */
  private toLine(ml: number): void {
    const air = Math.min(ml, this.airAheadMl);
    this.airAheadMl -= air;
    this.inLineMl += ml - air;
  }
}
