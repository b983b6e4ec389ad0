// Reading a *.rig.yaml file: YAML (comments welcome: a bench's wiring wants explaining), checked against
// the rig schema and the boards of firmware/boards. Every error names the file, the line and column, and
// the field: "bench.rig.yaml:12:11: nodes.infusion-pump.port: no serial-port resource 'pmp-usb' ...".
import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { loadBoards } from '../../firmware/build/boards.ts';
import { FIRMWARE_NODES } from '../../firmware/build/firmware-build.ts';
import { rigSchema } from './rig-schema.ts';
import type { Rig } from './rig-schema.ts';

export class RigFileError extends Error {}

type Path = (string | number)[];

/**
 * The offset in the text of the deepest node on the path that exists (a missing field points at its
 * parent): a value's own text, or its key when the value is a collection or the key is what is wrong.
 */
export function offsetOf(doc: Document, path: Path, atKey = false): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && node.range) {
      if (n > 0 && (atKey || isMap(node) || isSeq(node))) {
        const parent = doc.getIn(path.slice(0, n - 1), true);
        if (isMap(parent)) {
          const pair = parent.items.find((p) => (p.key as { value?: unknown })?.value === path[n - 1]);
          const key = pair?.key as { range?: [number, number, number] } | undefined;
          if (key?.range) return key.range[0];
        }
      }
      return node.range[0];
    }
  }
  return 0;
}

/** Parses rig text; `file` names it in errors. */
export function parseRig(text: string, file: string): Rig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new RigFileError(`${at(e.pos[0])}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const r = rigSchema.safeParse(doc.toJS());
  if (!r.success) {
    const i = r.error.issues[0];
    // An unknown key is located at the key itself.
    const path = (i.code === 'unrecognized_keys' ? [...i.path, i.keys[0]] : i.path) as Path;
    const known = i.code === 'unrecognized_keys' && i.path.length === 1 && i.path[0] === 'nodes' ? ` (nodes are: ${FIRMWARE_NODES.map((n) => n.name).join(', ')})` : '';
    throw new RigFileError(`${at(offsetOf(doc, path, i.code === 'unrecognized_keys'))}: ${i.path.join('.') || '(top level)'}: ${i.message}${known}`);
  }
  const boards = loadBoards().map((b) => b.id);
  for (const [node, n] of Object.entries(r.data.nodes)) {
    if (n && !boards.includes(n.board)) {
      throw new RigFileError(`${at(offsetOf(doc, ['nodes', node, 'board']))}: nodes.${node}.board: no board '${n.board}' in firmware/boards (there are: ${boards.join(', ')})`);
    }
  }
  return r.data;
}

export function loadRig(path: string): Rig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new RigFileError(`${path}: cannot read the rig file (${(e as Error).message})`);
  }
  return parseRig(text, path);
}
