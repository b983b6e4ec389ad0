// The homeostat command line. Every command ends by itself, on an error, on Ctrl-C and on SIGTERM, and
// leaves no process it started behind (see shutdown.ts).
import { appendFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError } from 'commander';
import { PROTOCOL_VERSION } from '../../protocols/generated/wire-codec.ts';
import { runVersions } from '../record/versions.ts';
import { runPumpDemo } from './commands/pump-demo.ts';
import { decodeFrameHex, decodeFrameLines } from './commands/decode-frame.ts';
import { listShipped } from './commands/list-shipped.ts';
import { rawMonitor } from './commands/raw-monitor.ts';
import { onShutdown, runShutdown } from './shutdown.ts';
import { flashNode } from './commands/flash.ts';
import { formatPorts, listPorts, resolvePort } from '../ports/serial-ports.ts';
import { monitor, MONITOR_COMMANDS } from './commands/monitor.ts';
import { SerialTransport } from '../transport/serial-transport.ts';
import { SystemClock } from '../clock/system-clock.ts';
import { describePeer } from '../../protocols/session/refusal-text.ts';
import { simBp } from './commands/sim-bp.ts';
import { simDbs } from './commands/sim-dbs.ts';
import { replay } from './commands/replay.ts';
import { DBS_QUESTION, terminalConfirmer } from './commands/terminal-confirmer.ts';
import { beforeSignalExit, exitOnSignals } from '../process/owned-children.ts';
import { registerRunBp } from './commands/run-bp.ts';
import { registerRunDbs } from './commands/run-dbs.ts';
import { registerExport } from './commands/export-fhir.ts';
import { rigCheck } from './commands/rig-check.ts';
import { registerHil } from './commands/hil-run.ts';

function number(min: number, max: number, what: string) {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${what} must be a number from ${min} to ${max}, got '${v}'`);
    return n;
  };
}

/** Counts, seeds and baud rates: a fraction is refused, never rounded. */
function integer(min: number, max: number, what: string) {
  return (v: string) => {
    const n = Number(v);
    if (!/^\s*\d+\s*$/.test(v) || n < min || n > max) throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}, got '${v}'`);
    return n;
  };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const versions = runVersions({});

const program = new Command()
  .name('homeostat')
  .description('Closed-loop therapy devices: Espruino firmware, one framed serial protocol, host control, simulation and HIL rigs.')
  .version(`homeostat ${versions.homeostat} (protocol version ${PROTOCOL_VERSION}, message layout ${versions.protocolLayoutHash})`, '-V, --version', 'print the version');

const demo = program.command('demo').description('demonstrations that need no hardware');
demo
  .command('pump')
  .description('the infusion-pump firmware in the board emulator, driven over an emulated 115200-baud line with bit errors, on the virtual clock')
  .option('--bit-errors <rate>', 'probability of flipping each bit on the line', number(0, 0.01, '--bit-errors'), 0.0005)
  .option('--seed <n>', 'seed of the fault injection', integer(0, 2 ** 31, '--seed'), 1)
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
  .description('decode frames given in hex (as captured from a serial line) and print their fields, codes by name')
  .argument('[hex...]', 'frame bytes in hex: spaces, colons and 0x prefixes allowed, delimiter optional; none (with a pipe) or - reads frames from stdin, one per line')
  .action(async (hex: string[]) => {
    const fromStdin = hex.length === 0 || (hex.length === 1 && hex[0] === '-');
    if (hex.length === 0 && process.stdin.isTTY) throw new Error('give a frame in hex (homeostat decode 0601e0...), or pipe frames in, one per line');
    const r = fromStdin ? decodeFrameLines(await readStdin()) : decodeFrameHex(hex.join(' '));
    console.log(r.text);
    process.exitCode = r.ok ? 0 : 1;
  });

program
  .command('list')
  .description('list the data files homeostat ships (scenarios, cohorts, controllers, supervisors, boards...), by the name an option takes')
  .argument('[what]', 'scenarios, cohorts, params, controllers, policies, drugs, supervisors, advisories, drifts, acceptance, boards or devices (default: all)')
  .action((what: string | undefined) => {
    for (const line of listShipped(what)) console.log(line);
  });

program
  .command('ports')
  .description('list serial ports with their USB ids and serial numbers')
  .action(async () => {
    console.log(formatPorts(await listPorts()));
  });

