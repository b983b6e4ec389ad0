// A drug, stated once (<name>.drug.json): what it does to the pressure, its preparation, its dose limit, what
// follows too long at the dose ceiling, and where the pump goes when the host or the link is lost. The
// supervisor file names its drug instead of repeating these; a cohort names its drug too.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { readConfigFile } from '../../../config/config-file.ts';

/**
 * The pump's state when the host is gone (its lease lapses): 'stop' (a vasodilator: stopping is the safe side),
 * or 'hold-rate' at the last commanded rate, at most maxMlPerH (a vasopressor: stopping it drops the pressure
 * within minutes).
 */
export const onHostLossSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('stop') }),
  z.strictObject({ kind: z.literal('hold-rate'), maxMlPerH: z.number().positive().max(2000).optional() }),
]);

export type OnHostLoss = z.output<typeof onHostLossSchema>;

const source = z.string().min(10, 'say where the value comes from (a docs/clinical-basis.md anchor and the source it names)');

export const drugFileSchema = z.strictObject({
  $schema: z.string().optional(),
  $comment: z.string().optional(),
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and dashes, starting with a letter (the file is <name>.drug.json)'),
  /** A vasodilator lowers the pressure, a vasopressor raises it: which side a pressure limit stops the drug on. */
  effect: z.enum(['lowers', 'raises']),
  /** The preparation in the syringe, in ug/mL. A value in mg/mL (0.2 for 200 ug/mL) is refused as implausible. */
  concentrationUgPerMl: z.number().min(10, 'concentration below 10 ug/mL: is it in mg/mL? give it in ug/mL (nitroprusside 50 mg / 250 mL is 200 ug/mL)').max(2000),
  maxDoseUgPerKgPerMin: z.number().positive().max(20),
  maxMinutesAtCeiling: z.number().positive().max(60),
  /** After maxMinutesAtCeiling at the ceiling: stop the drug, or hold the ceiling; a high alarm either way. */
  afterCeilingTime: z.enum(['stop', 'hold']),
  onHostLoss: onHostLossSchema,
  /** The shipped controller (host/control/bp) and supervisor limits (host/safety) a run of this drug takes when it names none. */
  defaults: z.strictObject({ controller: z.string().min(1), supervisor: z.string().min(1) }),
  /** Where each fact comes from. */
  sources: z.strictObject({
    effect: source,
    concentrationUgPerMl: source,
    maxDoseUgPerKgPerMin: source,
    afterCeilingTime: source,
    onHostLoss: source,
  }),
}).superRefine((d, ctx) => {
  // Holding the rate of a drug that lowers the pressure would keep lowering it with nobody watching.
  if (d.effect === 'lowers' && d.onHostLoss.kind === 'hold-rate') {
    ctx.addIssue({ code: 'custom', path: ['onHostLoss'], message: 'a drug that lowers the pressure stops when the host is lost: give { "kind": "stop" }' });
  }
});

export type DrugFile = z.output<typeof drugFileSchema>;

/** The shipped drug files. */
export const DRUGS_DIR = new URL('.', import.meta.url).pathname;

/**
 * The drug a supervisor or cohort file names: a shipped drug by name (nitroprusside), or a *.drug.json path
 * relative to the file that names it. The name inside must match the file's name.
 */
export function loadDrugFile(ref: string, namedIn?: string): DrugFile {
  const path = ref.endsWith('.drug.json')
    ? (isAbsolute(ref) || !namedIn ? resolve(ref) : resolve(dirname(namedIn), ref))
    : resolve(DRUGS_DIR, `${ref}.drug.json`);
  if (!existsSync(path)) {
    const shipped = readdirSync(DRUGS_DIR).filter((f) => f.endsWith('.drug.json')).map((f) => f.slice(0, -'.drug.json'.length));
    throw new Error(`${namedIn ?? 'drug'}: no drug '${ref}' (${path} does not exist): name a shipped one (${shipped.join(', ')}) or a *.drug.json file`);
  }
  const drug = readConfigFile(path, `the drug '${ref}'${namedIn ? ` named in ${namedIn}` : ''}`, drugFileSchema);
  const fileName = path.slice(path.lastIndexOf('/') + 1, -'.drug.json'.length);
  if (drug.name !== fileName) throw new Error(`${path}: name is '${drug.name}' but the file is ${fileName}.drug.json: make them the same`);
  return drug;
}

/**
 * The rate the pump is told to fall to if the lease of a command at rateMlPerH lapses: 0 for a drug that
 * stops, the commanded rate (at most the drug's cap) for one that holds.
 */
export function lapseRateMlPerH(onHostLoss: OnHostLoss, rateMlPerH: number): number {
  if (onHostLoss.kind === 'stop') return 0;
  return Math.min(rateMlPerH, onHostLoss.maxMlPerH ?? rateMlPerH);
}

/**
 * A run's drug (its cohort's, or the syringe's) against the controller and supervisor limits chosen for it:
 * the supervisor's limits must be for that drug, and the controller for a drug with its effect.
 */
export function checkRunDrug(
  drug: DrugFile, receiver: string,
  controller: { path: string; drugEffect?: 'lowers' | 'raises' },
  supervisor: { path: string; drug?: string },
): void {
  const kind = drug.effect === 'raises' ? 'a vasopressor' : 'a vasodilator';
  const controllerEffect = controller.drugEffect ?? 'lowers';
  if (controllerEffect !== drug.effect) throw new Error(`${controller.path}: drugEffect is '${controllerEffect}' but ${receiver} receives ${drug.name}, ${kind} ('${drug.effect}'): choose a controller for that drug`);
  if (supervisor.drug !== drug.name) throw new Error(`${supervisor.path}: the limits are for ${supervisor.drug ?? 'no named drug'} but ${receiver} receives ${drug.name}, ${kind}: choose the supervisor limits of that drug`);
}

/**
 * Why a drug cannot run on this pump, or null when it can: a drug that holds its rate when the host is lost
 * needs a pump that can hold one (its PumpLimits' maxLapseRateMlPerH above 0; a pump that sent none, older
 * firmware, holds none). The message names the drug, the pump and the files that decide it.
 */
export function lapseRefusal(
  supervisor: { drug?: string; onHostLoss: OnHostLoss }, limits: { maxLapseRateMlPerH?: number } | null, pump: string, boardName: string,
): string | null {
  if (supervisor.onHostLoss.kind !== 'hold-rate') return null;
  const maxMlPerH = limits?.maxLapseRateMlPerH ?? 0;
  if (maxMlPerH > 0) return null;
  const drug = supervisor.drug ?? 'the drug';
  const said = limits === null ? 'it sent no PumpLimits' : limits.maxLapseRateMlPerH === undefined ? 'its PumpLimits have no maxLapseRateMlPerH: older firmware' : 'its PumpLimits say maxLapseRateMlPerH 0';
  return `${drug} must keep running when the host is lost (onHostLoss hold-rate in host/therapies/bp/drugs/${drug}.drug.json), but the infusion pump ${pump} cannot hold a rate (${said}), so it would stop the drug abruptly: `
    + `set limits.maxLapseRateMlPerH above 0 in firmware/devices/infusion-pump.device.json (or override it, with its reason, in firmware/boards/${boardName}.board.json) and flash the pump again, or use another pump; nothing was infused`;
}
