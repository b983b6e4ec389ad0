// Mean arterial pressure under a norepinephrine infusion: one-compartment pharmacokinetics with a Hill
// effect (docs/clinical-basis.md#a-vasopressor-for-hypotension). The plasma concentration follows
//   V dC/dt = R - CL C,   integrated exactly for a rate held over each step,
// and the pressure rises by  Emax C^g / (C50^g + C^g).

export interface NorepinephrineParameters {
  volumeL: number;
  clearanceLPerMin: number;
  emaxMmHg: number;
  hillGamma: number;
  c50NgPerMl: number;
  weightKg: number;
}

export class NorepinephrinePatient {
  /** Factor on the drug's potency (a scenario's drift or step of sensitivity): it divides C50. */
  sensitivity = 1;
  /** Plasma concentration, ng/mL (= ug/L). */
  concentrationNgPerMl = 0;
  private readonly keep: number;

  constructor(readonly p: NorepinephrineParameters, readonly concentrationUgPerMl: number, readonly baselineMapMmHg: number, readonly stepS: number) {
    if (!(stepS > 0)) throw new Error(`integration step must be above 0 s, got ${stepS}`);
    this.keep = Math.exp(-((p.clearanceLPerMin / p.volumeL) * stepS) / 60);
  }

  /** Advances one step at an infusion rate (mL/h of the prepared solution); returns the pressure rise. */
  step(rateMlPerH: number): number {
    const ugPerMin = (rateMlPerH * this.concentrationUgPerMl) / 60;
    const steadyNgPerMl = ugPerMin / this.p.clearanceLPerMin; // ug/L
    this.concentrationNgPerMl = steadyNgPerMl + (this.concentrationNgPerMl - steadyNgPerMl) * this.keep;
    return this.riseMmHg;
  }

  get riseMmHg(): number {
    return hillEffect(this.p, this.concentrationNgPerMl * this.sensitivity);
  }

  get mapMmHg(): number {
    return this.baselineMapMmHg + this.riseMmHg;
  }

  /** Dose rate of a pump rate, ug/kg/min. */
  doseUgPerKgPerMin(rateMlPerH: number): number {
    return (rateMlPerH * this.concentrationUgPerMl) / (60 * this.p.weightKg);
  }
}

export function hillEffect(p: NorepinephrineParameters, cNgPerMl: number): number {
  const cg = Math.pow(cNgPerMl, p.hillGamma);
  return (p.emaxMmHg * cg) / (Math.pow(p.c50NgPerMl, p.hillGamma) + cg);
}
