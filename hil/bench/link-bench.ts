// Host-link figures for `npm run bench`: command -> Ack round trip over a pseudo-terminal (PIL pump),
// sustained telemetry at 115200 baud as a share of the line, host CPU per device at 100 frames/s, and so
// how many such devices one host process can serve.
import { performance } from 'node:perf_hooks';
import { SystemClock } from '../../host/clock/system-clock.ts';
import { InfusionPump } from '../../host/devices/infusion-pump.ts';
import { DeviceLink } from '../../host/link/device-link.ts';
import { SerialTransport } from '../../host/transport/serial-transport.ts';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { crc32Range } from '../../protocols/framing/crc32.ts';
import { HEADER_BYTES } from '../../protocols/framing/frame-format.ts';
import { FrameEncoder } from '../../protocols/framing/framer.ts';
import { LAYOUT_HASH, MsgId, PROTOCOL_VERSION, writeHello, writePressureBeat } from '../../protocols/generated/wire-codec.ts';
import { PressureSensor } from '../../host/devices/pressure-sensor.ts';
import { startPilBoard } from '../pil/pil-rig.ts';
import { SIM_KEYRING } from '../emulator/sim-keys.ts';

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
    // PumpSetRate frame 17 bytes out, Ack 11 bytes back, at 10 bit times a byte.
    const wireMs = ((17 + 11) * 1000) / LINE_BYTES_PER_S;
    const median = times[Math.floor(times.length / 2)];
    const p99 = times[Math.floor(times.length * 0.99) - 1];
    return {
      commands: times.length, wireMs: Number(wireMs.toFixed(2)), medianMs: Number(median.toFixed(2)), p99Ms: Number(p99.toFixed(2)),
      p99BeyondWireMs: Number((p99 - wireMs).toFixed(2)), goalP99BeyondWireMs: 10,
      note: 'PIL: firmware in an emulator process (1 ms clock steps) behind a socat pseudo-terminal',
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
    const before = link.session.counters().framesRx;
    const t0 = performance.now();
    frames = 0;
    await sleep(3000);
    const seconds = (performance.now() - t0) / 1000;
    const got = link.session.counters().framesRx - before;
    link.close();
    // A 100-sample PressureWaveform frame: 210-byte payload + 9 bytes of framing.
    const frameBytes = 219;
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

/** Host CPU to take in one device's PressureBeat frames (session, decode, proxy), measured per frame. */
function cpuPerDevice() {
  const clock = new VirtualClock();
  let feed: ((b: Uint8Array) => void) | null = null;
  const link = new DeviceLink({
    name: 'bench', clock, sessionIdSeed: 41,
    open: async () => ({ write: () => undefined, onBytes: (h) => (feed = h), close: () => undefined }),
  });
  const sensor = new PressureSensor(link);
  let beats = 0;
  sensor.onBeat(() => beats++);
  link.start();
  return new Promise<Record<string, number>>((resolve) => {
    setImmediate(() => {
      const enc = new FrameEncoder(crc32Range, PROTOCOL_VERSION);
      let end = writeHello(enc.raw, HEADER_BYTES, {
        protocolVersion: PROTOCOL_VERSION, layoutHash: LAYOUT_HASH, nodeRole: 1, boardId: 6, firmwareMajor: 0, firmwareMinor: 1,
        firmwarePatch: 0, uptimeMs: 1, isReply: 1, sessionId: 42, uniqueId: 'bench',
      });
      feed!(enc.encode(0, MsgId.Hello, end - HEADER_BYTES));
      const frames: Uint8Array[] = [];
      for (let i = 0; i < 256; i++) {
        end = writePressureBeat(enc.raw, HEADER_BYTES, { tMs: i, systolicMmHg: 120, diastolicMmHg: 80, meanMmHg: 93, heartRateBpm: 72, quality: 0 });
        frames.push(enc.encode(1 + i, MsgId.PressureBeat, end - HEADER_BYTES));
      }
      const n = 200_000;
      for (let i = 0; i < 20_000; i++) feed!(frames[i & 255]);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < n; i++) feed!(frames[i & 255]);
      const cpuUs = (process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1;
      const wallMs = performance.now() - t0;
      const usPerFrame = Math.min(cpuUs, wallMs * 1000) / n;
      const sharePerDevice = (100 * usPerFrame) / 1e6;
      resolve({
        usPerFrame: Number(usPerFrame.toFixed(2)), cpuShareOfOneCoreAt100FramesPerS: Number(sharePerDevice.toFixed(5)),
        devicesPerCoreAt100FramesPerS: Math.floor(1 / sharePerDevice), beatsDelivered: beats,
      });
    });
  });
}

export async function linkBench() {
  return { commandRoundTrip: await roundTrip(), sustainedTelemetry: await sustainedTelemetry(), hostCpuPerDevice: await cpuPerDevice() };
}
