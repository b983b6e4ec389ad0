// Rules for changing a released catalogue: a released message keeps its id, name, kind, direction and
// every field's layout; it may only grow by appending extension fields. Ids and code values are never
// reused. compatibilityProblems() lists every breach, naming the message and field.
import type { CodeTable, MessageDef } from './catalogue-types.ts';
import { messageLayout } from './layout.ts';

export interface ReleasedCatalogue {
  protocolVersion: number;
  /** messageLayout() of each released message. */
  messages: unknown[][];
  /** [table name, [[code name, value], ...]] */
  codes: [string, [string, number][]][];
}

export function releaseSnapshot(protocolVersion: number, messages: readonly MessageDef[], tables: readonly CodeTable[]): ReleasedCatalogue {
  return {
    protocolVersion,
    messages: [...messages].sort((a, b) => a.id - b.id).map(messageLayout),
    codes: tables.map((t) => [t.name, Object.entries(t.values)]),
  };
}

export function compatibilityProblems(released: ReleasedCatalogue, current: ReleasedCatalogue): string[] {
  const problems: string[] = [];
  for (const old of released.messages) {
    const [id, name, kind, direction, fields] = old as [number, string, string, string, unknown[][]];
    const at = `released message ${name} (id 0x${id.toString(16)})`;
    const now = current.messages.find((m) => m[0] === id);
    if (!now) {
      problems.push(`${at} was removed: released ids stay in the catalogue and are never reused`);
      continue;
    }
    const [, nName, nKind, nDirection, nFields] = now as [number, string, string, string, unknown[][]];
    if (nName !== name) problems.push(`${at}: its id is now used by ${nName}; ids are never reused`);
    if (nKind !== kind) problems.push(`${at}: kind changed from ${kind} to ${nKind}`);
    if (nDirection !== direction) problems.push(`${at}: direction changed from ${direction} to ${nDirection}`);
    fields.forEach((f, i) => {
      const g = nFields[i];
      if (!g) problems.push(`${at}, field ${f[0]}: removed; released fields are never removed`);
      else if (JSON.stringify(g) !== JSON.stringify(f)) {
        problems.push(`${at}, field ${f[0]}: layout changed from ${JSON.stringify(f)} to ${JSON.stringify(g)}`);
      }
    });
    for (const g of nFields.slice(fields.length)) {
      if (g[g.length - 1] !== 1) problems.push(`${at}, field ${g[0]}: appended to a released message without the extension marker (ext: true)`);
    }
  }
  for (const [table, values] of released.codes) {
    const now = current.codes.find((t) => t[0] === table);
    if (!now) {
      problems.push(`released code table ${table} was removed`);
      continue;
    }
    for (const [code, value] of values) {
      const same = now[1].find((v) => v[0] === code);
      if (!same || same[1] !== value) problems.push(`code table ${table}: released code ${code}=${value} was changed or removed`);
      const clash = now[1].find((v) => v[1] === value && v[0] !== code);
      if (clash) problems.push(`code table ${table}: value ${value} of released code ${code} is reused by ${clash[0]}`);
    }
  }
  return problems;
}
