import { describe, expect, it } from 'vitest';
import { subsetProblems } from './espruino-subset.ts';

const rules = (code: string, kind: 'source' | 'bundle' = 'source') => subsetProblems('x.ts', code, kind).map((p) => p.rule);

describe('Espruino subset check', () => {
  const cases: [string, string, RegExp][] = [
    ['Map', 'const m = new Map();', /Map does not exist/],
    ['Set', 'export const s = new Set([1]);', /Set does not exist/],
    ['Symbol', 'const k = Symbol("k");', /Symbol does not exist/],
    ['Array.from', 'const a = Array.from("ab");', /Array\.from does not exist/],
    ['Math.trunc', 'const t = Math.trunc(2.5);', /Math\.trunc does not exist/],
    ['Number.isInteger', 'const i = Number.isInteger(2);', /Number\.isInteger does not exist/],
    ['Object.freeze', 'const f = Object.freeze({});', /Object\.freeze/],
    ['toPrecision', 'const p = (2).toPrecision(3);', /toPrecision/],
    ['prototype', 'const s = Array.prototype.slice.call([1]);', /Array\.prototype\.slice/],
    ['destructuring', 'const { a } = { a: 1 };', /destructuring/],
    ['default parameter', 'function f(x = 1) { return x; }', /default parameters/],
    ['rest parameter', 'function f(...xs: number[]) { return xs; }', /rest parameters/],
    ['spread', 'const a = [...[1]];', /spread/],
    ['computed name', 'const o = { ["k"]: 1 };', /computed property names/],
    ['label', 'outer: for (;;) { break outer; }', /labels/],
    ['tagged template', 'const t = String.raw`x`;', /tagged templates/],
    ['generator', 'function* g() { yield 1; }', /generators/],
    ['async', 'async function f() { return 1; }', /async/],
    ['#private', 'class K { #x = 1; }', /#private/],
    ['extends Error', 'class E2 extends Error {}', /extends Error/],
    ['arrow with this in &&', 'class K { t: unknown; f(c: boolean) { c && (this.t = () => this.f(c)); } }', /crashes Espruino/],
    ['for-let closure', 'for (let i = 0; i < 3; i++) setTimeout(() => print(i), 1);', /for \(let/],
  ];
  for (const [what, code, rule] of cases) {
    it(`flags ${what}`, () => {
      expect(rules(code).join('\n')).toMatch(rule);
    });
  }

  it('flags ** and ?. only in a bundle (esbuild lowers them from sources)', () => {
    expect(rules('const a = 2 ** 3; const b = a?.toString();')).toEqual([]);
    expect(rules('var a = 2 ** 3; var b = a?.toString();', 'bundle').join()).toMatch(/\*\* is not supported.*\?\. is not supported/);
  });

  it('accepts what Espruino runs: classes, arrows, let/const, templates, for-of, typed arrays, ??', () => {
    const ok = `
      class A { private n_ = 0; get n() { return this.n_; } inc() { this.n_++; return this; } }
      const f = (x: number) => x * 2;
      let s = \`v=\${f(2)}\`;
      for (const v of [1, 2]) s += v;
      const b = new Uint8Array(4).subarray(1, 2);
      const z = (b[0] as number | undefined) ?? 3;
      if (z) { const g = () => new A().inc(); g(); }
      for (let i = 0; i < 3; i++) s += i;
    `;
    expect(rules(ok)).toEqual([]);
  });
});
