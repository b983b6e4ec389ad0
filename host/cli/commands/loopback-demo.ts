// `homeostat demo loopback`: the wire protocol end to end on the virtual clock. A host session talks to a
// loopback pump peer over an in-memory 115200-baud line (optionally with bit errors): handshake, a rate
// held by renewed leases, lease lapse to the safe rate, a refused over-limit command, a stop, and the link
// counters of both sides. Runs in virtual time, so it finishes at once.
import { VirtualClock } from '../../../protocols/clock/virtual-clock.ts';
import { decodePayload } from '../../../protocols/host/host-codec.ts';
import { codeTable } from '../../../protocols/catalogue/codes.ts';
import { MsgId, writePumpSetRate, writePumpStop } from '../../../protocols/generated/wire-codec.ts';
import type { SessionCounters } from '../../../protocols/session/session-core.ts';
import { FaultyTransport, NO_FAULTS } from '../../../hil/faults/faulty-transport.ts';
import { LoopbackPump } from '../../../hil/loopback/loopback-pump.ts';
import { hostSession } from '../../link/host-session.ts';
import { memoryTransportPair } from '../../transport/memory-transport.ts';

export interface LoopbackDemoOptions {
  bitErrorRate: number;
  seed: number;
  rateMlPerH: number;
  leaseMs: number;
  renewForMs: number;
}

export interface LoopbackDemoResult {
  ok: boolean;
  deliveredMl: number;
  expectedMl: number;
  safeWithinMs: number | null;
  hostCounters: SessionCounters;
  nodeCounters: SessionCounters;
}

const nackName = (code: number) =>
  Object.entries(codeTable('NackReason').values).find(([, v]) => v === code)?.[0] ?? `code ${code}`;

export function runLoopbackDemo(o: LoopbackDemoOptions, print: (line: string) => void): LoopbackDemoResult {
  const clock = new VirtualClock();
  const line = { latencyMs: 1, bytesPerSecond: 11520 };
  const [hostEnd, nodeEnd] = memoryTransportPair(clock, line);
  const faults = { ...NO_FAULTS, bitErrorRate: o.bitErrorRate };
  const hostWire = new FaultyTransport(hostEnd, faults, o.seed);
  const nodeWire = new FaultyTransport(nodeEnd, faults, o.seed + 1);
  const at = () => `[${(clock.now() / 1000).toFixed(3).padStart(7)} s]`;
  const say = (s: string) => print(`${at()} ${s}`);
  const MAX_RATE = 600;

  const pump = new LoopbackPump(nodeWire, clock, MAX_RATE, { onChange: (what) => say(`pump: ${what}`) });
  let firstCommandMs = -1;
  let lastAckMs = -1;
  let lastLeaseMs = 0;
  let safeAtMs = -1;
  let therapyStarted = false;
  const host = hostSession(hostWire, clock, {
    message: (id, buf, s, e) => {
      const m = decodePayload(id, buf, s, e);
      if (m.name === 'PumpStatus') {
        const v = m.values as { state: number; rateMlPerH: number; deliveredMl: number; leaseRemainingMs: number };
        const state = Object.entries(codeTable('PumpState').values).find(([, x]) => x === v.state)?.[0];
        if (v.state === 2 && safeAtMs < 0) safeAtMs = clock.now();
        say(`host <- PumpStatus ${state}, ${v.rateMlPerH} mL/h, delivered ${v.deliveredMl.toFixed(3)} mL, lease left ${v.leaseRemainingMs} ms`);
      } else if (m.name === 'Alarm') {
        const v = m.values as { code: number };
        say(`host <- Alarm ${Object.entries(codeTable('AlarmCode').values).find(([, x]) => x === v.code)?.[0]}`);
      }
    },
    ready: (peer) => {
      say(`host: session up with '${peer.uniqueId}' (firmware ${peer.firmwareMajor}.${peer.firmwareMinor}.${peer.firmwarePatch})`);
      if (!therapyStarted) startTherapy();
    },
    lost: (why) => say(`host: link lost: ${why}`),
    refused: (why) => say(`host: refused: ${why}`),
  }, { sessionIdSeed: o.seed });

  const setRate = (rateMlPerH: number, quiet: boolean) => {
    host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH, leaseMs: o.leaseMs }, (r) => {
      if (r === 0) {
        if (firstCommandMs < 0) firstCommandMs = clock.now();
        lastAckMs = clock.now();
        lastLeaseMs = o.leaseMs;
      }
      if (!quiet || r !== 0) say(`host -> PumpSetRate ${rateMlPerH} mL/h, lease ${o.leaseMs} ms: ${r === 0 ? 'Ack' : `refused (${nackName(r)})`}`);
    });
  };

  // Once the session is up: command the rate, renew its lease every third of a lease, then stop renewing.
  function startTherapy(): void {
    therapyStarted = true;
    setRate(o.rateMlPerH, false);
    const renew = clock.every(o.leaseMs / 3, () => setRate(o.rateMlPerH, true));
    clock.after(o.renewForMs, () => {
      renew.cancel();
      say('host: stops renewing the lease (as if it hung); the pump must fall to its safe rate on its own');
    });
  }

  say(`line: 115200 baud, bit error rate ${o.bitErrorRate}, seed ${o.seed}`);
  pump.start();
  host.start();
  clock.runUntil(5000);
  if (!therapyStarted) say('host: no session within 5 s');
  clock.runUntil(clock.now() + o.renewForMs + o.leaseMs + 2000);
  say(`host -> PumpSetRate ${MAX_RATE * 2} mL/h, above the pump's hard limit of ${MAX_RATE} mL/h:`);
  setRate(MAX_RATE * 2, false);
  clock.advance(1000);
  host.sendCommand(MsgId.PumpStop, writePumpStop, {}, (r) => say(`host -> PumpStop: ${r === 0 ? 'Ack' : nackName(r)}`));
  clock.advance(1500);

  const expectedMl = firstCommandMs < 0 ? 0 : (o.rateMlPerH * (lastAckMs + lastLeaseMs - firstCommandMs)) / 3_600_000;
  const leaseEndMs = lastAckMs + lastLeaseMs;
  const safeWithinMs = safeAtMs < 0 ? null : safeAtMs - leaseEndMs;
  const hostCounters = host.counters();
  const nodeCounters = pump.session.counters();
  print('');
  print('link counters            host     pump');
  for (const k of Object.keys(hostCounters) as (keyof SessionCounters)[]) {
    print(`  ${k.padEnd(20)} ${String(hostCounters[k]).padStart(6)} ${String(nodeCounters[k]).padStart(8)}`);
  }
  print('');
  print(`delivered ${pump.deliveredMl.toFixed(3)} mL; rate x time under acknowledged leases ${expectedMl.toFixed(3)} mL`);
  // Status goes out once a second, so the safe state is seen within one status period of the lease end.
  const ok = safeWithinMs !== null && safeWithinMs >= 0 && safeWithinMs <= 1000 + 50 && pump.rateMlPerH === 0;
  print(ok
    ? `OK: the pump reported its safe rate ${safeWithinMs.toFixed(1)} ms after the last lease ended (reported within one status period)`
    : 'FAILED: the pump did not report its safe rate after the lease lapsed');
  return { ok, deliveredMl: pump.deliveredMl, expectedMl, safeWithinMs, hostCounters, nodeCounters };
}
