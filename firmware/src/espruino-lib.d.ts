// The built-ins after ES5 that Espruino implements (measured on the interpreter, docs/architecture.md#firmware-on-espruino).
// Anything not declared here or in the ES5 library is absent on a board.
interface Array<T> {
  find(predicate: (value: T, index: number) => unknown): T | undefined;
  findIndex(predicate: (value: T, index: number) => unknown): number;
  includes(value: T): boolean;
  fill(value: T, start?: number, end?: number): this;
}
interface String {
  padStart(length: number, fill?: string): string;
  padEnd(length: number, fill?: string): string;
  includes(search: string): boolean;
  startsWith(search: string): boolean;
  endsWith(search: string): boolean;
}
interface ObjectConstructor {
  assign<T extends object, U>(target: T, source: U): T & U;
}
interface Uint8Array {
  indexOf(value: number, fromIndex?: number): number;
  fill(value: number, start?: number, end?: number): this;
}
interface Float32Array {
  fill(value: number, start?: number, end?: number): this;
}
