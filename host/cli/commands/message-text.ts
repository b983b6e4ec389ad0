// A decoded message as a person reads it: codes by their names from the catalogue's code tables
// ("state":"running", not "state":1) and flag fields as the list of flags set, for `decode` and `monitor`.
import { codeName, codeTable } from '../../../protocols/catalogue/codes.ts';
import type { DecodedMessage } from '../../../protocols/host/host-codec.ts';
import { messageDef } from '../../../protocols/host/host-codec.ts';

/** The names of the flags set in a value; bits no flag names are kept as a number. */
export function flagNames(table: string, value: number): (string | number)[] {
  const names: (string | number)[] = [];
  let rest = value;
  for (const [name, bit] of Object.entries(codeTable(table).values)) {
    if ((value & bit) !== 0) {
      names.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) names.push(rest);
  return names;
}

/** The message's values with codes and flags named (an unknown code stays a number). */
export function namedValues(m: Pick<DecodedMessage, 'name' | 'values'>): Record<string, unknown> {
  const values: Record<string, unknown> = { ...(m.values as Record<string, unknown>) };
  for (const f of messageDef(m.name).fields) {
    const v = values[f.name];
    if (typeof v !== 'number' || f.type === 'array' || f.type === 'text') continue;
    if (f.codes) values[f.name] = codeName(f.codes, v) ?? v;
    else if (f.flags) values[f.name] = flagNames(f.flags, v);
  }
  return values;
}

/** "PumpStatus {...}" with names for codes and flags. */
export function messageText(m: Pick<DecodedMessage, 'name' | 'values'>): string {
  return `${m.name} ${JSON.stringify(namedValues(m))}`;
}
