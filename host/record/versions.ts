// What a record says it was made with: homeostat's version, the protocol layout hash, and a hash of each
// firmware bundle that ran, so a replay or an audit knows exactly which code decided.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LAYOUT_HASH } from '../../protocols/generated/wire-codec.ts';

export interface RunVersions {
  homeostat: string;
  protocolLayoutHash: string;
  firmware: Record<string, string>;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function runVersions(bundles: Record<string, string>): RunVersions {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    homeostat: pkg.version,
    protocolLayoutHash: `0x${LAYOUT_HASH.toString(16).padStart(8, '0')}`,
    firmware: Object.fromEntries(Object.entries(bundles).map(([name, text]) => [name, `sha256:${sha256(text)}`])),
  };
}
