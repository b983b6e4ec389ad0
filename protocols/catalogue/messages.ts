// The message catalogue: every message of the homeostat wire protocol, stated once.
// Rules: ids are grouped by device in the ranges of `groups` and never reused; a released message may only
// change by appending fields marked `ext: true` (checked against protocols/released/ by a test).
import type { GroupDef, MessageDef } from './catalogue-types.ts';

/** Protocol version carried in every frame header and in Hello. Bump only for a change of framing or session rules. */
export const PROTOCOL_VERSION = 2;

export const groups: readonly GroupDef[] = [
  { name: 'link', firstId: 0x01, lastId: 0x0f, doc: 'Session traffic every node and the host speak.' },
  { name: 'bp-sensor', firstId: 0x10, lastId: 0x1f, doc: 'Arterial blood-pressure sensor node.' },
  { name: 'infusion-pump', firstId: 0x20, lastId: 0x2f, doc: 'Syringe infusion pump node.' },
  { name: 'neurostim', firstId: 0x30, lastId: 0x3f, doc: 'Neurostimulator node with beta-band sensing.' },
  { name: 'patient-emulator', firstId: 0x40, lastId: 0x4f, doc: 'Bench instrument that plays the patient to the sensor and pump boards.' },
];

const tMs = {
  name: 'tMs', type: 'u32', unit: 'ms', min: 0, max: 0xffffffff,
  doc: 'Node uptime when the value was taken (wraps after 49.7 days).',
} as const;

const leaseMs = {
  name: 'leaseMs', type: 'u32', unit: 'ms', min: 100, max: 3_600_000,
  doc: 'How long the command holds. When it lapses without renewal the node goes to its safe state.',
} as const;

const nonceWord = (name: string, doc: string) => ({ name, type: 'u32', unit: '1', min: 0, max: 0xffffffff, ext: true, doc }) as const;

const ackedSeq = { name: 'ackedSeq', type: 'u8', unit: '1', min: 0, max: 255, doc: 'Sequence number of the command answered.' } as const;
const ackedMsgId = { name: 'ackedMsgId', type: 'u8', unit: '1', min: 0, max: 255, doc: 'Message id of the command answered.' } as const;
const leaseRemainingMs = {
  name: 'leaseRemainingMs', type: 'u32', unit: 'ms', min: 0, max: 3_600_000, doc: 'Time left on the current command lease (0: none).',
} as const;

export const Hello = {
  id: 0x01, name: 'Hello', group: 'link', kind: 'link', direction: 'both',
  doc: 'Opens a session. The host sends it with a fresh nonce until the node answers with its own Hello and nonce, authenticated with the device key (SPEC.md section 3.2); a peer whose protocol version or layout hash differs is refused.',
  fields: [
    { name: 'protocolVersion', type: 'u8', unit: '1', min: 0, max: 255, doc: 'PROTOCOL_VERSION of the sender.' },
    { name: 'layoutHash', type: 'u32', unit: '1', min: 0, max: 0xffffffff, doc: 'CRC-32 of the canonical catalogue layout (see SPEC.md).' },
    { name: 'nodeRole', type: 'u8', unit: 'enum', codes: 'NodeRole', min: 0, max: 255, doc: 'Role of the sender.' },
    { name: 'boardId', type: 'u8', unit: 'enum', codes: 'BoardId', min: 0, max: 255, doc: 'Board the sender runs on.' },
    { name: 'firmwareMajor', type: 'u8', unit: '1', min: 0, max: 255, doc: 'Firmware (or host) version, major.' },
    { name: 'firmwareMinor', type: 'u8', unit: '1', min: 0, max: 255, doc: 'Version, minor.' },
    { name: 'firmwarePatch', type: 'u8', unit: '1', min: 0, max: 255, doc: 'Version, patch.' },
    { name: 'uptimeMs', type: 'u32', unit: 'ms', min: 0, max: 0xffffffff, doc: 'Sender uptime: a small value after a reset tells the peer the node rebooted.' },
    { name: 'isReply', type: 'u8', unit: '1', min: 0, max: 1, doc: '1 when this Hello answers the peer\'s Hello, 0 when it opens a session.' },
    {
      name: 'sessionId', type: 'u32', unit: '1', min: 0, max: 0xffffffff,
      doc: 'Chosen by the initiator for each handshake and echoed in the reply; 0 in a node\'s boot announcement. A repeated or late Hello of the current session does not restart it.',
    },
    { name: 'uniqueId', type: 'text', maxLength: 32, doc: 'Board serial (E.getSerial()) or host instance name.' },
    nonceWord('nonceLow', 'Fresh random nonce of the sender for this handshake, low 32 bits (0 in a boot announcement).'),
    nonceWord('nonceHigh', 'Nonce, high 32 bits.'),
    {
      name: 'authMode', type: 'u8', unit: 'enum', codes: 'AuthMode', min: 0, max: 255, ext: true,
      doc: 'How the sender authenticates its frames: a node without a key says none and refuses to actuate.',
    },
  ],
} as const satisfies MessageDef;

