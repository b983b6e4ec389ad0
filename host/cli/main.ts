// The homeostat command line.
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { runPumpDemo } from './commands/pump-demo.ts';
import { decodeFrameHex } from './commands/decode-frame.ts';
import { flashNode } from './commands/flash.ts';
import { formatPorts, listPorts, resolvePort } from '../ports/serial-ports.ts';
import { monitor } from './commands/monitor.ts';
import { SerialTransport } from '../transport/serial-transport.ts';
import { SystemClock } from '../clock/system-clock.ts';
import { describePeer } from '../../protocols/session/refusal-text.ts';
import { simBp } from './commands/sim-bp.ts';
import { replay } from './commands/replay.ts';
import { terminalConfirmer } from './commands/terminal-confirmer.ts';

function number(min: number, max: number, what: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${what} must be a number from ${min} to ${max}, got '${v}'`);
    return n;
  };
}

const program = new Command()
  .name('homeostat')
  .description('Closed-loop therapy devices: Espruino firmware, one framed serial protocol, host control, simulation and HIL rigs.')
  .showHelpAfterError();

const demo = program.command('demo').description('demonstrations that need no hardware');
demo
  .command('pump')
  .description('the infusion-pump firmware in the board emulator, driven over an emulated 115200-baud line with bit errors, on the virtual clock')
  .option('--bit-errors <rate>', 'probability of flipping each bit on the line', number(0, 0.01, '--bit-errors'), 0.0005)
  .option('--seed <n>', 'seed of the fault injection', number(0, 2 ** 31, '--seed'), 1)
  .option('--rate <mlPerH>', 'infusion rate to command, mL/h (the pump takes at most 100 mL/h more per command)', number(0, 100, '--rate'), 20)
  .option('--lease <ms>', 'lease of each rate command, ms', number(100, 3_600_000, '--lease'), 3000)
  .option('--renew-for <ms>', 'how long the host keeps renewing the lease, ms', number(0, 3_600_000, '--renew-for'), 10_000)
  .action(async (opts: { bitErrors: number; seed: number; rate: number; lease: number; renewFor: number }) => {
    const r = await runPumpDemo(
      { bitErrorRate: opts.bitErrors, seed: opts.seed, rateMlPerH: opts.rate, leaseMs: opts.lease, renewForMs: opts.renewFor },
      (l) => console.log(l),
    );
    process.exitCode = r.ok ? 0 : 1;
  });

program
  .command('decode')
  .description('decode a frame given in hex (as captured from a serial line) and print its fields')
  .argument('<hex>', 'frame bytes in hex, delimiter optional, spaces allowed')
  .action((hex: string) => {
    const r = decodeFrameHex(hex);
    console.log(r.text);
    process.exitCode = r.ok ? 0 : 1;
  });

program
  .command('ports')
  .description('list serial ports with their USB ids and serial numbers')
  .action(async () => {
    console.log(formatPorts(await listPorts()));
  });

program
  .command('monitor')
  .description('open a session with the device on a port and print every message it sends, decoded, with the link counters')
  .requiredOption('--port <path|serial>', 'the device\'s port: a path or a USB serial number')
  .option('--baud <n>', 'baud rate', number(1200, 2_000_000, '--baud'), 115200)
  .option('--seconds <n>', 'stop after this long (0: until Ctrl-C)', number(0, 86_400, '--seconds'), 0)
  .action(async (opts: { port: string; baud: number; seconds: number }) => {
    const path = await resolvePort(opts.port);
    // Opened by path again on every reconnection: a device that re-enumerates may come back elsewhere
    // under its serial number, so the serial number is looked up again when one was given.
    await monitor(
      { name: path, open: () => SerialTransport.openPort(opts.port, opts.baud), clock: new SystemClock(), durationMs: opts.seconds * 1000, countersEveryMs: 5000 },
      (l) => console.log(l),
    );
    process.exit(0);
  });

program
  .command('flash')
  .description('build a node for a board and write it to the board\'s flash with the Espruino CLI, then check its Hello')
  .requiredOption('--node <name>', 'infusion-pump or bp-sensor')
  .requiredOption('--board <id>', 'a board of firmware/boards: espruino-original, pico, puckjs, esp32, linux')
  .requiredOption('--port <path|serial|tcp://host:port>', 'the port to flash through: a path, a USB serial number, or tcp://')
  .option('--protocol-port <path|serial>', 'where the node speaks the protocol, if not on --port')
  .option('--baud <n>', 'baud rate of the flashing port', number(1200, 2_000_000, '--baud'))
  .option('--hello-timeout <ms>', 'how long to wait for the Hello', number(100, 120_000, '--hello-timeout'), 10_000)
  .option('--throttle', 'upload slowly, for a line that loses characters')
  .option('--key-file <file>', 'provision this device key (32 hexadecimal digits; make one with: openssl rand -hex 16) and add it to the keyring')
  .option('--keyring <file>', 'the host\'s keyring (default: $HOMEOSTAT_KEYRING or ~/.config/homeostat/keyring.json)')
  .option('--unauthenticated-bench-mode', 'build a node that takes commands without authentication: for a bench without a patient only')
  .action(async (opts: {
    node: string; board: string; port: string; protocolPort?: string; baud?: number; helloTimeout: number; throttle?: boolean;
    keyFile?: string; keyring?: string; unauthenticatedBenchMode?: boolean;
  }) => {
    const peer = await flashNode(
      {
        node: opts.node, board: opts.board, port: opts.port, protocolPort: opts.protocolPort, baud: opts.baud, helloTimeoutMs: opts.helloTimeout,
        throttle: opts.throttle, keyFile: opts.keyFile, keyring: opts.keyring, unauthenticatedBenchMode: opts.unauthenticatedBenchMode,
      },
      (l) => console.log(l),
    );
    console.log(`OK: ${describePeer(peer)} answered with this catalogue's layout hash`);
  });

