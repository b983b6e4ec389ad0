// The mode the MAC bench runs in on the interpreter, given to its bundle as a module (see protocol-bench.ts).
declare module 'homeostat:bench-mode' {
  const mode: { bench: boolean };
  export default mode;
}
