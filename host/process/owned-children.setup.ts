// Test set-up (vitest setupFiles): after each test file, kill whatever children it still owns. A test that
// times out while a rig is starting (socat, an interpreter) never gets the handle to stop them, and vitest
// ends its worker without the process 'exit' event that owned() relies on, so they would outlive the run.
import { afterAll } from 'vitest';
import { killOwnedChildren } from './owned-children.ts';

afterAll(() => killOwnedChildren());
