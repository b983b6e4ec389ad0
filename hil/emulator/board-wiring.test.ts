// Wires between emulated boards: levels read as they were when sampled, pulses delivered edge by edge.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { BoardEmulator } from './board-emulator.ts';
import { wireLevel, wirePulses } from './board-wiring.ts';

function twoBoards() {
  const clock = new VirtualClock();
  return { clock, a: new BoardEmulator({ clock }), b: new BoardEmulator({ clock }) };
}

describe('board wiring', () => {
  it('gives the ADC the level written at each past instant, and 0 once the sending board loses power', () => {
    const { clock, a, b } = twoBoards();
    wireLevel(clock, { board: a, pin: 'B6' }, { board: b, pin: 'A5' });
    a.load('analogWrite(B6, 0.25, { freq: 20000 });');
    clock.advance(100);
    a.load('analogWrite(B6, 0.75, { freq: 20000 });');
    clock.advance(100);
    expect(b.analogInAt('A5', 50)).toBe(0.25);
    expect(b.analogInAt('A5', 150)).toBe(0.75);
    expect(b.analogIn('A5')).toBe(0.75);
    a.powerOff();
    expect(b.analogIn('A5')).toBe(0);
  });

  it('delivers a pulse train as rising edges, as many as the sender counts, keeping the phase when rewritten', () => {
    const { clock, a, b } = twoBoards();
    wirePulses(clock, { board: a, pin: 'B3' }, { board: b, pin: 'B9' });
    b.load('var n = 0; setWatch(function () { n++; }, B9, { repeat: true, edge: "rising" });');
    a.load('analogWrite(B3, 0.5, { freq: 3, soft: true });');
    // Rewritten every 250 ms (a pump renewing its rate): restarting the phase each time would give no pulse.
    for (let i = 0; i < 40; i++) {
      clock.advance(250);
      a.load('analogWrite(B3, 0.5, { freq: 3, soft: true });');
    }
    a.load('analogWrite(B3, 0.5, { freq: 50, soft: true });');
    clock.advance(1000);
    a.load('digitalWrite(B3, 0);');
    clock.advance(1000);
    b.load('print(n);');
    expect(a.pulses('B3')).toBeCloseTo(80, 6);
    expect(b.output).toEqual(['80']);
  });

  it('paces the edges by the sending board\'s oscillator', () => {
    const { clock, a, b } = twoBoards();
    wirePulses(clock, { board: a, pin: 'B3' }, { board: b, pin: 'B9' });
    b.load('var n = 0; setWatch(function () { n++; }, B9, { repeat: true, edge: "rising" });');
    a.setClockDriftPpm(100_000);
    a.load('analogWrite(B3, 0.5, { freq: 100, soft: true });');
    // 10% fast: 110 pulses a second of the plant's time (a little past 10 s, clear of the 1,100th edge).
    clock.advance(10_005);
    b.load('print(n);');
    expect(b.output).toEqual(['1100']);
    expect(Math.floor(a.pulses('B3'))).toBe(1100);
  });
});
