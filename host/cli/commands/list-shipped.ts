// `homeostat list [kind]`: the data files the project ships, by the name an option takes (--scenario
// stress), each with the first sentence of what it says about itself.
import { readdirSync, readFileSync } from 'node:fs';
import type { ConfigKind } from '../config-kinds.ts';
import { CONFIG_KINDS, configKind } from '../config-kinds.ts';

const repo = (p: string) => new URL(`../../../${p}`, import.meta.url).pathname;

/** A file's own description: a board's name, or the first sentence of its $comment. */
function about(file: Record<string, unknown>): string {
  if (typeof file.name === 'string' && typeof file.variables === 'number') return `${file.name}, ${file.variables} variables`;
  const comment = typeof file.$comment === 'string' ? file.$comment : '';
  const first = comment.split(/(?<=\.)\s(?=[A-Z])/)[0].replace(/\.$/, '');
  return first.length > 110 ? `${first.slice(0, 107)}...` : first;
}

function listKind(k: ConfigKind): string[] {
  const suffix = `.${k.kind}.json`;
  const files = readdirSync(repo(k.dir)).filter((f) => f.endsWith(suffix)).sort();
  const names = files.map((f) => f.slice(0, -suffix.length));
  const width = Math.max(...names.map((n) => n.length));
  return [
    `${k.plural} (${k.dir}/*${suffix}): ${k.what}`,
    ...files.map((f, i) => `  ${names[i].padEnd(width)}  ${about(JSON.parse(readFileSync(repo(`${k.dir}/${f}`), 'utf8')))}`),
  ];
}

/** The listing of one kind (singular or plural name), or of every kind. */
export function listShipped(what: string | undefined): string[] {
  if (what === undefined) return CONFIG_KINDS.flatMap((k) => [...listKind(k), '']);
  const k = configKind(what);
  if (!k) throw new Error(`nothing called '${what}' to list: choose one of ${CONFIG_KINDS.map((x) => x.plural).join(', ')}`);
  return listKind(k);
}
