// The host's codec: payloads and whole frames to and from typed values, with validation. Built on the
// generated per-message functions, so host and firmware read and write the same bytes.
import type { MessageDef } from '../catalogue/catalogue-types.ts';
import { crc32Range } from '../framing/crc32.ts';
import { HEADER_BYTES, MAX_PAYLOAD_BYTES, TAG_BYTES, TRAILER_BYTES } from '../framing/frame-format.ts';
import { FrameDecoder, FrameEncoder } from '../framing/framer.ts';
import { PROTOCOL_VERSION } from '../generated/wire-codec.ts';
import type { MessageValues } from '../generated/wire-registry.ts';
import { wireCodecs } from '../generated/wire-registry.ts';
import { schemasByName } from './catalogue-schemas.ts';
import { ProtocolError } from './protocol-error.ts';

export type MessageName = keyof MessageValues;

export interface DecodedMessage<N extends MessageName = MessageName> {
  id: number;
  name: N;
  values: MessageValues[N];
}

const byName: Readonly<Record<string, { id: number; def: MessageDef }>> = Object.fromEntries(
  Object.entries(wireCodecs).map(([id, c]) => [c.def.name, { id: Number(id), def: c.def }]),
);

/** The id of a message, by name. */
export function messageId(name: string): number {
  const entry = byName[name];
  if (!entry) throw new ProtocolError('unknown-message', `no message named '${name}' in the catalogue`, name);
  return entry.id;
}

export function messageDef(name: string): MessageDef {
  const entry = byName[name];
  if (!entry) throw new ProtocolError('unknown-message', `no message named '${name}' in the catalogue`, name);
  return entry.def;
}

/** Throws a ProtocolError naming the message and the first bad field when values fail the catalogue's rules. */
export function validateValues<N extends MessageName>(name: N, values: unknown): MessageValues[N] {
  const schema = schemasByName[name];
  if (!schema) throw new ProtocolError('unknown-message', `no message named '${name}' in the catalogue`, name);
  const r = schema.safeParse(values);
  if (r.success) return r.data as unknown as MessageValues[N];
  const issue = r.error.issues[0];
  const field = issue.path.length > 0 ? String(issue.path[0]) : undefined;
  const got = field !== undefined && values && typeof values === 'object' ? (values as Record<string, unknown>)[field] : values;
  const f = field ? messageDef(name).fields.find((x) => x.name === field) : undefined;
  const allowed = f && f.type !== 'text' ? ` (allowed ${f.min} .. ${f.max} ${f.unit})` : '';
  throw new ProtocolError(
    'out-of-range',
    `${name}${field ? `.${field}` : ''}: ${issue.message}; got ${JSON.stringify(got)}${allowed}`,
    name,
    field,
  );
}

/** Validates and encodes a message's payload. */
export function encodePayload<N extends MessageName>(name: N, values: MessageValues[N]): Uint8Array {
  const v = validateValues(name, values);
  const { id } = byName[name];
  const buf = new Uint8Array(MAX_PAYLOAD_BYTES);
  const end = wireCodecs[id].write(buf, 0, v as never);
  return buf.slice(0, end);
}

/** Why a payload was not taken, with its words made only when asked for (a flood of bad frames costs little). */
export interface PayloadProblem {
  code: 'unknown-message' | 'bad-length' | 'out-of-range';
  name?: MessageName;
  /** Throws the ProtocolError that names the problem (for a bad value: the field, what arrived, what is allowed). */
  raise(): never;
}

/** Decodes and checks a payload without throwing: the message, or what is wrong with it. */
export function checkedPayload(id: number, buf: Uint8Array, start = 0, end = buf.length): DecodedMessage | PayloadProblem {
  const codec = wireCodecs[id];
  if (!codec) {
    return { code: 'unknown-message', raise: () => { throw new ProtocolError('unknown-message', `unknown message id 0x${id.toString(16)}`); } };
  }
  const name = codec.def.name as MessageName;
  const values = codec.read(buf, start, end);
  if (!values) {
    return { code: 'bad-length', name, raise: () => { throw new ProtocolError('bad-length', `${name}: payload of ${end - start} bytes is too short or its lengths are inconsistent`, name); } };
  }
  if (codec.check(values as never) >= 0) {
    return {
      code: 'out-of-range', name,
      raise: () => {
        validateValues(name, values); // throws the detailed error
        throw new ProtocolError('out-of-range', `${name}: out of range`, name);
      },
    };
  }
  return { id, name, values } as DecodedMessage;
}

/** Decodes and checks a payload; throws a ProtocolError for an unknown id, a short payload or a bad value. */
export function decodePayload(id: number, buf: Uint8Array, start = 0, end = buf.length): DecodedMessage {
  const r = checkedPayload(id, buf, start, end);
  return 'code' in r ? r.raise() : r;
}

/** A frame's trailer (SPEC.md section 1.3): the sender's time, low 16 bits, and the tag (zeros: no MAC). */
export interface Trailer {
  time16: number;
  tag: Uint8Array;
}

export type DecodedFrame = DecodedMessage & { seq: number; trailer: Trailer };

/**
 * Frame-level encode/decode for tools, tests and benches (devices use Session): it reads and writes the
 * trailer but neither makes nor checks a MAC (that takes a session's key and counter).
 */
export class HostFrameCodec {
  private readonly encoder = new FrameEncoder(crc32Range, PROTOCOL_VERSION);
  private decoded: DecodedFrame[] = [];
  private errors: ProtocolError[] = [];
  private readonly decoder = new FrameDecoder(crc32Range, PROTOCOL_VERSION, (seq, id, buf, s, e) => {
    try {
      if (e - s < TRAILER_BYTES) throw new ProtocolError('bad-length', `frame of ${e - s} bytes after its header: too short to hold the ${TRAILER_BYTES}-byte trailer`);
      const pe = e - TRAILER_BYTES;
      const trailer = { time16: buf[pe] | (buf[pe + 1] << 8), tag: buf.slice(pe + 2, e) };
      this.decoded.push({ ...decodePayload(id, buf, s, pe), seq, trailer } as DecodedFrame);
    } catch (err) {
      this.errors.push(err as ProtocolError);
    }
  });

  get counters() {
    return this.decoder.counters;
  }

  /** A frame with the given trailer: by default time 0 and an all-zero tag (an unauthenticated frame). */
  encodeFrame<N extends MessageName>(seq: number, name: N, values: MessageValues[N], trailer?: Trailer): Uint8Array {
    const v = validateValues(name, values);
    const { id } = byName[name];
    const raw = this.encoder.raw;
    const end = wireCodecs[id].write(raw, HEADER_BYTES, v as never);
    raw[end] = trailer ? trailer.time16 & 0xff : 0;
    raw[end + 1] = trailer ? (trailer.time16 >> 8) & 0xff : 0;
    raw.fill(0, end + 2, end + 2 + TAG_BYTES);
    if (trailer) raw.set(trailer.tag.subarray(0, TAG_BYTES), end + 2);
    return this.encoder.encode(seq, id, end + TRAILER_BYTES - HEADER_BYTES);
  }

  /** Pushes bytes; returns the messages completed by them and the payload errors met. */
  push(bytes: Uint8Array): { messages: DecodedFrame[]; errors: ProtocolError[] } {
    this.decoder.push(bytes);
    const out = { messages: this.decoded, errors: this.errors };
    this.decoded = [];
    this.errors = [];
    return out;
  }
}
