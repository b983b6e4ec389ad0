// Runs on the real Espruino interpreter: what the pump node costs per received command frame (framing,
// session, codec, limits) and per control tick, timed with getTime(). Prints one JSON line.
import { FrameEncoder } from '../../protocols/framing/framer.ts';
import { HEADER_BYTES } from '../../protocols/framing/frame-format.ts';
import { MsgId, isCommandId, readPumpSetRate, writeHello, writePumpSetRate } from '../../protocols/generated/wire-codec.ts';
import { LAYOUT_HASH, PROTOCOL_VERSION } from '../../protocols/generated/wire-codec.ts';
import { ResponderSession } from '../../protocols/session/responder-session.ts';
import { LINK_TIMINGS } from '../../protocols/session/session-config.ts';
import { PumpCore } from '../src/nodes/infusion-pump/pump-core.ts';
import type { Hal, Pins } from '../src/hal/hal.ts';

declare const E: { CRC32(data: Uint8Array): number };
declare const print: (line: string) => void;
declare function getTime(): number;

const hal: Hal = {
  clock: {
    now: () => getTime() * 1000,
    after: (ms, fn) => {
      const id = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(id) };
    },
    every: (ms, fn) => {
      const id = setInterval(fn, ms);
      return { cancel: () => clearInterval(id) };
    },
  },
  uart: { write: () => undefined, onData: () => undefined },
  watchdogStart: () => undefined,
  watchdogKick: () => undefined,
  serial: () => 'bench',
  crc32: (b, s, e) => E.CRC32(b.subarray(s, e)),
};
const pins: Pins = { analogRead: () => 0.1, digitalRead: () => false, digitalWrite: () => undefined, stepOut: () => undefined };
const pump = new PumpCore(hal, pins, {
  pins: { step: 'D3', dir: 'D4', enable: 'D5', force: 'D1', endStop: 'D6' },
  mechanism: { syringeInnerDiameterMm: 26.6, syringeVolumeMl: 50, leadscrewPitchMm: 0.8, stepsPerRev: 200, microsteps: 16 },
  limits: { maxRateMlPerH: 600, maxRateChangeMlPerH: 100, safeRateMlPerH: 0, maxLeaseMs: 1800000, occlusionForceFraction: 0.6, occlusionHoldMs: 2000, nearEmptyMl: 2 },
  controlTickMs: 100,
  statusEveryMs: 1000,
}, { status: () => undefined, alarm: () => undefined });
const session = new ResponderSession(
  { clock: hal.clock, crc: hal.crc32, timings: LINK_TIMINGS, isCommand: isCommandId, identity: { nodeRole: 2, boardId: 5, firmwareMajor: 0, firmwareMinor: 1, firmwarePatch: 0, uniqueId: 'bench' } },
  {
    output: () => undefined,
    command: (id, buf, s, e) => {
      const m = readPumpSetRate(buf, s, e);
      return m ? pump.setRate(m.rateMlPerH, m.leaseMs) : 1;
    },
  },
);
session.start();
const enc = new FrameEncoder(hal.crc32, PROTOCOL_VERSION);
let end = writeHello(enc.raw, HEADER_BYTES, {
  protocolVersion: PROTOCOL_VERSION, layoutHash: LAYOUT_HASH, nodeRole: 0, boardId: 0, firmwareMajor: 0, firmwareMinor: 1,
  firmwarePatch: 0, uptimeMs: 0, isReply: 0, sessionId: 5, uniqueId: 'host',
});
session.receive(enc.encode(0, MsgId.Hello, end - HEADER_BYTES));
pump.hostReady();
const frames: Uint8Array[] = [];
for (let i = 0; i < 100; i++) {
  end = writePumpSetRate(enc.raw, HEADER_BYTES, { rateMlPerH: 10 + (i % 5), leaseMs: 30000 });
  frames.push(enc.encode(1 + i, MsgId.PumpSetRate, end - HEADER_BYTES));
}
let t0 = getTime();
for (let i = 0; i < frames.length; i++) session.receive(frames[i]);
const frameUs = Math.round(((getTime() - t0) * 1e6) / frames.length);
t0 = getTime();
for (let i = 0; i < 500; i++) pump.tick();
const tickUs = Math.round(((getTime() - t0) * 1e6) / 500);
print('NODE-BENCH ' + JSON.stringify({ commandFrameUs: frameUs, controlTickUs: tickUs, ready: session.state }));
