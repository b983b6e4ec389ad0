// Headless Chromium for tests and benches that look at pages as a person would (the dashboard, the
// report): the OS's chromium package, driven by playwright-core (no browser download). CHROMIUM_BIN names
// another binary.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';

export const CHROMIUM_BIN = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** Whether the browser is installed (tests that need it say so in their title when it is not). */
export const chromiumPresent = (): boolean => existsSync(CHROMIUM_BIN);

/** Quiet flags for a container or CI machine: no sandbox (no user namespaces there), no GPU, no network chatter. */
const ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(): Promise<Browser> {
  if (!chromiumPresent()) throw new Error(`no Chromium at ${CHROMIUM_BIN}: install the OS package chromium, or name the binary with CHROMIUM_BIN`);
  return chromium.launch({ executablePath: CHROMIUM_BIN, args: ARGS });
}
