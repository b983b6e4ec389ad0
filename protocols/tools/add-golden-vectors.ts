// Writes the golden vectors that are missing, encoded by the current code. Existing vectors are never
// rewritten: they are the frozen reference both firmware and host tests decode. Run it after adding a
// message, and review the new lines by hand (SPEC.md gives the layouts and the MAC to check them with).
//   - frames: one frame without a MAC (trailer time 0, zero tag) of each message;
//   - session: the scripted authenticated session (protocols/testing/golden-session.ts), annotated;
//   - crc32, cobs, bad: checks of the framing alone.
import { createHash, createHmac } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { crc32Range } from '../framing/crc32.ts';
import { FrameEncoder } from '../framing/framer.ts';
import { HEADER_BYTES } from '../framing/frame-format.ts';
import { messages } from '../catalogue/messages.ts';
import type { MessageName } from '../host/host-codec.ts';
import { HostFrameCodec } from '../host/host-codec.ts';
import type { GoldenFile, GoldenSession } from '../golden/golden-file.ts';
import { goldenPath, loadGoldenV1 } from '../golden/golden-file.ts';
import { GOLDEN_SESSION, runGoldenSession } from '../testing/golden-session.ts';

/** A readable example of each message, at values a device would really send. */
const examples: Record<string, Record<string, unknown>> = {
  Hello: {
    protocolVersion: 2, layoutHash: 0x12345678, nodeRole: 2, boardId: 2, firmwareMajor: 0, firmwareMinor: 1,
    firmwarePatch: 0, uptimeMs: 1234, isReply: 1, sessionId: 0xcafe0001, uniqueId: '33004a00-0b51363036383338',
    nonceLow: 0x01020304, nonceHigh: 0x05060708, authMode: 1,
  },
  Heartbeat: { uptimeMs: 60000 },
  Ack: { ackedSeq: 7, ackedMsgId: 0x20, appliedLeaseMs: 30000 },
  Nack: { ackedSeq: 8, ackedMsgId: 0x20, reason: 5, fieldIndex: 0 },
  LinkStatus: {
    framesRx: 1000, framesTx: 990, crcErrors: 2, resyncs: 1, oversize: 0, drops: 3, retransmits: 1, duplicates: 1,
    versionErrors: 0, authErrors: 4, replays: 2, stale: 1,
  },
  Alarm: { tMs: 90000, code: 301, priority: 3, state: 1 },
  PressureBeat: { tMs: 123456, systolicMmHg: 121.5, diastolicMmHg: 78.2, meanMmHg: 92.6, heartRateBpm: 72.3, quality: 0 },
  PressureWaveform: { tMs: 200000, samplePeriodUs: 10000, samplesMmHg: [80.1, 85.5, 102.3, 119.9, 110.2, 95] },
  PressureWaveformRequest: { sampleCount: 500 },
  PumpSetRate: { rateMlPerH: 12.5, leaseMs: 30000 },
  PumpStop: {},
  PumpStatus: { tMs: 300000, state: 1, rateMlPerH: 12.5, commandedRateMlPerH: 12.5, deliveredMl: 1.042, leaseRemainingMs: 25000, alarms: 0 },
  PumpLimits: {
    maxRateMlPerH: 600, maxRateChangeMlPerH: 100, rateChangeWindowMs: 5000, safeRateMlPerH: 0, maxLeaseMs: 1800000,
    controlTickMs: 100, statusEveryMs: 1000, obeyUnauthenticatedStop: 1,
  },
  StimSetAmplitude: { amplitudeMa: 1.5, leaseMs: 2000 },
  StimStatus: { tMs: 5000, state: 1, amplitudeMa: 1.2, targetAmplitudeMa: 1.5, leaseRemainingMs: 1500, alarms: 2 },
  BetaPower: { tMs: 5020, betaPowerUv2: 3.25, windowMs: 250 },
};

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const nodeSha = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