const sim = program.command('sim').description('closed loops on virtual patients');
sim
  .command('bp')
  .description('blood-pressure control on a virtual cohort: both firmware bundles in the emulator, the host loop, a report')
  .option('--cohort <name|file>', 'a cohort of hil/sim/cohorts, or a .cohort.json file', 'default')
  .option('--scenario <name|file>', 'a scenario of hil/sim/scenarios, or a .scenario.json file', 'default')
  .option('--controller <name|file>', 'a controller of host/control/bp (adaptive, pid, pid-norepinephrine) or a .controller.json file (default: adaptive; pid-norepinephrine for a norepinephrine cohort)')
  .option('--supervisor <name|file>', 'supervisor limits of host/safety (nitroprusside, norepinephrine) or a .supervisor.json file (default: the cohort\'s drug)')
  .option('--patients <n>', 'run only the first n patients of the split', number(1, 10_000, '--patients'))
  .option('--split <all|tuning|held-out>', 'which patients of the cohort', (v: string) => {
    if (v !== 'all' && v !== 'tuning' && v !== 'held-out') throw new InvalidArgumentError(`--split must be all, tuning or held-out, got '${v}'`);
    return v;
  }, 'all')
  .option('--seed <n>', 'seed of noise and artifacts', number(0, 2 ** 31, '--seed'), 1)
  .option('--cohort-seed <n>', 'draw another cohort from the same ranges', number(0, 2 ** 31, '--cohort-seed'))
  .option('--level <sil|pil>', 'sil: everything on a virtual clock; pil: the boards in their own process behind pseudo-terminals, opened with serialport, in real time', 'sil')
  .option('--speed <x>', 'pil: run the rig and the host this many times faster than real time', number(0.1, 20, '--speed'), 1)
  .option('--advisory', 'larger or unconfident increases wait for confirmation in this terminal')
  .option('--board <id>', 'board the firmware is built for', 'pico')
  .option('--workers <n>', 'patients run side by side in worker threads', number(1, 64, '--workers'), Math.max(1, Math.min(8, availableParallelism())))
  .option('--out <dir>', 'where the report, metrics and records go (default: a new directory under dist/sim-bp)')
  .action(async (opts) => {
    // Each run gets its own directory, so no record is ever overwritten.
    opts.out ??= `dist/sim-bp/${opts.cohort}-${opts.scenario}-${opts.controller ?? 'default'}-${new Date().toISOString().replace(/[:.]/g, '-')}`.replace(/[^\w.\/-]/g, '_');
    const interactive = opts.advisory && process.stdin.isTTY ? terminalConfirmer() : undefined;
    const progress = (t: string) => process.stderr.isTTY ? process.stderr.write(`\r${t.padEnd(79)}`) : undefined;
    let lastLine = -1;
    const logProgress = (t: string) => {
      if (process.stderr.isTTY) return progress(t);
      const done = Number(t.match(/ (\d+)\//)?.[1] ?? 0);
      if (done !== lastLine) process.stderr.write(`${t}\n`);
      lastLine = done;
    };
    try {
      const r = await simBp(opts, (l) => console.log(l), logProgress, interactive?.confirmer);
      process.exitCode = r.runs.some((x) => x.error) ? 1 : 0;
    } finally {
      interactive?.close();
    }
  });

program
  .command('replay')
  .description('feed a record\'s decision inputs through a controller again and compare its decisions with the recorded ones')
  .argument('<record>', 'a .record.jsonl file written by sim bp or a live loop')
  .option('--controller <name|file>', 'another controller than the recorded one: a controller of host/control/bp, or a .controller.json file')
  .action((record: string, opts: { controller?: string }) => {
    const r = replay(record, opts.controller, (l) => console.log(l));
    process.exitCode = r.ok ? 0 : 1;
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  console.error(`homeostat: ${(e as Error).message}`);
  process.exitCode = 1;
}
