// The Espruino globals the HAL binding uses, as the interpreter provides them (and the emulator imitates).
// Only hal/espruino-hal.ts may refer to these.
declare interface EspruinoSerial {
  setup(baud: number, options?: { rx?: string; tx?: string }): void;
  on(event: 'data', handler: (data: string) => void): void;
  write(data: Uint8Array | string): void;
  setConsole(force?: boolean): void;
}
declare const USB: EspruinoSerial;
declare const Serial1: EspruinoSerial;
declare const Serial2: EspruinoSerial;
declare const LoopbackA: EspruinoSerial;
declare const E: {
  CRC32(data: Uint8Array | string): number;
  toUint8Array(data: string): Uint8Array;
  enableWatchdog(timeoutSeconds: number, autoKick?: boolean): void;
  kickWatchdog(): void;
  getSerial?: () => string;
  setFlags(flags: Record<string, number>): void;
  hwRand?: () => number;
  FFT(re: Float32Array, im?: Float32Array, inverse?: boolean): void;
};
/** Espruino's require, reached as global.require (a bare require is the bundler's). */
declare type EspruinoRequire = (module: 'Storage') => { read(name: string): string | undefined };
declare class Waveform {
  constructor(samples: number, options?: { doubleBuffer?: boolean; bits?: number });
  buffer: Uint16Array;
  buffer2: Uint16Array;
  on(event: 'buffer', handler: (buf: Uint16Array) => void): void;
  startInput(pin: string, freqHz: number, options?: { repeat?: boolean }): void;
  stop(): void;
}
declare function getTime(): number;
declare const process: { env: { BOARD: string } };
declare function analogRead(pin: string): number;
declare function analogWrite(pin: string, value: number, options?: { freq?: number; soft?: boolean }): void;
declare function digitalRead(pin: string): number;
declare function digitalWrite(pin: string, value: number | boolean): void;
declare function pinMode(pin: string, mode: string): void;
declare function echo(on: number): void;
declare const global: Record<string, unknown>;
declare function setTimeout(fn: () => void, ms: number): number;
declare function setInterval(fn: () => void, ms: number): number;
declare function clearTimeout(id: number): void;
declare function clearInterval(id: number): void;
