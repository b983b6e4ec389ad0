// Generates protocols/generated/wire-codec.ts (compact per-message read/write/check functions, code
// constants, the layout hash) and wire-registry.ts (the id -> codec table the host uses) from the catalogue.
// The generated functions are plain ES2015 so the same code runs in firmware bundles and on the host.
import type { ArrayField, CodeTable, FieldDef, MessageDef, ScalarField, ScalarWireType } from '../catalogue/catalogue-types.ts';
import { WIRE_SIZE, wireCodes } from '../catalogue/catalogue-types.ts';
import { codeTable } from '../catalogue/codes.ts';
import { PROTOCOL_VERSION } from '../catalogue/messages.ts';

const READ: Record<ScalarWireType, (p: string) => string> = {
  u8: (p) => `b[${p}]`,
  i8: (p) => `rdI8(b, ${p})`,
  u16: (p) => `rdU16(b, ${p})`,
  i16: (p) => `rdI16(b, ${p})`,
  u32: (p) => `rdU32(b, ${p})`,
  i32: (p) => `rdI32(b, ${p})`,
  f32: (p) => `rdF32(b, ${p})`,
};

const WRITE: Record<ScalarWireType, (p: string, v: string) => string> = {
  u8: (p, v) => `b[${p}] = ${v};`,
  i8: (p, v) => `b[${p}] = ${v};`,
  u16: (p, v) => `wr16(b, ${p}, ${v});`,
  i16: (p, v) => `wr16(b, ${p}, ${v});`,
  u32: (p, v) => `wr32(b, ${p}, ${v});`,
  i32: (p, v) => `wr32(b, ${p}, ${v});`,
  f32: (p, v) => `wrF32(b, ${p}, ${v});`,
};

/** Scales are stated as 10^-n; the codec multiplies and divides by the exact integer 10^n. */
export function scaleFactor(scale: number | undefined): number {
  if (scale === undefined || scale === 1) return 1;
  const k = Math.round(1 / scale);
  if (Math.abs(k * scale - 1) > 1e-12) throw new Error(`scale ${scale} must be 1/n for an integer n`);
  return k;
}

function decodeExpr(type: ScalarWireType, scale: number | undefined, p: string): string {
  const raw = READ[type](p);
  const k = scaleFactor(scale);
  return k === 1 ? raw : `${raw} / ${k}`;
}

/** Scaled values are rounded to their grid; unscaled integers are integers already (the host validates them). */
function encodeExpr(type: ScalarWireType, scale: number | undefined, v: string): string {
  const k = type === 'f32' ? 1 : scaleFactor(scale);
  return k === 1 ? v : `Math.round(${v} * ${k})`;
}

function fixedSize(f: FieldDef): number | null {
  return f.type === 'array' || f.type === 'text' ? null : WIRE_SIZE[f.type];
}

/** Size in bytes of a message's payload when every variable field is at its largest. */
export function maxPayloadSize(m: MessageDef): number {
  let n = 0;
  for (const f of m.fields) {
    if (f.type === 'array') n += 1 + f.maxCount * WIRE_SIZE[f.element];
    else if (f.type === 'text') n += 1 + f.maxLength;
    else n += WIRE_SIZE[f.type];
  }
  return n;
}

/** Size of the payload when every variable field is empty and every extension field is absent. */
export function minPayloadSize(m: MessageDef): number {
  let n = 0;
  for (const f of m.fields) {
    if (f.ext) break;
    n += fixedSize(f) ?? 1;
  }
  return n;
}

function tsType(f: FieldDef): string {
  if (f.type === 'text') return 'string';
  if (f.type === 'array') return 'number[]';
  return 'number';
}

function genInterface(m: MessageDef): string {
  const lines = m.fields.map((f) => {
    const unit = f.type === 'text' ? 'ASCII' : f.unit;
    return `  /** ${f.doc} [${unit}] */\n  ${f.name}${f.ext ? '?' : ''}: ${tsType(f)};`;
  });
  return `export interface ${m.name}Values {\n${lines.join('\n')}\n}`;
}

