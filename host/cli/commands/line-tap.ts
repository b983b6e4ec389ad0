// What a serial line carries, as the monitor shows it: each frame's bytes (for hex mode) and the plain
// text between frames (an Espruino REPL message, a boot banner, another program's output), which the
// session's framer drops without a word. Frames are told from text by the framing's own checks.
import { crc32Range } from '../../../protocols/framing/crc32.ts';
import { DELIMITER, MAX_ENCODED_FRAME_BYTES } from '../../../protocols/framing/frame-format.ts';
import { FrameDecoder } from '../../../protocols/framing/framer.ts';
import { PROTOCOL_VERSION } from '../../../protocols/generated/wire-codec.ts';

export type TapEvent =
  | { kind: 'frame'; bytes: Uint8Array; valid: boolean }
  | { kind: 'text'; text: string };

const NEWLINE = 0x0a;
const ESC = 0x1b;
// Escape counts as text: a terminal's control sequences (the Espruino REPL clears lines with them) are
// taken out of the text shown.
const printable = (b: number) => (b >= 0x20 && b <= 0x7e) || b === 0x09 || b === ESC;
const withoutEscapes = (t: string) => t.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\x1b/g, '').trim();
/** Shorter runs of printable bytes inside binary junk are noise, not text. */
const MIN_TEXT = 3;

export class LineTap {
  private chunk: number[] = [];
  private valid = false;
  private readonly decoder = new FrameDecoder(crc32Range, PROTOCOL_VERSION, () => {
    this.valid = true;
  });

  /** The frames and text completed by these bytes, in order. */
  push(bytes: Uint8Array): TapEvent[] {
    const out: TapEvent[] = [];
    for (const b of bytes) {
      if (b === DELIMITER) {
        this.endChunk(out);
        continue;
      }
      this.chunk.push(b);
      // A line of text ends at its newline; no frame has a newline after printable bytes only (its
      // second byte, the protocol version, is not printable).
      if (b === NEWLINE && this.chunk.length > MIN_TEXT && this.chunk.slice(0, -1).every((c) => printable(c) || c === 0x0d)) {
        const text = withoutEscapes(String.fromCharCode(...this.chunk));
        if (text.length > 0) out.push({ kind: 'text', text });
        this.chunk = [];
      } else if (this.chunk.length > MAX_ENCODED_FRAME_BYTES) {
        this.endChunk(out);
      }
    }
    return out;
  }

  private endChunk(out: TapEvent[]): void {
    if (this.chunk.length === 0) return; // idle delimiters between frames
    const bytes = Uint8Array.from([...this.chunk, DELIMITER]);
    this.chunk = [];
    this.valid = false;
    this.decoder.push(bytes);
    out.push({ kind: 'frame', bytes, valid: this.valid });
    if (this.valid) return;
    let run = '';
    for (const b of bytes) {
      if (printable(b)) run += String.fromCharCode(b);
      else {
        const text = withoutEscapes(run);
        if (text.length >= MIN_TEXT) out.push({ kind: 'text', text });
        run = '';
      }
    }
  }
}

export const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
