// Code and flag tables referenced by message fields. Values are wire values: never renumber a released code,
// only add new ones.
import type { CodeTable } from './catalogue-types.ts';

export const codeTables: readonly CodeTable[] = [
  {
    name: 'NodeRole',
    doc: 'What a peer is. The host says host; each firmware node says its device role.',
    values: { host: 0, 'bp-sensor': 1, 'infusion-pump': 2, neurostim: 3, 'patient-emulator': 4 },
  },
  {
    name: 'BoardId',
    doc: 'Board a node runs on (see firmware/boards). 0 for the host.',
    values: { none: 0, 'espruino-original': 1, pico: 2, puckjs: 3, esp32: 4, linux: 5, emulator: 6 },
  },
  {
    name: 'NackReason',
    doc: 'Why a command was refused. 250 and above never travel on the wire: the session raises them locally.',
    localFrom: 250,
    values: {
      'unknown-message': 1,
      'bad-length': 2,
      'out-of-range': 3,
      'not-ready': 4,
      'hard-limit': 5,
      'rate-change-limit': 6,
      'alarm-active': 7,
      'wrong-role': 8,
      busy: 9,
      'version-mismatch': 10,
      'layout-mismatch': 11,
      stale: 12,
      expired: 13,
      'link-lost': 252,
      timeout: 253,
      'queue-full': 254,
    },
  },
  {
    name: 'AuthMode',
    doc: 'How a peer authenticates its frames (SPEC.md section 3).',
    values: { none: 0, 'hmac-sha256': 1, 'unauthenticated-bench': 2 },
  },
  {
    name: 'AlarmCode',
    doc: 'Alarm conditions raised by nodes (1xx link and node, 2xx pressure sensor, 3xx pump, 4xx stimulator).',
    values: {
      'watchdog-reset': 101,
      'lease-expired': 102,
      'link-lost': 103,
      'hard-limit-clamped': 104,
      'sensor-fault': 201,
      'pressure-lost-signal': 202,
      'pressure-artifact': 203,
      occlusion: 301,
      'syringe-empty': 302,
      'syringe-near-empty': 303,
      'time-at-ceiling': 304,
      'motor-stall': 305,
      'free-flow': 306,
      'air-in-line': 307,
      'stim-impedance': 401,
      'stim-ramp-limited': 402,
    },
  },
  {
    name: 'AlarmPriority',
    doc: 'IEC 60601-1-8 style priority.',
    values: { low: 1, medium: 2, high: 3 },
  },
  {
    name: 'AlarmState',
    doc: 'Whether an Alarm message raises or clears its condition.',
    values: { cleared: 0, raised: 1 },
  },
  {
    name: 'PumpState',
    doc: 'Infusion pump mode.',
    values: { stopped: 0, running: 1, 'safe-rate': 2, alarm: 3, 'awaiting-host': 4 },
  },
  {
    name: 'StimState',
    doc: 'Neurostimulator mode.',
    values: { off: 0, stimulating: 1, 'ramping-down': 2, alarm: 3, 'awaiting-host': 4 },
  },
  {
    name: 'PressureQuality',
    doc: 'Bit flags on a beat: 0 means a clean beat.',
    values: {
      'flush-spike': 1,
      'over-damped': 2,
      'flat-line': 4,
      'out-of-range': 8,
      'lost-signal': 16,
      'irregular-beat': 32,
    },
  },
  {
    name: 'PumpAlarmFlags',
    doc: 'Bit flags of active pump alarms.',
    values: { occlusion: 1, 'syringe-empty': 2, 'syringe-near-empty': 4, 'hard-limit-clamped': 8, 'lease-expired': 16,
      'motor-stall': 32, 'free-flow': 64, 'air-in-line': 128 },
  },
  {
    name: 'StimAlarmFlags',
    doc: 'Bit flags of active stimulator alarms.',
    values: { impedance: 1, 'ramp-limited': 2, 'hard-limit-clamped': 4, 'lease-expired': 8 },
  },
];

export function codeTable(name: string): CodeTable {
  const table = codeTables.find((t) => t.name === name);
  if (!table) throw new Error(`unknown code table '${name}'`);
  return table;
}

/** The name of a code in a table, or undefined when the table has no such value. */
export function codeName(table: string, value: number): string | undefined {
  const hit = Object.entries(codeTable(table).values).find(([, v]) => v === value);
  return hit ? hit[0] : undefined;
}

/** The names of the bits set in a flags value, as words ("over damped, flat line"); unknown bits by number. */
export function flagWords(table: string, value: number): string {
  const words: string[] = [];
  let rest = value;
  for (const [name, bit] of Object.entries(codeTable(table).values)) {
    if ((value & bit) === 0) continue;
    words.push(name.replace(/-/g, ' '));
    rest &= ~bit;
  }
  if (rest) words.push(`bits ${rest}`);
  return words.length ? words.join(', ') : 'none';
}
