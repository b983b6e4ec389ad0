import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{protocols,firmware,host,hil}/**/*.test.ts'],
    reporters: ['default', './hil/runner/plain-summary-reporter.ts'],
    // Children a test file started and could not stop (a timeout mid-start) are killed when the file ends.
    setupFiles: ['./host/process/owned-children.setup.ts'],
    // Timing is tested on the virtual clock; this only guards against a hung real-I/O test.
    testTimeout: 60_000, // CLI tests start node with tsx several times: seconds each on a loaded 2-core machine
  },
});
