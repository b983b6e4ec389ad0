import { describe, expect, it } from 'vitest';
import { TextSniffer } from './text-sniffer.ts';

const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

describe('TextSniffer', () => {
  it('keeps the first printable line, across chunks', () => {
    const s = new TextSniffer();
    s.push(bytes('\x00\x01\x02\n>Espru'));
    s.push(bytes('ino 2v29\r\n> second\n'));
    expect(s.first).toBe('>Espruino 2v29');
  });

  it('ignores binary lines and short ones', () => {
    const s = new TextSniffer();
    s.push(bytes('\x05\x99abc\n>\nok\n'));
    expect(s.first).toBe('');
  });

  it('holds at most a bounded piece of a line that never ends, and still finds the next line', () => {
    const s = new TextSniffer();
    const chunk = new Uint8Array(1 << 16).fill(0x41);
    for (let i = 0; i < 256; i++) s.push(chunk); // 16 MiB without a newline
    expect((s as unknown as { line: string }).line.length).toBeLessThanOrEqual(200);
    s.push(bytes('\nREPL ready\n'));
    expect(s.first).toBe('A'.repeat(80));
    s.reset();
    s.push(bytes('REPL ready\n'));
    expect(s.first).toBe('REPL ready');
  });
});
