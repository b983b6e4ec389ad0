import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleForEspruino } from './espruino-bundle.ts';

const dir = mkdtempSync(join(tmpdir(), 'homeostat-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function entry(name: string, code: string): string {
  const path = join(dir, name);
  writeFileSync(path, code);
  return path;
}

describe('Espruino bundles', () => {
  it('carry only the messages a node uses: the responder stack has none of the sensor or stimulator codecs', async () => {
    const responder = fileURLToPath(new URL('../../protocols/bench/espruino-responder-memory.ts', import.meta.url));
    const { code } = await bundleForEspruino(responder);
    for (const used of ['rateMlPerH', 'leaseMs', 'uniqueId', 'sessionId']) expect(code).toContain(used);
    for (const unused of ['samplesMmHg', 'betaPowerUv2', 'systolicMmHg', 'amplitudeMa', 'deliveredMl', 'zod']) expect(code).not.toContain(unused);
  });

  it('refuse syntax the Espruino interpreter lacks, naming the file and the feature', async () => {
    const bad = entry('destructure.ts', 'const o = { a: 1 };\nconst { a } = o;\nexport const x = a;\n');
    await expect(bundleForEspruino(bad)).rejects.toThrow(/destructure\.ts:2.*destructuring/s);
    const spread = entry('spread.ts', 'export function f(...xs: number[]) { return xs.length; }\n');
    await expect(bundleForEspruino(spread)).rejects.toThrow(/rest arguments/);
  });

  it('shorten members named with a trailing underscore and keep every other name', async () => {
    const e = entry('mangle.ts', 'class K { private count_ = 1; visible = 2; bump_() { return this.count_ + this.visible; } get() { return this.bump_(); } }\n(globalThis as any).k = new K().get();\n');
    const { code } = await bundleForEspruino(e);
    expect(code).not.toContain('count_');
    expect(code).not.toContain('bump_');
    expect(code).toContain('visible');
  });
});
