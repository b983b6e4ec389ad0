import { describe, expect, it } from 'vitest';
import { HostFrameCodec } from '../../../protocols/host/host-codec.ts';
import { LineTap } from './line-tap.ts';
import { flagNames, messageText } from './message-text.ts';

const codec = new HostFrameCodec();
const frame = () => codec.encodeFrame(7, 'PumpStatus', { tMs: 1000, state: 1, rateMlPerH: 5, commandedRateMlPerH: 5, deliveredMl: 0.5, leaseRemainingMs: 900, alarms: 6 });
const bytes = (...parts: (string | Uint8Array)[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : [...p])));

describe('what the monitor shows of a line', () => {
  it('tells frames from the text around them, a text line ending at its newline even without a delimiter', () => {
    const tap = new LineTap();
    const events = tap.push(bytes('\x1b[JUncaught Error: x\r\n', frame(), '>', '\x00', frame()));
    expect(events.map((e) => (e.kind === 'text' ? `text ${e.text}` : `frame ${e.valid}`))).toEqual([
      'text Uncaught Error: x', 'frame true', 'frame false', 'frame true',
    ]);
  });

  it('shows the printable runs of a chunk that is no frame, and drops lone bytes of binary noise', () => {
    const tap = new LineTap();
    const events = tap.push(bytes('\x07\x01ab\x02WARNING low battery\x03\x00'));
    expect(events.filter((e) => e.kind === 'text')).toEqual([{ kind: 'text', text: 'WARNING low battery' }]);
    expect(events.filter((e) => e.kind === 'frame')).toHaveLength(1);
  });

  it('names codes and flags: a monitor line says "running", not 1', () => {
    const m = codec.push(frame()).messages[0];
    expect(messageText(m)).toBe('PumpStatus {"tMs":1000,"state":"running","rateMlPerH":5,"commandedRateMlPerH":5,"deliveredMl":0.5,"leaseRemainingMs":900,"alarms":["syringe-empty","syringe-near-empty"]}');
    expect(flagNames('PressureQuality', 0)).toEqual([]);
    expect(flagNames('PressureQuality', 1 | 256)).toEqual(['flush-spike', 256]);
  });
});
