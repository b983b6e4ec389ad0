// The layers' dependency rules (docs/architecture.md#dependency-rules) as dependency-cruiser rules, checked on
// every source file by dependency-rules.test.ts. Tests and test helpers may reach into hil/ (the emulator, the
// interpreter runner and the simulators are what tests are run on); production code may not.
import type { IForbiddenRuleType } from 'dependency-cruiser';

/** Files that only tests load: *.test.ts, *.testing.ts and anything under a testing/ folder. */
export const TEST_FILES = '(\\.test\\.ts$|\\.testing\\.ts$|/testing/)';

export const DEPENDENCY_RULES: IForbiddenRuleType[] = [
  {
    name: 'protocols-stand-alone',
    comment: 'protocols/ is the kernel every layer shares: it imports nothing of ours',
    severity: 'error',
    from: { path: '^protocols/', pathNot: TEST_FILES },
    to: { path: '^(firmware|host|hil)/' },
  },
  {
    name: 'zod-only-in-protocols-host',
    comment: 'the protocol kernel runs on Espruino; zod validators live in protocols/host only',
    severity: 'error',
    from: { path: '^protocols/', pathNot: [TEST_FILES, '^protocols/(host|tools)/'] },
    to: { path: 'node_modules/zod/' },
  },
  {
    name: 'firmware-takes-the-zod-free-kernel',
    comment: 'firmware/ imports protocols/ without its zod validators, and neither host/ nor hil/',
    severity: 'error',
    from: { path: '^firmware/', pathNot: TEST_FILES },
    to: { path: '^(host|hil|protocols/host)/' },
  },
  {
    name: 'firmware-sources-without-zod',
    comment: 'what is bundled for a board cannot carry zod',
    severity: 'error',
    from: { path: '^firmware/src/', pathNot: TEST_FILES },
    to: { path: 'node_modules/zod/' },
  },
  {
    name: 'host-stays-off-hil',
    comment: 'host/ runs against real devices; only the thin CLI may reach the simulators in hil/',
    severity: 'error',
    from: { path: '^host/', pathNot: [TEST_FILES, '^host/cli/'] },
    to: { path: '^hil/' },
  },
  {
    name: 'host-stays-off-firmware',
    comment: 'the host speaks to firmware over the protocol only; the CLI may build and flash it',
    severity: 'error',
    from: { path: '^host/', pathNot: [TEST_FILES, '^host/cli/'] },
    to: { path: '^firmware/' },
  },
];
