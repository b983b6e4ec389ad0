// Device keys in simulation: each emulated board is provisioned with a key derived from its serial, and
// the simulation keyring derives the same, so every emulated node and its host agree without files.
// Never used with real boards (their keys come from key files and the host's keyring file).
import { createHash } from 'node:crypto';
import type { Keyring } from '../../host/link/keyring.ts';
import { keyFromHex } from '../../host/link/keyring.ts';

/** The key an emulated board with this serial holds, as 32 hexadecimal digits. */
export function simKeyHex(serial: string): string {
  return createHash('sha256').update(`homeostat simulation key: ${serial}`).digest('hex').slice(0, 32);
}

/** A key as Espruino's Storage returns the file homeostat.key: a string of its 16 bytes. */
export function keyFileContents(hex: string): string {
  return Buffer.from(hex, 'hex').toString('latin1');
}

/** The keyring of the simulated host: the simulation key of every device id. */
export const SIM_KEYRING: Keyring = {
  keyFor: (id) => keyFromHex(simKeyHex(id)),
  describe: () => 'simulation keyring (keys derived from board serials)',
};
