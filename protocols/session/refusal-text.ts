// What to tell a person when a session is refused or lost: what differs and what to do. Host side only,
// so firmware carries codes and no prose.
import { NackReason, PROTOCOL_VERSION } from '../generated/wire-codec.ts';
import type { HelloValues } from '../generated/wire-codec.ts';
import { codeName } from '../catalogue/codes.ts';

const hex8 = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

const named = (table: string, value: number) => codeName(table, value) ?? `${table} ${value}`;

export function describePeer(p: HelloValues): string {
  return `'${p.uniqueId}' (${named('NodeRole', p.nodeRole)} on ${named('BoardId', p.boardId)}, firmware ${p.firmwareMajor}.${p.firmwareMinor}.${p.firmwarePatch})`;
}

export function refusalText(reason: number, peer: HelloValues | null, ours: { layoutHash: number; foreignVersion: number }): string {
  if (reason === NackReason.LayoutMismatch && peer) {
    return `peer ${describePeer(peer)} was built from a different message catalogue (layout hash ${hex8(peer.layoutHash)}, ` +
      `this side ${hex8(ours.layoutHash)}): rebuild and flash its firmware from this homeostat version`;
  }
  const theirs = peer ? peer.protocolVersion : ours.foreignVersion;
  const who = peer ? `peer ${describePeer(peer)}` : 'the peer';
  if (theirs > 0 && theirs !== PROTOCOL_VERSION) {
    return `${who} speaks protocol version ${theirs}, this side ${PROTOCOL_VERSION}: use the same homeostat version on both sides`;
  }
  return `${who} sent a Hello this side cannot read: it does not speak the homeostat protocol (is it running other firmware?)`;
}

export function lostText(why: string, linkTimeoutMs: number): string {
  return why === 'silence' ? `no frame from the peer for more than ${linkTimeoutMs} ms` : 'the peer restarted';
}
