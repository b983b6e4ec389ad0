// The one binding of the HAL to Espruino's globals. Pins are named by string and looked up in `global`
// (A0, B3, D12...), so the same code serves every board.
import type { AnalogOut, AnalogSampler, Fft, Hal, Pins, Uart } from './hal.ts';

function pinOf(name: string): string {
  return global[name] as string;
}

function espruinoUart(port: string, baud: number, rx?: string, tx?: string, path?: string): Uart {
  const serial = global[port] as EspruinoSerial;
  // The Linux build opens the device file named by `path` (a pseudo-terminal in tests), never stdin, on
  // which byte 0x04 would end the interpreter.
  if (path) (serial as unknown as { path: string }).path = path;
  if (port !== 'USB' && port !== 'LoopbackA') serial.setup(baud, rx ? { rx: pinOf(rx), tx: pinOf(tx as string) } : undefined);
  return {
    write: (bytes) => serial.write(bytes),
    onData: (handler) => serial.on('data', (d) => handler(E.toUint8Array(d))),
  };
}

/** Moves the REPL off the protocol port (to `console`, or to a loopback where it harms nothing). */
export function moveConsole(consolePort: string): void {
  echo(0);
  const target = consolePort === 'none' ? null : (global[consolePort] as EspruinoSerial);
  if (target) target.setConsole(true);
}

export function espruinoHal(port: string, baud: number, rx?: string, tx?: string, path?: string): Hal {
  // Time counts from boot: on the Linux build getTime() is Unix time, on a board time since power-up.
  const t0 = getTime();
  return {
    clock: {
      now: () => (getTime() - t0) * 1000,
      every: (ms, fn) => {
        const id = setInterval(fn, ms);
        return { cancel: () => clearInterval(id) };
      },
    },
    uart: espruinoUart(port, baud, rx, tx, path),
    watchdogStart: (timeoutMs) => E.enableWatchdog(timeoutMs / 1000, false),
    watchdogKick: () => E.kickWatchdog(),
    serial: () => (E.getSerial ? E.getSerial() : 'no-serial'),
    crc32: (buf, start, end) => E.CRC32(buf.subarray(start, end)),
    // global.require: esbuild would take a bare require() for a module to bundle.
    storageRead: (name) => {
      const s = (global.require as EspruinoRequire)('Storage').read(name);
      return s === undefined ? s : E.toUint8Array(s);
    },
    // E.hwRand reads analog noise (an RNG peripheral on nRF52); mixed with time and Math.random, whose
    // seed the Linux build never varies.
    random32: () => ((E.hwRand ? E.hwRand() : 0) ^ (Math.random() * 4294967296) ^ (getTime() * 1e6)) >>> 0,
  };
}

/** Buffered ADC sampling with Espruino's Waveform (double-buffered, 16-bit). */
export const espruinoSampler: AnalogSampler = (pin, rateHz, count, onBuffer) => {
  const w = new Waveform(count, { doubleBuffer: true, bits: 16 });
  w.on('buffer', onBuffer);
  w.startInput(pinOf(pin), rateHz, { repeat: true });
};

/** A level output by analogWrite: hardware PWM at freqHz where the pin has it (a DAC pin outputs the level). */
export function espruinoAnalogOut(freqHz: number): AnalogOut {
  // The Linux build has no PWM hardware: its software PWM floods the event queue above about 100 Hz
  // (measured: FIFO_FULL at 1 kHz, none at 100 Hz) and then drops serial input. A board's bundle measured
  // there (the fit check) gets 100 Hz; on the board itself the frequency asked for.
  const freq = process.env.BOARD.indexOf('LINUX') === 0 && freqHz > 100 ? 100 : freqHz;
  return (pin, fraction) => analogWrite(pinOf(pin), fraction, { freq });
}

/** Espruino's native FFT (measured on 2v29: the forward transform is divided by n). */
export const espruinoFft: Fft = (re, im) => E.FFT(re, im);

export function espruinoPins(): Pins {
  return {
    analogRead: (pin) => analogRead(pinOf(pin)),
    digitalRead: (pin) => digitalRead(pinOf(pin)) === 1,
    digitalWrite: (pin, high) => digitalWrite(pinOf(pin), high ? 1 : 0),
    stepOut: (pin, stepsPerSecond) => {
      // Software PWM reaches the low step rates of a syringe pump (well under 1 Hz).
      if (stepsPerSecond > 0) analogWrite(pinOf(pin), 0.5, { freq: stepsPerSecond, soft: true });
      else digitalWrite(pinOf(pin), 0);
    },
  };
}
