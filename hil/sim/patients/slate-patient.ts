// Mean arterial pressure under a vasodilator infusion, after Slate & Sheppard (docs/clinical-basis.md#blood-pressure-under-a-vasodilator):
//   dMAP(s) / I(s) = K e^(-Ti s) (1 + a e^(-Tc s)) / (1 + tau s),   MAP = MAP0 - dMAP + disturbance
// integrated exactly for piecewise-constant input at a fixed step h:
//   x[k] = e^(-h/tau) x[k-1] + (1 - e^(-h/tau)) K (u[k - Ti/h] + a u[k - (Ti+Tc)/h])
// with the input history in a ring buffer. Parameters come from a params file; nothing clinical is in code.

export interface SlateParameters {
  gainMmHgPerMlPerH: number;
  transportDelayS: number;
  recirculationDelayS: number;
  recirculationFraction: number;
  timeConstantS: number;
}

export class SlatePatient {
  /** Factor on the gain for drug arriving from now on (a scenario's drift or step of sensitivity). */
  sensitivity = 1;
  /** Pressure drop caused by the drug. */
  private dropMmHg = 0;
  private readonly history: Float64Array;
  private at = 0;
  private readonly delaySteps: number;
  private readonly recircSteps: number;
  private readonly decay: number;

  constructor(
    readonly p: SlateParameters,
    readonly baselineMapMmHg: number,
    readonly stepS: number,
  ) {
    if (!(stepS > 0)) throw new Error(`integration step must be above 0 s, got ${stepS}`);
    this.delaySteps = Math.round(p.transportDelayS / stepS);
    this.recircSteps = Math.round((p.transportDelayS + p.recirculationDelayS) / stepS);
    this.history = new Float64Array(this.recircSteps + 1);
    this.decay = Math.exp(-stepS / p.timeConstantS);
  }

  /** Advances one step with the infusion rate held over it; returns the drug's pressure drop (mmHg). */
  step(rateMlPerH: number): number {
    const n = this.history.length;
    this.history[this.at] = rateMlPerH;
    const delayed = this.history[(this.at - this.delaySteps + n) % n];
    const recirculated = this.history[(this.at - this.recircSteps + n) % n];
    this.at = (this.at + 1) % n;
    const p = this.p;
    this.dropMmHg = this.decay * this.dropMmHg + (1 - this.decay) * p.gainMmHgPerMlPerH * this.sensitivity * (delayed + p.recirculationFraction * recirculated);
    return this.dropMmHg;
  }

  /** Mean arterial pressure now, before disturbances and noise. */
  get mapMmHg(): number {
    return this.baselineMapMmHg - this.dropMmHg;
  }
}

/** The analytic step response of the model: drop at time t after a step of rate u0 at t = 0. */
export function slateStepResponse(p: SlateParameters, u0: number, tS: number): number {
  const part = (t0: number, gain: number) => (tS < t0 ? 0 : gain * (1 - Math.exp(-(tS - t0) / p.timeConstantS)));
  return part(p.transportDelayS, p.gainMmHgPerMlPerH * u0) +
    part(p.transportDelayS + p.recirculationDelayS, p.recirculationFraction * p.gainMmHgPerMlPerH * u0);
}
