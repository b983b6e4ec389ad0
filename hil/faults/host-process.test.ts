// Host faults on a host process (hil/pil/hold-rate-host.ts holds 60 mL/h with a 2 s lease) driving the
// pump bundle on the PIL level (its own process behind a pseudo-terminal, real time). The board prints the
// volume its mechanism delivered every second: the ground truth read here. Real time on a loaded machine:
// only generous bounds.
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startPilBoard } from '../pil/pil-rig.ts';
import type { PilBoard } from '../pil/pil-rig.ts';
import { HostProcess } from './host-process.ts';
import { applyHostFault, hostFaultSchema } from './host-faults.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hostScript = fileURLToPath(new URL('../pil/hold-rate-host.ts', import.meta.url));
const cleanup: (() => void)[] = [];
afterAll(() => cleanup.forEach((c) => c()));

/** The mechanism's delivered volume, mL, over the last `seconds` of the board's reports. */
function deliveredOver(board: PilBoard, seconds: number): number {
  const vols = [...board.output().matchAll(/PIL delivered ([\d.]+) mL/g)].map((m) => Number(m[1]));
  return vols.at(-1)! - vols.at(-1 - seconds)!;
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  for (let t = 0; t < ms && !cond(); t += 50) await sleep(50);
}

describe('host faults on a host process (PIL)', () => {
  it('hung past its lease the pump stops, resumed it holds the rate again; slowed it still holds it; killed the pump stops, restarted it runs again', async () => {
    const board = await startPilBoard('infusion-pump', 'pico');
    const host = new HostProcess(hostScript, [board.path, '60', '2000']);
    cleanup.push(() => host.kill(), () => board.stop());
    host.start();
    await waitFor(() => host.output().includes('HOLDING'), 20_000);
    expect(host.output()).toContain('HOLDING');
    const perS = 60 / 3600;
    await sleep(3000);
    expect(deliveredOver(board, 2)).toBeGreaterThan(1.5 * perS);

    const hang = applyHostFault(host, hostFaultSchema.parse({ kind: 'host-hang', atMin: 0, durationS: 5 }));
    await sleep(5000);
    expect(deliveredOver(board, 2)).toBe(0); // the 2 s lease ran out during the hang
    hang.remove();
    await sleep(4000);
    expect(deliveredOver(board, 2)).toBeGreaterThan(1.5 * perS);

    // Stopped 300 ms out of every 320: renewals every 667 ms still land within the 2 s lease.
    const slow = applyHostFault(host, hostFaultSchema.parse({ kind: 'slow-host', atMin: 0, delayMs: 300 }));
    await sleep(4000);
    expect(deliveredOver(board, 3)).toBeGreaterThan(2.5 * perS);
    slow.remove();

    const kill = applyHostFault(host, hostFaultSchema.parse({ kind: 'host-kill', atMin: 0, durationS: 4 }));
    await sleep(4000);
    expect(deliveredOver(board, 1)).toBe(0);
    const said = (host.output().match(/HOLDING/g) ?? []).length;
    kill.remove();
    await waitFor(() => (host.output().match(/HOLDING/g) ?? []).length > said, 20_000);
    expect(host.starts).toBe(2);
    await sleep(2000);
    expect(deliveredOver(board, 1)).toBeGreaterThan(0.5 * perS);
  }, 90_000);
});
