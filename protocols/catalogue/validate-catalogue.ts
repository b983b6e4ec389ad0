// Consistency rules of the catalogue. Each problem names the message and field it concerns, so a mistake
// in messages.ts is reported before any code is generated from it.
import type { CodeTable, GroupDef, MessageDef } from './catalogue-types.ts';
import { WIRE_RANGE } from './catalogue-types.ts';
import { MAX_PAYLOAD_BYTES } from '../framing/frame-format.ts';
import { maxPayloadSize, scaleFactor } from '../tools/codegen.ts';

const NAME = /^[A-Z][A-Za-z0-9]*$/;
const FIELD = /^[a-z][A-Za-z0-9]*$/;
// Unit suffixes a physical field name must end with, by unit (docs/architecture.md#names-and-files).
const SUFFIX: Record<string, string> = {
  ms: 'Ms', us: 'Us', mmHg: 'MmHg', 'mL/h': 'MlPerH', mL: 'Ml', mA: 'Ma', 'uV^2': 'Uv2', 'beats/min': 'Bpm',
};

export function catalogueProblems(messages: readonly MessageDef[], groups: readonly GroupDef[], tables: readonly CodeTable[]): string[] {
  const problems: string[] = [];
  const seenIds = new Map<number, string>();
  const seenNames = new Set<string>();
  for (const m of messages) {
    const at = `message ${m.name} (id 0x${m.id.toString(16)})`;
    if (!NAME.test(m.name)) problems.push(`${at}: name must be PascalCase`);
    if (seenNames.has(m.name)) problems.push(`${at}: name used twice`);
    seenNames.add(m.name);
    const other = seenIds.get(m.id);
    if (other) problems.push(`${at}: id already used by ${other}`);
    seenIds.set(m.id, m.name);
    if (!Number.isInteger(m.id) || m.id < 1 || m.id > 0xff) problems.push(`${at}: id must be an integer 1..255`);
    const group = groups.find((g) => g.name === m.group);
    if (!group) problems.push(`${at}: unknown group '${m.group}'`);
    else if (m.id < group.firstId || m.id > group.lastId) {
      problems.push(`${at}: id outside its group '${group.name}' (0x${group.firstId.toString(16)}..0x${group.lastId.toString(16)})`);
    }
    const size = maxPayloadSize(m);
    if (size > MAX_PAYLOAD_BYTES) problems.push(`${at}: largest payload is ${size} bytes, above the ${MAX_PAYLOAD_BYTES}-byte limit`);
    const fieldNames = new Set<string>();
    let extSeen = false;
    for (const f of m.fields) {
      const fat = `${at}, field ${f.name}`;
      if (!FIELD.test(f.name)) problems.push(`${fat}: name must be camelCase`);
      if (fieldNames.has(f.name)) problems.push(`${fat}: name used twice`);
      fieldNames.add(f.name);
      if (f.ext) extSeen = true;
      else if (extSeen) problems.push(`${fat}: a mandatory field may not follow an extension field`);
      if (f.type === 'text') continue;
      const suffix = SUFFIX[f.unit];
      if (suffix && !f.name.endsWith(suffix)) problems.push(`${fat}: unit ${f.unit} needs the name suffix '${suffix}'`);
      if (!(f.min <= f.max)) problems.push(`${fat}: min ${f.min} is above max ${f.max}`);
      const wire = f.type === 'array' ? f.element : f.type;
      if (wire === 'f32') continue;
      let k = 1;
      try {
        k = scaleFactor(f.scale);
      } catch (e) {
        problems.push(`${fat}: ${(e as Error).message}`);
      }
      const [lo, hi] = WIRE_RANGE[wire];
      if (Math.round(f.min * k) < lo || Math.round(f.max * k) > hi) {
        problems.push(`${fat}: range ${f.min}..${f.max} at scale 1/${k} does not fit ${wire} (${lo}..${hi})`);
      }
      if (f.type !== 'array') {
        const ref = f.codes ?? f.flags;
        if (ref && !tables.some((t) => t.name === ref)) problems.push(`${fat}: unknown code table '${ref}'`);
      }
    }
  }
  for (const t of tables) {
    const values = Object.values(t.values);
    if (new Set(values).size !== values.length) problems.push(`code table ${t.name}: a value is used twice`);
  }
  return problems;
}

export function assertValidCatalogue(messages: readonly MessageDef[], groups: readonly GroupDef[], tables: readonly CodeTable[]): void {
  const problems = catalogueProblems(messages, groups, tables);
  if (problems.length > 0) {
    throw new Error(`the message catalogue has ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  }
}
