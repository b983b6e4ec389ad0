// A scenario's fault list: one schema for every kind, each fault applied at its time to the object it acts
// on and removed after its duration, and a fault the level cannot inject refused before the run.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { memoryTransportPair } from '../../host/transport/memory-transport.ts';
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import { BoardEmulator } from '../emulator/board-emulator.ts';
import { boardById } from '../emulator/emulated-node.ts';
import { ArterialWaveform } from '../sim/arterial-waveform.ts';
import { SyringeMechanism } from '../sim/syringe-mechanism.ts';
import { FaultyLink } from './faulty-link.ts';
import { faultSchema, faultSide, injectableFaults, scheduleFaults } from './fault-schedule.ts';
import { InProcessHost } from './in-process-host.ts';

const list = (raw: unknown[]) => raw.map((r) => faultSchema.parse(r));

function level() {
  const clock = new VirtualClock();
  const board = new BoardEmulator({ clock, serial: 'pump' });
  board.load('var booted = 1;');
  const mechanism = new SyringeMechanism(board, boardById('pico').nodes['infusion-pump'] as PumpBoardConfig, clock);
  const link = new FaultyLink(async () => memoryTransportPair(clock)[0], { clock, name: 'infusion-pump' });
  const line = new ArterialWaveform({ systolicMmHg: 120, diastolicMmHg: 80, heartRateBpm: 60 });
  const host = new InProcessHost(clock, () => undefined);
  return { clock, board, mechanism, link, line, host };
}

describe('fault schedule', () => {
  it('applies each fault at atMin on its object and removes it durationS later, recording both', () => {
    const l = level();
    const faults = list([
      { kind: 'disconnect', atMin: 0.5, durationS: 10, node: 'infusion-pump' },
      { kind: 'reset', atMin: 1, node: 'infusion-pump' },
      { kind: 'motor-stall', atMin: 1, durationS: 30 },
      { kind: 'noise-step', atMin: 2, durationS: 5, noiseMmHg: 4 },
      { kind: 'host-hang', atMin: 2, durationS: 3 },
    ]);
    const s = scheduleFaults(l.clock, faults, {
      link: (n) => (n === 'infusion-pump' ? l.link : undefined),
      board: () => l.board,
      mechanism: () => l.mechanism,
      line: () => l.line,
      host: l.host,
    });
    l.clock.advance(29_999);
    expect(l.link.plugged).toBe(true);
    l.clock.advance(1);
    expect(l.link.plugged).toBe(false);
    l.clock.advance(10_000);
    expect(l.link.plugged).toBe(true);
    l.clock.advance(20_000);
    expect(l.board.boots).toBe(2);
    expect(l.mechanism.stalled).toBe(true);
    l.clock.advance(30_000);
    expect(l.mechanism.stalled).toBe(false);
    l.clock.advance(31_000);
    expect(l.host.edges.hung).toBe(true);
    l.clock.advance(3000);
    expect(l.host.edges.hung).toBe(false);
    l.clock.advance(1000);
    expect(s.events.map((e) => `${e.tMs / 1000} ${e.what} ${e.fault.kind}`)).toEqual([
      '30 applied disconnect', '40 removed disconnect', '60 applied reset', '60 applied motor-stall', '90 removed motor-stall',
      '120 applied noise-step', '120 applied host-hang', '123 removed host-hang', '125 removed noise-step',
    ]);
  });

  it('refuses before the run a fault the level has nothing to act on, naming it', () => {
    const l = level();
    const faults = list([{ kind: 'occlusion', atMin: 1 }, { kind: 'brown-out', atMin: 2, durationS: 1, node: 'bp-sensor' }]);
    expect(() => scheduleFaults(l.clock, faults, { mechanism: () => l.mechanism, board: (n) => (n === 'infusion-pump' ? l.board : undefined) }))
      .toThrow("faults[1] (brown-out): this level has no board control for node 'bp-sensor' to act on");
    l.clock.advance(120_000);
    expect(l.mechanism.occluded).toBe(false); // the call threw before scheduling anything
  });

  it('lists the faults a level offers nothing of the kind for as not injectable, and still refuses a node without the part', () => {
    const l = level();
    // A level with links and boards but no pump mechanism (a real pump without a fixture).
    const targets = { board: (n: string) => (n === 'infusion-pump' ? l.board : undefined) };
    const faults = list([{ kind: 'occlusion', atMin: 1 }, { kind: 'reset', atMin: 2, node: 'infusion-pump' }]);
    const r = injectableFaults(faults, targets, l.clock, 'hil');
    expect(r.injectable.map((f) => f.kind)).toEqual(['reset']);
    expect(r.notInjectable.map((x) => x.why)).toEqual(['not injectable at hil: faults[0] (occlusion): this level has no syringe mechanism to act on']);
    expect(() => injectableFaults(list([{ kind: 'reset', atMin: 2, node: 'bp-sensor' }]), targets, l.clock, 'hil')).toThrow(/no board control for node 'bp-sensor'/);
    expect(faults.map(faultSide)).toEqual(['plant', 'plant']);
    expect(list([{ kind: 'host-kill', atMin: 1 }, { kind: 'flush', atMin: 1, durationS: 5, pressureMmHg: 300 }, { kind: 'drops', atMin: 1, node: 'bp-sensor', dropRate: 0.1 }]).map(faultSide))
      .toEqual(['host', 'line', 'host']);
  });

  it('a bad entry is refused naming the field; an unknown kind lists none of the wrong fields', () => {
    const bad = faultSchema.safeParse({ kind: 'bit-errors', atMin: 1, node: 'infusion-pump', bitErrorRate: 0.5 });
    expect(bad.error!.issues[0].path).toEqual(['bitErrorRate']);
    const unknown = faultSchema.safeParse({ kind: 'meteor', atMin: 1 });
    expect(unknown.error!.issues[0].path).toEqual(['kind']);
    expect(unknown.error!.issues[0].message).toMatch(/occlusion/);
  });
});