/** Number of leading fields of fixed size that every payload holds (no array, text or extension among them). */
function fixedPrefix(m: MessageDef): { fields: ScalarField[]; bytes: number } {
  const fields: ScalarField[] = [];
  let bytes = 0;
  for (const f of m.fields) {
    if (f.type === 'array' || f.type === 'text' || f.ext) break;
    fields.push(f);
    bytes += WIRE_SIZE[f.type];
  }
  return { fields, bytes };
}

const at = (base: string, off: number) => (off === 0 ? base : `${base} + ${off}`);

/**
 * Offsets of the fixed fields of a message with a variable part, up to that part's first field: for code
 * that reads a few fields without decoding the whole message (a node reads the host's Hello so).
 */
function genOffsets(m: MessageDef): string {
  const { fields, bytes } = fixedPrefix(m);
  if (fields.length === m.fields.length) return '';
  const lines: string[] = [];
  let off = 0;
  for (const f of fields) {
    lines.push(`  ${pascal(f.name)} = ${off},`);
    off += WIRE_SIZE[f.type];
  }
  lines.push(`  ${pascal(m.fields[fields.length].name)} = ${bytes},`);
  return `/** Byte offsets in a ${m.name} payload, up to its first field of variable length. */\nexport const enum ${m.name}Offset {\n${lines.join('\n')}\n}`;
}

function genRead(m: MessageDef): string {
  const { fields, bytes } = fixedPrefix(m);
  const literal: string[] = [];
  let off = 0;
  for (const f of fields) {
    literal.push(`${f.name}: ${decodeExpr(f.type, f.scale, at('o', off))}`);
    off += WIRE_SIZE[f.type];
  }
  const obj = `{ ${literal.join(', ')} }`;
  const out: string[] = [];
  out.push(`export function read${m.name}(b: Uint8Array, o: number, end: number): ${m.name}Values | null {`);
  if (fields.length === m.fields.length) {
    out.push(`  return o + ${bytes} > end ? null : ${obj};`, '}');
    return out.join('\n');
  }
  // The fixed prefix in one literal, then each variable or extension field in turn.
  out.push(`  if (o + ${bytes} > end) return null;`);
  out.push(`  const m = ${obj} as ${m.name}Values;`);
  out.push(`  let p = ${at('o', bytes)};`);
  for (let i = fields.length; i < m.fields.length; i++) {
    const f = m.fields[i];
    const fail = f.ext ? 'return m' : 'return null';
    if (f.type === 'array') {
      const es = WIRE_SIZE[f.element];
      out.push(`  if (p >= end) ${fail};`);
      out.push(`  const n${i} = b[p];`);
      out.push(`  if (n${i} > ${f.maxCount} || p + 1 + n${i} * ${es} > end) ${fail};`);
      out.push(`  const a${i}: number[] = [];`);
      out.push(`  for (let i = 0; i < n${i}; i++) a${i}.push(${decodeExpr(f.element, f.scale, `p + 1 + i * ${es}`)});`);
      out.push(`  m.${f.name} = a${i};`);
      out.push(`  p += 1 + n${i} * ${es};`);
    } else if (f.type === 'text') {
      out.push(`  if (p >= end) ${fail};`);
      out.push(`  const s${i} = rdText(b, p, end);`);
      out.push(`  if (s${i} === null || s${i}.length > ${f.maxLength}) ${fail};`);
      out.push(`  m.${f.name} = s${i};`);
      out.push(`  p += 1 + s${i}.length;`);
    } else {
      // An extension field: an older peer stops before it.
      const size = WIRE_SIZE[f.type];
      out.push(`  if (p + ${size} > end) return m;`);
      out.push(`  m.${f.name} = ${decodeExpr(f.type, f.scale, 'p')};`);
      out.push(`  p += ${size};`);
    }
  }
  out.push('  return m;', '}');
  return out.join('\n');
}

