// `homeostat demo pump`: the real infusion-pump firmware (the bundle built for the Pico) in the board
// emulator, with a syringe mechanism on its pins, driven by the host over an emulated 115200-baud line
// with bit errors, on the virtual clock: handshake, a rate held by renewed leases, the pump falling to its
// safe rate on its own when the host stops renewing, a command over the pump's hard limit refused, a stop,
// and both sides' link counters. Runs in virtual time, so it finishes in about a second.
import { codeName } from '../../../protocols/catalogue/codes.ts';
import { MsgId, PumpState, readAlarm, readPumpStatus, writePumpSetRate, writePumpStop } from '../../../protocols/generated/wire-codec.ts';
import type { SessionCounters } from '../../../protocols/session/session-core.ts';
import { emulatedNode } from '../../../hil/emulator/emulated-node.ts';
import { FaultyTransport, NO_FAULTS } from '../../../hil/faults/faulty-transport.ts';
import { benchWorld } from '../../../hil/sim/nodes/bench-world.ts';
import type { PumpBoardConfig } from '../../../firmware/src/board-config.ts';

export interface PumpDemoOptions {
  bitErrorRate: number;
  seed: number;
  rateMlPerH: number;
  leaseMs: number;
  renewForMs: number;
}

export interface PumpDemoResult {
  ok: boolean;
  deliveredMl: number;
  expectedMl: number;
  safeWithinMs: number | null;
  hostCounters: SessionCounters;
}

const name = (table: string, code: number) => codeName(table, code) ?? `code ${code}`;

export async function runPumpDemo(o: PumpDemoOptions, print: (line: string) => void): Promise<PumpDemoResult> {
  let say: (s: string) => void = print;
  let safeAtMs = -1;
  const n = await emulatedNode('infusion-pump', 'pico', {
    startHost: false,
    wrapTransport: (t) => new FaultyTransport(t, { ...NO_FAULTS, bitErrorRate: o.bitErrorRate }, o.seed),
    onEvent: (text) => say(`host: ${text}`),
    onMessage: (id, p) => {
      if (id === MsgId.PumpStatus) {
        const v = readPumpStatus(p, 0, p.length)!;
        if (v.state === PumpState.SafeRate && safeAtMs < 0) safeAtMs = n.clock.now();
        say(`pump: ${name('PumpState', v.state)}, ${v.rateMlPerH} mL/h, delivered ${v.deliveredMl.toFixed(3)} mL, lease left ${v.leaseRemainingMs} ms`);
      } else if (id === MsgId.Alarm) {
        const v = readAlarm(p, 0, p.length)!;
        say(`pump: alarm ${name('AlarmCode', v.code)} ${v.state ? 'raised' : 'cleared'}`);
      }
    },
  });
  const at = () => `[${(n.clock.now() / 1000).toFixed(3).padStart(7)} s]`;
  say = (s) => print(`${at()} ${s}`);
  const cfg = n.boardConfig.nodes['infusion-pump'] as PumpBoardConfig;
  const world = benchWorld('infusion-pump', n.board, n.boardConfig, n.clock)!;
  const deliveredMl = () => world.truth!().deliveredMl;
  let firstAckMs = -1;
  // A lease counts from when the host sent the command (SPEC.md section 3.7).
  let lastSentMs = -1;
  const setRate = (rateMlPerH: number, quiet: boolean) => {
    const sentMs = n.clock.now();
    n.host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH, leaseMs: o.leaseMs }, (r) => {
      if (r === 0 && rateMlPerH === o.rateMlPerH) {
        if (firstAckMs < 0) firstAckMs = n.clock.now();
        lastSentMs = sentMs;
      }
      if (!quiet || r !== 0) say(`host -> PumpSetRate ${rateMlPerH} mL/h, lease ${o.leaseMs} ms: ${r === 0 ? 'Ack' : `refused (${name('NackReason', r)})`}`);
    });
  };

  say(`the infusion-pump firmware built for the Pico, in the emulator; line 115200 baud, bit error rate ${o.bitErrorRate}, seed ${o.seed}`);
  n.host.start();
  for (let i = 0; i < 100 && !n.host.ready; i++) n.clock.advance(50);
  if (!n.host.ready) say('host: no session within 5 s');
  setRate(o.rateMlPerH, false);
  const renew = n.clock.every(o.leaseMs / 3, () => setRate(o.rateMlPerH, true));
  n.clock.advance(o.renewForMs);
  renew.cancel();
  say('host: stops renewing the lease (as if it hung); the pump must fall to its safe rate on its own');
  n.clock.advance(o.leaseMs + 3000);
  const over = cfg.limits.maxRateMlPerH + 100;
  say(`host -> PumpSetRate ${over} mL/h, above the pump's hard limit of ${cfg.limits.maxRateMlPerH} mL/h:`);
  setRate(over, false);
  n.clock.advance(1000);
  n.host.sendCommand(MsgId.PumpStop, writePumpStop, {}, (r) => say(`host -> PumpStop: ${r === 0 ? 'Ack' : name('NackReason', r)}`));
  n.clock.advance(1500);

  const expectedMl = firstAckMs < 0 ? 0 : (o.rateMlPerH * (lastSentMs + o.leaseMs - firstAckMs)) / 3_600_000;
  const safeWithinMs = safeAtMs < 0 || lastSentMs < 0 ? null : safeAtMs - (lastSentMs + o.leaseMs);
  const hostCounters = { ...n.host.counters };
  print('');
  print('host link counters');
  for (const [k, v] of Object.entries(hostCounters)) print(`  ${k.padEnd(16)} ${String(v).padStart(6)}`);
  print('');
  print(`the mechanism delivered ${deliveredMl().toFixed(3)} mL; rate x time under acknowledged leases: ${expectedMl.toFixed(3)} mL`);
  print(`firmware errors: ${n.board.errors.length ? n.board.errors.join('; ') : 'none'}; watchdog resets: ${n.board.watchdogResets}`);
  // The pump stops at the control tick before the lease the host believes in ends (sent + lease), and says
  // so over the line: never after it (but for the status's time on the line), at most two ticks before.
  const ok = safeWithinMs !== null && safeWithinMs >= -2 * cfg.controlTickMs - 50 && safeWithinMs <= 10 && n.board.errors.length === 0;
  print(ok
    ? `OK: the pump reported its safe rate ${(-safeWithinMs!).toFixed(1)} ms before the lease the host believed in ended`
    : 'FAILED: the pump did not report its safe rate in time after the lease lapsed');
  return { ok, deliveredMl: deliveredMl(), expectedMl, safeWithinMs, hostCounters };
}
