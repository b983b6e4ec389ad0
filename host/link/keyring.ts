// The host's device keys, by device id (the uniqueId a node's Hello carries: its board serial). A keyring
// is a JSON file validated with zod; `homeostat flash --key-file` adds the key it provisions. A key file
// holds one key: 32 hexadecimal digits (128 bits), e.g. made with `openssl rand -hex 16 > pump-1.key`.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { parseConfig } from '../config/config-file.ts';

const keyHex = z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hexadecimal digits (a 128-bit key)');
const deviceId = z.string().regex(/^[\x20-\x7e]{1,32}$/, 'a device id is its board serial as its Hello says it: 1 to 32 printable ASCII characters');

export const keyringSchema = z.strictObject({
  $comment: z.string().optional(),
  devices: z.record(deviceId, z.strictObject({ key: keyHex, note: z.string().optional() })),
});

export type KeyringFile = z.infer<typeof keyringSchema>;

/** Keys by device id, for the session's handshake. */
export interface Keyring {
  keyFor(deviceId: string): Uint8Array | null;
  /** Where the keys come from, and what was wrong with it if anything: for messages. */
  describe(): string;
}

export function keyFromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** A keyring held in memory (simulation, tests). */
export function memoryKeyring(keys: Record<string, Uint8Array>, source = 'in-memory keyring'): Keyring {
  return { keyFor: (id) => keys[id] ?? null, describe: () => source };
}

/** HOMEOSTAT_KEYRING, or ~/.config/homeostat/keyring.json. */
export function defaultKeyringPath(): string {
  return process.env.HOMEOSTAT_KEYRING || join(homedir(), '.config', 'homeostat', 'keyring.json');
}

/** Reads and validates a keyring file; a missing file is an empty keyring. */
export function readKeyringFile(path: string): KeyringFile {
  if (!existsSync(path)) return { devices: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`keyring ${path}: not readable JSON (${(e as Error).message})`);
  }
  return parseConfig(`keyring ${path}`, keyringSchema, raw);
}

/**
 * The keyring in a file, read at each lookup (a handshake), so a key added by `homeostat flash` counts at
 * once. A broken file gives no key and says why in describe(): the session is refused with that text.
 */
export function fileKeyring(path: string): Keyring {
  let problem = '';
  return {
    keyFor: (id) => {
      try {
        const entry = readKeyringFile(path).devices[id];
        problem = '';
        return entry ? keyFromHex(entry.key) : null;
      } catch (e) {
        problem = (e as Error).message;
        return null;
      }
    },
    describe: () => problem || path,
  };
}

/** Reads a key file: 32 hexadecimal digits, whitespace around them allowed. */
export function readKeyFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`key file ${path}: cannot read it (${(e as Error).message}); make one with: openssl rand -hex 16 > ${path}`);
  }
  const hex = text.trim();
  if (!keyHex.safeParse(hex).success) {
    throw new Error(`key file ${path}: it must hold 32 hexadecimal digits (a 128-bit key), found ${hex.length} characters; make one with: openssl rand -hex 16`);
  }
  return hex.toLowerCase();
}

/** Adds or replaces a device's key in a keyring file (created if absent, readable by its owner only). */
export function addToKeyring(path: string, id: string, hex: string, note?: string): void {
  const file = readKeyringFile(path);
  file.devices[parseConfig('device id', deviceId, id)] = note ? { key: hex, note } : { key: hex };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Name of the device key's file in a board's Storage (read by firmware/src/link/node-link.ts). */
export const KEY_FILE = 'homeostat.key';

/**
 * The statement that provisions a key on a board, typed into its REPL: the key's 16 bytes into its
 * Storage (flash), where the firmware reads it at every boot. It never travels in protocol frames.
 */
export function keyStorageStatement(hex: string): string {
  return `require("Storage").write(${JSON.stringify(KEY_FILE)},new Uint8Array([${[...keyFromHex(hex)].join(',')}]));`;
}
