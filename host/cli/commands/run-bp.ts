// `homeostat run bp`: the blood-pressure loop live on a sensor and a pump (host/app/run-bp.ts). Files are
// named as for `sim bp` (a shipped name or a path); the patient's weight is required, since the dose ceiling
// depends on it. Ctrl-C or SIGTERM stops the pump before the process exits.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { loadControllerFile } from '../../control/bp/controller-file.ts';
import { readConfigFile } from '../../config/config-file.ts';
import { advisoryConfigSchema, RATE_VALUE } from '../../safety/advisory-gate.ts';
import { driftConfigSchema } from '../../safety/drift-monitor.ts';
import { loadSupervisorFile, parseSupervisorConfig } from '../../safety/infusion-supervisor.ts';
import { beforeSignalExit } from '../../process/owned-children.ts';
import { runBpLive } from '../../app/run-bp.ts';
import { dataFile, repoFile } from './data-file.ts';
import { terminalConfirmer } from './terminal-confirmer.ts';

export function positive(what: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a number above 0, got '${v}'`);
    return n;
  };
}

export function registerRunBp(program: Command): void {
  const run = program.commands.find((c) => c.name() === 'run') ?? program.command('run').description('closed loops live, on real devices');
  run
    .command('bp')
    .description('blood-pressure control live: a bp-sensor and an infusion pump on serial ports, the host loop, a record; Ctrl-C stops the pump')
    .requiredOption('--sensor <path|serial>', 'the bp-sensor\'s port: a path or a USB serial number')
    .requiredOption('--pump <path|serial>', 'the infusion pump\'s port: a path or a USB serial number')
    .requiredOption('--weight-kg <kg>', 'the patient\'s weight, for the dose ceiling', positive('--weight-kg'))
    .option('--controller <name|file>', 'a controller of host/control/bp or a .controller.json file', 'adaptive')
    .option('--supervisor <name|file>', 'supervisor limits of host/safety or a .supervisor.json file', 'nitroprusside')
    .option('--target <mmHg>', 'target mean pressure (default: the controller file\'s)', positive('--target'))
    .option('--advisory', 'larger or unconfident increases wait for confirmation in this terminal')
    .option('--baud <n>', 'baud rate of both ports', positive('--baud'), 115200)
    .option('--out <dir>', 'where the record goes (default: a new directory under dist/run-bp)')
    .action(async (opts: { sensor: string; pump: string; weightKg: number; controller: string; supervisor: string; target?: number; advisory?: boolean; baud: number; out?: string }) => {
      // Every file is read and checked before any port is opened.
      const controller = loadControllerFile(dataFile(opts.controller, 'controller', 'host/control/bp'));
      if (opts.target !== undefined) controller.targetMmHg = opts.target;
      const limits = loadSupervisorFile(dataFile(opts.supervisor, 'supervisor', 'host/safety'));
      const supervisor = parseSupervisorConfig({ ...limits, weightKg: opts.weightKg });
      if ((controller.drugEffect ?? 'lowers') !== supervisor.drugEffect) {
        throw new Error(`--controller ${opts.controller} is for a drug that ${controller.drugEffect ?? 'lowers'} the pressure, --supervisor ${opts.supervisor} for one that ${supervisor.drugEffect} it: choose both for the drug in the syringe`);
      }
      const drift = readConfigFile(repoFile('host/safety/default.drift.json'), 'the drift alarm', driftConfigSchema);
      const advisory = opts.advisory ? readConfigFile(repoFile('host/safety/default.advisory.json'), 'the advisory mode', advisoryConfigSchema) : null;
      const outDir = opts.out ?? `dist/run-bp/${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const interactive = opts.advisory && process.stdin.isTTY ? terminalConfirmer(RATE_VALUE) : undefined;
      const live = await runBpLive({
        sensorPort: opts.sensor, pumpPort: opts.pump, baud: opts.baud, controller, supervisor, advisory, drift, outDir, confirmer: interactive?.confirmer,
      }, (l) => console.log(l));
      // Ctrl-C and SIGTERM: stop the pump first, then exit (130/143).
      beforeSignalExit(async (signal) => {
        console.log(await live.stop(signal));
        interactive?.close();
      });
      await new Promise<never>(() => undefined);
    });
}
