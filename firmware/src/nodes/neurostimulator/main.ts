// Entry of the neurostimulator firmware: senses the local field potential with buffered ADC reads, reports
// its beta-band power (BetaPower) once per block, and drives the amplitude output from leased
// StimSetAmplitude commands within the board's window and ramp limits. From boot, and whenever a lease
// lapses, it ramps to the fallback amplitude: continuous stimulation, never an abrupt stop.
import board from 'homeostat:board';
import {
  MaxPayload, MsgId, NackReason, NodeRole, checkStimSetAmplitude, readStimSetAmplitude, writeAlarm, writeBetaPower, writeStimStatus,
} from '../../../../protocols/generated/wire-codec.ts';
import { nack } from '../../../../protocols/session/responder-session.ts';
import type { NeurostimBuildConfig } from '../../board-config.ts';
import { espruinoAnalogOut, espruinoFft, espruinoHal, espruinoSampler, moveConsole } from '../../hal/espruino-hal.ts';
import { nodeLink } from '../../link/node-link.ts';
import { FftBetaEstimator } from './fft-beta-estimator.ts';
import { StimCore } from './stim-core.ts';

const cfg = board as NeurostimBuildConfig;
const node = cfg.node;
const hal = espruinoHal(cfg.uart.port, cfg.uart.baud, cfg.uart.rx, cfg.uart.tx, cfg.uart.path);
hal.watchdogStart(cfg.watchdogMs);
const out = espruinoAnalogOut(node.amplitudeOutput.pwmHz);
const beta = node.beta;

const session = nodeLink(hal, cfg, NodeRole.Neurostim, {
  output: (bytes) => hal.uart.write(bytes),
  command: (id, buf, s, e, sentMs) => {
    if (id !== MsgId.StimSetAmplitude) return nack(NackReason.UnknownMessage);
    const m = readStimSetAmplitude(buf, s, e);
    if (!m) return nack(NackReason.BadLength);
    const bad = checkStimSetAmplitude(m);
    if (bad >= 0) return nack(NackReason.OutOfRange, bad);
    return stim.setAmplitude(m.amplitudeMa, m.leaseMs, sentMs);
  },
  // No unauthenticated command is obeyed: the stimulator has no stop (an abrupt stop is its hazard).
  // Its largest message, sent or received, is a Hello: buffers for that and no more.
}, (id) => id === MsgId.StimSetAmplitude, MaxPayload.Hello);

const stim = new StimCore(hal.clock, beta.blankMs, node.controlTickMs, node.limits, {
  amplitude: (ma) => out(node.pins.amplitude, ma / node.amplitudeOutput.fullScaleMa),
  status: (st) => session.send(MsgId.StimStatus, writeStimStatus, st),
  alarm: (code, priority, raised) =>
    session.send(MsgId.Alarm, writeAlarm, { tMs: hal.clock.now(), code, priority, state: raised ? 1 : 0 }),
});

const estimator = new FftBetaEstimator(espruinoFft, beta.fftSize, node.sampleRateHz, beta.bandLowHz, beta.bandHighHz,
  node.lfpCalibration.uvPerFraction / 65535);
const windowMs = Math.round((beta.fftSize * 1000) / node.sampleRateHz);
espruinoSampler(node.pins.lfp, node.sampleRateHz, Math.round((node.sampleRateHz * beta.reportEveryMs) / 1000), (samples) => {
  const p = estimator.push_(samples);
  // Nothing is reported while blanked: the host sees a gap, never a value with the artifact in it.
  if (p >= 0 && !stim.blanked()) session.send(MsgId.BetaPower, writeBetaPower, { tMs: hal.clock.now(), betaPowerUv2: p, windowMs, peakHz: estimator.peakHz_ });
});

hal.clock.every(node.controlTickMs, () => {
  stim.tick();
  hal.watchdogKick();
});
hal.clock.every(node.statusEveryMs, () => session.send(MsgId.StimStatus, writeStimStatus, stim.status()));
session.start();
moveConsole(cfg.console);
