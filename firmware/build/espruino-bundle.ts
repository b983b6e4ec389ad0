// Bundles a TypeScript entry into one Espruino program with the recipe measured on the interpreter
// (docs/architecture.md#firmware-on-espruino): IIFE, ES2015, minified, class fields assigned in constructors, and every syntax
// feature Espruino lacks turned into a build error instead of a runtime surprise on a board.
import { build } from 'esbuild';

export interface EspruinoBundle {
  code: string;
  bytes: number;
  /** Source files that went into the bundle, relative to the working directory. */
  inputs: string[];
}

export const ESPRUINO_UNSUPPORTED = {
  destructuring: false,
  'default-argument': false,
  'rest-argument': false,
  'array-spread': false,
  'object-rest-spread': false,
  generator: false,
  'async-await': false,
  'async-generator': false,
  'for-await': false,
  'class-static-field': false,
  'class-private-field': false,
  'class-private-method': false,
  'class-private-static-field': false,
  'class-private-static-method': false,
  'class-private-accessor': false,
  'class-static-blocks': false,
  'exponent-operator': false,
  'optional-chain': false,
  'nullish-coalescing': true,
  bigint: false,
  'regexp-named-capture-groups': false,
  'regexp-lookbehind-assertions': false,
} as const;

/**
 * Properties that belong to the interpreter and its libraries rather than to the bundle: never renamed.
 * JavaScript's own are read from this runtime; Espruino's are the ones firmware uses (E, serial ports,
 * Waveform, Storage, crypto and the option objects they take).
 */
function externalProperties(): string[] {
  const builtIns = [
    Object, Object.prototype, Array, Array.prototype, String, String.prototype, Number, Number.prototype, Math, JSON, Function.prototype,
    Promise, Promise.prototype, ArrayBuffer.prototype, Object.getPrototypeOf(Uint8Array), Object.getPrototypeOf(Uint8Array.prototype),
    Uint8Array.prototype, DataView.prototype, Error.prototype, RegExp.prototype, Boolean.prototype,
  ];
  const names = new Set<string>();
  for (const o of builtIns) for (const n of Object.getOwnPropertyNames(o)) names.add(n);
  const espruino = [
    'CRC32', 'toUint8Array', 'toString', 'enableWatchdog', 'kickWatchdog', 'getSerial', 'setFlags', 'pretokenise', 'hwRand', 'FFT', 'sum',
    'variance', 'setup', 'on', 'write', 'setConsole', 'path', 'rx', 'tx', 'freq', 'soft', 'doubleBuffer', 'bits', 'repeat', 'buffer',
    'buffer2', 'startInput', 'stop', 'read', 'require', 'SHA256', 'memory', 'usage', 'env', 'get', 'set', 'enumerable', 'configurable', 'value', 'writable',
  ];
  for (const n of espruino) names.add(n);
  return [...names];
}

// Capitalised names too: they are const enum members, which esbuild inlines only when it may not rename them.
export const RESERVED_PROPERTIES = new RegExp(`^([A-Z].*|${externalProperties().map((n) => n.replace(/[$]/g, '\\$')).join('|')})$`);

export async function bundleForEspruino(
  entry: string,
  options: { minify?: boolean; virtualModules?: Record<string, string>; mangleAllProperties?: boolean } = {},
): Promise<EspruinoBundle> {
  const virtual = options.virtualModules ?? {};
  const result = await build({
    metafile: true,
    plugins: [{
      name: 'homeostat-virtual',
      setup(b) {
        b.onResolve({ filter: /^homeostat:/ }, (a) => ({ path: a.path, namespace: 'homeostat' }));
        b.onLoad({ filter: /.*/, namespace: 'homeostat' }, (a) => {
          if (!(a.path in virtual)) return { errors: [{ text: `no virtual module '${a.path}' was given to the build` }] };
          return { contents: virtual[a.path], loader: 'js', resolveDir: process.cwd() };
        });
      },
    }],
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2015',
    // minifySyntax turns `if (a) x = () => this.f()` into `a && (x = () => this.f())`, and Espruino 2v29
    // fails an internal assertion (jsvHasChildren, jsvar.c) when it skips over an arrow function that uses
    // `this` inside an expression that is not evaluated. Firmware nodes use it all the same (it saves a
    // sixth of their memory): their sources avoid that shape and the subset check on the bundle catches
    // any that remains. Other bundles keep to whitespace and identifiers.
    minifyWhitespace: options.minify ?? true,
    minifyIdentifiers: options.minify ?? true,
    minifySyntax: options.mangleAllProperties === true,
    // Members named with a trailing underscore are internal to their class: their names are shortened.
    // On Espruino every character of code costs memory (see the responder stack figures in the bench).
    // A firmware node goes further: every property of its own (message fields, options, board config) is
    // shortened, all but those of the interpreter (RESERVED_PROPERTIES). Its board config keys are quoted
    // JSON, hence mangleQuoted. Bundles that reach members by computed names (the golden check) keep them.
    mangleProps: options.minify === false ? undefined : options.mangleAllProperties ? /./ : /_$/,
    reserveProps: options.mangleAllProperties ? RESERVED_PROPERTIES : undefined,
    mangleQuoted: options.mangleAllProperties === true,
    platform: 'neutral',
    mainFields: ['module', 'main'],
    supported: ESPRUINO_UNSUPPORTED,
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
    logLevel: 'silent',
    legalComments: 'none',
  });
  const code = result.outputFiles[0].text;
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('homeostat:'));
  return { code, bytes: Buffer.byteLength(code), inputs };
}
