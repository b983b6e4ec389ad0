// Runs on the real Espruino interpreter: what the pump node costs per received command frame (framing,
// session with its MAC checks, codec, limits, the signed answer) and per control tick, timed with
// getTime(). A host session in the same interpreter sends the commands; only the node's part is timed
// (protocols/bench measures the MAC's share). Prints one JSON line.
import { MsgId, NodeRole, isCommandId, readPumpSetRate, writePumpSetRate } from '../../protocols/generated/wire-codec.ts';
import { InitiatorSession } from '../../protocols/session/initiator-session.ts';
import { ResponderSession } from '../../protocols/session/responder-session.ts';
import { DEFAULT_TIMINGS } from '../../protocols/session/default-timings.ts';
import { LINK_TIMINGS } from '../../protocols/session/session-config.ts';
import { PumpCore } from '../src/nodes/infusion-pump/pump-core.ts';
import { pumpBuildNode } from '../src/nodes/infusion-pump/syringe-geometry.ts';
import type { Hal, Pins } from '../src/hal/hal.ts';
import { espruinoClock, espruinoCrc, exchangeFrames, nativeSha256 } from '../../protocols/testing/espruino/espruino-edges.ts';

declare const print: (line: string) => void;
declare function getTime(): number;

const sha = nativeSha256;
const clock = espruinoClock;
const crc = espruinoCrc;
const hal: Hal = {
  clock,
  uart: { write: () => undefined, onData: () => undefined },
  watchdogStart: () => undefined,
  watchdogKick: () => undefined,
  serial: () => 'bench',
  crc32: crc,
  storageRead: () => undefined,
  random32: () => 7,
};
const pins: Pins = { analogRead: () => 0.1, digitalRead: () => false, digitalWrite: () => undefined, stepOut: () => undefined };
const key = new Uint8Array(16).fill(9);
const identity = (nodeRole: number) => ({ nodeRole, boardId: 5, firmwareMajor: 0, firmwareMinor: 1, firmwarePatch: 0, uniqueId: 'bench' });

/** A host and a pump node joined directly: the node's time per command, us, and the pump's per tick. */
function run(bench: boolean, commands: number): { commandFrameUs: number; acked: number; controlTickUs: number } {
  const pump = new PumpCore(hal, pins, pumpBuildNode({
    pins: { step: 'D3', dir: 'D4', enable: 'D5', force: 'D1', endStop: 'D6', plunger: 'D2', airInLine: 'D11' },
    mechanism: { syringeInnerDiameterMm: 26.6, syringeVolumeMl: 50, leadscrewPitchMm: 0.8, stepsPerRev: 200, microsteps: 16 },
    limits: {
      maxRateMlPerH: 600, maxRateChangeMlPerH: 100, rateChangeWindowMs: 5000, safeRateMlPerH: 0, maxLapseRateMlPerH: 150, maxLeaseMs: 1800000,
      occlusionForceFraction: 0.6, occlusionHoldMs: 2000, nearEmptyMl: 2, obeyUnauthenticatedStop: true,
    },
    controlTickMs: 100,
    statusEveryMs: 1000,
  }), { status: () => undefined, alarm: () => undefined });
  let nodeUs = 0;
  // Frames wait in a queue each way and are handed over outside the timed part, so only the node's own
  // work (decode, verify, execute, sign the answer) is timed.
  const toNode: Uint8Array[] = [];
  const toHost: Uint8Array[] = [];
  const node: ResponderSession = new ResponderSession(
    {
      clock, crc, sha256: bench ? null : sha, timings: LINK_TIMINGS, isCommand: isCommandId, identity: identity(2),
      deviceKey: bench ? null : key, bench, random: () => 12345,
    },
    {
      output: (b) => toHost.push(b),
      command: (_id, buf, s, e, sentMs) => {
        const m = readPumpSetRate(buf, s, e);
        return m ? pump.setRate(m.rateMlPerH, m.leaseMs, sentMs, m.lapseRateMlPerH || 0) : 1;
      },
      ready: () => pump.hostReady(),
    },
  );
  const host = new InitiatorSession(
    {
      clock, crc, sha256: sha, timings: DEFAULT_TIMINGS, sessionIdSeed: 5, identity: identity(NodeRole.Host),
      random: () => 99, keyFor: () => (bench ? null : key),
    },
    { output: (b) => toNode.push(b) },
  );
  const exchange = () => exchangeFrames(toNode, toHost, node, host, (us) => (nodeUs += us));
  node.start();
  host.start();
  exchange();
  nodeUs = 0;
  let acked = 0;
  for (let i = 0; i < commands; i++) {
    host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: 10 + (i % 5), leaseMs: 30000 }, (r) => {
      if (r === 0) acked++;
    });
    exchange();
  }
  const commandFrameUs = Math.round(nodeUs / commands);
  const t0 = getTime();
  for (let i = 0; i < 500; i++) pump.tick();
  const controlTickUs = Math.round(((getTime() - t0) * 1e6) / 500);
  host.stop();
  node.stop();
  return { commandFrameUs, acked, controlTickUs };
}

const authenticated = run(false, 100);
print('NODE-BENCH ' + JSON.stringify({ commandFrameUs: authenticated.commandFrameUs, controlTickUs: authenticated.controlTickUs, acked: authenticated.acked }));