program
  .command('monitor')
  .description(`open a session with the device on a port and print every message it sends, decoded, with the link counters and any text on the line; type ${MONITOR_COMMANDS.replace('commands: ', '')}`)
  .requiredOption('--port <path|serial>', 'the device\'s port: a path or a USB serial number')
  .option('--baud <n>', 'baud rate', integer(1200, 2_000_000, '--baud'), 115200)
  .option('--seconds <n>', 'stop after this long (0: until Ctrl-C or quit)', number(0, 86_400, '--seconds'), 0)
  .option('--hex', 'also print every frame\'s bytes in hex, received (rx) and sent (tx)')
  .option('--raw', 'open no session and send nothing: print every byte received, in hex and as text')
  .option('--log <file>', 'also append everything printed to this file')
  .action(async (opts: { port: string; baud: number; seconds: number; hex?: boolean; raw?: boolean; log?: string }) => {
    if (opts.hex && opts.raw) throw new Error('--hex and --raw exclude each other: --raw already shows every byte, and opens no session');
    const path = await resolvePort(opts.port);
    if (opts.log) appendFileSync(opts.log, `# homeostat monitor ${path}, started ${new Date().toISOString()}\n`);
    const print = (l: string) => {
      console.log(l);
      if (opts.log) appendFileSync(opts.log, `${l}\n`);
    };
    // Opened by path again on every reconnection: a device that re-enumerates may come back elsewhere
    // under its serial number, so the serial number is looked up again when one was given.
    const open = () => SerialTransport.openPort(opts.port, opts.baud);
    const common = { open, clock: new SystemClock(), durationMs: opts.seconds * 1000 };
    if (opts.raw) {
      const m = rawMonitor(common, print);
      onShutdown((why) => (m.stop(), why === 'SIGINT' ? 0 : undefined));
      const r = await m.ended;
      if (r.lastProblem) throw new Error(r.lastProblem);
      return;
    }
    const m = monitor({ ...common, name: path, countersEveryMs: 5000, hex: opts.hex }, print);
    // Commands are read as lines; terminal: false leaves Ctrl-C to the terminal, which sends SIGINT.
    const typed = createInterface({ input: process.stdin, terminal: false });
    typed.on('line', (line) => m.command(line));
    const failed = (sessions: number, lastProblem: string) =>
      sessions > 0 ? undefined : `no session with the device on ${path}${lastProblem ? `: ${lastProblem}` : ''}`;
    // Ctrl-C is how a monitor without --seconds is meant to end: the same status as at the end of its time.
    onShutdown((why) => {
      const r = m.stop();
      if (why !== 'SIGINT') return undefined;
      const problem = failed(r.sessions, r.lastProblem);
      if (problem) console.error(`homeostat: ${problem}`);
      return problem ? 1 : 0;
    });
    const r = await m.ended;
    typed.close();
    const problem = failed(r.sessions, r.lastProblem);
    if (problem) throw new Error(problem);
  });

program
  .command('flash')
  .description('build a node for a board and write it to the board\'s flash with the Espruino CLI, then check its Hello')
  .requiredOption('--node <name>', 'infusion-pump or bp-sensor')
  .requiredOption('--board <id>', 'a board of firmware/boards: espruino-original, pico, puckjs, esp32, linux')
  .requiredOption('--port <path|serial|tcp://host:port>', 'the port to flash through: a path, a USB serial number, or tcp://')
  .option('--protocol-port <path|serial>', 'where the node speaks the protocol, if not on --port')
  .option('--baud <n>', 'baud rate of the flashing port', integer(1200, 2_000_000, '--baud'))
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

registerRunBp(program);
registerRunDbs(program);

