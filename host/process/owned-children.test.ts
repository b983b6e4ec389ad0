import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { killOwnedChildren, owned } from './owned-children.ts';

describe('owned children', () => {
  it('are all killed with SIGKILL on request, as after each test file and at exit', async () => {
    const a = owned(spawn('sleep', ['30'], { stdio: 'ignore' }));
    const b = owned(spawn('sleep', ['30'], { stdio: 'ignore' }));
    const exits = [a, b].map((c) => new Promise<NodeJS.Signals | null>((r) => c.on('exit', (_code, signal) => r(signal))));
    killOwnedChildren();
    expect(await Promise.all(exits)).toEqual(['SIGKILL', 'SIGKILL']);
  });

});
