// Shape of protocols/golden/golden-vectors.json, the frozen wire examples read by firmware and host tests.
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

export interface GoldenFrame {
  name: string;
  message: string;
  seq: number;
  values: Record<string, unknown>;
  /** The whole frame as sent: COBS-encoded bytes and the 0x00 delimiter. */
  hex: string;
}

export interface GoldenBadFrame {
  name: string;
  hex: string;
  /** Which counter of the frame decoder the bytes must raise. */
  counter: 'crcErrors' | 'versionErrors' | 'oversize';
}

/** A frame of the scripted authenticated session (protocols/testing/golden-session.ts). */
export interface GoldenSessionFrame {
  name: string;
  from: 'host' | 'node';
  /** When it was sent, in the script's time (ms). */
  atMs: number;
  message: string;
  values: Record<string, unknown>;
  /** Its counter in the sender's session (null before the session: Hellos). */
  counter: number | null;
  /** The full time its trailer carries the low 16 bits of. */
  timeMs: number;
  /** What its MAC is made with: 'session key', 'device key', or 'none'. */
  mac: string;
  hex: string;
}

export interface GoldenSession {
  about: string;
  deviceKeyHex: string;
  sessionId: number;
  hostNonce: number[];
  nodeNonce: number[];
  /** HMAC-SHA256(device key, 'S' | session id | host nonce | node nonce), SPEC.md section 3.2. */
  sessionKeyHex: string;
  frames: GoldenSessionFrame[];
}

export interface GoldenFile {
  about: string;
  crc32: { ascii: string; value: string }[];
  cobs: { name: string; decodedHex: string; encodedHex: string }[];
  /** Frames without a MAC (as a bench-mode peer sends them, or a host's Hello), with trailer time 0. */
  frames: GoldenFrame[];
  session: GoldenSession;
  bad: GoldenBadFrame[];
}

export const goldenPath = fileURLToPath(new URL('./golden-vectors.json', import.meta.url));
/** The frozen vectors of protocol version 1: a version-2 peer must refuse every one of its frames. */
export const goldenV1Path = fileURLToPath(new URL('./v1/golden-vectors.json', import.meta.url));

export function loadGolden(): GoldenFile {
  return JSON.parse(readFileSync(goldenPath, 'utf8')) as GoldenFile;
}

export function loadGoldenV1(): Pick<GoldenFile, 'frames' | 'bad'> {
  return JSON.parse(readFileSync(goldenV1Path, 'utf8')) as GoldenFile;
}
