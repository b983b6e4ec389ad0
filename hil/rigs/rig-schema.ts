// A bench as data (*.rig.yaml): its resources, passive typed facts about what is wired (a serial port
// found by its USB serial number, a switchable power port, a voltage source), and its nodes, each a
// firmware node on a board, on a port, maybe powered through a power port and fed by a source. Drivers
// act on the resources (rig-drivers.ts); the bench strategy brings the bench up (bench-strategy.ts).
import { z } from 'zod';
import { FIRMWARE_NODES } from '../../firmware/build/firmware-build.ts';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes');

export const serialPortResource = z.strictObject({
  kind: z.literal('serial-port'),
  /** The USB serial number the port is listed with (`homeostat ports` shows it): stable across re-plugging. */
  usbSerial: z.string().min(1),
  baud: z.number().int().min(300).max(4_000_000).default(115200),
});

export const powerPortResource = z.strictObject({
  kind: z.literal('power-port'),
  /** uhubctl: a USB hub port with per-port power switching, named by the hub's location and the port number. */
  driver: z.literal('uhubctl'),
  hub: z.string().regex(/^\d+(-\d+(\.\d+)*)?$/, 'a hub location as uhubctl lists it, such as 1-1 or 2-1.4'),
  port: z.number().int().min(1).max(32),
  /** How long the port stays off in a power cycle (a board's capacitors drain). */
  offMs: z.number().int().min(0).max(60_000).default(1000),
});

export const voltageSourceResource = z.strictObject({
  kind: z.literal('voltage-source'),
  /** scpi: a bench supply or source meter taking SCPI text commands on a serial port. */
  driver: z.literal('scpi'),
  /** The serial-port resource the instrument is on. */
  port: id,
  channel: z.number().int().min(1).max(8).default(1),
  /** Never set above this (the board's ADC input range). */
  maxV: z.number().positive().max(30),
});

export const resourceSchema = z.discriminatedUnion('kind', [serialPortResource, powerPortResource, voltageSourceResource]);

const nodeSchema = z.strictObject({
  /** A board of firmware/boards. */
  board: z.string().min(1),
  /** The serial-port resource the node speaks the protocol on. */
  port: id,
  /** The power-port resource that powers it; absent: always powered. */
  power: id.optional(),
  /** Flash the node's bundle at bring-up (false: the board already holds it). */
  flash: z.boolean().default(true),
  /** Sources wired to the node's input pins, by the pin's role in the board file (pressure, lfp...). */
  inputs: z.record(z.string(), id).default({}),
});

const nodeNames = FIRMWARE_NODES.map((n) => n.name) as [string, ...string[]];

export const rigSchema = z.strictObject({
  $schema: z.string().optional(),
  name: id,
  description: z.string().optional(),
  resources: z.record(id, resourceSchema),
  nodes: z.partialRecord(z.enum(nodeNames), nodeSchema),
}).superRefine((rig, ctx) => {
  const ofKind = (kind: string) => Object.keys(rig.resources).filter((k) => rig.resources[k].kind === kind);
  const check = (path: (string | number)[], name: string | undefined, kind: string) => {
    if (name === undefined || rig.resources[name]?.kind === kind) return;
    const have = ofKind(kind);
    ctx.addIssue({
      code: 'custom', path,
      message: `no ${kind} resource '${name}'${rig.resources[name] ? ` ('${name}' is a ${rig.resources[name].kind})` : ''}; ${have.length ? `the ${kind} resources are: ${have.join(', ')}` : `the rig has no ${kind} resource`}`,
    });
  };
  for (const [node, n] of Object.entries(rig.nodes)) {
    if (!n) continue;
    check(['nodes', node, 'port'], n.port, 'serial-port');
    check(['nodes', node, 'power'], n.power, 'power-port');
    for (const [pin, src] of Object.entries(n.inputs)) check(['nodes', node, 'inputs', pin], src, 'voltage-source');
  }
  for (const [name, r] of Object.entries(rig.resources)) if (r.kind === 'voltage-source') check(['resources', name, 'port'], r.port, 'serial-port');
  const bySerial = new Map<string, string>();
  for (const [name, r] of Object.entries(rig.resources)) {
    if (r.kind !== 'serial-port') continue;
    const other = bySerial.get(r.usbSerial);
    if (other) ctx.addIssue({ code: 'custom', path: ['resources', name, 'usbSerial'], message: `USB serial number '${r.usbSerial}' is already '${other}': each port is one device` });
    bySerial.set(r.usbSerial, name);
  }
  const usedPorts = new Map<string, string>();
  for (const [node, n] of Object.entries(rig.nodes)) {
    if (!n) continue;
    const other = usedPorts.get(n.port);
    if (other) ctx.addIssue({ code: 'custom', path: ['nodes', node, 'port'], message: `port '${n.port}' is already ${other}'s` });
    usedPorts.set(n.port, node);
  }
});

export type Rig = z.infer<typeof rigSchema>;
export type RigNode = NonNullable<Rig['nodes'][string]>;
export type SerialPortResource = z.infer<typeof serialPortResource>;
export type PowerPortResource = z.infer<typeof powerPortResource>;
export type VoltageSourceResource = z.infer<typeof voltageSourceResource>;