function goldenSession(): GoldenSession {
  const frames = runGoldenSession(nodeSha, crc32Range, { host: true, node: true }, []);
  const key = Buffer.from(GOLDEN_SESSION.deviceKeyHex, 'hex');
  const sessionId = (GOLDEN_SESSION.hostSessionIdSeed + 1) >>> 0;
  const [hl, hh] = GOLDEN_SESSION.hostNonce;
  const [nl, nh] = GOLDEN_SESSION.nodeNonce;
  const sessionKey = createHmac('sha256', key).update(Buffer.concat([Buffer.of(0x53), u32(sessionId), u32(hl), u32(hh), u32(nl), u32(nh)])).digest();
  const codec = new HostFrameCodec();
  const opened = { host: false, node: false };
  return {
    about: 'A host and a node with this device key and these nonces open a session (the node answers the Hello with its ' +
      'nonce and a MAC under the device key; the host\'s first frame under the session key commits the node), then the host ' +
      'sends PumpSetRate and PumpStop and the node a PumpStatus. Each side, replayed against the other side\'s frames at the ' +
      'times given (plus 2 ms on the line), must send these bytes. Counters count each side\'s frames from 0 at the session\'s ' +
      'start; the time of a host frame is its estimate of the node\'s uptime.',
    deviceKeyHex: GOLDEN_SESSION.deviceKeyHex,
    sessionId,
    hostNonce: GOLDEN_SESSION.hostNonce,
    nodeNonce: GOLDEN_SESSION.nodeNonce,
    sessionKeyHex: hex(sessionKey),
    frames: frames.map((f) => {
      const m = codec.push(f.bytes).messages[0];
      const isHello = m.name === 'Hello';
      const inSession = !isHello && opened[f.from];
      if (isHello && f.from === 'node' && (m.values as { isReply: number }).isReply === 1) opened.node = true;
      if (!isHello && f.from === 'host') opened.host = true;
      const reply = isHello && f.from === 'node' && (m.values as { isReply: number }).isReply === 1;
      return {
        name: `${f.from} ${m.name}${reply ? ' reply' : ''}`,
        from: f.from,
        atMs: f.atMs,
        message: m.name,
        values: m.values as Record<string, unknown>,
        counter: isHello ? null : m.seq,
        timeMs: m.trailer.time16,
        mac: isHello ? (reply ? 'device key' : 'none') : inSession || !isHello ? 'session key' : 'none',
        hex: hex(f.bytes),
      };
    }),
  };
}

function badFrames(): GoldenFile['bad'] {
  const codec = new HostFrameCodec();
  const good = codec.encodeFrame(0xe0, 'PumpSetRate', { rateMlPerH: 12.5, leaseMs: 30000 });
  const flipped = Uint8Array.from(good);
  flipped[5] ^= 0x10;
  const cut = Uint8Array.from([...good.subarray(0, good.length - 5), 0]);
  const v3 = new FrameEncoder(crc32Range, 3);
  v3.raw.set(good.subarray(0, 0));
  const end = HEADER_BYTES + 8;
  v3.raw.set([0xd4, 0x30, 0, 0, 0x30, 0x75, 0, 0], HEADER_BYTES);
  const v1 = loadGoldenV1().frames.find((f) => f.message === 'Hello')!;
  return [
    { name: 'PumpSetRate with one payload bit flipped', hex: hex(flipped), counter: 'crcErrors' },
    { name: 'PumpSetRate with its CRC cut off', hex: hex(cut), counter: 'crcErrors' },
    { name: 'too short to hold header and CRC', hex: '03010200', counter: 'crcErrors' },
    { name: 'invalid COBS: code runs past the frame end', hex: '0911223300', counter: 'crcErrors' },
    { name: 'valid CRC but protocol version 3', hex: hex(v3.encode(1, 0x20, end - HEADER_BYTES + 8)), counter: 'versionErrors' },
    { name: 'a Hello of protocol version 1', hex: v1.hex, counter: 'versionErrors' },
    { name: '300 bytes without a delimiter', hex: '41'.repeat(300) + '00', counter: 'oversize' },
  ];
}

const v1 = JSON.parse(readFileSync(new URL('../golden/v1/golden-vectors.json', import.meta.url), 'utf8')) as GoldenFile;
const file: GoldenFile = existsSync(goldenPath)
  ? (JSON.parse(readFileSync(goldenPath, 'utf8')) as GoldenFile)
  : {
    about: 'Golden vectors of the homeostat wire protocol, version 2 (SPEC.md). Frames are frozen: never edit one; add new ones ' +
      'with `npx tsx protocols/tools/add-golden-vectors.ts`. Host and firmware codecs must decode every frame of `frames` to its ' +
      'values and encode the values to the same bytes; each side of `session` replayed must send its frames byte for byte, and ' +
      'every MAC must check with the key named; every bad frame must be dropped and counted.',
    crc32: v1.crc32, cobs: v1.cobs, frames: [], session: undefined as unknown as GoldenSession, bad: [],
  };
const codec = new HostFrameCodec();
let added = 0;
for (const m of messages) {
  if (file.frames.some((v) => v.message === m.name)) continue;
  const values = examples[m.name];
  if (!values) throw new Error(`no example values for ${m.name}: add them to tools/add-golden-vectors.ts`);
  const seq = (m.id * 7) & 0xff;
  const frame = codec.encodeFrame(seq, m.name as MessageName, values as never);
  file.frames.push({ name: `${m.name} example`, message: m.name, seq, values, hex: hex(frame) });
  added++;
}
if (!file.session) {
  file.session = goldenSession();
  added += file.session.frames.length;
}
if (file.bad.length === 0) {
  file.bad = badFrames();
  added += file.bad.length;
}
writeFileSync(goldenPath, JSON.stringify(file, null, 2) + '\n');
console.log(`added ${added} golden vector(s)`);
