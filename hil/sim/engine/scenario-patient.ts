// A patient model inside a scenario: the engine steps it at its fixed step, applying the scenario's
// sensitivity changes to the drug's effect and adding its disturbances to the mean pressure. The result is
// the patient's true mean pressure (ground truth, for metrics only).
import type { SteerablePatient } from '../patients/patient-models.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { disturbanceMmHg, sensitivityFactor } from '../scenarios/scenario.ts';

export class ScenarioPatient {
  private tS = 0;

  constructor(readonly model: SteerablePatient, readonly scenario: Scenario, readonly stepS: number) {}

  step(deliveredRateMlPerH: number): number {
    this.model.sensitivity = sensitivityFactor(this.scenario, this.tS);
    this.model.step(deliveredRateMlPerH);
    this.tS += this.stepS;
    return this.mapMmHg;
  }

  get mapMmHg(): number {
    return this.model.mapMmHg + disturbanceMmHg(this.scenario, this.tS);
  }

  get sensitivity(): number {
    return this.model.sensitivity;
  }
}
