// Entry of the infusion-pump firmware. Boots stopped, stays stopped until a host has said hello and
// commanded a rate, and answers every command.
import board from 'homeostat:board';
import {
  ALARM_ID, NODE_ROLE_INFUSION_PUMP, PUMP_SET_RATE_ID, PUMP_STATUS_ID, PUMP_STOP_ID, NACK_REASON_BAD_LENGTH,
  NACK_REASON_OUT_OF_RANGE, NACK_REASON_UNKNOWN_MESSAGE, checkPumpSetRate, readPumpSetRate, writeAlarm,
  writePumpStatus,
} from '../../../../protocols/generated/wire-codec.ts';
import { nack } from '../../../../protocols/session/responder-session.ts';
import type { PumpBuildConfig } from '../../board-config.ts';
import { espruinoHal, moveConsole } from '../../hal/espruino-hal.ts';
import { nodeLink } from '../../link/node-link.ts';
import { PumpCore } from './pump-core.ts';

const cfg = board as PumpBuildConfig;
moveConsole(cfg.console);
const hal = espruinoHal(cfg.uart.port, cfg.uart.baud, cfg.uart.rx, cfg.uart.tx);
hal.watchdogStart(cfg.watchdogMs);

const isCommand = (id: number) => id === PUMP_SET_RATE_ID || id === PUMP_STOP_ID;
const session = nodeLink(hal, cfg, NODE_ROLE_INFUSION_PUMP, {
  command: (id, buf, s, e) => {
    if (id === PUMP_STOP_ID) {
      pump.stop();
      return 0;
    }
    if (id !== PUMP_SET_RATE_ID) return nack(NACK_REASON_UNKNOWN_MESSAGE);
    const m = readPumpSetRate(buf, s, e);
    if (!m) return nack(NACK_REASON_BAD_LENGTH);
    const bad = checkPumpSetRate(m);
    if (bad >= 0) return nack(NACK_REASON_OUT_OF_RANGE, bad);
    return pump.setRate(m.rateMlPerH, m.leaseMs);
  },
  message: () => undefined,
  ready: () => pump.hostReady(),
  lost: () => undefined,
  refused: () => undefined,
}, isCommand, (id) => id === PUMP_STOP_ID);

const pump = new PumpCore(hal, cfg.node, {
  status: (st) => session.send(PUMP_STATUS_ID, writePumpStatus, st),
  alarm: (code, priority, raised) =>
    session.send(ALARM_ID, writeAlarm, { tMs: hal.clock.now(), code, priority, state: raised ? 1 : 0 }),
});

hal.clock.every(cfg.node.controlTickMs, () => {
  pump.tick();
  hal.watchdogKick();
});
hal.clock.every(cfg.node.statusEveryMs, () => session.send(PUMP_STATUS_ID, writePumpStatus, pump.status()));
session.start();
