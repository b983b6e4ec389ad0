// Entry of the blood-pressure sensor firmware: samples the transducer with buffered ADC reads, calibrates
// to mmHg, reports each beat (systolic, diastolic, mean, rate, quality) and, on request, raw samples.
import board from 'homeostat:board';
import {
  AlarmCode, AlarmPriority, MaxPayload, MsgId, NackReason, NodeRole, PressureQuality, checkPressureWaveformRequest,
  readPressureWaveformRequest, writeAlarm, writePressureBeat, writePressureWaveform,
} from '../../../../protocols/generated/wire-codec.ts';
import { nack } from '../../../../protocols/session/responder-session.ts';
import type { BpSensorBuildConfig } from '../../board-config.ts';
import { espruinoHal, espruinoSampler, moveConsole } from '../../hal/espruino-hal.ts';
import { nodeLink } from '../../link/node-link.ts';
import { BeatDetector } from './beat-detector.ts';

const cfg = board as BpSensorBuildConfig;
const hal = espruinoHal(cfg.uart.port, cfg.uart.baud, cfg.uart.rx, cfg.uart.tx, cfg.uart.path);
hal.watchdogStart(cfg.watchdogMs);
const rateHz = cfg.node.sampleRateHz;
const cal = cfg.node.calibration;
/** Samples per ADC buffer: about 0.2 s. */
const BUFFER = Math.round(rateHz / 5);
const BATCH = 100;

/** Keeps a value inside the catalogue's range for its field. */
function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

let waveformLeft = 0;
let batch: number[] = [];
let batchStartMs = 0;
let signalLost = false;

const session = nodeLink(hal, cfg, NodeRole.BpSensor, {
  output: (bytes) => hal.uart.write(bytes),
  command: (_id, buf, s, e) => {
    const m = readPressureWaveformRequest(buf, s, e);
    if (!m) return nack(NackReason.BadLength);
    const bad = checkPressureWaveformRequest(m);
    if (bad >= 0) return nack(NackReason.OutOfRange, bad);
    waveformLeft = m.sampleCount;
    return 0;
  },
}, (id) => id === MsgId.PressureWaveformRequest, MaxPayload.PressureWaveform);

const detector = new BeatDetector(rateHz, (b) => {
  session.send(MsgId.PressureBeat, writePressureBeat, {
    tMs: hal.clock.now(),
    systolicMmHg: clamp(b.systolicMmHg, -50, 400),
    diastolicMmHg: clamp(b.diastolicMmHg, -50, 400),
    meanMmHg: clamp(b.meanMmHg, -50, 400),
    heartRateBpm: clamp(b.heartRateBpm, 0, 350),
    quality: b.quality,
  });
  // A flush reads flat too, but it is the nurse's doing, not a lost signal: it is only flagged on the beat.
  const lost = (b.quality & PressureQuality.LostSignal) !== 0 ||
    ((b.quality & PressureQuality.FlatLine) !== 0 && (b.quality & PressureQuality.FlushSpike) === 0);
  if (lost !== signalLost) {
    signalLost = lost;
    session.send(MsgId.Alarm, writeAlarm, {
      tMs: hal.clock.now(), code: AlarmCode.PressureLostSignal, priority: AlarmPriority.High, state: lost ? 1 : 0,
    });
  }
});

espruinoSampler(cfg.node.pins.pressure, rateHz, BUFFER, (samples) => {
  const periodMs = 1000 / rateHz;
  // The buffer is handed over when its last sample is taken.
  const t0 = hal.clock.now() - (samples.length - 1) * periodMs;
  for (let i = 0; i < samples.length; i++) {
    const f = samples[i] / 65535;
    const p = (f - cal.zeroFraction) * cal.mmHgPerFraction;
    detector.push(p, f <= 0.002 || f >= 0.998);
    if (waveformLeft > 0) {
      if (batch.length === 0) batchStartMs = t0 + i * periodMs;
      batch.push(clamp(p, -50, 400));
      waveformLeft--;
      if (batch.length === BATCH || waveformLeft === 0) {
        session.send(MsgId.PressureWaveform, writePressureWaveform, {
          tMs: batchStartMs, samplePeriodUs: Math.round(1e6 / rateHz), samplesMmHg: batch,
        });
        batch = [];
      }
    }
  }
  hal.watchdogKick();
});
session.start();
moveConsole(cfg.console);
