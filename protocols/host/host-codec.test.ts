import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messages } from '../catalogue/messages.ts';
import { wireCodecs } from '../generated/wire-registry.ts';
import { loadGolden } from '../golden/golden-file.ts';
import { fieldArbitrary, valuesArbitrary } from '../testing/message-arbitraries.ts';
import { schemasByName } from './catalogue-schemas.ts';
import type { MessageName } from './host-codec.ts';
import { decodePayload, encodePayload, HostFrameCodec, validateValues } from './host-codec.ts';
import { ProtocolError } from './protocol-error.ts';

const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

function thrown(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (e) {
    return e as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('host codec', () => {
  for (const m of messages) {
    it(`round-trips any valid ${m.name}`, () => {
      fc.assert(
        fc.property(valuesArbitrary(m), (values) => {
          const payload = encodePayload(m.name as MessageName, values as never);
          const back = decodePayload(m.id, payload);
          expect(back.name).toBe(m.name);
          // f32 keeps float32 precision; everything else comes back exactly
          expect(back.values).toEqual(values);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('the zod schemas and the generated checks agree on every field, in range and out of it', () => {
    for (const m of messages) {
      const codec = wireCodecs[m.id];
      const schema = schemasByName[m.name];
      const base = fc.sample(valuesArbitrary(m), 1)[0];
      m.fields.forEach((f, i) => {
        const probes: unknown[] = fc.sample(fieldArbitrary(f), 20);
        if (f.type === 'text') probes.push('x'.repeat(f.maxLength + 1));
        else if (f.type === 'array') probes.push(new Array(f.maxCount + 1).fill(f.min), [f.max + 1], [f.min - 1]);
        else probes.push(f.min - 1, f.max + 1, Number.NaN, f.min, f.max);
        for (const p of probes) {
          const values = { ...base, [f.name]: p };
          const zodOk = schema.safeParse(values).success;
          const checkOk = codec.check(values as never) === -1;
          expect({ message: m.name, field: f.name, value: p, zodOk }).toEqual({ message: m.name, field: f.name, value: p, zodOk: checkOk });
          if (!checkOk) expect(codec.check(values as never)).toBe(i);
        }
      });
    }
  });

  it('names the message, field and allowed range of a bad value', () => {
    const e = thrown(() => validateValues('PumpSetRate', { rateMlPerH: 2500, leaseMs: 1000 }));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.code).toBe('out-of-range');
    expect(e.messageName).toBe('PumpSetRate');
    expect(e.fieldName).toBe('rateMlPerH');
    expect(e.message).toMatch(/PumpSetRate\.rateMlPerH.*2500.*0 \.\. 2000 mL\/h/);
  });

  it('refuses an unknown code with the allowed codes listed', () => {
    const e = thrown(() => validateValues('Alarm', { tMs: 0, code: 999, priority: 1, state: 1 }));
    expect(e.fieldName).toBe('code');
    expect(e.message).toMatch(/301=occlusion/);
  });

  it('gives typed errors for an unknown id, a short payload and an out-of-range value on the wire', () => {
    expect(thrown(() => decodePayload(0xee, new Uint8Array(4))).code).toBe('unknown-message');
    const short = thrown(() => decodePayload(0x20, new Uint8Array(7)));
    expect(short.code).toBe('bad-length');
    expect(short.messageName).toBe('PumpSetRate');
    const tooFast = new Uint8Array(8);
    new DataView(tooFast.buffer).setUint32(0, 5_000_000, true); // 5000 mL/h
    new DataView(tooFast.buffer).setUint32(4, 1000, true);
    const oor = thrown(() => decodePayload(0x20, tooFast));
    expect(oor.code).toBe('out-of-range');
    expect(oor.fieldName).toBe('rateMlPerH');
  });

  it('rejects an array whose count runs past the payload', () => {
    const p = encodePayload('PressureWaveform', { tMs: 1, samplePeriodUs: 1000, samplesMmHg: [1, 2, 3] });
    expect(thrown(() => decodePayload(0x11, p.subarray(0, p.length - 1))).code).toBe('bad-length');
  });

  it('ignores bytes appended after the known fields (a newer peer appended extension fields)', () => {
    const p = encodePayload('PumpSetRate', { rateMlPerH: 1, leaseMs: 1000 });
    const longer = Uint8Array.from([...p, 9, 9, 9]);
    expect(decodePayload(0x20, longer).values).toEqual({ rateMlPerH: 1, leaseMs: 1000 });
  });
});

describe('golden vectors, host side', () => {
  const golden = loadGolden();

  it('holds at least one frame of every message in the catalogue', () => {
    for (const m of messages) expect(golden.frames.some((f) => f.message === m.name), m.name).toBe(true);
  });

  for (const v of golden.frames) {
    it(`decodes and re-encodes "${v.name}"`, () => {
      const codec = new HostFrameCodec();
      const out = codec.push(fromHex(v.hex));
      expect(out.errors).toEqual([]);
      expect(out.messages).toHaveLength(1);
      expect(out.messages[0]).toMatchObject({ name: v.message, seq: v.seq });
      expect(out.messages[0].values).toEqual(v.values);
      const again = codec.encodeFrame(v.seq, v.message as MessageName, v.values as never);
      expect(Buffer.from(again).toString('hex')).toBe(v.hex);
    });
  }
});
