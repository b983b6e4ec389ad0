// For tests that run `homeostat run bp` (or run dbs) against PIL boards: the default cohort's first patient through the
// default scenario, both bundles in the plant's process behind socat pseudo-terminals, at real time.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addToKeyring } from '../../host/link/keyring.ts';
import { simKeyHex } from '../emulator/sim-keys.ts';
import { loadCohort } from '../sim/cohorts/cohort.ts';
import { loadScenario } from '../sim/scenarios/scenario.ts';
import { pilSession } from './pil-rig.ts';
import type { RigSession } from './rig.ts';

const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;

export async function pilBpBoards(seed = 7): Promise<{ sensor: string; pump: string; session: RigSession }> {
  // The patient and the drug in its syringe, both from the cohort.
  const { patients: [patient], drug } = loadCohort(repo('hil/sim/cohorts/default.cohort.json'));
  const plan = { scenario: loadScenario(repo('hil/sim/scenarios/default.scenario.json')), patient, model: 'slate-vasodilator', concentrationUgPerMl: drug.concentrationUgPerMl, seed, board: 'pico', patientStepS: 0.5 };
  const session = await pilSession({ therapy: 'bp', plan, roles: ['bp-sensor', 'infusion-pump'], board: 'pico', seed, speed: 1 });
  return { sensor: session.nodes[0].where, pump: session.nodes[1].where, session };
}

/**
 * The environment of a `homeostat` process that talks to these boards: the user's keyring as
 * `homeostat flash --key-file` leaves it, with the PIL boards' keys under their ids.
 */
export function pilKeyringEnv(): NodeJS.ProcessEnv {
  const keyring = join(mkdtempSync(join(tmpdir(), 'homeostat-keys-')), 'keyring.json');
  for (const id of ['bp-sensor', 'infusion-pump', 'neurostimulator']) addToKeyring(keyring, id, simKeyHex(id));
  return { ...process.env, HOMEOSTAT_KEYRING: keyring };
}
