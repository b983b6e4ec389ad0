// Drivers act on a rig's resources: find a port by its USB serial number, switch a power port, flash a
// node, open its link, set a source. The real ones (here) use udev's port listing, uhubctl, the Espruino
// CLI, the serialport package and SCPI text; fake-bench.ts has a fake of each on emulated boards, behind
// the same interfaces, so the bench strategy runs in CI.
import { spawn } from 'node:child_process';
import type { Clock } from '../../protocols/clock/clock.ts';
import type { Board } from '../../firmware/build/board-schema.ts';
import type { NodeName } from '../../firmware/build/firmware-build.ts';
import { SystemClock } from '../../host/clock/system-clock.ts';
import { listPorts } from '../../host/ports/serial-ports.ts';
import type { PortInfo } from '../../host/ports/serial-ports.ts';
import { SerialTransport } from '../../host/transport/serial-transport.ts';
import type { Transport } from '../../host/transport/transport.ts';
import type { Keyring } from '../../host/link/keyring.ts';
import { flashNode } from '../../host/cli/commands/flash.ts';
import type { PowerPortResource, VoltageSourceResource } from './rig-schema.ts';

export interface PowerDriver {
  set(on: boolean): Promise<void>;
}

export interface SourceDriver {
  setVolts(volts: number): Promise<void>;
  close(): void;
}

export interface BenchDrivers {
  clock: Clock;
  /** The serial ports attached now, with their USB serial numbers. */
  listPorts(): Promise<PortInfo[]>;
  power(name: string, r: PowerPortResource): PowerDriver;
  /** Writes the node's bundle to the board on the port at path. */
  flash(node: NodeName, board: Board, path: string): Promise<void>;
  openLink(path: string, baud: number): Promise<Transport>;
  source(name: string, r: VoltageSourceResource, path: string, baud: number): SourceDriver;
  /** The nodes' device keys: the user's keyring file when absent (keys provisioned by flash --key-file). */
  keyring?: Keyring;
}

/** Runs a program, resolving with its output; the error says what to install or check. */
export function runTool(cmd: string, args: string[], hint: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(e.code === 'ENOENT' ? `${cmd} is not installed: ${hint}` : `could not run ${cmd}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}): ${out.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** A USB hub port switched with uhubctl (hubs with per-port power switching). */
export function uhubctlPower(r: PowerPortResource): PowerDriver {
  return {
    set: async (on) => {
      await runTool('uhubctl', ['-l', r.hub, '-p', String(r.port), '-a', on ? 'on' : 'off'],
        'apt-get install uhubctl (and run as root, or give this user access to the hub with a udev rule)');
    },
  };
}

/**
 * A SCPI source on a serial port (SCPI-99 forms: SOURce<n>:VOLTage, OUTPut<n>): the port is opened when
 * first used; a level above the resource's maxV is refused before anything is sent.
 */
export function scpiSource(name: string, r: VoltageSourceResource, open: () => Promise<Transport>): SourceDriver {
  let port: Promise<Transport> | null = null;
  const send = async (line: string) => {
    port ??= open();
    (await port).write(new TextEncoder().encode(line + '\n'));
  };
  let on = false;
  return {
    setVolts: async (volts) => {
      if (!(volts >= 0 && volts <= r.maxV)) throw new Error(`${name}: ${volts} V is outside 0..${r.maxV} V (the rig's maxV for this source)`);
      await send(`SOUR${r.channel}:VOLT ${volts.toFixed(4)}`);
      if (!on) await send(`OUTP${r.channel} ON`);
      on = true;
    },
    close: () => {
      if (port) void port.then((t) => t.close());
    },
  };
}

/** The drivers of a real bench. */
export function realDrivers(): BenchDrivers {
  return {
    clock: new SystemClock(),
    listPorts,
    power: (_name, r) => uhubctlPower(r),
    flash: async (node, board, path) => {
      await flashNode({ node, board: board.id, port: path, helloTimeoutMs: 10_000 }, () => undefined);
    },
    openLink: (path, baud) => SerialTransport.open(path, baud),
    source: (name, r, path, baud) => scpiSource(name, r, () => SerialTransport.open(path, baud)),
  };
}
