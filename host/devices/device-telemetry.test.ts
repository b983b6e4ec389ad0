// Device proxies see telemetry only when it lies within the catalogue's ranges (the link's typed dispatch
// drops the rest, counted by reason), and keep a bounded alarm history. Fed through the link's dispatch as
// a session delivers payloads.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { encodePayload } from '../../protocols/host/host-codec.ts';
import { MsgId, writeAlarm, writePumpStatus } from '../../protocols/generated/wire-codec.ts';
import type { PumpStatusValues } from '../../protocols/generated/wire-codec.ts';
import { MessageDispatch } from '../../protocols/host/message-dispatch.ts';
import type { DeviceLink } from '../link/device-link.ts';
import { InfusionPump } from './infusion-pump.ts';
import { PressureSensor } from './pressure-sensor.ts';
import { ALARM_HISTORY } from './alarm-history.ts';

/** A link whose session the test plays: payloads go into the link's real dispatch. */
function fakeLink() {
  const messages = new MessageDispatch();
  const link = { messages, expectRole: () => undefined } as unknown as DeviceLink;
  const deliver = (id: number, payload: Uint8Array) => messages.receive(id, payload, 0, payload.length);
  return { link, deliver, messages };
}

const status: PumpStatusValues = { tMs: 1, state: 1, rateMlPerH: 12.5, commandedRateMlPerH: 12.5, deliveredMl: 0.5, leaseRemainingMs: 1000, alarms: 0 };

/** Payload bytes written without validation, as a peer could send them. */
function raw(write: (b: Uint8Array, o: number, m: never) => number, m: unknown): Uint8Array {
  const b = new Uint8Array(64);
  return b.slice(0, write(b, 0, m as never));
}

describe('device telemetry through the typed dispatch', () => {
  it('passes a pump status within range to listeners, and counts and drops one out of range', () => {
    const { link, deliver, messages } = fakeLink();
    const pump = new InfusionPump(link, new VirtualClock());
    const seen: PumpStatusValues[] = [];
    pump.onStatus((s) => seen.push(s));
    deliver(MsgId.PumpStatus, encodePayload('PumpStatus', status));
    deliver(MsgId.PumpStatus, raw(writePumpStatus, { ...status, state: 211 }));
    deliver(MsgId.PumpStatus, raw(writePumpStatus, { ...status, rateMlPerH: 4_003_309 }));
    deliver(MsgId.PumpStatus, new Uint8Array(5));
    expect(seen).toEqual([status]);
    expect(pump.status).toEqual(status);
    expect(messages.rejected).toEqual({ 'unknown-message': 0, 'bad-length': 1, 'out-of-range': 2 });
  });

  it('drops a beat out of range before the controller sees it', () => {
    const { link, deliver, messages } = fakeLink();
    const sensor = new PressureSensor(link);
    const beats: number[] = [];
    sensor.onBeat((b) => beats.push(b.meanMmHg));
    deliver(MsgId.PressureBeat, encodePayload('PressureBeat', { tMs: 1, systolicMmHg: 120, diastolicMmHg: 80, meanMmHg: 93, heartRateBpm: 70, quality: 0 }));
    deliver(MsgId.PressureBeat, raw((b, o, m: { v: number }) => {
      b.fill(0, o, o + 13);
      b[o + 8] = m.v & 0xff;
      b[o + 9] = m.v >> 8; // meanMmHg 500.0 as i16 at scale 1/10: 5000
      return o + 13;
    }, { v: 5000 }));
    expect(beats).toEqual([93]);
    expect(messages.rejectedTotal).toBe(1);
  });

  it('keeps the latest alarms only, however many come', () => {
    const { link, deliver, messages } = fakeLink();
    const pump = new InfusionPump(link, new VirtualClock());
    for (let i = 0; i < 3 * ALARM_HISTORY; i++) deliver(MsgId.Alarm, raw(writeAlarm, { tMs: i, code: 301, priority: 3, state: i & 1 }));
    deliver(MsgId.Alarm, raw(writeAlarm, { tMs: 1, code: 9999, priority: 3, state: 1 }));
    expect(pump.alarms).toHaveLength(ALARM_HISTORY);
    expect(pump.alarms.at(-1)!.tMs).toBe(3 * ALARM_HISTORY - 1);
    expect(pump.alarmHistory.dropped).toBe(2 * ALARM_HISTORY);
    expect(messages.rejected['out-of-range']).toBe(1);
  });
});
