// Host-link figures for `npm run bench`: command -> Ack round trip over a pseudo-terminal (PIL pump), now
// and as protocol version 1 measured it (pil-round-trip-v1.json), sustained telemetry at 115200 baud as a
// share of the line, host CPU per device at 100 authenticated frames/s, and so how many such devices one
// host process can serve; and a long run of the pump firmware under an attacker on its line.
import { performance } from 'node:perf_hooks';
import { SystemClock } from '../../host/clock/system-clock.ts';
import { InfusionPump } from '../../host/devices/infusion-pump.ts';
import { DeviceLink } from '../../host/link/device-link.ts';
import { SerialTransport } from '../../host/transport/serial-transport.ts';
import { readFileSync } from 'node:fs';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { crc32Range } from '../../protocols/framing/crc32.ts';
import { MsgId, NodeRole, isCommandId, writePressureBeat } from '../../protocols/generated/wire-codec.ts';
import { ResponderSession } from '../../protocols/session/responder-session.ts';
import { LINK_TIMINGS } from '../../protocols/session/session-config.ts';
import { PressureSensor } from '../../host/devices/pressure-sensor.ts';
import { nodeSha256 } from '../../host/link/host-session.ts';
import { keyFromHex } from '../../host/link/keyring.ts';
import { startPilBoard } from '../pil/pil-rig.ts';
import { SIM_KEYRING, simKeyHex } from '../emulator/sim-keys.ts';
import { pumpFuzz } from '../faults/pump-fuzz.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LINE_BYTES_PER_S = 11520; // 115200 baud, 8N1

async function connect(path: string): Promise<DeviceLink> {
  const link = new DeviceLink({ name: path, open: () => SerialTransport.open(path, 115200), clock: new SystemClock(), keyring: SIM_KEYRING });
  link.start();
  for (let i = 0; i < 500 && !link.ready; i++) await sleep(10);
  if (!link.ready) throw new Error(`no session on ${path}: ${link.lastProblem}`);
  return link;
}

async function roundTrip() {
  const board = await startPilBoard('infusion-pump', 'pico');
  try {
    const link = await connect(board.path);
    const pump = new InfusionPump(link, new SystemClock());
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      await pump.setRate(10 + (i % 20), 30_000);
      times.push(performance.now() - t0);
    }
    await pump.stop();
    link.close();
    times.sort((a, b) => a - b);
    const min = times[0];
    // PumpSetRate frame 25 bytes out, Ack 19 bytes back (version 2: 8 bytes of trailer each), at 10 bit times a byte.
    const wireMs = ((25 + 19) * 1000) / LINE_BYTES_PER_S;
    const median = times[Math.floor(times.length / 2)];
    const p90 = times[Math.floor(times.length * 0.9) - 1];
    const p99 = times[Math.floor(times.length * 0.99) - 1];
    const before = JSON.parse(readFileSync(new URL('./pil-round-trip-v1.json', import.meta.url), 'utf8')) as { commit: string; runs: unknown[]; interleaved: unknown[] };
    return {
      commands: times.length, wireMs: Number(wireMs.toFixed(2)), minMs: Number(min.toFixed(2)), medianMs: Number(median.toFixed(2)), p90Ms: Number(p90.toFixed(2)), p99Ms: Number(p99.toFixed(2)),
      p99BeyondWireMs: Number((p99 - wireMs).toFixed(2)), goalP99BeyondWireMs: 10,
      beforeProtocolVersion2: { commit: before.commit, runs: before.runs, interleavedWithVersion2: before.interleaved },
      note: 'PIL: firmware in an emulator process (1 ms clock steps) behind a socat pseudo-terminal; version 2 adds a MAC check and a signed answer on each side',
    };
  } finally {
    board.stop();
  }
}

async function sustainedTelemetry() {
  const board = await startPilBoard('telemetry-flood', 'pico');
  try {
    const link = await connect(board.path);
    const sensor = new PressureSensor(link);
    let frames = 0;
    sensor.onWaveform(() => frames++);
    await sleep(500);
    const before = link.session.counters.framesRx;
    const t0 = performance.now();
    frames = 0;
    await sleep(3000);
    const seconds = (performance.now() - t0) / 1000;
    const got = link.session.counters.framesRx - before;
    link.close();
    // A 100-sample PressureWaveform frame: 210-byte payload + 17 bytes of framing (8 of them the trailer).
    const frameBytes = 227;
    const bytesPerS = (frames * frameBytes) / seconds;
    return {
      framesPerS: Number((frames / seconds).toFixed(1)), framesCountedBySession: got, bytesPerS: Math.round(bytesPerS),
      shareOfLine: Number((bytesPerS / LINE_BYTES_PER_S).toFixed(3)), payloadShareOfLine: Number(((frames * 210) / seconds / LINE_BYTES_PER_S).toFixed(3)),
      goalShare: 0.9,
    };
  } finally {
    board.stop();
  }
}