function genWrite(m: MessageDef): string {
  const { fields, bytes } = fixedPrefix(m);
  const out: string[] = [];
  out.push(`/** Writes the payload at b[o]; returns the offset after it. Values must have passed check${m.name}. */`);
  out.push(`export function write${m.name}(b: Uint8Array, o: number, m: ${m.name}Values): number {`);
  let off = 0;
  for (const f of fields) {
    out.push(`  ${WRITE[f.type](at('o', off), encodeExpr(f.type, f.scale, `m.${f.name}`))}`);
    off += WIRE_SIZE[f.type];
  }
  if (fields.length === m.fields.length) {
    out.push(`  return ${at('o', bytes)};`, '}');
    return out.join('\n');
  }
  out.push(`  let p = ${at('o', bytes)};`);
  for (let i = fields.length; i < m.fields.length; i++) {
    const f = m.fields[i];
    const v = `m.${f.name}`;
    const indent = f.ext ? '    ' : '  ';
    if (f.ext) out.push(`  if (${v} === undefined) return p;`);
    if (f.type === 'array') {
      const es = WIRE_SIZE[f.element];
      out.push(`${indent}b[p] = ${v}.length;`);
      out.push(`${indent}for (let i = 0; i < ${v}.length; i++) ${WRITE[f.element](`p + 1 + i * ${es}`, encodeExpr(f.element, f.scale, `${v}[i]`))}`);
      out.push(`${indent}p += 1 + ${v}.length * ${es};`);
    } else if (f.type === 'text') {
      out.push(`${indent}p = wrText(b, p, ${v}, ${f.maxLength});`);
    } else {
      out.push(`${indent}${WRITE[f.type]('p', encodeExpr(f.type, f.scale, v))}`);
      out.push(`${indent}p += ${WIRE_SIZE[f.type]};`);
    }
  }
  out.push('  return p;', '}');
  return out.join('\n');
}

function codeCheck(table: CodeTable, v: string): string {
  return wireCodes(table).map(([, x]) => `${v} !== ${x}`).join(' && ');
}

function flagsMask(table: CodeTable): number {
  return Object.values(table.values).reduce((a, x) => a | x, 0);
}

function genCheck(m: MessageDef): string {
  const out: string[] = [];
  out.push(`/** Index of the first field out of its range or code table, or -1 when every field is valid. */`);
  out.push(`export function check${m.name}(m: ${m.name}Values): number {`);
  m.fields.forEach((f, i) => {
    const v = `m.${f.name}`;
    const guard = f.ext ? `${v} !== undefined && ` : '';
    if (f.type === 'text') {
      out.push(`  if (${guard}${v}.length > ${f.maxLength}) return ${i};`);
    } else if (f.type === 'array') {
      const a = f as ArrayField;
      out.push(`  if (${guard}${v}.length > ${a.maxCount}) return ${i};`);
      out.push(`  if (${guard}!${v}.every((x) => x >= ${a.min} && x <= ${a.max})) return ${i};`);
    } else {
      out.push(`  if (${guard}!(${v} >= ${f.min} && ${v} <= ${f.max})) return ${i};`);
      if (f.codes) out.push(`  if (${codeCheck(codeTable(f.codes), v)}) return ${i};`);
      if (f.flags) out.push(`  if (${v} & ${~flagsMask(codeTable(f.flags)) & 0xffff}) return ${i};`);
    }
  });
  out.push('  return -1;', '}');
  return out.join('\n');
}

/** 'out-of-range' -> 'OutOfRange', 'PumpSetRate' stays. */
export function pascal(s: string): string {
  return s.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());
}

// Codes and ids are const enums: esbuild inlines their members, so a firmware bundle holds the numbers
// and no variable per code.
function genCodes(tables: readonly CodeTable[]): string {
  const out: string[] = [];
  for (const t of tables) {
    out.push(`/** ${t.doc} */`);
    out.push(`export const enum ${t.name} {`);
    for (const [name, value] of Object.entries(t.values)) out.push(`  ${pascal(name)} = ${value},`);
    out.push('}');
  }
  return out.join('\n');
}

