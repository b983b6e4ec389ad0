// The fault campaign for `npm run bench`: each fault of the library on the infusion-pump node at SIL (the
// real bundle in the emulator, its mechanism, a FaultyLink, an in-process host holding 60 mL/h on 3 s
// leases), 6 simulated minutes with the fault at minute 1. Per fault: what it cost (wall time per
// simulated minute, against no fault), what the pump did (alarms and when), when the drive stopped (this
// pump's safe rate is 0: the safe state), how much reached the patient from the fault to the end against
// the nominal dose, and whether the host's link left ready (drive stops shorter than 0.1 s are not seen). Sensor faults act on the pressure line, not on
// this node: their cost is the line's and is part of the loop benches.
import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { advanceSettling } from '../../protocols/testing/virtual-time.ts';
import { codeTable } from '../../protocols/catalogue/codes.ts';
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import { DeviceLink } from '../../host/link/device-link.ts';
import { SIM_KEYRING } from '../emulator/sim-keys.ts';
import { InfusionPump } from '../../host/devices/infusion-pump.ts';
import { BoardEmulator } from '../emulator/board-emulator.ts';
import { boardById, builtProgram } from '../emulator/emulated-node.ts';
import { SyringeMechanism } from '../sim/syringe-mechanism.ts';
import { FaultyLink } from '../faults/faulty-link.ts';
import { faultSchema, scheduleFaults } from '../faults/fault-schedule.ts';
import type { Fault } from '../faults/fault-schedule.ts';
import { InProcessHost } from '../faults/in-process-host.ts';

const RUN_MIN = 6;
const FAULT_AT_MIN = 1;
const RATE_ML_PER_H = 60;
const node = 'infusion-pump';

const CAMPAIGN: unknown[] = [
  { kind: 'bit-errors', bitErrorRate: 0.001, durationS: 60 },
  { kind: 'drops', dropRate: 0.2, durationS: 60 },
  { kind: 'duplication', duplicateRate: 0.2, durationS: 60 },
  { kind: 'garbage', garbageRate: 0.2, durationS: 60 },
  { kind: 'delay', delayMs: 500, durationS: 60 },
  { kind: 'disconnect', durationS: 60 },
  { kind: 're-enumeration', durationS: 5 },
  { kind: 'wrong-baud', hostBaud: 9600, durationS: 60 },
  { kind: 'occlusion', durationS: 60 },
  { kind: 'syringe-empty', remainingMl: 0.2 },
  { kind: 'motor-stall', durationS: 60 },
  { kind: 'air-in-line', airMl: 0.5 },
  { kind: 'free-flow', rateMlPerH: 120, durationS: 60 },
  { kind: 'reset' },
  { kind: 'brown-out', durationS: 5 },
  { kind: 'firmware-hang' },
  { kind: 'clock-drift', ppm: 20_000 },
  { kind: 'host-kill', durationS: 30 },
  { kind: 'host-hang', durationS: 10 },
  { kind: 'slow-host', delayMs: 500, durationS: 60 },
].map((f) => ({ atMin: FAULT_AT_MIN, ...f, ...(needsNode(f) ? { node } : {}) }));

function needsNode(f: unknown): boolean {
  const k = (f as { kind: string }).kind;
  return !['host-kill', 'host-hang', 'slow-host'].includes(k);
}

const alarmName = (code: number) => Object.entries(codeTable('AlarmCode').values).find(([, v]) => v === code)?.[0] ?? String(code);

async function runOne(fault: Fault | null) {
  const cfg = boardById('pico');
  const clock = new VirtualClock();
  const board = new BoardEmulator({ clock, serial: 'pump-bench', variables: cfg.variables });
  board.load(await builtProgram('infusion-pump', cfg));
  const mech = new SyringeMechanism(board, cfg.nodes['infusion-pump'] as PumpBoardConfig, clock);
  const link = new FaultyLink(async () => board.port(cfg.uart.port), { clock, seed: 11, name: node, lineBaud: cfg.uart.baud });
  const alarms: { code: number; tMs: number }[] = [];
  let linkLeftReady = false;
  const host = new InProcessHost(clock, (edges) => {
    const l = new DeviceLink({ name: node, open: edges.opener(link.open), clock: edges.clock, sessionIdSeed: 7, keyring: SIM_KEYRING });
    const pump = new InfusionPump(l, edges.clock);
    pump.onAlarm((a) => a.state === 1 && alarms.push({ code: a.code, tMs: clock.now() }));
    l.on({
      ready: () => void pump.holdRate(RATE_ML_PER_H, 3000).catch(() => undefined),
      state: (s) => {
        if (s !== 'ready' && clock.now() > 30_000) linkLeftReady = true;
      },
    });
    l.start();
  });
  if (fault) scheduleFaults(clock, [fault], { link: () => link, board: () => board, mechanism: () => mech, host });
  await advanceSettling(clock, FAULT_AT_MIN * 60_000, 500);
  const faultMs = clock.now();
  const stepPin = (cfg.nodes['infusion-pump'] as PumpBoardConfig).pins.step;
  const ml0 = mech.deliveredMl;
  let stoppedMs = -1;
  const t0 = performance.now();
  for (let t = faultMs; t < RUN_MIN * 60_000; t += 100) {
    await advanceSettling(clock, 100, 100);
    if (stoppedMs < 0 && board.pin(stepPin).pwmHz === 0) stoppedMs = clock.now();
  }
  const wallMs = performance.now() - t0;
  const nominalMl = (RATE_ML_PER_H * (RUN_MIN - FAULT_AT_MIN)) / 60;
  const first = alarms.find((a) => a.tMs >= faultMs);
  return {
    fault: fault ? fault.kind : 'none',
    wallMsPerSimMin: Math.round((wallMs / (RUN_MIN - FAULT_AT_MIN)) * 10) / 10,
    alarms: [...new Set(alarms.filter((a) => a.tMs >= faultMs).map((a) => alarmName(a.code)))].join(' ') || '-',
    firstAlarmAfterS: first ? Math.round((first.tMs - faultMs) / 100) / 10 : null,
    driveStoppedAfterS: stoppedMs < 0 ? null : Math.round((stoppedMs - faultMs) / 100) / 10,
    dosePctOfNominal: Math.round(((mech.deliveredMl - ml0) / nominalMl) * 1000) / 10,
    hostLinkLeftReady: linkLeftReady,
    hostStarts: host.starts,
    boots: board.boots,
  };
}

export async function faultBench() {
  await runOne(null); // warm-up: the first run pays for compiling
  const rows = [await runOne(null)];
  for (const raw of CAMPAIGN) rows.push(await runOne(faultSchema.parse(raw)));
  console.table(rows);
  return { runMin: RUN_MIN, faultAtMin: FAULT_AT_MIN, rateMlPerH: RATE_ML_PER_H, leaseMs: 3000, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) await faultBench();