/**
 * Host CPU to take in one device's PressureBeat frames (session with its MAC check, decode, range check,
 * proxy), measured per frame. A node session in the same process makes the authenticated frames first.
 */
async function cpuPerDevice() {
  const clock = new VirtualClock();
  let feed: ((b: Uint8Array) => void) | null = null;
  let node: ResponderSession | null = null;
  const link = new DeviceLink({
    name: 'bench', clock, sessionIdSeed: 41, keyring: SIM_KEYRING,
    open: async () => ({ write: (b) => node!.receive(b), onBytes: (h) => (feed = h), close: () => undefined }),
  });
  const sensor = new PressureSensor(link);
  let beats = 0;
  sensor.onBeat(() => beats++);
  const frames: Uint8Array[] = [];
  let recording = false;
  node = new ResponderSession(
    {
      clock, crc: crc32Range, sha256: nodeSha256, timings: LINK_TIMINGS, isCommand: isCommandId, bench: false,
      deviceKey: keyFromHex(simKeyHex('bench-sensor')), random: () => 7,
      identity: { nodeRole: NodeRole.BpSensor, boardId: 6, firmwareMajor: 0, firmwareMinor: 1, firmwarePatch: 0, uniqueId: 'bench-sensor' },
    },
    { output: (b) => (recording ? frames.push(Uint8Array.from(b)) : feed && feed(Uint8Array.from(b))), command: () => 0 },
  );
  node.start();
  link.start();
  for (let i = 0; i < 500 && !(link.ready && node.state === 'ready'); i++) {
    await new Promise((r) => setImmediate(r));
    clock.advance(10);
  }
  if (!link.ready || node.state !== 'ready') throw new Error(`the bench session did not come up: ${link.state} ${link.lastProblem}`);
  // 220,000 frames of one session (each frame can be taken once: a replay is dropped).
  recording = true;
  const n = 200_000;
  for (let i = 0; i < n + 20_000; i++) {
    node.send(MsgId.PressureBeat, writePressureBeat, { tMs: i, systolicMmHg: 120, diastolicMmHg: 80, meanMmHg: 93, heartRateBpm: 72, quality: 0 });
  }
  for (let i = 0; i < 20_000; i++) feed!(frames[i]);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 20_000; i < n + 20_000; i++) feed!(frames[i]);
  const cpu = process.cpuUsage(c0);
  const wallMs = performance.now() - t0;
  const usPerFrame = Math.min(cpu.user + cpu.system, wallMs * 1000) / n;
  const sharePerDevice = (100 * usPerFrame) / 1e6;
  return {
    authenticated: link.session.authenticated, usPerFrame: Number(usPerFrame.toFixed(2)), cpuShareOfOneCoreAt100FramesPerS: Number(sharePerDevice.toFixed(5)),
    devicesPerCoreAt100FramesPerS: Math.floor(1 / sharePerDevice), beatsDelivered: beats,
  };
}

/** The pump firmware under an attacker (hil/faults/pump-fuzz.ts), for many seeds: frames per second and violations. */
async function pumpUnderAttack(seeds: number, simulatedMsEach: number) {
  let frames = 0;
  let commands = 0;
  let acked = 0;
  let forged = 0;
  let replayed = 0;
  const found: string[] = [];
  const t0 = performance.now();
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await pumpFuzz(seed, simulatedMsEach);
    frames += r.frames;
    commands += r.commands;
    acked += r.acked;
    forged += r.forged;
    replayed += r.replayed;
    for (const v of r.violations) found.push(`seed ${seed}: ${v}`);
  }
  const s = (performance.now() - t0) / 1000;
  return {
    seeds, simulatedMinutes: Math.round((seeds * simulatedMsEach) / 60_000), frames, commands, acked, forged, replayed,
    seconds: Number(s.toFixed(1)), framesPerSecond: Math.round(frames / s), violations: found.length, firstViolations: found.slice(0, 5),
    note: 'the pump bundle in the board emulator on virtual time; frames per wall-clock second',
  };
}

export async function linkBench() {
  return {
    commandRoundTrip: await roundTrip(), sustainedTelemetry: await sustainedTelemetry(), hostCpuPerDevice: await cpuPerDevice(),
    pumpFirmwareUnderAttack: await pumpUnderAttack(40, 300_000),
  };
}
