// `homeostat run dbs`: the aDBS loop live on a neurostimulator (host/app/run-dbs.ts). Files are named as for
// `sim dbs`; the patient's calibrated beta (the median of a recording off stimulation, as the device reports
// it) is required, since the policy's thresholds are shares of it. Ctrl-C or SIGTERM ramps the stimulator to
// its fallback amplitude before the process exits.
import type { Command } from 'commander';
import { neurostimConfig, stimDevice } from '../../../hil/runner/dbs-run.ts';
import { deviceLimits } from '../../../hil/runner/dbs-mil-run.ts';
import { readConfigFile } from '../../config/config-file.ts';
import { loadPolicyFile } from '../../control/dbs/policy-file.ts';
import { runDbsLive } from '../../app/run-dbs.ts';
import { beforeSignalExit } from '../../process/owned-children.ts';
import { stimAdvisoryConfigSchema } from '../../safety/advisory-gate.ts';
import { betaDriftConfigSchema } from '../../safety/drift-monitor.ts';
import { stimSupervisorConfigSchema } from '../../safety/stim-supervisor.ts';
import { dataFile, repoFile } from './data-file.ts';
import { positive } from './run-bp.ts';
import { DBS_QUESTION, terminalConfirmer } from './terminal-confirmer.ts';

export function registerRunDbs(program: Command): void {
  const run = program.commands.find((c) => c.name() === 'run') ?? program.command('run').description('closed loops live, on real devices');
  run
    .command('dbs')
    .description('adaptive DBS live: a neurostimulator on a serial port, the host\'s policy and supervisor, a record; Ctrl-C ramps it to its fallback amplitude')
    .requiredOption('--stim <path|serial>', 'the neurostimulator\'s port: a path or a USB serial number')
    .requiredOption('--baseline-uv2 <x>', 'the patient\'s beta off stimulation as the device reports it (the median of a calibration recording), uV^2', positive('--baseline-uv2'))
    .option('--policy <name|file>', 'a policy of host/control/dbs or a .policy.json file', 'dual-threshold')
    .option('--supervisor <name|file>', 'the aDBS supervisor\'s timing of host/safety or a .supervisor.json file', 'dbs')
    .option('--board <id>', 'the stimulator\'s board, whose limits the settings are checked against', 'pico')
    .option('--advisory', 'amplitude increases above the advisory file\'s size wait for confirmation in this terminal')
    .option('--baud <n>', 'baud rate of the port', positive('--baud'), 115200)
    .option('--out <dir>', 'where the record goes (default: a new directory under dist/run-dbs)')
    .action(async (opts: { stim: string; baselineUv2: number; policy: string; supervisor: string; board: string; advisory?: boolean; baud: number; out?: string }) => {
      // Every file is read and checked against the board's limits before the port is opened.
      const cfg = neurostimConfig(opts.board);
      const device = stimDevice(cfg);
      const files = {
        policy: loadPolicyFile(dataFile(opts.policy, 'policy', 'host/control/dbs'), deviceLimits(cfg)),
        supervisor: readConfigFile(dataFile(opts.supervisor, 'supervisor', 'host/safety'), 'the aDBS supervisor', stimSupervisorConfigSchema),
        drift: readConfigFile(repoFile('host/safety/dbs.drift.json'), 'the beta drift alarm', betaDriftConfigSchema),
        advisory: opts.advisory ? readConfigFile(repoFile('host/safety/dbs.advisory.json'), 'the aDBS advisory mode', stimAdvisoryConfigSchema) : null,
        device, baselineBetaUv2: opts.baselineUv2,
      };
      const interactive = opts.advisory && process.stdin.isTTY ? terminalConfirmer({ wording: DBS_QUESTION }) : undefined;
      const live = await runDbsLive({
        stimPort: opts.stim, baud: opts.baud, board: opts.board, files, outDir: opts.out ?? `dist/run-dbs/${new Date().toISOString().replace(/[:.]/g, '-')}`, confirmer: interactive?.confirmer,
      }, (l) => console.log(l));
      beforeSignalExit(async (signal) => {
        console.log(await live.stop(signal));
        interactive?.close();
      });
      await new Promise<never>(() => undefined);
    });
}