const HEADER = '// GENERATED by `npm run generate` from protocols/catalogue. Do not edit: a test fails when it is stale.\n';

export function generateWireCodec(messages: readonly MessageDef[], tables: readonly CodeTable[], layoutHash: number): string {
  const helpers = ['rdU16', 'rdI16', 'rdU32', 'rdI32', 'rdI8', 'rdF32', 'wr16', 'wr32', 'wrF32', 'rdText', 'wrText'];
  const parts: string[] = [HEADER];
  parts.push('/* eslint-disable */');
  parts.push(`import { ${helpers.join(', ')} } from '../codec/wire-bytes.ts';`);
  parts.push('');
  parts.push(`export const PROTOCOL_VERSION = ${PROTOCOL_VERSION};`);
  parts.push(`/** CRC-32 of the canonical catalogue layout; Hello carries it. */`);
  parts.push(`export const LAYOUT_HASH = 0x${layoutHash.toString(16).padStart(8, '0')};`);
  parts.push('');
  parts.push(genCodes(tables));
  parts.push('');
  const commands = messages.filter((m) => m.kind === 'command').map((m) => `id === MsgId.${m.name}`);
  parts.push('/** Largest payload of each message, bytes (a node sizes its buffers to its own messages). */');
  parts.push('export const enum MaxPayload {');
  for (const m of messages) parts.push(`  ${m.name} = ${maxPayloadSize(m)},`);
  parts.push('}');
  parts.push('');
  parts.push('/** Message ids. */');
  parts.push('export const enum MsgId {');
  for (const m of messages) parts.push(`  ${m.name} = ${m.id},`);
  parts.push('}');
  parts.push('');
  for (const m of messages) {
    parts.push(`// ---- ${m.name} (0x${m.id.toString(16).padStart(2, '0')}, ${m.kind}, ${m.direction})`);
    parts.push(genInterface(m));
    const offsets = genOffsets(m);
    if (offsets) parts.push(offsets);
    parts.push(genRead(m));
    parts.push(genWrite(m));
    parts.push(genCheck(m));
    parts.push('');
  }
  parts.push('/** Whether a message id is a command (acknowledged, retransmitted, de-duplicated). */');
  parts.push(`export function isCommandId(id: number): boolean {\n  return ${commands.join(' || ') || 'false'};\n}`);
  return parts.join('\n') + '\n';
}

export function generateWireRegistry(messages: readonly MessageDef[]): string {
  const names = messages.map((m) => m.name);
  const parts: string[] = [HEADER];
  parts.push(`import type { MessageDef } from '../catalogue/catalogue-types.ts';`);
  parts.push(`import { ${names.join(', ')} } from '../catalogue/messages.ts';`);
  parts.push(`import * as c from './wire-codec.ts';`);
  parts.push('');
  parts.push('export interface WireCodec {');
  parts.push('  readonly def: MessageDef;');
  parts.push('  read(b: Uint8Array, o: number, end: number): object | null;');
  parts.push('  write(b: Uint8Array, o: number, m: never): number;');
  parts.push('  check(m: never): number;');
  parts.push('}');
  parts.push('');
  parts.push('/** Codec of every message, by id. Host side only: firmware imports the functions it needs directly. */');
  parts.push('export const wireCodecs: Readonly<Record<number, WireCodec>> = {');
  for (const m of messages) {
    parts.push(`  ${m.id}: { def: ${m.name}, read: c.read${m.name}, write: c.write${m.name}, check: c.check${m.name} },`);
  }
  parts.push('};');
  parts.push('');
  parts.push('/** Decoded values of each message, by name. */');
  parts.push('export interface MessageValues {');
  for (const m of messages) parts.push(`  ${m.name}: c.${m.name}Values;`);
  parts.push('}');
  return parts.join('\n') + '\n';
}
