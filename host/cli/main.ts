// The homeostat command line.
import { Command, InvalidArgumentError } from 'commander';
import { runLoopbackDemo } from './commands/loopback-demo.ts';
import { decodeFrameHex } from './commands/decode-frame.ts';

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
  .command('loopback')
  .description('the wire protocol end to end on the virtual clock: host <-> loopback pump over an in-memory 115200-baud line')
  .option('--bit-errors <rate>', 'probability of flipping each bit on the line', number(0, 0.01, '--bit-errors'), 0.0005)
  .option('--seed <n>', 'seed of the fault injection', number(0, 2 ** 31, '--seed'), 1)
  .option('--rate <mlPerH>', 'infusion rate to command, mL/h', number(0, 600, '--rate'), 20)
  .option('--lease <ms>', 'lease of each rate command, ms', number(100, 3_600_000, '--lease'), 3000)
  .option('--renew-for <ms>', 'how long the host keeps renewing the lease, ms', number(0, 3_600_000, '--renew-for'), 10_000)
  .action((opts: { bitErrors: number; seed: number; rate: number; lease: number; renewFor: number }) => {
    const r = runLoopbackDemo(
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

await program.parseAsync(process.argv);