/** A progress bar on a terminal; without one, a line each time a patient is done. */
function progressOnStderr(): (text: string) => void {
  let lastLine = -1;
  return (t) => {
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${t.padEnd(79)}`);
      return;
    }
    const done = Number(t.match(/ (\d+)\//)?.[1] ?? 0);
    if (done !== lastLine) process.stderr.write(`${t}\n`);
    lastLine = done;
  };
}

const sim = program.command('sim').description('closed loops on virtual patients');
sim
  .command('bp')
  .description('blood-pressure control on a virtual cohort: both firmware bundles in the emulator, the host loop, a report')
  .option('--cohort <name|file>', 'a cohort of hil/sim/cohorts, or a .cohort.json file', 'default')
  .option('--scenario <name|file>', 'a scenario of hil/sim/scenarios, or a .scenario.json file', 'default')
  .option('--controller <name|file>', 'a controller of host/control/bp (adaptive, pid, pid-norepinephrine) or a .controller.json file (default: adaptive; pid-norepinephrine for a norepinephrine cohort)')
  .option('--supervisor <name|file>', 'supervisor limits of host/safety (nitroprusside, norepinephrine) or a .supervisor.json file (default: the cohort\'s drug)')
  .option('--patients <n>', 'run only the first n patients of the split', integer(1, 10_000, '--patients'))
  .option('--patient <id>', 'run only this patient of the cohort (its id, as the report names it: default-017)')
  .option('--split <all|tuning|held-out>', 'which patients of the cohort', (v: string) => {
    if (v !== 'all' && v !== 'tuning' && v !== 'held-out') throw new InvalidArgumentError(`--split must be all, tuning or held-out, got '${v}'`);
    return v;
  }, 'all')
  .option('--seed <n>', 'seed of noise and artifacts', integer(0, 2 ** 31, '--seed'), 1)
  .option('--cohort-seed <n>', 'draw another cohort from the same ranges', integer(0, 2 ** 31, '--cohort-seed'))
  .option('--level <mil|sil|pil>', 'mil: the devices as ideal models, no firmware (tuning sweeps); sil: the firmware in the emulator, everything on a virtual clock; pil: the boards in their own process behind pseudo-terminals, opened with serialport, in real time', 'sil')
  .option('--no-records', 'write no record per patient (sweeps over many patients); the report and metrics are still written')
  .option('--speed <x>', 'pil: run the rig and the host this many times faster than real time; mil and sil with --dashboard: hold the simulation to this pace so a person can follow it', number(0.1, 20, '--speed'), 1)
  .option('--advisory', 'larger or unconfident increases wait for confirmation in this terminal')
  .option('--acceptance <name|file>', 'per-patient acceptance thresholds (hil/reports/default.acceptance.json); the command exits 1 when a patient misses one', 'default')
  .option('--board <id>', 'board the firmware is built for', 'pico')
  .option('--workers <n>', 'patients run side by side in worker threads', integer(1, 64, '--workers'), Math.max(1, Math.min(8, availableParallelism())))
  .option('--out <dir>', 'where the report, metrics and records go (default: a new directory under dist/sim-bp)')
  .option('--dashboard', 'serve the live dashboard while the patients run (one at a time): pressure, rate, alarms, advisory questions, manual rate and Stop')
  .option('--port <n>', 'the dashboard\'s port (0: any free one)', integer(0, 65_535, '--port'), 8737)
  .option('--dashboard-host <addr>', 'the address the dashboard listens on (anything but this machine\'s loopback lets others see it; actions still need the run\'s token)', '127.0.0.1')
  .action(async (opts, cmd: Command) => {
    // SIL runs on a virtual clock as fast as the machine goes: a speed asked for there would be ignored,
    // unless a person watches it on the dashboard.
    const paced = opts.level !== 'pil' && cmd.getOptionValueSource('speed') === 'cli';
    if (paced && !opts.dashboard) {
      throw new Error(`--speed applies only with --level pil or --dashboard (--level ${opts.level} runs on a virtual clock, as fast as this machine allows): leave --speed out, or add --level pil`);
    }
    // Each run gets its own directory, so no record is ever overwritten.
    opts.out ??= `dist/sim-bp/${opts.cohort}-${opts.scenario}-${opts.controller ?? 'default'}-${new Date().toISOString().replace(/[:.]/g, '-')}`.replace(/[^\w.\/-]/g, '_');
    const interactive = opts.advisory && process.stdin.isTTY ? terminalConfirmer() : undefined;
    try {
      const dashboard = opts.dashboard ? { port: opts.port as number, host: opts.dashboardHost as string } : undefined;
      const r = await simBp({ ...opts, dashboard, pace: paced ? opts.speed : undefined }, (l) => console.log(l), progressOnStderr(), interactive?.confirmer);
      // Non-zero when a run failed or a patient missed an acceptance threshold: outcomes can gate CI.
      process.exitCode = r.runs.some((x) => x.error) || r.failures.some((f) => f.length > 0) ? 1 : 0;
    } finally {
      interactive?.close();
    }
  });

sim
  .command('dbs')
  .description('adaptive deep-brain stimulation on a virtual cohort: the neurostimulator bundle in the emulator sensing each patient, the host\'s policy and supervisor, each patient against its unstimulated and continuous-DBS runs, a report')
  .option('--cohort <name|file>', 'an aDBS cohort of hil/sim/cohorts, or a .cohort.json file', 'dbs')
  .option('--scenario <name|file>', 'an aDBS scenario of hil/sim/scenarios (rest, movement, medication), or a .scenario.json file', 'rest')
  .option('--policy <name|file>', 'a policy of host/control/dbs (continuous, single-threshold, dual-threshold, pi), or a .policy.json file', 'dual-threshold')
  .option('--supervisor <name|file>', 'the aDBS supervisor\'s timing (host/safety/dbs.supervisor.json) or a .supervisor.json file', 'dbs')
  .option('--patients <n>', 'run only the first n patients of the split', integer(1, 10_000, '--patients'))
  .option('--patient <id>', 'run only this patient of the cohort (its id, as the report names it: dbs-002)')
  .option('--split <all|tuning|held-out>', 'which patients of the cohort', (v: string) => {
    if (v !== 'all' && v !== 'tuning' && v !== 'held-out') throw new InvalidArgumentError(`--split must be all, tuning or held-out, got '${v}'`);
    return v;
  }, 'all')
  .option('--seed <n>', 'seed of the patients\' noise', integer(0, 2 ** 31, '--seed'), 1)
  .option('--cohort-seed <n>', 'draw another cohort from the same ranges', integer(0, 2 ** 31, '--cohort-seed'))
  .option('--level <mil|sil|pil>', 'mil: the stimulator as its firmware\'s cores in Node, no bundle; sil: the bundle in the board emulator, everything on a virtual clock; pil: the bundle in the emulator process behind a socat pseudo-terminal, opened with serialport, in real time', 'sil')
  .option('--speed <x>', 'pil: run the rig and the host this many times faster than real time', number(0.1, 20, '--speed'), 1)
  .option('--no-records', 'write no record per loop run; the report and metrics are still written')
  .option('--advisory', 'amplitude increases above the advisory file\'s size wait for confirmation in this terminal')
  .option('--no-drift', 'leave out the beta drift alarm (host/safety/dbs.drift.json)')
  .option('--acceptance <name|file>', 'per-patient acceptance thresholds (hil/reports/dbs.acceptance.json); the command exits 1 when a patient misses one', 'dbs')
  .option('--board <id>', 'board the firmware is built for', 'pico')
  .option('--out <dir>', 'where the report, metrics and records go (default: a new directory under dist/sim-dbs)')
  .action(async (opts) => {
    // Each run gets its own directory, so no record is ever overwritten.
    opts.out ??= `dist/sim-dbs/${opts.cohort}-${opts.scenario}-${opts.policy}-${new Date().toISOString().replace(/[:.]/g, '-')}`.replace(/[^\w.\/-]/g, '_');
    const interactive = opts.advisory && process.stdin.isTTY ? terminalConfirmer({ wording: DBS_QUESTION }) : undefined;
    try {
      const r = await simDbs(opts, (l) => console.log(l), progressOnStderr(), interactive?.confirmer);
      process.exitCode = r.results.some((x) => x.error) || r.failures.some((f) => f.length > 0) ? 1 : 0;
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

const rig = program.command('rig').description('HIL benches described as data (*.rig.yaml)');
rig
  .command('check')
  .description('validate a rig file and probe what is attached (serial ports by USB serial number, power switches); changes nothing')
  .argument('<file>', 'a .rig.yaml file')
  .action(async (file: string) => {
    const r = await rigCheck(file);
    console.log(r.lines.join('\n'));
    process.exitCode = r.ok ? 0 : 1;
  });

registerExport(program);
registerHil(program);

// An option error is one line and a hint, not the whole help.
for (const cmd of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
  const path = [cmd.name()];
  for (let p = cmd.parent; p; p = p.parent) path.unshift(p.name());
  cmd.showHelpAfterError(`(run '${path.join(' ')} --help' for its options)`);
}

// Ctrl-C or SIGTERM: undo what the command registered, exit (130/143 unless it asked for another
// status), and leave no child process (socat, a PIL rig, an interpreter, the Espruino CLI) behind.
beforeSignalExit((signal) => {
  const status = runShutdown(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
  if (status !== undefined) process.exit(status);
});
exitOnSignals();
// Output piped into a program that stops reading (`homeostat monitor | head`) ends the command quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(runShutdown('exit') ?? 0);
});
let status: number;
try {
  await program.parseAsync(process.argv);
  status = Number(process.exitCode ?? 0);
} catch (e) {
  console.error(`homeostat: ${(e as Error).message}`);
  status = 1;
}
// Whatever a command left running (a timer, a port, a child) must not keep the process alive.
process.exit(runShutdown('exit') ?? status);
