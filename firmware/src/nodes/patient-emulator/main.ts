// Entry of the patient-emulator firmware: a bench instrument that plays the patient to the other boards.
// It outputs the transducer's signal for the beats the host sets (on a DAC, or PWM behind an RC filter,
// wired to the sensor board's pressure input) and counts the pump board's step pulses on an input pin,
// reporting the count. It holds no lease: the patient goes on when a host goes away.
import board from 'homeostat:board';
import {
  MaxPayload, MsgId, NackReason, NodeRole, checkPatientSetWaveform, readPatientSetWaveform, writePatientStatus,
} from '../../../../protocols/generated/wire-codec.ts';
import { nack } from '../../../../protocols/session/responder-session.ts';
import type { PatientEmulatorBuildConfig } from '../../board-config.ts';
import { espruinoAnalogOut, espruinoHal, espruinoRisingEdges, moveConsole } from '../../hal/espruino-hal.ts';
import { nodeLink } from '../../link/node-link.ts';
import { WaveformPlayer } from './waveform-player.ts';

const cfg = board as PatientEmulatorBuildConfig;
const hal = espruinoHal(cfg.uart.port, cfg.uart.baud, cfg.uart.rx, cfg.uart.tx, cfg.uart.path);
hal.watchdogStart(cfg.watchdogMs);
const cal = cfg.node.transducerOutput;
const out = espruinoAnalogOut(cal.pwmHz);
// Boots at 0 mmHg, flat: a transducer open to air, until the host sets the patient.
const player = new WaveformPlayer({ systolicMmHg: 0, diastolicMmHg: 0, heartRateBpm: 0 }, hal.clock.now());
let steps = 0;
espruinoRisingEdges(cfg.node.pins.stepIn, () => {
  steps = (steps + 1) % 4294967296;
});

const isCommand = (id: number) => id === MsgId.PatientSetWaveform;
const session = nodeLink(hal, cfg, NodeRole.PatientEmulator, {
  output: (bytes) => hal.uart.write(bytes),
  command: (id, buf, s, e) => {
    if (id !== MsgId.PatientSetWaveform) return nack(NackReason.UnknownMessage);
    const m = readPatientSetWaveform(buf, s, e);
    if (!m) return nack(NackReason.BadLength);
    const bad = checkPatientSetWaveform(m);
    if (bad >= 0) return nack(NackReason.OutOfRange, bad);
    // A beat's peak under its foot is no beat: refused, naming systolicMmHg.
    if (m.heartRateBpm > 0 && m.systolicMmHg < m.diastolicMmHg) return nack(NackReason.OutOfRange, 0);
    player.set(m, hal.clock.now());
    return 0;
  },
}, isCommand, MaxPayload.Hello);

hal.clock.every(1000 / cfg.node.updateHz, () => {
  const f = cal.zeroFraction + player.pressureMmHg(hal.clock.now()) / cal.mmHgPerFraction;
  out(cfg.node.pins.pressureOut, f < 0 ? 0 : f > 1 ? 1 : f);
  hal.watchdogKick();
});
hal.clock.every(cfg.node.statusEveryMs, () => {
  const b = player.current;
  session.send(MsgId.PatientStatus, writePatientStatus, {
    tMs: hal.clock.now(), stepCount: steps, systolicMmHg: b.systolicMmHg, diastolicMmHg: b.diastolicMmHg, heartRateBpm: b.heartRateBpm,
  });
});
session.start();
moveConsole(cfg.console);
