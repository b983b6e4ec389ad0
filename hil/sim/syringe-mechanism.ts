// The syringe pump's mechanics around the firmware: step pulses on the STEP pin (counted while the driver
// is enabled) push the plunger; the volume pushed goes to the patient line, or, when the line is occluded,
// into the line's compliance and raises its pressure, which the force sensor reads. The end stop closes
// when the syringe is empty.
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import type { BoardEmulator } from '../emulator/board-emulator.ts';
import type { Clock } from '../../protocols/clock/clock.ts';

export interface LineModel {
  /** Volume the occluded line takes up per mmHg of pressure (tubing and syringe compliance). */
  complianceMlPerMmHg: number;
  /** Pressure at which the force sensor reads full scale. */
  sensorFullScaleMmHg: number;
  /** Force reading with the line open (friction of the plunger), 0..1. */
  baselineForceFraction: number;
}

/** A line of soft tubing with a 50 mL syringe: about 0.5 uL/mmHg [U, engineering estimate]. */
export const DEFAULT_LINE: LineModel = { complianceMlPerMmHg: 0.0005, sensorFullScaleMmHg: 500, baselineForceFraction: 0.1 };

export class SyringeMechanism {
  /** Volume that left the syringe into the open line. */
  deliveredMl = 0;
  /** Volume pushed while occluded, held by the line's compliance. */
  trappedMl = 0;
  occluded = false;
  readonly mlPerStep: number;
  private countedPulses = 0;

  constructor(
    private readonly board: BoardEmulator,
    private readonly cfg: PumpBoardConfig,
    clock: Clock,
    private readonly line: LineModel = DEFAULT_LINE,
    updateMs = 20,
  ) {
    const m = cfg.mechanism;
    this.mlPerStep = (Math.PI * (m.syringeInnerDiameterMm / 2) ** 2 * m.leadscrewPitchMm) / (m.stepsPerRev * m.microsteps) / 1000;
    clock.every(updateMs, () => this.update());
    this.update();
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
    if (enabled && forward && newPulses > 0) {
      const ml = newPulses * this.mlPerStep;
      if (this.occluded) this.trappedMl += ml;
      else this.deliveredMl += ml;
    }
    if (!this.occluded) this.trappedMl = 0; // an open line relieves the pressure
    const force = this.line.baselineForceFraction + this.pressureMmHg / this.line.sensorFullScaleMmHg;
    this.board.setAnalog(pins.force, force);
    this.board.setDigital(pins.endStop, this.deliveredMl + this.trappedMl >= this.cfg.mechanism.syringeVolumeMl);
  }
}
