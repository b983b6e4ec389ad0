// Entry of the infusion-pump firmware. Boots stopped, stays stopped until a host has opened an
// authenticated session and commanded a rate, and answers every command.
import board from 'homeostat:board';
import {
  MaxPayload, MsgId, NackReason, NodeRole, checkPumpSetRate, readPumpSetRate, writeAlarm, writePumpLimits, writePumpStatus,
} from '../../../../protocols/generated/wire-codec.ts';
import type { PumpLimitsValues } from '../../../../protocols/generated/wire-codec.ts';
import { nack } from '../../../../protocols/session/responder-session.ts';
import type { PumpBuildConfig } from '../../board-config.ts';
import { espruinoHal, espruinoPins, moveConsole } from '../../hal/espruino-hal.ts';
import { nodeLink } from '../../link/node-link.ts';
import { PumpCore } from './pump-core.ts';
import DeliveryMonitor from 'homeostat:delivery-monitor';

const cfg = board as PumpBuildConfig;
const lim = cfg.node.limits;
const hal = espruinoHal(cfg.uart.port, cfg.uart.baud, cfg.uart.rx, cfg.uart.tx, cfg.uart.path);
hal.watchdogStart(cfg.watchdogMs);

const session = nodeLink(hal, cfg, NodeRole.InfusionPump, {
  output: (bytes) => hal.uart.write(bytes),
  command: (id, buf, s, e, sentMs) => {
    if (id === MsgId.PumpStop) {
      pump.stop();
      return 0;
    }
    const m = readPumpSetRate(buf, s, e);
    if (!m) return nack(NackReason.BadLength);
    const bad = checkPumpSetRate(m);
    if (bad >= 0) return nack(NackReason.OutOfRange, bad);
    return pump.setRate(m.rateMlPerH, m.leaseMs, sentMs, m.lapseRateMlPerH || 0);
  },
  ready: () => {
    pump.hostReady();
    // The board file's names are the message's: its limits and periods go as they are (true is 1 on the wire).
    session.send(MsgId.PumpLimits, writePumpLimits, Object.assign(Object.assign({}, lim), cfg.node) as unknown as PumpLimitsValues);
  },
  // Its largest message, sent or received, is a Hello: buffers for that and no more.
}, (id) => id === MsgId.PumpSetRate || id === MsgId.PumpStop, MaxPayload.Hello, (id) => id === MsgId.PumpStop && lim.obeyUnauthenticatedStop);

const pump = new PumpCore(hal, espruinoPins(), cfg.node, {
  status: (st) => session.send(MsgId.PumpStatus, writePumpStatus, st),
  alarm: (code, priority, raised) =>
    session.send(MsgId.Alarm, writeAlarm, { tMs: hal.clock.now(), code, priority, state: raised ? 1 : 0 }),
  // The position sensor spans the syringe's stroke: its full scale is the syringe's volume.
}, DeliveryMonitor ? new DeliveryMonitor(cfg.node.mechanism.syringeVolumeMl, cfg.node.controlTickMs) : undefined);

hal.clock.every(cfg.node.controlTickMs, () => {
  pump.tick();
  hal.watchdogKick();
});
hal.clock.every(cfg.node.statusEveryMs, () => session.send(MsgId.PumpStatus, writePumpStatus, pump.status()));
session.start();
moveConsole(cfg.console);
