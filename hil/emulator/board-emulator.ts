// Runs a built firmware bundle unchanged in an isolated context that offers the Espruino globals the
// firmware uses, on a virtual clock. Simulation models drive the pins (analog and digital inputs) and read
// them (digital outputs, step-pulse trains). Built-ins Espruino lacks are removed from the context, so a
// bundle that uses them fails here as it would on a board. Like a board it can be reset, powered off and
// on, hung (its event loop stuck) and rebooted by its watchdog, and its oscillator can drift.
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';
import vm from 'node:vm';
import type { Timer } from '../../protocols/clock/clock.ts';
import type { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { crc32 } from '../../protocols/framing/crc32.ts';
import type { Transport } from '../../host/transport/transport.ts';
import { seededRandom } from '../../protocols/testing/seeded-random.ts';
import { keyFileContents, simKeyHex } from './sim-keys.ts';
import { BoardTime } from './board-time.ts';

/** node:crypto's one-shot hash (Node 20.12 on): no Hash object per digest. */
const oneShotHash = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;

/** Built-ins the interpreter does not have (docs/architecture.md#firmware-on-espruino). */
const ABSENT = [
  'Map', 'Set', 'WeakMap', 'WeakSet', 'Symbol', 'BigInt', 'Proxy', 'Reflect', 'WeakRef', 'FinalizationRegistry',
];
const ABSENT_STATICS: [string, string][] = [
  ['Array', 'from'], ['Array', 'of'], ['Math', 'trunc'], ['Math', 'clz32'], ['Math', 'fround'], ['Number', 'isInteger'],
  ['Number', 'isFinite'], ['Object', 'freeze'],
];

export interface PinState {
  analogIn: number;
  digitalIn: boolean;
  /** Last level written (digitalWrite, or 1 while a pulse train runs). */
  out: number;
  /** Frequency of the pulse train analogWrite started, 0 when none. */
  pwmHz: number;
  /** Level of the last analogWrite (PWM duty or DAC output), 0..1; digitalWrite sets 0 or 1. */
  duty: number;
  pwmSinceMs: number;
  /** Pulses of trains already stopped. */
  pulses: number;
}

class EmulatedPin {
  constructor(readonly name: string) {}
  toString(): string {
    return this.name;
  }
}

class EmulatedSerial {
  private handlers: ((data: string) => void)[] = [];
  baud = 115200;
  toHost: ((bytes: Uint8Array) => void) | null = null;
  /** live(): the firmware runs and takes input (not off, not hung). */
  constructor(readonly name: string, private readonly live: () => boolean) {}
  setup(baud: number): void {
    this.baud = baud;
  }
  on(event: string, fn: (data: string) => void): void {
    if (event === 'data') this.handlers.push(fn);
  }
  write(data: Uint8Array | string | number[]): void {
    const bytes = typeof data === 'string' ? Uint8Array.from(Buffer.from(data, 'latin1')) : Uint8Array.from(data as ArrayLike<number>);
    if (this.toHost) this.toHost(bytes);
  }
  setConsole(): void {}
  /** Bytes from the host into the firmware, as Espruino hands them over: a binary string. */
  deliver(bytes: Uint8Array): void {
    // A board that is off or stuck takes nothing in (a stuck one's small receive buffer overflows).
    if (!this.live()) return;
    const s = Buffer.from(bytes).toString('latin1');
    for (const h of this.handlers) h(s);
  }
  /** A reboot: the new firmware registers its own handlers and sets its own rate. */
  reboot(): void {
    this.handlers = [];
    this.baud = 115200;
  }
}

export interface EmulatorOptions {
  clock: VirtualClock;
  /** E.getSerial() of the emulated board. */
  serial?: string;
  /** Variables of the emulated board, for process.memory(). */
  variables?: number;
  /** The board's build has require("crypto").SHA256 (board file nativeSha256); true by default. */
  nativeSha256?: boolean;
  /** Files in the board's Storage; by default the simulation key of its serial (sim-keys.ts). */
  storage?: Record<string, string>;
  /** How far the board's oscillator runs fast (+) or slow (-) against the plant's clock, ppm. */
  clockDriftPpm?: number;
}

/** How often the watchdog hardware checks its counter, ms. */
const WATCHDOG_CHECK_MS = 100;

export class BoardEmulator {
  readonly output: string[] = [];
  readonly errors: string[] = [];
  watchdogResets = 0;
  /** Times the firmware started: 1 after load, one more per reset, watchdog reboot or power-on. */
  boots = 0;
  powered = true;
  /** The firmware's event loop is stuck: no timer, serial or watch callback runs. */
  hung = false;
  private readonly pinStates: Record<string, PinState> = {};
  private readonly sources: Record<string, (tMs: number) => number> = {};
  private watches: { id: number; pin: string; edge: string; repeat: boolean; fn: (e: unknown) => void }[] = [];
  private readonly outputWatchers: Record<string, ((p: PinState) => void)[]> = {};
  private readonly serials: Record<string, EmulatedSerial> = {};
  private context: vm.Context;
  private readonly time: BoardTime;
  /** What was loaded, in order: the code a reboot runs again (saved to flash, as SAVE_ON_SEND does). */
  private readonly programs: string[] = [];
  private codeBytes = 0;
  private watchdogMs = 0;
  private watchdogAuto = false;
  private lastKickMs = 0;
  private watchdogCheck: Timer | null = null;

  /** The board's flash Storage (require("Storage")): file name -> contents. */
  readonly storage: Record<string, string>;
  /** The analog noise E.hwRand reads, seeded by the serial so runs repeat. */
  private readonly hwRand: () => number;

  constructor(private readonly o: EmulatorOptions) {
    this.storage = o.storage ?? { 'homeostat.key': keyFileContents(simKeyHex(o.serial ?? 'emulated-board')) };
    this.hwRand = seededRandom([...(o.serial ?? 'emulated-board')].reduce((a, c) => (a * 31 + c.charCodeAt(0)) | 0, 7));
    this.time = new BoardTime(o.clock);
    if (o.clockDriftPpm) this.time.setDriftPpm(o.clockDriftPpm);
    this.context = this.freshContext();
  }

  private freshContext(): vm.Context {
    const context = vm.createContext(this.makeGlobals());
    vm.runInContext(
      ABSENT.map((n) => `delete globalThis.${n};`).join('') + ABSENT_STATICS.map(([o, p]) => `delete ${o}.${p};`).join('') +
        'delete Number.prototype.toPrecision;',
      context,
    );
    return context;
  }

  /** Loads a program the way the REPL does: one top-level statement (line) after another. */
  load(program: string): void {
    if (!this.powered) throw new Error('the board is powered off: power it on before loading code');
    this.programs.push(program);
    if (this.boots === 0) this.boots = 1;
    this.run(program);
  }

  /** Writes a program to flash in place of what was there and boots it (when powered), as flashing does. */
  flash(program: string): void {
    this.programs.length = 0;
    this.programs.push(program);
    if (this.powered) this.reset();
  }

  private run(program: string): void {
    this.codeBytes = Buffer.byteLength(program);
    for (const line of program.split('\n')) {
      if (line.trim()) vm.runInContext(line, this.context, { filename: 'firmware.js' });
    }
  }

  /** The firmware runs: the board is powered and its event loop is not stuck. */
  get running(): boolean {
    return this.powered && !this.hung;
  }

  /**
   * A reset (the reset pin, a watchdog): the firmware's state is lost, its timers and watches are gone, its
   * outputs are released, and the code in flash starts again. The watchdog, once enabled, stays armed (as
   * on the STM32 boards: only a power loss stops it); inputs and the serial wires stay as they are.
   */
  reset(): void {
    if (!this.powered) return;
    this.stopFirmware();
    this.hung = false;
    this.context = this.freshContext();
    this.lastKickMs = this.o.clock.now();
    this.boots++;
    for (const p of this.programs) {
      try {
        this.run(p);
      } catch (e) {
        this.errors.push(`Uncaught ${(e as Error).message}`);
      }
    }
  }

  /** Power removed: no code runs, no output, no input, the watchdog stops. */
  powerOff(): void {
    if (!this.powered) return;
    this.stopFirmware();
    this.powered = false;
    this.hung = false;
    this.watchdogMs = 0;
    if (this.watchdogCheck) this.watchdogCheck.cancel();
    this.watchdogCheck = null;
  }

  /** Power back: a fresh boot of the code in flash. */
  powerOn(): void {
    if (this.powered) return;
    this.powered = true;
    this.reset();
  }

  /** Power off now and back on offMs later (on the clock). */
  powerCycle(offMs: number): void {
    this.powerOff();
    this.o.clock.after(offMs, () => this.powerOn());
  }

  /**
   * The firmware's event loop gets stuck (an endless loop, a blocking call): no callback runs and serial
   * input is lost, while hardware goes on (pulse trains keep stepping, the watchdog keeps counting).
   */
  hang(): void {
    if (this.powered) this.hung = true;
  }

  /** The stuck loop comes free by itself (a long blocking call that ends). */
  unhang(): void {
    this.hung = false;
  }

  /** Sets how far the board's oscillator is off, ppm: its timers, time, pulse trains and sampling follow. */
  setClockDriftPpm(ppm: number): void {
    for (const p of Object.values(this.pinStates)) this.bankTrain(p);
    this.time.setDriftPpm(ppm);
    // A running train's pulses now come at another pace in plant time.
    for (const [name, p] of Object.entries(this.pinStates)) if (p.pwmHz > 0) this.outputChanged(name);
  }

  private stopFirmware(): void {
    this.time.cancelAll();
    this.watches = [];
    for (const [name, p] of Object.entries(this.pinStates)) {
      this.stopTrain(p);
      p.out = 0;
      p.duty = 0;
      this.outputChanged(name);
    }
    for (const s of Object.values(this.serials)) s.reboot();
  }

  pin(name: string): PinState {
    let p = this.pinStates[name];
    if (!p) p = this.pinStates[name] = { analogIn: 0, digitalIn: false, out: 0, pwmHz: 0, duty: 0, pwmSinceMs: 0, pulses: 0 };
    return p;
  }

  /**
   * Calls fn whenever the firmware changes a pin's output (a level written, a pulse train started or
   * stopped, outputs released by a reset or a power loss): what wires to another board listen to.
   */
  onOutput(name: string, fn: (p: PinState) => void): void {
    (this.outputWatchers[name] ??= []).push(fn);
  }

  private outputChanged(name: string): void {
    const watchers = this.outputWatchers[name];
    if (watchers) for (const fn of watchers) fn(this.pin(name));
  }

  /** How fast the board's oscillator runs against the plant's clock (1 + ppm / 1e6). */
  get clockRate(): number {
    return this.time.rate;
  }

  setAnalog(name: string, fraction: number): void {
    this.pin(name).analogIn = Math.max(0, Math.min(1, fraction));
  }

  /** Makes a pin's analog input a function of time (ms), read whenever the firmware samples it. */
  analogSource(name: string, fn: (tMs: number) => number): void {
    this.sources[name] = fn;
  }

  /** The analog input of a pin now, 0..1. */
  analogIn(name: string): number {
    return this.analogInAt(name, this.o.clock.now());
  }

  /** The analog input of a pin at a time (a source gives it exactly; a set value is taken as current). */
  analogInAt(name: string, tMs: number): number {
    const fn = this.sources[name];
    return fn ? Math.max(0, Math.min(1, fn(tMs))) : this.pin(name).analogIn;
  }

  setDigital(name: string, high: boolean): void {
    const p = this.pin(name);
    const was = p.digitalIn;
    p.digitalIn = high;
    if (was !== high) this.fireWatches(name, high);
  }

  private fireWatches(name: string, high: boolean): void {
    for (const w of this.watches.slice()) {
      if (w.pin !== name || (w.edge === 'rising' && !high) || (w.edge === 'falling' && high)) continue;
      if (!w.repeat) this.watches = this.watches.filter((x) => x !== w);
      this.guard(() => w.fn({ state: high, time: this.o.clock.now() / 1000, pin: name }))();
    }
  }

  /** Pulses a pin has put out since the start (pulse trains integrated over virtual time). */
  pulses(name: string): number {
    const p = this.pin(name);
    return p.pulses + this.trainPulses(p);
  }

  /** Pulses of the running train so far: its frequency is the board's, so it drifts with the board's clock. */
  private trainPulses(p: PinState): number {
    return p.pwmHz > 0 ? (p.pwmHz * this.time.rate * (this.o.clock.now() - p.pwmSinceMs)) / 1000 : 0;
  }

  /** Counts a running train's pulses so far and goes on from now. */
  private bankTrain(p: PinState): void {
    p.pulses += this.trainPulses(p);
    p.pwmSinceMs = this.o.clock.now();
  }

  /** The host's end of one of the board's serial ports, delivering at the port's baud rate (8N1). */
  port(name: string, latencyMs = 1): Transport & { backlogMs(): number } {
    const serial = this.serialPort(name);
    const clock = this.o.clock;
    let toBoardFreeAt = 0;
    let fromBoardFreeAt = 0;
    let onBytes: ((b: Uint8Array) => void) | null = null;
    const byteMs = () => 10_000 / serial.baud;
    serial.toHost = (bytes) => {
      const now = clock.now();
      fromBoardFreeAt = Math.max(now, fromBoardFreeAt) + bytes.length * byteMs();
      clock.after(fromBoardFreeAt - now + latencyMs, () => onBytes && onBytes(bytes));
    };
    return {
      write: (bytes) => {
        const copy = Uint8Array.from(bytes);
        const now = clock.now();
        toBoardFreeAt = Math.max(now, toBoardFreeAt) + copy.length * byteMs();
        clock.after(toBoardFreeAt - now + latencyMs, () => serial.deliver(copy));
      },
      onBytes: (h) => {
        onBytes = h;
      },
      close: () => {
        serial.toHost = null;
      },
      /** How long the board's output already queued on the line will take to go out. */
      backlogMs: () => Math.max(0, fromBoardFreeAt - clock.now()),
    };
  }

  /** The board's side of a serial port, as firmware sees it (for bench sources that are not firmware). */
  deviceSide(name: string): { write(bytes: Uint8Array): void; onData(fn: (bytes: Uint8Array) => void): void } {
    const s = this.serialPort(name);
    return {
      write: (bytes) => s.write(bytes),
      onData: (fn) => s.on('data', (d) => fn(Uint8Array.from(Buffer.from(d, 'latin1')))),
    };
  }

  private serialPort(name: string): EmulatedSerial {
    let s = this.serials[name];
    if (!s) s = this.serials[name] = new EmulatedSerial(name, () => this.running);
    return s;
  }

  /** A firmware callback: runs only while the firmware runs, and reports what it throws as uncaught. */
  guard(fn: () => void): () => void {
    return () => {
      if (!this.running) return;
      try {
        fn();
      } catch (e) {
        this.errors.push(`Uncaught ${(e as Error).message}`);
      }
    };
  }

  private stopTrain(p: PinState): void {
    p.pulses += this.trainPulses(p);
    p.pwmHz = 0;
  }

  /** Espruino's Waveform for buffered analog input: samples the pin's analog value on the virtual clock. */
  private waveformClass(): unknown {
    const emulator = this;
    const clock = this.o.clock;
    const time = this.time;
    return class Waveform {
      buffer: Uint16Array;
      buffer2: Uint16Array;
      private handlers: ((b: Uint16Array) => void)[] = [];
      private timer: { cancel(): void } | null = null;
      constructor(samples: number, options?: { doubleBuffer?: boolean }) {
        this.buffer = new Uint16Array(samples);
        this.buffer2 = options && options.doubleBuffer ? new Uint16Array(samples) : this.buffer;
      }
      on(event: string, fn: (b: Uint16Array) => void): void {
        if (event === 'buffer') this.handlers.push(fn);
      }
      startInput(pin: unknown, freqHz: number, options?: { repeat?: boolean }): void {
        const name = String(pin);
        const periodMs = 1000 / freqHz;
        let current = this.buffer;
        // One timer per full buffer: the samples are the pin's values at each sample instant (a source
        // is a function of time), so the result is the same as sampling one by one, at a fraction of the cost.
        // Sampling is hardware (a timer interrupt): it runs on the board's clock; the handler is firmware.
        this.timer = time.every(periodMs * current.length, emulator.guard(() => {
          const full = current;
          const endMs = clock.now();
          const plantPeriodMs = time.plantSpan(periodMs);
          for (let i = 0; i < full.length; i++) full[i] = Math.round(emulator.analogInAt(name, endMs - (full.length - 1 - i) * plantPeriodMs) * 65535);
          current = current === this.buffer ? this.buffer2 : this.buffer;
          if (!(options && options.repeat) && this.timer) this.timer.cancel();
          for (const h of this.handlers) h(full);
        }));
      }
      stop(): void {
        if (this.timer) this.timer.cancel();
      }
    };
  }

  private makeGlobals(): Record<string, unknown> {
    const clock = this.o.clock;
    const time = this.time;
    const g: Record<string, unknown> = {};
    const timers: Record<number, { cancel(): void }> = {};
    let nextTimer = 1;
    const name = (pin: unknown) => {
      const n = String(pin);
      if (!(n in g)) throw new Error(`Invalid pin: ${n}`);
      return n;
    };
    for (const bank of ['A', 'B', 'C', 'D', 'H']) for (let i = 0; i < 32; i++) g[bank + i] = new EmulatedPin(bank + i);
    for (let i = 1; i <= 3; i++) g['LED' + i] = new EmulatedPin('LED' + i);
    for (const s of ['USB', 'Serial1', 'Serial2', 'LoopbackA', 'LoopbackB']) g[s] = this.serialPort(s);
    g.global = g;
    g.print = (...args: unknown[]) => this.output.push(args.map(String).join(' '));
    g.console = { log: g.print };
    g.echo = () => undefined;
    g.getTime = () => time.now() / 1000;
    g.setTimeout = (fn: () => void, ms: number) => {
      const id = nextTimer++;
      timers[id] = time.after(ms || 0, this.guard(() => {
        delete timers[id];
        fn();
      }));
      return id;
    };
    g.setInterval = (fn: () => void, ms: number) => {
      const id = nextTimer++;
      timers[id] = time.every(Math.max(1, ms), this.guard(fn));
      return id;
    };
    g.clearTimeout = g.clearInterval = (id: number) => {
      if (timers[id]) timers[id].cancel();
      delete timers[id];
    };
    g.analogRead = (pin: unknown) => this.analogIn(name(pin));
    g.digitalRead = (pin: unknown) => (this.pin(name(pin)).digitalIn ? 1 : 0);
    g.digitalWrite = (pin: unknown, v: unknown) => {
      const p = this.pin(name(pin));
      this.stopTrain(p);
      p.out = v ? 1 : 0;
      p.duty = p.out;
      this.outputChanged(name(pin));
    };
    g.pinMode = () => undefined;
    g.digitalPulse = (pin: unknown, value: unknown, widthMs: number | number[]) => {
      const p = this.pin(name(pin));
      const widths = typeof widthMs === 'number' ? [widthMs] : widthMs;
      let level = value ? 1 : 0;
      let at = 0;
      p.out = level;
      for (const w of widths) {
        at += w;
        level = 1 - level;
        const next = level;
        time.after(at, () => {
          p.out = next;
          if (next === (value ? 0 : 1)) p.pulses++;
        });
      }
    };
    let nextWatch = 1;
    g.setWatch = (fn: (e: unknown) => void, pin: unknown, opts?: { edge?: string; repeat?: boolean }) => {
      const id = nextWatch++;
      this.watches.push({ id, pin: name(pin), edge: (opts && opts.edge) || 'both', repeat: !!(opts && opts.repeat), fn });
      return id;
    };
    g.clearWatch = (id?: number) => {
      this.watches = id === undefined ? [] : this.watches.filter((w) => w.id !== id);
    };
    g.analogWrite = (pin: unknown, duty: number, opts?: { freq?: number }) => {
      const p = this.pin(name(pin));
      this.stopTrain(p);
      p.pwmHz = duty > 0 && duty < 1 && opts && opts.freq ? opts.freq : 0;
      p.pwmSinceMs = clock.now();
      p.out = duty >= 1 ? 1 : 0;
      p.duty = Math.max(0, Math.min(1, duty));
      this.outputChanged(name(pin));
    };
    g.E = {
      CRC32: (data: Uint8Array | string) => crc32(typeof data === 'string' ? Uint8Array.from(Buffer.from(data, 'latin1')) : Uint8Array.from(data)),
      toUint8Array: (s: string) => Uint8Array.from(Buffer.from(s, 'latin1')),
      getSerial: () => this.o.serial ?? 'emulated-board',
      setFlags: () => undefined,
      setConsole: () => undefined,
      sum: (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0),
      // The interpreter's E.variance sums the squared deviations; it does not divide by the count (measured).
      variance: (a: ArrayLike<number>, mean: number) => Array.from(a).reduce((x, y) => x + (y - mean) ** 2, 0),
      FFT: fft,
      // The watchdog is hardware on its own oscillator (plant time). Automatic kicks come from the idle
      // loop, so a stuck loop stops them too. Not kicked in time, it reboots the board.
      enableWatchdog: (seconds: number, isAuto?: boolean) => {
        this.watchdogMs = seconds * 1000;
        this.watchdogAuto = isAuto !== false;
        this.lastKickMs = clock.now();
        this.watchdogCheck ??= clock.every(WATCHDOG_CHECK_MS, () => {
          if (this.watchdogAuto && this.running) this.lastKickMs = clock.now();
          if (this.watchdogMs > 0 && clock.now() - this.lastKickMs > this.watchdogMs) {
            this.watchdogResets++;
            this.reset();
          }
        });
      },
      kickWatchdog: () => {
        this.lastKickMs = clock.now();
      },
    };
    // One noise source for the board's life: a reset must not replay the nonces it drew before.
    const hwRand = this.hwRand;
    (g.E as Record<string, unknown>).hwRand = () => Math.floor(hwRand() * 0x100000000) | 0;
    // A Uint8Array is hashed as it is (no copy through an iterator, no Hash object where node:crypto has its one-shot hash).
    const digest = (kind: string) => (d: Uint8Array | string) => {
      const data = typeof d === 'string' ? Buffer.from(d, 'latin1') : d instanceof Uint8Array ? d : Uint8Array.from(d);
      const out = oneShotHash ? oneShotHash(kind, data, 'buffer') : createHash(kind).update(data).digest();
      return out.buffer.slice(out.byteOffset, out.byteOffset + out.length);
    };
    // What the board's build offers: Storage always; crypto with SHA1, and SHA256 where the build has it.
    const crypto: Record<string, unknown> = { SHA1: digest('sha1') };
    if (this.o.nativeSha256 !== false) crypto.SHA256 = digest('sha256');
    const storage = {
      read: (name: string) => this.storage[name],
      // Espruino writes an array as its bytes, and reads every file back as a string.
      write: (name: string, data: string | ArrayLike<number>) => {
        this.storage[name] = typeof data === 'string' ? data : Buffer.from(Uint8Array.from(data)).toString('latin1');
        return true;
      },
      erase: (name: string) => {
        delete this.storage[name];
      },
      list: () => Object.keys(this.storage),
    };
    g.require = (name: string) => {
      if (name === 'Storage') return storage;
      if (name === 'crypto') return crypto;
      throw new Error(`Module ${name} not found`);
    };
    g.Waveform = this.waveformClass();
    g.process = {
      env: { BOARD: 'EMULATOR' },
      memory: () => {
        const total = this.o.variables ?? 4096;
        // An estimate from the loaded code size (calibrated on the interpreter, see hil/espruino/measure-fit.ts).
        const usage = Math.round(160 + this.codeBytes * 0.135);
        return { usage, free: total - usage, total };
      },
    };
    return g;
  }
}

/**
 * Espruino's E.FFT(re, im, inverse): an in-place radix-2 FFT over arrays whose length is a power of two;
 * without `im`, imaginary parts start at zero and magnitudes are written back into `re`, as Espruino does.
 * The forward transform is divided by n, as the interpreter's is (measured on 2v29: a unit impulse gives 1/n
 * in every bin).
 */
function fft(re: number[] | Float32Array, im?: number[] | Float32Array, inverse?: boolean): void {
  const n = re.length;
  if (n & (n - 1)) throw new Error('FFT length must be a power of 2');
  const magnitudes = !im;
  const imag = im ?? new Float64Array(n);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [imag[i], imag[j]] = [imag[j], imag[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k);
        const wi = Math.sin(ang * k);
        const ar = re[i + k + len / 2] * wr - imag[i + k + len / 2] * wi;
        const ai = re[i + k + len / 2] * wi + imag[i + k + len / 2] * wr;
        re[i + k + len / 2] = re[i + k] - ar;
        imag[i + k + len / 2] = imag[i + k] - ai;
        re[i + k] += ar;
        imag[i + k] += ai;
      }
    }
  }
  if (!inverse) for (let i = 0; i < n; i++) { re[i] /= n; imag[i] /= n; }
  if (magnitudes) for (let i = 0; i < n; i++) re[i] = Math.hypot(re[i], imag[i]);
}
