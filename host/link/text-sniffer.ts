// Before a session is up, a port may carry text instead of frames (the Espruino REPL, other firmware).
// The sniffer remembers the first telling printable line, to say so, in bounded memory and in time linear
// in the bytes (a device flooding the port without a newline costs nothing more than reading it).

/** Characters kept of a line: enough to name what is talking; the rest of a long line is skipped. */
const MAX_LINE = 200;

export class TextSniffer {
  /** The first printable line of at least 3 characters seen since reset(), cut to 80; '' until then. */
  first = '';
  private line = '';

  reset(): void {
    this.first = '';
    this.line = '';
  }

  push(bytes: Uint8Array): void {
    let i = 0;
    while (!this.first && i < bytes.length) {
      const nl = bytes.indexOf(10, i);
      const end = nl < 0 ? bytes.length : nl;
      const room = MAX_LINE - this.line.length;
      if (room > 0) this.line += Buffer.from(bytes.subarray(i, Math.min(end, i + room))).toString('latin1');
      if (nl < 0) return;
      const clean = this.line.replace(/\r/g, '').trim();
      this.line = '';
      // Printable lines are not homeostat frames (those are binary).
      if (clean.length >= 3 && /^[\x20-\x7e]+$/.test(clean)) this.first = clean.slice(0, 80);
      i = nl + 1;
    }
  }
}
