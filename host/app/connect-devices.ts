// Bringing up the links to a loop's devices, the same for a live run on real ports and for simulated runs
// on emulated ones: every link is opened and handshaken, and every node must say in its Hello that it is
// the device it was opened as (a pump on the sensor's port is refused, by name) and run on a known board.
// Until then nothing is commanded; on any problem every link is closed and the error says what was found.
import type { Clock } from '../../protocols/clock/clock.ts';
import { BoardId } from '../../protocols/generated/wire-codec.ts';
import type { HelloValues } from '../../protocols/generated/wire-codec.ts';
import { codeName } from '../../protocols/catalogue/codes.ts';
import { describePeer } from '../../protocols/session/refusal-text.ts';
import { DeviceLink } from '../link/device-link.ts';
import type { Keyring } from '../link/keyring.ts';
import type { Transport } from '../transport/transport.ts';
import type { LoopRecorder } from '../loop/loop-shell.ts';

export interface DeviceSpec {
  /** The device's role name as the catalogue has it (NodeRole): bp-sensor, infusion-pump, neurostim. */
  role: string;
  /** Where it was opened, for messages (a port path, a USB serial number, "emulated"). */
  where: string;
  open: () => Promise<Transport>;
  sessionIdSeed?: number;
  /** Its device key's keyring: the user's keyring file by default (simulated boards: their rig's). */
  keyring?: Keyring;
}

export interface ConnectedDevice {
  link: DeviceLink;
  peer: HelloValues;
}

const tick = (clock: Clock) => new Promise<void>((r) => clock.after(50, r));

/**
 * Opens every device and waits until each has handshaken (or refused, or the time is up), checking roles.
 * `wait` lets some time pass between looks (a virtual clock must be advanced by someone); by default 50 ms
 * of the clock's own time.
 */
export async function connectDevices(
  clock: Clock, specs: DeviceSpec[], o: { timeoutMs?: number; wait?: () => Promise<void>; listen?: (role: string, link: DeviceLink) => void } = {},
): Promise<Record<string, ConnectedDevice>> {
  const links = specs.map((s) => new DeviceLink({ name: s.role, open: s.open, clock, sessionIdSeed: s.sessionIdSeed, keyring: s.keyring }));
  // What a node sends as its session comes up (a pump's limits) reaches only listeners there before it.
  specs.forEach((s, i) => o.listen?.(s.role, links[i]));
  const wait = o.wait ?? (() => tick(clock));
  const closeAll = () => {
    for (const l of links) l.close();
  };
  // A port that cannot be opened at all is a wrong path, a busy port or a missing device: say so at once
  // rather than retrying (once connected, a link that loses its port keeps reconnecting by itself).
  const unopenable: (string | null)[] = links.map(() => null);
  links.forEach((l, i) => l.on({ state: (state) => {
    if (state === 'reconnecting' && !l.peer) unopenable[i] = l.lastProblem;
  } }));
  try {
    for (const l of links) l.start();
    const timeoutMs = o.timeoutMs ?? 10_000;
    const t0 = clock.now();
    const settled = () => links.every((l, i) => l.ready || l.state === 'refused' || unopenable[i] !== null);
    while (clock.now() - t0 < timeoutMs && !settled()) await wait();
    const out: Record<string, ConnectedDevice> = {};
    specs.forEach((s, i) => {
      const l = links[i];
      if (l.state === 'refused') throw new Error(`${s.role} on ${s.where}: refused: ${l.lastProblem}`);
      if (unopenable[i] !== null) throw new Error(`${s.role} on ${s.where}: ${unopenable[i]}`);
      if (!l.ready || !l.peer) throw new Error(`${s.role} on ${s.where}: no session within ${timeoutMs} ms (${l.state}${l.lastProblem ? `: ${l.lastProblem}` : ''})`);
      const role = codeName('NodeRole', l.peer.nodeRole);
      if (role !== s.role) {
        const hint = specs.some((x) => x.role === role) ? `: are the ${role} and the ${s.role} swapped?` : '';
        throw new Error(`${s.where} holds ${describePeer(l.peer)}, not a ${s.role}${hint}`);
      }
      if (l.peer.boardId === BoardId.None || codeName('BoardId', l.peer.boardId) === undefined) {
        throw new Error(`${s.role} on ${s.where}: ${describePeer(l.peer)} names no board homeostat knows: rebuild and flash it for one of firmware/boards`);
      }
      out[s.role] = { link: l, peer: l.peer };
    });
    return out;
  } catch (e) {
    closeAll();
    throw e;
  }
}

/**
 * Unauthenticated (bench mode) sessions, at every start: said to the person (say) and written to the
 * record, for the handshake that connected and for every later one, so that nothing commanded without
 * authentication is recorded without it being said.
 */
export function warnUnauthenticated(c: { links: readonly DeviceLink[] }, clock: Clock, recorder: LoopRecorder, say: (line: string) => void): void {
  for (const l of c.links) {
    const warn = (text: string) => {
      say(`WARNING: ${text}`);
      recorder.record('warning', clock.now(), { device: l.peer ? l.peer.uniqueId : null, text });
    };
    if (l.benchModeWarning) warn(l.benchModeWarning);
    l.on({ warning: warn });
  }
}
