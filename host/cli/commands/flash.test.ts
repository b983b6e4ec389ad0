// `homeostat flash` ends cleanly when stopped: the real Espruino CLI is uploading to a board that never
// answers (a TCP port that accepts and stays silent, as a board whose firmware holds the line would) when
// SIGTERM comes; the CLI process and the temporary bundle must go with it. The upload itself, the Hello
// and the hint for a board without a REPL are tried on the real interpreter in flash.espruino.test.ts.
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli } from '../testing/run-cli.ts';

const sockets: Socket[] = [];
const silent = createServer((c) => {
  sockets.push(c);
  c.on('data', () => undefined);
});
afterAll(() => {
  for (const s of sockets) s.destroy();
  silent.close();
});

describe('homeostat flash', () => {
  it('on SIGTERM during an upload kills the Espruino CLI, removes its temporary files and exits 143', async () => {
    const port = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)));
    const connected = new Promise((resolve) => silent.once('connection', resolve));
    const run = startCli(['flash', '--node', 'infusion-pump', '--board', 'pico', '--port', `tcp://127.0.0.1:${port}`]);
    await connected;
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(143);
    const bundle = run.stdout().match(/ (\S+\/homeostat-flash-[^/]+)\/infusion-pump\.pico\.js/);
    expect(bundle, run.stdout()).not.toBeNull();
    expect(existsSync(bundle![1])).toBe(false);
    expect(await run.leftBehind()).toEqual([]);
  }, 30_000);
});
