// Builds one node for one board: the board's config as the module 'homeostat:board', esbuild with the
// Espruino recipe, the subset check on every source that went in and on the bundle, and the IIFE unwrapped
// into top-level statements.
import { readFileSync } from 'node:fs';
import { codeTable } from '../../protocols/catalogue/codes.ts';
import type { Board } from './board-schema.ts';
import { bundleForEspruino } from './espruino-bundle.ts';
import type { TopLevelProgram } from './espruino-program.ts';
import { toTopLevelStatements } from './espruino-program.ts';
import { formatProblems, subsetProblems } from './espruino-subset.ts';
import type { PumpBoardConfig } from '../src/board-config.ts';
import { pumpBuildNode } from '../src/nodes/infusion-pump/syringe-geometry.ts';
import { fileURLToPath } from 'node:url';

export const FIRMWARE_VERSION = { major: 0, minor: 1, patch: 0 };

export const FIRMWARE_NODES = [
  { name: 'infusion-pump', entry: 'firmware/src/nodes/infusion-pump/main.ts' },
  { name: 'bp-sensor', entry: 'firmware/src/nodes/bp-sensor/main.ts' },
  { name: 'neurostimulator', entry: 'firmware/src/nodes/neurostimulator/main.ts' },
  { name: 'patient-emulator', entry: 'firmware/src/nodes/patient-emulator/main.ts' },
] as const;

export type NodeName = (typeof FIRMWARE_NODES)[number]['name'];

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface BuiltNode {
  program: TopLevelProgram;
  bytes: number;
  inputs: string[];
}

export interface BuildOptions {
  /** Unauthenticated bench mode: the node takes commands without authentication (SPEC.md section 3.8). */
  unauthenticatedBenchMode?: boolean;
}

export function buildConfig(nodeName: NodeName, board: Board, options: BuildOptions = {}): Record<string, unknown> {
  return {
    boardId: codeTable('BoardId').values[board.boardId],
    uart: board.uart,
    console: board.console,
    watchdogMs: board.watchdogMs,
    firmware: FIRMWARE_VERSION,
    bench: options.unauthenticatedBenchMode === true,
    node: nodeName === 'infusion-pump' ? pumpBuildNode(board.nodes['infusion-pump'] as PumpBoardConfig) : board.nodes[nodeName],
  };
}

/**
 * The SHA-256 a bundle uses: the board's native one, or the JavaScript one where its Espruino build has
 * none (only then is that code in the bundle).
 */
function sha256Module(board: Board): string {
  // global.require, not require: esbuild would take a bare require for a module of the bundle.
  if (board.nativeSha256) return 'const c = global.require("crypto"); export default (d) => new Uint8Array(c.SHA256(d));';
  return `export { sha256 as default } from ${JSON.stringify(repoRoot + 'protocols/integrity/sha256.ts')};`;
}

/**
 * The pump's delivery monitor where the board has a plunger position sensor; none where it has not (only
 * then is the monitor's code left out, which the smallest boards need for their variables).
 */
function deliveryMonitorModule(board: Board): string {
  if (!board.nodes['infusion-pump']?.pins.plunger) return 'export default null;';
  return `export { DeliveryMonitor as default } from ${JSON.stringify(repoRoot + 'firmware/src/nodes/infusion-pump/delivery-monitor.ts')};`;
}

export async function buildNode(nodeName: NodeName, board: Board, options: BuildOptions = {}): Promise<BuiltNode> {
  const node = FIRMWARE_NODES.find((n) => n.name === nodeName);
  if (!node) throw new Error(`unknown firmware node '${nodeName}' (known: ${FIRMWARE_NODES.map((n) => n.name).join(', ')})`);
  if (!board.nodes[nodeName]) throw new Error(`board '${board.id}' has no configuration for ${nodeName} (firmware/boards/${board.id}.board.json, nodes.${nodeName})`);
  const config = `export default ${JSON.stringify(buildConfig(nodeName, board, options))};`;
  const bundle = await bundleForEspruino(repoRoot + node.entry, {
    virtualModules: { 'homeostat:board': config, 'homeostat:sha256': sha256Module(board), 'homeostat:delivery-monitor': deliveryMonitorModule(board) },
    mangleAllProperties: true,
  });
  const sourceProblems = bundle.inputs.flatMap((f) => subsetProblems(f, readFileSync(f, 'utf8'), 'source'));
  if (sourceProblems.length > 0) {
    throw new Error(`${nodeName} for ${board.id}: sources outside Espruino's subset:\n${formatProblems(sourceProblems)}`);
  }
  const name = `${nodeName}.${board.id}.js`;
  const program = toTopLevelStatements(bundle.code, name);
  const bundleProblems = subsetProblems(name, program.code, 'bundle');
  if (bundleProblems.length > 0) throw new Error(`${name}: the bundle leaves Espruino's subset:\n${formatProblems(bundleProblems)}`);
  return { program, bytes: Buffer.byteLength(program.code), inputs: bundle.inputs };
}
