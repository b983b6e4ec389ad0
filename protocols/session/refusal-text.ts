// What to tell a person when a session is refused or lost: what differs and what to do. Host side only,
// so firmware carries codes and no prose.
import { PROTOCOL_VERSION } from '../generated/wire-codec.ts';
import type { HelloValues } from '../generated/wire-codec.ts';
import { codeName } from '../catalogue/codes.ts';
import type { Refusal } from './initiator-session.ts';

const hex8 = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

const named = (table: string, value: number | undefined) =>
  value === undefined ? 'any' : codeName(table, value) ?? `${table} ${value}`;

export function describePeer(p: HelloValues): string {
  return `'${p.uniqueId}' (${named('NodeRole', p.nodeRole)} on ${named('BoardId', p.boardId)}, firmware ${p.firmwareMajor}.${p.firmwareMinor}.${p.firmwarePatch})`;
}

export interface RefusalContext {
  layoutHash: number;
  /** Protocol version of the last frame of another version, when the peer's Hello could not be read. */
  foreignVersion: number;
  expectRole?: number;
  expectBoard?: number;
  /** Where the keyring is, to name it. */
  keyring?: string;
}

/** The flash command that rebuilds a node's firmware with its key. */
function reflash(peer: HelloValues | null): string {
  const node = peer ? named('NodeRole', peer.nodeRole) : '<node>';
  const board = peer ? named('BoardId', peer.boardId) : '<board>';
  return `homeostat flash --node ${node} --board ${board} --port <port> --key-file <its key file>`;
}

export function refusalText(why: Refusal, peer: HelloValues | null, ctx: RefusalContext): string {
  const who = peer ? `peer ${describePeer(peer)}` : 'the peer';
  switch (why) {
    case 'version': {
      const theirs = peer ? peer.protocolVersion : ctx.foreignVersion;
      if (theirs > 0 && theirs !== PROTOCOL_VERSION) {
        return `${who} speaks protocol version ${theirs}, this host ${PROTOCOL_VERSION}: rebuild its firmware from this homeostat version and flash it with its key (${reflash(peer)})`;
      }
      return `${who} sent a Hello this side cannot read: it does not speak the homeostat protocol (is it running other firmware?)`;
    }
    case 'layout':
      return `${who} was built from a different message catalogue (layout hash ${hex8(peer ? peer.layoutHash : 0)}, ` +
        `this side ${hex8(ctx.layoutHash)}): rebuild and flash its firmware from this homeostat version (${reflash(peer)})`;
    case 'role':
      return `${who} is not the ${named('NodeRole', ctx.expectRole)} this link was opened for: check which port the ${named('NodeRole', ctx.expectRole)} is on`;
    case 'board':
      return `${who} is not on the ${named('BoardId', ctx.expectBoard)} board this link expects: check the port, or the board named in the rig's configuration`;
    case 'node-has-no-key':
      return `${who} has no device key, so it refuses to actuate: flash it with one (${reflash(peer)}), ` +
        'or, on a bench without a patient, build it in unauthenticated bench mode';
    case 'no-key-in-keyring':
      return `no key for device '${peer ? peer.uniqueId : '?'}' in the keyring${ctx.keyring ? ` (${ctx.keyring})` : ''}: ` +
        'add the key it was flashed with (homeostat flash --key-file records it there)';
    case 'bench-but-keyed':
      return `${who} says it runs in unauthenticated bench mode, but the keyring holds a key for it: refused, since anyone on the line ` +
        `could say the same; flash it with its key (${reflash(peer)}) or take it out of the keyring`;
  }
}

export function lostText(why: string, linkTimeoutMs: number): string {
  return why === 'silence' ? `no authenticated frame from the peer for more than ${linkTimeoutMs} ms` : 'the peer restarted';
}

/** What the host says at every start of an unauthenticated session, and what records must carry. */
export function benchModeWarning(peer: HelloValues): string {
  return `UNAUTHENTICATED BENCH MODE: ${describePeer(peer)} accepts commands without authentication; ` +
    'anyone on its line can command it. For a bench without a patient only.';
}
