// The emulator's Espruino globals, checked against what the interpreter does.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { BoardEmulator } from './board-emulator.ts';

function board() {
  const clock = new VirtualClock();
  return { clock, b: new BoardEmulator({ clock, serial: 'test-serial' }) };
}

describe('board emulator', () => {
  it('lacks the built-ins Espruino lacks, so a bundle that uses them fails here too', () => {
    const { b } = board();
    for (const code of ['new Map()', 'new Set()', 'Symbol("x")', 'Array.from([1])', 'Math.trunc(1.5)', 'Number.isInteger(1)', 'Object.freeze({})', '(1).toPrecision(2)']) {
      expect(() => b.load(`var x = ${code};`), code).toThrow();
    }
    b.load('var ok = [1, 2].find(function (v) { return v > 1; }) + Object.assign({}, { a: 1 }).a;');
  });

  it('runs timers on the virtual clock and reports errors inside them as uncaught, like the interpreter', () => {
    const { b, clock } = board();
    b.load('var n = 0; setInterval(function () { n++; if (n === 3) throw new Error("boom"); }, 100); setTimeout(function () { print("t=" + getTime()); }, 250);');
    clock.advance(500);
    expect(b.output).toEqual(['t=0.25']);
    expect(b.errors).toEqual(['Uncaught boom']);
  });

  it('gives E.CRC32, E.getSerial, E.FFT and E.variance as the interpreter does, and a watchdog that resets when not kicked', () => {
    const { b, clock } = board();
    b.load('print(E.CRC32("123456789").toString(16)); print(E.getSerial());');
    // Measured on 2v29: the forward FFT is divided by n, the inverse is not; E.variance sums, it does not average.
    b.load('var re = [1, 0, 0, 0, 0, 0, 0, 0]; E.FFT(re); print(re.join(","));');
    b.load('var s = [0, 1, 0, -1, 0, 1, 0, -1]; var im = [0,0,0,0,0,0,0,0]; E.FFT(s, im); print(Math.hypot(s[2], im[2]).toFixed(2));');
    b.load('var r = [1, 2, 3, 4, 0, 0, 0, 0]; var ri = [0,0,0,0,0,0,0,0]; E.FFT(r, ri); E.FFT(r, ri, true); print(r.map(function (v) { return Math.round(v); }).join(","));');
    b.load('print(E.variance([1, 2, 3], 2));');
    expect(b.output).toEqual(['cbf43926', 'test-serial', '0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125', '0.50', '1,2,3,4,0,0,0,0', '2']);
    b.load('E.enableWatchdog(1, false);');
    clock.advance(1500);
    expect(b.watchdogResets).toBe(1);
  });

  it('reboots from a watchdog with automatic kicks only when the event loop is stuck, and runs the code in flash again', () => {
    const { b, clock } = board();
    b.load('print("boot"); E.enableWatchdog(1);');
    clock.advance(5000);
    expect(b.watchdogResets).toBe(0);
    b.hang();
    clock.advance(1200);
    expect(b.watchdogResets).toBe(1);
    expect(b.output).toEqual(['boot', 'boot']);
    expect(b.hung).toBe(false);
  });

  it('power-cycles: nothing runs while off, then the code in flash boots afresh', () => {
    const { b, clock } = board();
    b.load('var n = 0; setInterval(function () { n++; }, 100); print("boot");');
    clock.advance(1000);
    b.powerCycle(500);
    expect(b.powered).toBe(false);
    clock.advance(499);
    expect(b.boots).toBe(1);
    clock.advance(1);
    expect(b.boots).toBe(2);
    clock.advance(250);
    b.load('print(n);');
    expect(b.output).toEqual(['boot', 'boot', '2']);
  });

  it('counts step pulses of a PWM train and of digitalPulse, keeps the level written, and calls setWatch on input edges', () => {
    const { b, clock } = board();
    b.load('analogWrite(B6, 0.37, { freq: 10000 });');
    expect(b.pin('B6').duty).toBeCloseTo(0.37, 9);
    b.load('digitalWrite(B6, 0);');
    expect(b.pin('B6').duty).toBe(0);
    b.load('analogWrite(B3, 0.5, { freq: 200, soft: true });');
    clock.advance(1000);
    b.load('digitalWrite(B3, 0);');
    clock.advance(1000);
    expect(b.pulses('B3')).toBeCloseTo(200, 6);
    b.load('digitalPulse(B4, 1, [5, 5, 5, 5, 5]);');
    clock.advance(100);
    expect(b.pulses('B4')).toBe(3);
    b.load('var edges = []; setWatch(function (e) { edges.push(e.state); }, B5, { edge: "rising", repeat: true });');
    b.setDigital('B5', true);
    b.setDigital('B5', false);
    b.setDigital('B5', true);
    b.load('print(edges.length);');
    expect(b.output.at(-1)).toBe('2');
  });

  it('refuses an unknown pin as the interpreter does', () => {
    const { b } = board();
    expect(() => b.load('digitalWrite("Z99", 1);')).toThrow(/Invalid pin/);
  });
});
