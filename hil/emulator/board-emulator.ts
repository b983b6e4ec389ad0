// Runs a built firmware bundle unchanged in an isolated context that offers the Espruino globals the
// firmware uses, on a virtual clock. Simulation models drive the pins (analog and digital inputs) and read
// them (digital outputs, step-pulse trains). Built-ins Espruino lacks are removed from the context, so a
// bundle that uses them fails here as it would on a board.
import vm from 'node:vm';
import type { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import { crc32 } from '../../protocols/framing/crc32.ts';
import type { Transport } from '../../host/transport/transport.ts';

/** Built-ins the interpreter does not have (DESIGN.md section 4). */
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
  constructor(readonly name: string) {}
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
    const s = Buffer.from(bytes).toString('latin1');
    for (const h of this.handlers) h(s);
  }
}

export interface EmulatorOptions {
  clock: VirtualClock;
  /** E.getSerial() of the emulated board. */
  serial?: string;
  /** Variables of the emulated board, for process.memory(). */
  variables?: number;
}

export class BoardEmulator {
  readonly output: string[] = [];
  readonly errors: string[] = [];
  watchdogResets = 0;
  private readonly pinStates: Record<string, PinState> = {};
  private readonly sources: Record<string, (tMs: number) => number> = {};
  private readonly serials: Record<string, EmulatedSerial> = {};
  private readonly context: vm.Context;
  private codeBytes = 0;
  private watchdogMs = 0;
  private lastKickMs = 0;

  constructor(private readonly o: EmulatorOptions) {
    this.context = vm.createContext(this.makeGlobals());
    vm.runInContext(
      ABSENT.map((n) => `delete globalThis.${n};`).join('') + ABSENT_STATICS.map(([o, p]) => `delete ${o}.${p};`).join('') +
        'delete Number.prototype.toPrecision;',
      this.context,
    );
  }

  /** Loads a program the way the REPL does: one top-level statement (line) after another. */
  load(program: string): void {
    this.codeBytes = Buffer.byteLength(program);
    for (const line of program.split('\n')) {
      if (line.trim()) vm.runInContext(line, this.context, { filename: 'firmware.js' });
    }
  }

  pin(name: string): PinState {
    let p = this.pinStates[name];
    if (!p) p = this.pinStates[name] = { analogIn: 0, digitalIn: false, out: 0, pwmHz: 0, pwmSinceMs: 0, pulses: 0 };
    return p;
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
    const fn = this.sources[name];
    return fn ? Math.max(0, Math.min(1, fn(this.o.clock.now()))) : this.pin(name).analogIn;
  }

  setDigital(name: string, high: boolean): void {
    this.pin(name).digitalIn = high;
  }

  /** Pulses a pin has put out since the start (pulse trains integrated over virtual time). */
  pulses(name: string): number {
    const p = this.pin(name);
    return p.pulses + (p.pwmHz > 0 ? (p.pwmHz * (this.o.clock.now() - p.pwmSinceMs)) / 1000 : 0);
  }

  /** The host's end of one of the board's serial ports, delivering at the port's baud rate (8N1). */
  port(name: string, latencyMs = 1): Transport {
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
    };
  }

  private serialPort(name: string): EmulatedSerial {
    let s = this.serials[name];
    if (!s) s = this.serials[name] = new EmulatedSerial(name);
    return s;
  }

  guard(fn: () => void): () => void {
    return () => {
      try {
        fn();
      } catch (e) {
        this.errors.push(`Uncaught ${(e as Error).message}`);
      }
    };
  }

  private stopTrain(p: PinState): void {
    if (p.pwmHz > 0) p.pulses += (p.pwmHz * (this.o.clock.now() - p.pwmSinceMs)) / 1000;
    p.pwmHz = 0;
  }

  /** Espruino's Waveform for buffered analog input: samples the pin's analog value on the virtual clock. */
  private waveformClass(): unknown {
    const emulator = this;
    const clock = this.o.clock;
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
        let i = 0;
        let current = this.buffer;
        this.timer = clock.every(1000 / freqHz, emulator.guard(() => {
          current[i++] = Math.round(emulator.analogIn(name) * 65535);
          if (i < current.length) return;
          const full = current;
          current = current === this.buffer ? this.buffer2 : this.buffer;
          i = 0;
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
    g.getTime = () => clock.now() / 1000;
    g.setTimeout = (fn: () => void, ms: number) => {
      const id = nextTimer++;
      timers[id] = clock.after(ms || 0, this.guard(() => {
        delete timers[id];
        fn();
      }));
      return id;
    };
    g.setInterval = (fn: () => void, ms: number) => {
      const id = nextTimer++;
      timers[id] = clock.every(Math.max(1, ms), this.guard(fn));
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
    };
    g.pinMode = () => undefined;
    g.analogWrite = (pin: unknown, duty: number, opts?: { freq?: number }) => {
      const p = this.pin(name(pin));
      this.stopTrain(p);
      p.pwmHz = duty > 0 && duty < 1 && opts && opts.freq ? opts.freq : 0;
      p.pwmSinceMs = clock.now();
      p.out = duty >= 1 ? 1 : 0;
    };
    g.E = {
      CRC32: (data: Uint8Array | string) => crc32(typeof data === 'string' ? Uint8Array.from(Buffer.from(data, 'latin1')) : Uint8Array.from(data)),
      toUint8Array: (s: string) => Uint8Array.from(Buffer.from(s, 'latin1')),
      getSerial: () => this.o.serial ?? 'emulated-board',
      setFlags: () => undefined,
      enableWatchdog: (seconds: number) => {
        this.watchdogMs = seconds * 1000;
        this.lastKickMs = clock.now();
        clock.every(100, () => {
          if (this.watchdogMs > 0 && clock.now() - this.lastKickMs > this.watchdogMs) {
            this.watchdogResets++;
            this.lastKickMs = clock.now();
          }
        });
      },
      kickWatchdog: () => {
        this.lastKickMs = clock.now();
      },
    };
    g.Waveform = this.waveformClass();
    g.process = {
      memory: () => {
        const total = this.o.variables ?? 4096;
        // An estimate from the loaded code size (calibrated on the interpreter, see firmware/build/fit.ts).
        const usage = Math.round(160 + this.codeBytes * 0.135);
        return { usage, free: total - usage, total };
      },
    };
    return g;
  }
}
