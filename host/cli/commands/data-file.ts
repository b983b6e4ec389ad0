// Options that name a data file: a shipped one by its name (pid, nitroprusside, stress...), or the user's
// own by its path. One resolution for every command.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const repo = (p: string) => new URL(`../../../${p}`, import.meta.url).pathname;

/** The path of `<shippedDir>/<value>.<kind>.json` for a name, or of the file a path names; either must exist. */
export function dataFile(value: string, kind: string, shippedDir: string): string {
  if (value.includes('/') || value.endsWith('.json')) {
    if (!existsSync(value)) throw new Error(`--${kind}: no file ${value}`);
    return resolve(value);
  }
  const shipped = repo(`${shippedDir}/${value}.${kind}.json`);
  if (!existsSync(shipped)) throw new Error(`--${kind}: no shipped ${kind} '${value}' (looked for ${shippedDir}/${value}.${kind}.json); give a name or a path to a .${kind}.json file`);
  return shipped;
}

/** A file the repository ships, by its path in the repository. */
export function repoFile(path: string): string {
  return repo(path);
}
