import { describe, expect, it } from 'vitest';
import { garbledSyntax, typeLines, type ReplLoad } from './repl-loader.ts';

const failed = (stdout: string): ReplLoad => ({ usage: null, total: null, outOfMemory: false, uncaught: true, stdout });

/**
 * A REPL that behaves as the Linux build's does under load: it echoes what it receives, but the input
 * queue loses one character of the lines listed in `garble` the first time each is typed. Ctrl-C clears the
 * line (answering ESC [J), Enter runs it.
 */
function lossyRepl(garble: Set<number>) {
  let out = '';
  let line = '';
  let typed = 0;
  let echo = true;
  const ran: string[] = [];
  const write = (text: string) => {
    for (const ch of text) {
      if (ch === '\x03') {
        line = '';
        out += '\r\x1b[J>';
      } else if (ch === '\n') {
        if (echo) out += '\r\n';
        ran.push(line);
        if (line.includes('echo(0)')) echo = false;
        const marker = /print\("(LINE-DONE \d+)"\)$/.exec(line);
        if (marker) out += `${marker[1]}\r\n`;
        if (echo) out += '=undefined\r\n>';
        line = '';
        typed++;
      } else if (line.length === 3 && garble.delete(typed)) {
        // lost on the way in
      } else {
        line += ch;
        if (echo) out += ch;
      }
    }
  };
  return { write, output: () => out, ran };
}

describe('loading through the REPL', () => {
  it('types a line again when its echo shows characters lost, so a garbled statement never runs', async () => {
    const repl = lossyRepl(new Set([1, 2]));
    const lines = ['var a={b:1};', 'function f(){return a.b;}', 'var c=f();'];
    const missing = await typeLines(repl.write, repl.output, lines, () => true, 2000, { pieceBytes: 16, gapMs: 0 });
    expect(missing).toBe(-1);
    expect(repl.ran).toEqual(lines.map((l, n) => `${l};print("LINE-DONE ${n}")`));
  });

  it('types on unchecked once a line turns the echo off (a node moving its console)', async () => {
    const repl = lossyRepl(new Set());
    const lines = ['var a=1;', 'echo(0);', 'var b=2;', 'var c=3;'];
    expect(await typeLines(repl.write, repl.output, lines, () => true, 2000, { pieceBytes: 16, gapMs: 0 })).toBe(-1);
    expect(repl.ran).toEqual(lines.map((l, n) => `${l};print("LINE-DONE ${n}")`));
  });

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
