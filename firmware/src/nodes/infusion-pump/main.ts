// Entry of the infusion-pump firmware. Boots stopped, stays stopped until a host has said hello and
// commanded a rate, and answers every command.
import board from 'homeostat:board';
import {
  MsgId, NackReason, NodeRole, checkPumpSetRate, readPumpSetRate, writeAlarm, writePumpStatus,
} from '../../../../protocols/generated/wire-codec.ts';
import { nack } from '../../../../protocols/session/responder-session.ts';
import type { PumpBuildConfig } from '../../board-config.ts';
import { espruinoHal, espruinoPins, moveConsole } from '../../hal/espruino-hal.ts';
import { nodeLink } from '../../link/node-link.ts';
import { PumpCore } from './pump-core.ts';

const cfg = board as PumpBuildConfig;
const hal = espruinoHal(cfg.uart.port, cfg.uart.baud, cfg.uart.rx, cfg.uart.tx, cfg.uart.path);
hal.watchdogStart(cfg.watchdogMs);

const isCommand = (id: number) => id === MsgId.PumpSetRate || id === MsgId.PumpStop;
const session = nodeLink(hal, cfg, NodeRole.InfusionPump, {
  output: (bytes) => hal.uart.write(bytes),
  command: (id, buf, s, e) => {
    if (id === MsgId.PumpStop) {
      pump.stop();
      return 0;
    }
    if (id !== MsgId.PumpSetRate) return nack(NackReason.UnknownMessage);
    const m = readPumpSetRate(buf, s, e);
    if (!m) return nack(NackReason.BadLength);
    const bad = checkPumpSetRate(m);
    if (bad >= 0) return nack(NackReason.OutOfRange, bad);
    return pump.setRate(m.rateMlPerH, m.leaseMs);
  },
  ready: () => pump.hostReady(),
}, isCommand, (id) => id === MsgId.PumpStop);

const pump = new PumpCore(hal, espruinoPins(), cfg.node, {
  status: (st) => session.send(MsgId.PumpStatus, writePumpStatus, st),
  alarm: (code, priority, raised) =>
    session.send(MsgId.Alarm, writeAlarm, { tMs: hal.clock.now(), code, priority, state: raised ? 1 : 0 }),
});

hal.clock.every(cfg.node.controlTickMs, () => {
  pump.tick();
  hal.watchdogKick();
});
hal.clock.every(cfg.node.statusEveryMs, () => session.send(MsgId.PumpStatus, writePumpStatus, pump.status()));
session.start();
moveConsole(cfg.console);