export const Heartbeat = {
  id: 0x02, name: 'Heartbeat', group: 'link', kind: 'link', direction: 'both',
  doc: 'Sent by both sides on a fixed period while the session is up; silence past the link timeout means the link is lost.',
  fields: [
    { name: 'uptimeMs', type: 'u32', unit: 'ms', min: 0, max: 0xffffffff, doc: 'Sender uptime.' },
  ],
} as const satisfies MessageDef;

export const Ack = {
  id: 0x03, name: 'Ack', group: 'link', kind: 'link', direction: 'both',
  doc: 'The command with this sequence number and id was accepted (or was a duplicate of an accepted one).',
  fields: [
    ackedSeq,
    ackedMsgId,
    {
      name: 'appliedLeaseMs', type: 'u32', unit: 'ms', min: 0, max: 3_600_000, ext: true,
      doc: 'The lease the node applied, counted from the command\'s send time (SPEC.md section 3.7); 0 for a command without a lease.',
    },
  ],
} as const satisfies MessageDef;

export const Nack = {
  id: 0x04, name: 'Nack', group: 'link', kind: 'link', direction: 'both',
  doc: 'The command was refused and not acted on.',
  fields: [
    ackedSeq,
    ackedMsgId,
    { name: 'reason', type: 'u8', unit: 'enum', codes: 'NackReason', min: 0, max: 255, doc: 'Why it was refused.' },
    { name: 'fieldIndex', type: 'u8', unit: '1', min: 0, max: 255, doc: 'Index of the offending field, 255 when none.' },
  ],
} as const satisfies MessageDef;

const counter = (name: string, doc: string) => ({ name, type: 'u32', unit: '1', min: 0, max: 0xffffffff, doc }) as const;

export const LinkStatus = {
  id: 0x05, name: 'LinkStatus', group: 'link', kind: 'link', direction: 'both',
  doc: 'Link counters of the sender since its boot, sent periodically.',
  fields: [
    counter('framesRx', 'Frames received that passed all checks.'),
    counter('framesTx', 'Frames sent, retransmissions included.'),
    counter('crcErrors', 'Frames dropped for a failed CRC or COBS decode.'),
    counter('resyncs', 'Times the framer discarded bytes and re-locked on a delimiter.'),
    counter('oversize', 'Frames dropped for exceeding the maximum frame size.'),
    counter('drops', 'Frames missing from the peer, judged by sequence gaps.'),
    counter('retransmits', 'Commands sent again for want of an answer.'),
    counter('duplicates', 'Commands received again and answered without re-executing.'),
    { ...counter('versionErrors', 'Frames dropped for another protocol version (their CRC was good).'), ext: true },
    { ...counter('authErrors', 'Frames dropped because their MAC did not verify.'), ext: true },
    { ...counter('replays', 'Frames dropped as already received or too old for the replay window.'), ext: true },
    { ...counter('stale', 'Commands refused as older than the last one executed or than the age limit.'), ext: true },
  ],
} as const satisfies MessageDef;

export const Alarm = {
  id: 0x06, name: 'Alarm', group: 'link', kind: 'telemetry', direction: 'node-to-host',
  doc: 'A node raised or cleared an alarm condition.',
  fields: [
    tMs,
    { name: 'code', type: 'u16', unit: 'enum', codes: 'AlarmCode', min: 0, max: 0xffff, doc: 'Condition.' },
    { name: 'priority', type: 'u8', unit: 'enum', codes: 'AlarmPriority', min: 0, max: 255, doc: 'Priority.' },
    { name: 'state', type: 'u8', unit: 'enum', codes: 'AlarmState', min: 0, max: 255, doc: 'Raised or cleared.' },
  ],
} as const satisfies MessageDef;

const pressure = (name: string, doc: string) =>
  ({ name, type: 'i16', unit: 'mmHg', scale: 0.1, min: -50, max: 400, doc }) as const;

export const PressureBeat = {
  id: 0x10, name: 'PressureBeat', group: 'bp-sensor', kind: 'telemetry', direction: 'node-to-host',
  doc: 'One detected heart beat of the arterial pressure waveform.',
  fields: [
    tMs,
    pressure('systolicMmHg', 'Peak pressure of the beat.'),
    pressure('diastolicMmHg', 'Trough pressure before the beat.'),
    pressure('meanMmHg', 'Mean arterial pressure over the beat (area / duration).'),
    { name: 'heartRateBpm', type: 'u16', unit: 'beats/min', scale: 0.1, min: 0, max: 350, doc: 'From the beat-to-beat interval.' },
    { name: 'quality', type: 'u8', unit: 'flags', flags: 'PressureQuality', min: 0, max: 255, doc: 'Artifact flags; 0 is a clean beat.' },
  ],
} as const satisfies MessageDef;

