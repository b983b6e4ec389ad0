// The neurostimulator as an ideal model for MIL runs: the firmware's own sans-I/O cores (the stimulation
// core with its lease, window, ramps and blanking, and the FFT beta estimator) run in Node on the caller's
// time, with Espruino's FFT in JavaScript. No bundle, no emulator, no link: what the policy sees and what
// the patient gets are the device's, at a fraction of the cost of SIL.
import type { NeurostimBoardConfig } from '../../../firmware/src/board-config.ts';
import type { StimOutputs } from '../../../firmware/src/nodes/neurostimulator/stim-core.ts';
import { FftBetaEstimator } from '../../../firmware/src/nodes/neurostimulator/fft-beta-estimator.ts';
import { StimCore } from '../../../firmware/src/nodes/neurostimulator/stim-core.ts';
import { espruinoFftInJs } from './espruino-fft.ts';

export class MilNeurostimulator {
  tMs = 0;
  deliveredMa = 0;
  readonly core: StimCore;
  private readonly estimator: FftBetaEstimator;
  private readonly block: Uint16Array;

  /** `out`: where its status and alarm messages go (the MIL rig's ideal device), none by default. */
  constructor(readonly cfg: NeurostimBoardConfig, out: Partial<Pick<StimOutputs, 'status' | 'alarm'>> = {}) {
    const clock = {
      now: () => this.tMs,
      after: () => { throw new Error('the MIL stimulator is driven by its caller: no timers'); },
      every: () => { throw new Error('the MIL stimulator is driven by its caller: no timers'); },
    };
    this.core = new StimCore(clock, cfg.beta.blankMs, cfg.controlTickMs, cfg.limits, {
      amplitude: (ma) => (this.deliveredMa = ma), status: out.status ?? (() => undefined), alarm: out.alarm ?? (() => undefined),
    });
    const b = cfg.beta;
    this.estimator = new FftBetaEstimator(espruinoFftInJs, b.fftSize, cfg.sampleRateHz, b.bandLowHz, b.bandHighHz, cfg.lfpCalibration.uvPerFraction / 65535);
    this.block = new Uint16Array(Math.round((cfg.sampleRateHz * b.reportEveryMs) / 1000));
  }

  /** The beta peak of the last window, Hz (what BetaPower's peakHz carries). */
  get peakHz(): number {
    return this.estimator.peakHz_;
  }

  /** Samples per block and the time between samples: one block ends at each report time. */
  get blockSamples(): number {
    return this.block.length;
  }

  /**
   * Takes the block of samples that ends now (lfpUvAt gives the potential at a time), through the front
   * end's calibration and a 16-bit ADC; returns the beta power it reports, or null when it reports none.
   */
  sense(lfpUvAt: (tMs: number) => number): number | null {
    const cal = this.cfg.lfpCalibration;
    const periodMs = 1000 / this.cfg.sampleRateHz;
    const n = this.block.length;
    for (let i = 0; i < n; i++) {
      const f = cal.zeroFraction + lfpUvAt(this.tMs - (n - 1 - i) * periodMs) / cal.uvPerFraction;
      this.block[i] = Math.round(Math.max(0, Math.min(1, f)) * 65535);
    }
    const p = this.estimator.push_(this.block);
    return p >= 0 && !this.core.blanked() ? p : null;
  }
}
