// Renders the generated parts of SPEC.md from the catalogue: message layouts, code tables, the layout hash.
// Hand-written prose stays as it is; only text between GENERATED markers is replaced.
import type { CodeTable, FieldDef, GroupDef, MessageDef } from '../catalogue/catalogue-types.ts';
import { WIRE_SIZE } from '../catalogue/catalogue-types.ts';
import { maxPayloadSize, minPayloadSize, scaleFactor } from './codegen.ts';

const hex = (n: number, w = 2) => '0x' + n.toString(16).toUpperCase().padStart(w, '0');

function fieldRow(f: FieldDef, offset: string): string {
  if (f.type === 'text') {
    return `| ${offset} | ${f.name} | u8 length + ASCII (max ${f.maxLength}) | - | - | printable 0x20..0x7E | ${f.ext ? 'ext. ' : ''}${f.doc} |`;
  }
  if (f.type === 'array') {
    const k = scaleFactor(f.scale);
    return `| ${offset} | ${f.name} | u8 count + count x ${f.element} (max ${f.maxCount}) | ${f.unit} | ${k === 1 ? '1' : `1/${k}`} | ${f.min} .. ${f.max} | ${f.ext ? 'ext. ' : ''}${f.doc} |`;
  }
  const k = f.type === 'f32' ? 1 : scaleFactor(f.scale);
  const ref = f.codes ? ` Codes: ${f.codes}.` : f.flags ? ` Flags: ${f.flags}.` : '';
  return `| ${offset} | ${f.name} | ${f.type} | ${f.unit} | ${k === 1 ? '1' : `1/${k}`} | ${f.min} .. ${f.max} | ${f.ext ? 'ext. ' : ''}${f.doc}${ref} |`;
}

export function messageTables(messages: readonly MessageDef[], groups: readonly GroupDef[]): string {
  const out: string[] = [];
  out.push('| id | message | group | kind | direction | payload bytes |');
  out.push('|---|---|---|---|---|---|');
  for (const m of messages) {
    const min = minPayloadSize(m);
    const max = maxPayloadSize(m);
    out.push(`| ${hex(m.id)} | [${m.name}](#${m.name.toLowerCase()}) | ${m.group} | ${m.kind} | ${m.direction} | ${min === max ? min : `${min} .. ${max}`} |`);
  }
  for (const g of groups) {
    out.push('', `### Group ${g.name} (${hex(g.firstId)} .. ${hex(g.lastId)})`, '', g.doc);
    for (const m of messages.filter((x) => x.group === g.name)) {
      out.push('', `#### ${m.name}`, '', `Id ${hex(m.id)}, ${m.kind}, ${m.direction}. ${m.doc}`, '');
      if (m.fields.length === 0) {
        out.push('Empty payload.');
        continue;
      }
      out.push('| offset | field | wire type | unit | scale | valid range | meaning |');
      out.push('|---|---|---|---|---|---|---|');
      let offset: number | null = 0;
      for (const f of m.fields) {
        out.push(fieldRow(f, offset === null ? 'after previous' : String(offset)));
        if (offset !== null) offset = f.type === 'array' || f.type === 'text' ? null : offset + WIRE_SIZE[f.type];
      }
    }
  }
  return out.join('\n');
}

export function codeTablesMd(tables: readonly CodeTable[]): string {
  const out: string[] = [];
  for (const t of tables) {
    out.push(`#### ${t.name}`, '', t.doc, '', '| value | name |', '|---|---|');
    for (const [name, value] of Object.entries(t.values)) out.push(`| ${value} | ${name} |`);
    out.push('');
  }
  return out.join('\n').trimEnd();
}

function replaceRegion(text: string, name: string, body: string): string {
  const begin = `<!-- BEGIN GENERATED ${name} -->`;
  const end = `<!-- END GENERATED ${name} -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`SPEC.md lacks the markers '${begin}' ... '${end}'`);
  return text.slice(0, i + begin.length) + '\n' + body + '\n' + text.slice(j);
}

export function renderSpec(
  text: string, messages: readonly MessageDef[], groups: readonly GroupDef[], tables: readonly CodeTable[], layoutHash: number,
): string {
  let out = replaceRegion(text, 'layout-hash', `Layout hash of this catalogue: \`${hex(layoutHash, 8)}\`.`);
  out = replaceRegion(out, 'messages', messageTables(messages, groups));
  out = replaceRegion(out, 'codes', codeTablesMd(tables));
  return out;
}