export const PressureWaveform = {
  id: 0x11, name: 'PressureWaveform', group: 'bp-sensor', kind: 'telemetry', direction: 'node-to-host',
  doc: 'A batch of raw calibrated samples, sent after a PressureWaveformRequest.',
  fields: [
    tMs,
    { name: 'samplePeriodUs', type: 'u32', unit: 'us', min: 100, max: 1_000_000, doc: 'Time between samples.' },
    {
      name: 'samplesMmHg', type: 'array', element: 'i16', unit: 'mmHg', scale: 0.1, min: -50, max: 400, maxCount: 100,
      doc: 'Calibrated samples, oldest first.',
    },
  ],
} as const satisfies MessageDef;

export const PressureWaveformRequest = {
  id: 0x12, name: 'PressureWaveformRequest', group: 'bp-sensor', kind: 'command', direction: 'host-to-node',
  doc: 'Asks the sensor to send the next samples as PressureWaveform batches.',
  fields: [
    { name: 'sampleCount', type: 'u16', unit: '1', min: 1, max: 2000, doc: 'How many samples to send in all.' },
  ],
} as const satisfies MessageDef;

const rateMlPerH = (name: string, doc: string) =>
  ({ name, type: 'u32', unit: 'mL/h', scale: 0.001, min: 0, max: 2000, doc }) as const;

export const PumpSetRate = {
  id: 0x20, name: 'PumpSetRate', group: 'infusion-pump', kind: 'command', direction: 'host-to-node',
  doc: 'Run at this rate for the lease; repeat to renew. The pump clamps or refuses what exceeds its board limits.',
  fields: [
    rateMlPerH('rateMlPerH', 'Commanded rate.'), leaseMs,
    { ...rateMlPerH('lapseRateMlPerH', 'Rate to fall to if this lease lapses (the drug\'s state on host loss): the pump runs the least of it, the commanded rate and its maxLapseRateMlPerH. Absent: 0, the pump stops.'), ext: true },
  ],
} as const satisfies MessageDef;

export const PumpStop = {
  id: 0x21, name: 'PumpStop', group: 'infusion-pump', kind: 'command', direction: 'host-to-node',
  doc: 'Stop infusing now; also acknowledges a latched alarm. Without authentication it is obeyed only by a pump whose board file says so (obeyUnauthenticatedStop).',
  fields: [],
} as const satisfies MessageDef;

export const PumpStatus = {
  id: 0x22, name: 'PumpStatus', group: 'infusion-pump', kind: 'telemetry', direction: 'node-to-host',
  doc: 'Pump state, sent periodically and after every change.',
  fields: [
    tMs,
    { name: 'state', type: 'u8', unit: 'enum', codes: 'PumpState', min: 0, max: 255, doc: 'Mode.' },
    rateMlPerH('rateMlPerH', 'Rate being delivered now.'),
    rateMlPerH('commandedRateMlPerH', 'Last rate the host commanded, before limits.'),
    { name: 'deliveredMl', type: 'u32', unit: 'mL', scale: 0.001, min: 0, max: 1_000_000, doc: 'Volume delivered since boot.' },
    leaseRemainingMs,
    { name: 'alarms', type: 'u16', unit: 'flags', flags: 'PumpAlarmFlags', min: 0, max: 0xffff, doc: 'Active alarms.' },
  ],
} as const satisfies MessageDef;

export const PumpLimits = {
  id: 0x23, name: 'PumpLimits', group: 'infusion-pump', kind: 'telemetry', direction: 'node-to-host',
  doc: 'The pump\'s own limits, from its board file: sent once when each session comes up.',
  fields: [
    rateMlPerH('maxRateMlPerH', 'Hard ceiling: a faster rate is refused (hard-limit).'),
    rateMlPerH('maxRateChangeMlPerH', 'Largest rise of the rate within rateChangeWindowMs: more is refused (rate-change-limit).'),
    { name: 'rateChangeWindowMs', type: 'u32', unit: 'ms', min: 0, max: 3_600_000, doc: 'Window of the rate-change limit.' },
    rateMlPerH('safeRateMlPerH', 'Rate the pump falls to when a lease lapses.'),
    { name: 'maxLeaseMs', type: 'u32', unit: 'ms', min: 0, max: 3_600_000, doc: 'Longest lease: a longer one is shortened to this, and the Ack says so.' },
    { name: 'controlTickMs', type: 'u16', unit: 'ms', min: 0, max: 60_000, doc: 'Period of the pump\'s control loop.' },
    { name: 'statusEveryMs', type: 'u32', unit: 'ms', min: 0, max: 3_600_000, doc: 'Period of PumpStatus (it is also sent after every change).' },
    { name: 'obeyUnauthenticatedStop', type: 'u8', unit: '1', min: 0, max: 1, doc: '1 when a PumpStop without authentication is obeyed.' },
    { ...rateMlPerH('maxLapseRateMlPerH', 'Hard ceiling of the rate a lapsed lease may leave running (0: the pump always stops). Absent: 0.'), ext: true },
  ],
} as const satisfies MessageDef;

