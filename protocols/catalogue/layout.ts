// The canonical layout of the catalogue: everything that decides the bytes on the wire and what they mean
// (ids, field order, wire types, scales, ranges, units, code values), nothing that is only prose.
// Its CRC-32 is the layout hash Hello carries.
import type { CodeTable, FieldDef, MessageDef } from './catalogue-types.ts';
import { crc32 } from '../framing/crc32.ts';
import { PROTOCOL_VERSION } from './messages.ts';

function fieldLayout(f: FieldDef): unknown[] {
  if (f.type === 'text') return [f.name, 'text', f.maxLength, f.ext ? 1 : 0];
  if (f.type === 'array') return [f.name, 'array', f.element, f.unit, f.scale ?? 1, f.min, f.max, f.maxCount, f.ext ? 1 : 0];
  return [f.name, f.type, f.unit, f.scale ?? 1, f.min, f.max, f.codes ?? f.flags ?? '', f.ext ? 1 : 0];
}

export function messageLayout(m: MessageDef): unknown[] {
  return [m.id, m.name, m.kind, m.direction, m.fields.map(fieldLayout)];
}

export function canonicalLayout(messages: readonly MessageDef[], codeTables: readonly CodeTable[]): string {
  return JSON.stringify({
    protocolVersion: PROTOCOL_VERSION,
    messages: [...messages].sort((a, b) => a.id - b.id).map(messageLayout),
    codes: codeTables.map((t) => [t.name, Object.entries(t.values).sort((a, b) => a[1] - b[1])]),
  });
}

export function computeLayoutHash(messages: readonly MessageDef[], codeTables: readonly CodeTable[]): number {
  return crc32(new TextEncoder().encode(canonicalLayout(messages, codeTables)));
}
