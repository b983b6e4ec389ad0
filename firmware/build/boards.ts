// Reads and validates firmware/devices/*.device.json and firmware/boards/*.board.json, and merges each
// board's pins and overrides with its nodes' device files into the Board every consumer uses. A bad file is
// reported with its name, the field and what is wrong, before anything is built.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Board } from './board-schema.ts';
import { boardFileSchema, boardSchema, NODE_CONFIG_SCHEMAS } from './board-schema.ts';
import type { DeviceFile, DeviceName } from './device-schema.ts';
import { DEVICE_FIELDS, DEVICE_FILE_SCHEMAS, DEVICE_NAMES } from './device-schema.ts';

export const boardsDir = fileURLToPath(new URL('../boards/', import.meta.url));
export const devicesDir = fileURLToPath(new URL('../devices/', import.meta.url));

/** The device files by node, each typed as its own node's. */
export type Devices = { [N in DeviceName]?: Extract<DeviceFile, { device: N }> };
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const deviceFileOf = (name: string) => `firmware/devices/${name}.device.json`;

function parseJson(where: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
  }
}

function issueLines(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((i) => `  ${[prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(top level)'}: ${i.message}`);
}

export function parseDevice(fileName: string, text: string): DeviceFile {
  const where = `firmware/devices/${fileName}`;
  const name = fileName.replace(/\.device\.json$/, '');
  if (!DEVICE_NAMES.includes(name as DeviceName) || !fileName.endsWith('.device.json')) {
    throw new Error(`${where}: names no node; a device file is <node>.device.json for one of ${DEVICE_NAMES.join(', ')}`);
  }
  const r = DEVICE_FILE_SCHEMAS[name as DeviceName].safeParse(parseJson(where, text));
  if (!r.success) throw new Error(`${where} is not a valid device file:\n${issueLines(r.error.issues).join('\n')}`);
  return r.data;
}

export function loadDevices(): Devices {
  const devices: Devices = {};
  for (const f of readdirSync(devicesDir).filter((f) => f.endsWith('.device.json')).sort()) {
    const d = parseDevice(f, readFileSync(devicesDir + f, 'utf8'));
    (devices as Record<string, DeviceFile>)[d.device] = d;
  }
  return devices;
}

/** Fields a board's node section gives that its device has no field for, each with the fields it could have meant. */
function unknownOverrides(raw: unknown): string[] {
  const lines: string[] = [];
  const walk = (given: Json, fields: Record<string, z.ZodType>, path: string, device: string, top: boolean) => {
    for (const [key, value] of Object.entries(given)) {
      if (top && key === 'pins') continue;
      const field = fields[key];
      if (!field) {
        const has = Object.keys(fields).join(', ');
        lines.push(`  ${path}.${key}: overrides no field of ${deviceFileOf(device)} (${top ? `a node section holds pins and overrides of: ${has}` : `there: ${has}`})`);
      } else if (field instanceof z.ZodObject && isObject(value)) walk(value, field.shape, `${path}.${key}`, device, false);
    }
  };
  const nodes = isObject(raw) && isObject(raw.nodes) ? raw.nodes : {};
  for (const [node, section] of Object.entries(nodes)) {
    // A node the schema does not know, or a section that is not an object, is the schema's to report.
    if (DEVICE_NAMES.includes(node as DeviceName) && isObject(section)) walk(section, DEVICE_FIELDS[node as DeviceName], `nodes.${node}`, node, true);
  }
  return lines;
}

/** The leaves of a board's overrides, as [path inside the device, value]. */
function overrideLeaves(section: Json, path: string[] = []): [string[], unknown][] {
  return Object.entries(section).flatMap(([key, value]): [string[], unknown][] => {
    if (path.length === 0 && key === 'pins') return [];
    return isObject(value) ? overrideLeaves(value, [...path, key]) : [[[...path, key], value]];
  });
}

/** A device file's facts: the file without its own bookkeeping. */
function deviceFacts(d: DeviceFile): Json {
  const { $schema, $comment, device, sources, ...facts } = d;
  void $schema, void $comment, void device, void sources;
  return structuredClone(facts);
}

export function parseBoard(fileName: string, text: string, devices: Devices = loadDevices()): Board {
  const where = `firmware/boards/${fileName}`;
  const raw = parseJson(where, text);
  const invalid = (lines: string[]) => new Error(`${where} is not a valid board file:\n${lines.join('\n')}`);
  const unknown = unknownOverrides(raw);
  if (unknown.length > 0) throw invalid(unknown);
  const r = boardFileSchema.safeParse(raw);
  if (!r.success) throw invalid(issueLines(r.error.issues));
  const file = r.data;
  if (`${file.id}.board.json` !== fileName) throw new Error(`${where}: its id '${file.id}' must match the file name`);

  const problems: string[] = [];
  const nodes: Json = {};
  const sources: Record<string, string> = {};
  for (const [node, section] of Object.entries(file.nodes) as [DeviceName, Json | undefined][]) {
    if (!section) continue;
    const device = devices[node];
    if (!device) {
      problems.push(`  nodes.${node}: no device file ${deviceFileOf(node)} to take the ${node}'s facts from`);
      continue;
    }
    const merged = deviceFacts(device);
    for (const [path, value] of overrideLeaves(section)) {
      const at = `nodes.${node}.${path.join('.')}`;
      const parent = path.slice(0, -1).reduce((o, k) => o[k] as Json, merged);
      const key = path[path.length - 1];
      if (parent[key] === value) problems.push(`  ${at}: states ${deviceFileOf(node)}'s own value (${JSON.stringify(value)}); remove it: a board overrides a device only where it differs`);
      else if (!file.sources?.[at]) problems.push(`  ${at}: overrides ${deviceFileOf(node)} (${JSON.stringify(parent[key])} -> ${JSON.stringify(value)}) without a reason: add sources["${at}"] saying why this board differs`);
      parent[key] = value;
    }
    const checked = NODE_CONFIG_SCHEMAS[node].safeParse({ pins: section.pins, ...merged });
    if (!checked.success) {
      problems.push(...issueLines(checked.error.issues, `nodes.${node}`).map((l) => `${l} (with this board's overrides of ${deviceFileOf(node)})`));
      continue;
    }
    nodes[node] = checked.data;
    for (const [path, text] of Object.entries(device.sources ?? {})) sources[`nodes.${node}.${path}`] = text;
  }
  if (problems.length > 0) throw invalid(problems);
  Object.assign(sources, file.sources);
  const { nodes: _own, sources: _cited, ...own } = file;
  void _own, void _cited;
  return boardSchema.parse({ ...own, nodes, ...(Object.keys(sources).length > 0 ? { sources } : {}) });
}

export function loadBoards(): Board[] {
  const devices = loadDevices();
  return readdirSync(boardsDir)
    .filter((f) => f.endsWith('.board.json'))
    .sort()
    .map((f) => parseBoard(f, readFileSync(boardsDir + f, 'utf8'), devices));
}