const amplitudeMa = (name: string, doc: string) =>
  ({ name, type: 'u16', unit: 'mA', scale: 0.001, min: 0, max: 10, doc }) as const;

export const StimSetAmplitude = {
  id: 0x30, name: 'StimSetAmplitude', group: 'neurostim', kind: 'command', direction: 'host-to-node',
  doc: 'Ramp to this amplitude and hold it for the lease. The stimulator enforces its own window and ramp limits.',
  fields: [amplitudeMa('amplitudeMa', 'Target amplitude.'), leaseMs],
} as const satisfies MessageDef;

export const StimStatus = {
  id: 0x31, name: 'StimStatus', group: 'neurostim', kind: 'telemetry', direction: 'node-to-host',
  doc: 'Stimulator state, sent periodically and after every change.',
  fields: [
    tMs,
    { name: 'state', type: 'u8', unit: 'enum', codes: 'StimState', min: 0, max: 255, doc: 'Mode.' },
    amplitudeMa('amplitudeMa', 'Amplitude delivered now.'),
    amplitudeMa('targetAmplitudeMa', 'Amplitude being ramped to.'),
    leaseRemainingMs,
    { name: 'alarms', type: 'u16', unit: 'flags', flags: 'StimAlarmFlags', min: 0, max: 0xffff, doc: 'Active alarms.' },
  ],
} as const satisfies MessageDef;

export const BetaPower = {
  id: 0x32, name: 'BetaPower', group: 'neurostim', kind: 'telemetry', direction: 'node-to-host',
  doc: 'Beta-band power of the sensed local field potential over one window.',
  fields: [
    tMs,
    { name: 'betaPowerUv2', type: 'f32', unit: 'uV^2', min: 0, max: 1e9, doc: 'Band power.' },
    { name: 'windowMs', type: 'u16', unit: 'ms', min: 1, max: 60_000, doc: 'Length of the window the power was computed over.' },
    { name: 'peakHz', type: 'u16', unit: 'Hz', scale: 0.01, min: 0, max: 500, ext: true, doc: 'Frequency of the strongest bin inside the beta band, placed between bins by a parabola through its neighbours; lets the host watch the peak drift.' },
  ],
} as const satisfies MessageDef;

/** The beats a patient emulator plays: set by the host, reported back as being played. */
const playedBeats = [
  pressure('systolicMmHg', 'Peak pressure of each beat.'),
  pressure('diastolicMmHg', 'Pressure at the foot of each beat (the flat level while heartRateBpm is 0).'),
  { name: 'heartRateBpm', type: 'u16', unit: 'beats/min', scale: 0.1, min: 0, max: 350, doc: 'Beats per minute; 0 for a flat output.' },
] as const;

export const PatientSetWaveform = {
  id: 0x40, name: 'PatientSetWaveform', group: 'patient-emulator', kind: 'command', direction: 'host-to-node',
  doc: 'Play beats of these pressures and rate on the transducer output from the next beat on, until told otherwise (no lease: the patient goes on when the host is gone). A heart rate of 0 holds the output flat at diastolicMmHg at once (a flush, a dropout).',
  fields: [...playedBeats],
} as const satisfies MessageDef;

export const PatientStatus = {
  id: 0x41, name: 'PatientStatus', group: 'patient-emulator', kind: 'telemetry', direction: 'node-to-host',
  doc: 'Pump steps counted on the step input since boot, and the beats being played, sent periodically.',
  fields: [
    tMs,
    { name: 'stepCount', type: 'u32', unit: '1', min: 0, max: 0xffffffff, doc: 'Rising edges on the step input since boot (wraps).' },
    ...playedBeats,
  ],
} as const satisfies MessageDef;

/** Every message, in id order. */
export const messages: readonly MessageDef[] = [
  Hello, Heartbeat, Ack, Nack, LinkStatus, Alarm,
  PressureBeat, PressureWaveform, PressureWaveformRequest,
  PumpSetRate, PumpStop, PumpStatus, PumpLimits,
  StimSetAmplitude, StimStatus, BetaPower,
  PatientSetWaveform, PatientStatus,
];
