// Controller files (*.controller.json): a controller's kind and settings as data, validated before a run.
// The target pressure can be overridden by a scenario, so one tuning serves every scenario.
import { z } from 'zod';
import { readConfigFile } from '../../config/config-file.ts';
import type { BpController } from './bp-controller.ts';
import { adaptiveController, adaptiveSettingsSchema } from './adaptive-controller.ts';
import { pidController, pidSettingsSchema } from './pid-controller.ts';

export const controllerFileSchema = z.discriminatedUnion('kind', [
  pidSettingsSchema.extend({ kind: z.literal('pid') }),
  adaptiveSettingsSchema.extend({ kind: z.literal('adaptive') }),
]);

export type ControllerFile = z.infer<typeof controllerFileSchema>;

export function loadControllerFile(path: string): ControllerFile {
  return readConfigFile(path, 'the controller', controllerFileSchema);
}

/** The controller a file describes, aimed at a target. */
export function controllerFrom(file: ControllerFile, targetMmHg = file.targetMmHg): BpController<unknown> {
  const settings = { ...file, targetMmHg };
  return (settings.kind === 'pid' ? pidController(settings) : adaptiveController(settings)) as BpController<unknown>;
}

/** The file's controller aimed at any target, made once per target (a loop whose target changes). */
export function aimer(file: ControllerFile): (targetMmHg: number) => BpController<unknown> {
  const made = new Map<number, BpController<unknown>>();
  return (targetMmHg) => {
    let c = made.get(targetMmHg);
    if (!c) made.set(targetMmHg, (c = controllerFrom(file, targetMmHg)));
    return c;
  };
}

/** The shipped controller files, by name. */
export function shippedControllerPath(name: 'pid' | 'adaptive'): string {
  return new URL(`./${name}.controller.json`, import.meta.url).pathname;
}
