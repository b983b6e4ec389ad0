// Adds a golden vector for every message that has none yet, encoded by the current codec. Existing vectors
// are never rewritten: they are the frozen reference both firmware and host tests decode. Run it after
// adding a message, and review the new lines by hand (SPEC.md gives the layout to check them against).
import { readFileSync, writeFileSync } from 'node:fs';
import { messages } from '../catalogue/messages.ts';
import type { MessageName } from '../host/host-codec.ts';
import { HostFrameCodec } from '../host/host-codec.ts';
import type { GoldenFile } from '../golden/golden-file.ts';
import { goldenPath } from '../golden/golden-file.ts';

/** A readable example of each message, at values a device would really send. */
const examples: Record<string, Record<string, unknown>> = {
  Hello: {
    protocolVersion: 1, layoutHash: 0x12345678, nodeRole: 2, boardId: 2, firmwareMajor: 0, firmwareMinor: 1,
    firmwarePatch: 0, uptimeMs: 1234, isReply: 1, sessionId: 0xcafe0001, uniqueId: '33004a00-0b51363036383338',
  },
  Heartbeat: { uptimeMs: 60000 },
  Ack: { ackedSeq: 7, ackedMsgId: 0x20 },
  Nack: { ackedSeq: 8, ackedMsgId: 0x20, reason: 5, fieldIndex: 0 },
  LinkStatus: { framesRx: 1000, framesTx: 990, crcErrors: 2, resyncs: 1, oversize: 0, drops: 3, retransmits: 1, duplicates: 1 },
  Alarm: { tMs: 90000, code: 301, priority: 3, state: 1 },
  PressureBeat: { tMs: 123456, systolicMmHg: 121.5, diastolicMmHg: 78.2, meanMmHg: 92.6, heartRateBpm: 72.3, quality: 0 },
  PressureWaveform: { tMs: 200000, samplePeriodUs: 10000, samplesMmHg: [80.1, 85.5, 102.3, 119.9, 110.2, 95] },
  PressureWaveformRequest: { sampleCount: 500 },
  PumpSetRate: { rateMlPerH: 12.5, leaseMs: 30000 },
  PumpStop: {},
  PumpStatus: { tMs: 300000, state: 1, rateMlPerH: 12.5, commandedRateMlPerH: 12.5, deliveredMl: 1.042, leaseRemainingMs: 25000, alarms: 0 },
  StimSetAmplitude: { amplitudeMa: 1.5, leaseMs: 2000 },
  StimStatus: { tMs: 5000, state: 1, amplitudeMa: 1.2, targetAmplitudeMa: 1.5, leaseRemainingMs: 1500, alarms: 2 },
  BetaPower: { tMs: 5020, betaPowerUv2: 3.25, windowMs: 250 },
  PatientSetWaveform: { systolicMmHg: 118, diastolicMmHg: 72.5, heartRateBpm: 68 },
  PatientStatus: { tMs: 61000, stepCount: 14400, systolicMmHg: 118, diastolicMmHg: 72.5, heartRateBpm: 68 },
};

const file = JSON.parse(readFileSync(goldenPath, 'utf8')) as GoldenFile;
const codec = new HostFrameCodec();
let added = 0;
for (const m of messages) {
  if (file.frames.some((v) => v.message === m.name)) continue;
  const values = examples[m.name];
  if (!values) throw new Error(`no example values for ${m.name}: add them to tools/add-golden-vectors.ts`);
  const seq = (m.id * 7) & 0xff;
  const frame = codec.encodeFrame(seq, m.name as MessageName, values as never);
  file.frames.push({ name: `${m.name} example`, message: m.name, seq, values, hex: Buffer.from(frame).toString('hex') });
  added++;
}
writeFileSync(goldenPath, JSON.stringify(file, null, 2) + '\n');
console.log(`added ${added} golden vector(s)`);
