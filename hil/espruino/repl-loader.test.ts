import { describe, expect, it } from 'vitest';
import { garbledSyntax, type ReplLoad } from './repl-loader.ts';

const failed = (stdout: string): ReplLoad => ({ usage: null, total: null, outOfMemory: false, uncaught: true, stdout });

describe('loading through the REPL', () => {
  it('treats a SyntaxError in a program that parses as lost input, to be typed again more gently', () => {
    expect(garbledSyntax(failed("Uncaught SyntaxError: Got ':' expected EOF\n at ur (:1:155)"), 'var a = {b: 1};\nfunction f(){return a.b;}')).toBe(true);
  });

  it('keeps a SyntaxError in a program that does not parse as the answer', () => {
    expect(garbledSyntax(failed("Uncaught SyntaxError: Got ';' expected ..."), 'var a = ;')).toBe(false);
  });

  it('keeps any other uncaught error as the answer', () => {
    expect(garbledSyntax(failed('Uncaught Error: boom'), 'throw new Error("boom");')).toBe(false);
  });
});
