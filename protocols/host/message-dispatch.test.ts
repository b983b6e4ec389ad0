import { describe, expect, it } from 'vitest';
import { MsgId, writePumpStatus } from '../generated/wire-codec.ts';
import type { PumpStatusValues } from '../generated/wire-codec.ts';
import { encodePayload } from './host-codec.ts';
import type { MessageName } from './host-codec.ts';
import { MessageDispatch } from './message-dispatch.ts';
import type { Rejection } from './message-dispatch.ts';

const status: PumpStatusValues = { tMs: 5, state: 1, rateMlPerH: 12.5, commandedRateMlPerH: 12.5, deliveredMl: 0.5, leaseRemainingMs: 1000, alarms: 0 };
const feed = (d: MessageDispatch, id: number, p: Uint8Array) => d.receive(id, p, 0, p.length);

describe('typed message dispatch', () => {
  it('hands each listener the checked values of its own message only', () => {
    const d = new MessageDispatch();
    const statuses: PumpStatusValues[] = [];
    const beats: number[] = [];
    d.on('PumpStatus', (v) => statuses.push(v));
    d.on('PressureBeat', (v) => beats.push(v.meanMmHg));
    feed(d, MsgId.PumpStatus, encodePayload('PumpStatus', status));
    expect(statuses).toEqual([status]);
    expect(beats).toEqual([]);
  });

  it('reads a payload inside a larger buffer from its start to its end', () => {
    const d = new MessageDispatch();
    const seen: number[] = [];
    d.on('PumpStatus', (v) => seen.push(v.rateMlPerH));
    const p = encodePayload('PumpStatus', status);
    const big = new Uint8Array(p.length + 7).fill(0xee);
    big.set(p, 3);
    d.receive(MsgId.PumpStatus, big, 3, 3 + p.length);
    expect(seen).toEqual([12.5]);
  });

  it('gives every passing message to onAny with its name, and none that failed', () => {
    const d = new MessageDispatch();
    const names: MessageName[] = [];
    d.onAny((m) => names.push(m.name));
    feed(d, MsgId.PumpStatus, encodePayload('PumpStatus', status));
    feed(d, MsgId.Heartbeat, encodePayload('Heartbeat', { uptimeMs: 1 }));
    feed(d, MsgId.PumpStatus, new Uint8Array(3));
    expect(names).toEqual(['PumpStatus', 'Heartbeat']);
  });

  it('drops and counts by reason what does not decode or lies out of range, saying which field', () => {
    const d = new MessageDispatch();
    const got: PumpStatusValues[] = [];
    const rejections: Rejection[] = [];
    d.on('PumpStatus', (v) => got.push(v));
    d.onRejected((r) => rejections.push(r));
    const bad = new Uint8Array(64);
    feed(d, MsgId.PumpStatus, bad.slice(0, writePumpStatus(bad, 0, { ...status, state: 211 } as never)));
    feed(d, MsgId.PumpStatus, new Uint8Array(4));
    feed(d, 0xee, new Uint8Array(4));
    expect(got).toEqual([]);
    expect(d.rejected).toEqual({ 'unknown-message': 1, 'bad-length': 1, 'out-of-range': 1 });
    expect(d.rejectedTotal).toBe(3);
    expect(rejections.map((r) => r.why)).toEqual(['out-of-range', 'bad-length', 'unknown-message']);
    expect(rejections[0].detail).toMatch(/PumpStatus\.state/);
    expect(rejections[2].detail).toMatch(/0xee/);
  });

  it('refuses a listener for a message the catalogue lacks, naming where messages are defined', () => {
    expect(() => new MessageDispatch().on('PumpExplode' as MessageName, () => undefined)).toThrow(/no message named 'PumpExplode'.*catalogue/);
  });
});
