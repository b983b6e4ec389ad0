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

export interface GoldenFile {
  about: string;
  crc32: { ascii: string; value: string }[];
  cobs: { name: string; decodedHex: string; encodedHex: string }[];
  frames: GoldenFrame[];
  bad: GoldenBadFrame[];
}

export const goldenPath = fileURLToPath(new URL('./golden-vectors.json', import.meta.url));

export function loadGolden(): GoldenFile {
  return JSON.parse(readFileSync(goldenPath, 'utf8')) as GoldenFile;
}
