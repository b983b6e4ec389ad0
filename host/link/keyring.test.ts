import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addToKeyring, fileKeyring, readKeyFile, readKeyringFile } from './keyring.ts';

const KEY = '00112233445566778899aabbccddeeff';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'keyring-'));
}

describe('host keyring', () => {
  it('keeps keys by device id in a file only its owner can read, and hands them to the handshake', () => {
    const path = join(dir(), 'sub', 'keyring.json');
    expect(fileKeyring(path).keyFor('pump-1')).toBeNull(); // no file yet: no keys, no error
    addToKeyring(path, 'pump-1', KEY, 'bench A');
    addToKeyring(path, 'bp-1', 'ff'.repeat(16));
    const ring = fileKeyring(path);
    expect([...ring.keyFor('pump-1')!]).toEqual([...Buffer.from(KEY, 'hex')]);
    expect(ring.keyFor('bp-9')).toBeNull();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readKeyringFile(path).devices['pump-1']).toEqual({ key: KEY, note: 'bench A' });
  });

  it('says what is wrong with a keyring file, and gives no key from it', () => {
    const path = join(dir(), 'keyring.json');
    writeFileSync(path, JSON.stringify({ devices: { 'pump-1': { key: 'abc' } } }));
    const ring = fileKeyring(path);
    expect(ring.keyFor('pump-1')).toBeNull();
    expect(ring.describe()).toMatch(/keyring .*keyring\.json: devices\.pump-1\.key: must be 32 hexadecimal digits/);
    writeFileSync(path, '{ "devices": ');
    expect(() => readKeyringFile(path)).toThrow(/not readable JSON/);
    writeFileSync(path, JSON.stringify({ devices: {}, extra: 1 }));
    expect(() => readKeyringFile(path)).toThrow(/keyring/);
    expect(() => addToKeyring(join(dir(), 'k.json'), 'bad\u0001id', KEY)).toThrow(/1 to 32 printable ASCII/);
  });

  it('reads a key file of 32 hexadecimal digits, and says how to make one otherwise', () => {
    const d = dir();
    writeFileSync(join(d, 'ok.key'), `  ${KEY.toUpperCase()}\n`);
    expect(readKeyFile(join(d, 'ok.key'))).toBe(KEY);
    writeFileSync(join(d, 'short.key'), 'abcd\n');
    expect(() => readKeyFile(join(d, 'short.key'))).toThrow(/32 hexadecimal digits .*found 4 characters; make one with: openssl rand -hex 16/);
    writeFileSync(join(d, 'text.key'), 'z'.repeat(32));
    expect(() => readKeyFile(join(d, 'text.key'))).toThrow(/32 hexadecimal digits/);
    expect(() => readKeyFile(join(d, 'missing.key'))).toThrow(/cannot read it .*openssl rand -hex 16 >/);
    expect(readFileSync(join(d, 'ok.key'), 'utf8')).toContain(KEY.toUpperCase()); // the key file is left as it was
  });
});
