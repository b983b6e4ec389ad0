// `homeostat run bp`: the blood-pressure loop live on a sensor and a pump (host/app/run-bp.ts). Files are
// named as for `sim bp` (a shipped name or a path); the patient's weight is required, since the dose ceiling
// depends on it. Ctrl-C or SIGTERM stops the pump before the process exits.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { loadControllerFile } from '../../control/bp/controller-file.ts';
import { readConfigFile } from '../../config/config-file.ts';
import { advisoryConfigSchema } from '../../safety/advisory-gate.ts';
import { driftConfigSchema } from '../../safety/drift-monitor.ts';
import { loadSupervisorFile, parseSupervisorConfig } from '../../safety/infusion-supervisor.ts';
import { beforeSignalExit } from '../../process/owned-children.ts';
import { runBpLive } from '../../app/run-bp.ts';
import { dataFile, repoFile } from './data-file.ts';
import { terminalConfirmer } from './terminal-confirmer.ts';
import { DashboardServer } from '../../dashboard/dashboard-server.ts';
import type { Confirmer } from '../../loop/loop-shell.ts';
import { firstAnswer } from '../../loop/loop-shell.ts';

function port(v: string): number {
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || n > 65_535) throw new InvalidArgumentError(`--port must be a whole number from 0 to 65535, got '${v}'`);
  return n;
}

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
    .option('--advisory [name|file]', 'larger or unconfident increases wait for a person (this terminal, and the dashboard if on): the default advisory file of host/safety, or another')
    .option('--baud <n>', 'baud rate of both ports', positive('--baud'), 115200)
    .option('--out <dir>', 'where the record goes (default: a new directory under dist/run-bp)')
    .option('--dashboard', 'serve the live dashboard: pressure, rate, alarms, advisory questions (Accept, Decline), manual rate, back to auto, Stop')
    .option('--port <n>', 'the dashboard\'s port (0: any free one)', port, 8737)
    .option('--dashboard-host <addr>', 'the address the dashboard listens on (anything but this machine\'s loopback lets others see it; actions still need the run\'s token)', '127.0.0.1')
    .action(async (opts: {
      sensor: string; pump: string; weightKg: number; controller: string; supervisor: string; target?: number; advisory?: boolean | string; baud: number; out?: string;
      dashboard?: boolean; port: number; dashboardHost: string;
    }) => {
      // Every file is read and checked before any port is opened.
      const controller = loadControllerFile(dataFile(opts.controller, 'controller', 'host/control/bp'));
      if (opts.target !== undefined) controller.targetMmHg = opts.target;
      const limits = loadSupervisorFile(dataFile(opts.supervisor, 'supervisor', 'host/safety'));
      const supervisor = parseSupervisorConfig({ ...limits, weightKg: opts.weightKg });
      if ((controller.drugEffect ?? 'lowers') !== supervisor.drugEffect) {
        throw new Error(`--controller ${opts.controller} is for a drug that ${controller.drugEffect ?? 'lowers'} the pressure, --supervisor ${opts.supervisor} for one that ${supervisor.drugEffect} it: choose both for the drug in the syringe`);
      }
      const drift = readConfigFile(repoFile('host/safety/default.drift.json'), 'the drift alarm', driftConfigSchema);
      const advisory = opts.advisory
        ? readConfigFile(opts.advisory === true ? repoFile('host/safety/default.advisory.json') : dataFile(opts.advisory, 'advisory', 'host/safety'), 'the advisory mode', advisoryConfigSchema)
        : null;
      const outDir = opts.out ?? `dist/run-bp/${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const interactive = opts.advisory && process.stdin.isTTY ? terminalConfirmer() : undefined;
      const dashboard = opts.dashboard ? new DashboardServer({ host: opts.dashboardHost, port: opts.port }) : null;
      if (dashboard) console.log(`dashboard: ${await dashboard.listen()} (actions need the token in this address)`);
      const askers = [interactive?.confirmer, opts.advisory ? dashboard?.confirmer : undefined].filter((c): c is Confirmer => c !== undefined);
      let live: Awaited<ReturnType<typeof runBpLive>>;
      try {
        live = await runBpLive({
          sensorPort: opts.sensor, pumpPort: opts.pump, baud: opts.baud, controller, supervisor, advisory, drift, outDir,
          confirmer: askers.length ? firstAnswer(askers) : undefined,
        }, (l) => console.log(l));
      } catch (e) {
        await dashboard?.close();
        throw e;
      }
      // Ctrl-C and SIGTERM: stop the pump first, then exit (130/143).
      beforeSignalExit(async (signal) => {
        console.log(await live.stop(signal));
        interactive?.close();
        await dashboard?.close();
      });
      // Stop on the dashboard: the pump stopped and the record closed, as on Ctrl-C; the command then ends.
      await new Promise<void>((resolve) => {
        dashboard?.addLoop({
          name: 'live', level: 'live', loop: live.loop, files: { controller, supervisor, advisory, drift },
          counters: () => Object.fromEntries(live.devices.links.map((l, i) => [['bp-sensor', 'infusion-pump'][i], { ...l.session.counters }])),
          linkStates: () => Object.fromEntries(live.devices.links.map((l, i) => [['bp-sensor', 'infusion-pump'][i], l.state])),
          stop: async (why) => {
            const text = await live.stop(why);
            console.log(text);
            // A moment for the page to hear it, then the command ends.
            setTimeout(resolve, 1000);
            return text;
          },
        });
      });
      interactive?.close();
      await dashboard?.close();
    });
}
