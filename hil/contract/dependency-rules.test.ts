// The layers' dependency rules hold over every source file, and each rule can fail: a file that breaks it
// (written beside the code for the check, then removed) is reported under the rule's name.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import type { ICruiseResult } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';
import { DEPENDENCY_RULES } from './dependency-rules.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const LAYERS = ['protocols', 'firmware', 'host', 'hil'];

async function violations(entries = LAYERS): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(root); // dependency-cruiser names files relative to the working directory
  try {
    const r = await cruise(entries, {
      validate: true, ruleSet: { forbidden: DEPENDENCY_RULES }, tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' }, exclude: { path: '^dist/' },
    });
    const out = r.output as ICruiseResult;
    return out.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
  } finally {
    process.chdir(cwd);
  }
}

describe('dependency rules (docs/architecture.md#dependency-rules)', () => {
  const planted: string[] = [];
  const plant = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    planted.push(join(root, path));
  };
  afterAll(() => {
    for (const p of planted) rmSync(p, { force: true });
  });

  it('hold for every source file of the four layers', async () => {
    expect(await violations()).toEqual([]);
  }, 120_000);

  it('report each kind of break by its rule', async () => {
    const stamp = `zz-dependency-probe-${process.pid}`;
    const files = {
      protocols: `protocols/framing/${stamp}.ts`,
      protocolsZod: `protocols/session/${stamp}-zod.ts`,
      firmware: `firmware/src/${stamp}.ts`,
      firmwareHost: `firmware/build/${stamp}.ts`,
      host: `host/loop/${stamp}.ts`,
      hostFirmware: `host/devices/${stamp}.ts`,
    };
    plant(files.protocols, "import { Plant } from '../../hil/sim/engine/plant.ts';\nexport const x = Plant;\n");
    plant(files.protocolsZod, "import { z } from 'zod';\nexport const x = z;\n");
    plant(files.firmware, "import { z } from 'zod';\nexport const x = z;\n");
    plant(files.firmwareHost, "import { owned } from '../../host/process/owned-children.ts';\nexport const x = owned;\n");
    plant(files.host, "import { Plant } from '../../hil/sim/engine/plant.ts';\nexport const x = Plant;\n");
    plant(files.hostFirmware, "import { loadBoards } from '../../firmware/build/boards.ts';\nexport const x = loadBoards;\n");
    const found = await violations(Object.values(files));
    const rulesFor = (file: string) => found.filter((v) => v.includes(`: ${file} ->`)).map((v) => v.split(':')[0]);
    expect(rulesFor(files.protocols)).toContain('protocols-stand-alone');
    expect(rulesFor(files.protocolsZod)).toContain('zod-only-in-protocols-host');
    expect(rulesFor(files.firmware)).toContain('firmware-sources-without-zod');
    expect(rulesFor(files.firmwareHost)).toContain('firmware-takes-the-zod-free-kernel');
    expect(rulesFor(files.host)).toContain('host-stays-off-hil');
    expect(rulesFor(files.hostFirmware)).toContain('host-stays-off-firmware');
  }, 120_000);
});
