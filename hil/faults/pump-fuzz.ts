// The infusion-pump firmware (its real bundle, in the board emulator) under an attacker on its line: while
// the host holds rates with leases, the wire drops, duplicates and delays frames, replays any frame it saw
// (from earlier sessions too), tampers with them (fixing the CRC) and forges commands with rates the host
// never sends. violations() are breaches of what the pump promises: it runs only at rates the host sent,
// never past the lease the host believes in (send time + lease), and its firmware never throws. Used by a
// test (short) and by `npm run bench` (long, frames per second).
import { crc32Range } from '../../protocols/framing/crc32.ts';
import { HEADER_BYTES, TRAILER_BYTES } from '../../protocols/framing/frame-format.ts';
import { FrameDecoder, FrameEncoder } from '../../protocols/framing/framer.ts';
import { MsgId, writePumpSetRate, writePumpStop } from '../../protocols/generated/wire-codec.ts';
import type { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { seededRandom } from '../../protocols/testing/seeded-random.ts';
import type { Transport } from '../../host/transport/transport.ts';
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import { emulatedNode } from '../emulator/emulated-node.ts';

export interface PumpFuzzResult {
  /** Frames the wire delivered, both ways, attacks included. */
  frames: number;
  commands: number;
  acked: number;
  forged: number;
  replayed: number;
  violations: string[];
}

/** Rates the attacker forges: never among those the host sends (whole numbers of mL/h below 100). */
const FORGED_RATES = [0.5, 7.25, 99.5, 150.75, 555.5];

/** Re-encodes a decoded frame with one byte changed and a good CRC: it passes the CRC, not the MAC. */
function tampered(frame: Uint8Array, at: number, bits: number): Uint8Array | null {
  let out: Uint8Array | null = null;
  new FrameDecoder(crc32Range, 2, (seq, id, buf, s, e) => {
    const enc = new FrameEncoder(crc32Range, 2);
    enc.raw.set(buf.subarray(s, e), HEADER_BYTES);
    enc.raw[HEADER_BYTES + (at % (e - s))] ^= bits;
    out = enc.encode(seq, id, e - s);
  }).push(frame);
  return out;
}

export async function pumpFuzz(seed: number, simulatedMs: number): Promise<PumpFuzzResult> {
  const rnd = seededRandom(seed);
  let clock: VirtualClock | null = null;
  const seen: { toBoard: boolean; f: Uint8Array }[] = [];
  let frames = 0;
  let replayed = 0;
  let forged = 0;
  // Every frame either way passes the attacker, which also injects its own.
  let toBoard: ((b: Uint8Array) => void) | null = null;
  let toHost: ((b: Uint8Array) => void) | null = null;
  const pass = (board: boolean, f: Uint8Array) => {
    const deliver = () => {
      frames++;
      if (board) toBoard!(f);
      else toHost!(f);
    };
    const p = rnd();
    if (p < 0.05) return; // dropped
    if (p < 0.1) clock!.after(50 + rnd() * 3000, deliver); // held back, then let go
    else deliver();
    if (rnd() < 0.05) deliver(); // duplicated
  };
  const wire = (t: Transport): Transport => {
    toBoard = (b) => t.write(b);
    return {
      write: (b) => {
        const copy = Uint8Array.from(b);
        seen.push({ toBoard: true, f: copy });
        pass(true, copy);
      },
      onBytes: (h) => {
        toHost = h;
        t.onBytes((b) => {
          const copy = Uint8Array.from(b);
          seen.push({ toBoard: false, f: copy });
          pass(false, copy);
        });
      },
      close: () => t.close(),
    };
  };
  const n = await emulatedNode('infusion-pump', 'pico', { startHost: false, wrapTransport: wire });
  clock = n.clock;
  const cfg = n.boardConfig.nodes['infusion-pump'] as PumpBoardConfig;
  const m = cfg.mechanism;
  const mlPerStep = (Math.PI * (m.syringeInnerDiameterMm / 2) ** 2 * m.leadscrewPitchMm) / (m.stepsPerRev * m.microsteps) / 1000;
  const sends: { rateMlPerH: number; sentMs: number; leaseMs: number }[] = [];
  const violations: string[] = [];
  let commands = 0;
  let acked = 0;
  n.host.start();

  // The host: now and then a new rate (a whole number of mL/h, at most 20 above the last) with a short lease.
  let rate = 0;
  const command = () => {
    rate = Math.max(0, Math.min(90, rate + Math.floor(rnd() * 41) - 20));
    const leaseMs = 300 + Math.floor(rnd() * 2700);
    const sent = { rateMlPerH: rate, sentMs: n.clock.now(), leaseMs };
    sends.push(sent);
    commands++;
    n.host.sendCommand(MsgId.PumpSetRate, writePumpSetRate, { rateMlPerH: rate, leaseMs }, (r) => {
      if (r === 0) acked++;
    });
  };
  // The attacker's own frames: replays, tampered copies, forgeries with a good CRC and any tag.
  const attack = () => {
    const p = rnd();
    if (p < 0.4 && seen.length) {
      const s = seen[Math.floor(rnd() * seen.length)];
      replayed++;
      frames++;
      (s.toBoard ? toBoard! : toHost!)(s.f);
    } else if (p < 0.7 && seen.length) {
      const s = seen[Math.floor(rnd() * seen.length)];
      const t = tampered(s.f, Math.floor(rnd() * 1000), 1 + Math.floor(rnd() * 255));
      if (t) {
        frames++;
        (s.toBoard ? toBoard! : toHost!)(t);
      }
    } else {
      const enc = new FrameEncoder(crc32Range, 2);
      const stop = rnd() < 0.2;
      const end = stop
        ? writePumpStop(enc.raw, HEADER_BYTES, {})
        : writePumpSetRate(enc.raw, HEADER_BYTES, { rateMlPerH: FORGED_RATES[Math.floor(rnd() * FORGED_RATES.length)], leaseMs: 3_600_000 });
      for (let i = end; i < end + TRAILER_BYTES; i++) enc.raw[i] = Math.floor(rnd() * 256);
      forged++;
      frames++;
      toBoard!(enc.encode(Math.floor(rnd() * 256), stop ? MsgId.PumpStop : MsgId.PumpSetRate, end + TRAILER_BYTES - HEADER_BYTES));
    }
  };
  const end = n.clock.now() + simulatedMs;
  while (n.clock.now() < end) {
    if (n.host.ready && rnd() < 0.05) command();
    if (rnd() < 0.3) attack();
    n.clock.advance(10);
    // What the pump does now, against what the host sent.
    const pin = n.board.pin(cfg.pins.step);
    if (pin.pwmHz > 0) {
      const running = pin.pwmHz * 3600 * mlPerStep;
      const now = n.clock.now();
      const by = sends.filter((s) => Math.abs(s.rateMlPerH - running) < 1e-6);
      if (by.length === 0) violations.push(`at ${now} ms the pump runs at ${running} mL/h, which the host never sent`);
      else if (!by.some((s) => now <= s.sentMs + s.leaseMs)) violations.push(`at ${now} ms the pump runs at ${running} mL/h past every lease the host gave it`);
    }
    if (n.board.errors.length) violations.push(...n.board.errors.splice(0));
    if (violations.length > 20) break;
    // Keep the memory of the wire bounded on long runs.
    if (seen.length > 4000) seen.splice(0, 2000);
  }
  n.host.stop();
  return { frames, commands, acked, forged, replayed, violations };
}
