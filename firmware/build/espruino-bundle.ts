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

export async function bundleForEspruino(
  entry: string,
  options: { minify?: boolean; virtualModules?: Record<string, string> } = {},
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
          return { contents: virtual[a.path], loader: 'js' };
        });
      },
    }],
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2015',
    // Whitespace and identifiers only. minifySyntax turns `if (a) x = () => this.f()` into
    // `a && (x = () => this.f())`, and Espruino 2v29 fails an internal assertion (jsvHasChildren, jsvar.c)
    // when it skips over an arrow function that uses `this` inside an expression that is not evaluated.
    minifyWhitespace: options.minify ?? true,
    minifyIdentifiers: options.minify ?? true,
    minifySyntax: false,
    // Members named with a trailing underscore are internal to their class: their names are shortened.
    // On Espruino every character of code costs memory (see the responder stack figures in the bench).
    mangleProps: options.minify === false ? undefined : /_$/,
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
