// What a UART set to the wrong baud rate makes of a byte stream: the sender's 8N1 frames (start bit 0,
// eight data bits LSB first, stop bit 1, idle high) as a receiver at another rate samples them: it waits
// for a falling edge, checks the start bit at its middle, samples each data bit and the stop bit at their
// middles by its own clock. A frame whose stop bit reads 0 is a framing error: a Linux tty hands it over
// as 0x00 (its default settings), a microcontroller's UART hands over the bits it read. Deterministic:
// the garbage is the physics of the mismatch, not a random draw. (A USB CDC port, such as the Pico's, has
// no baud rate on the wire: this fault exists only on real UART links.)

/** Bytes sent back to back at sentBaud, as a receiver at readBaud takes them. */
export function readAtBaud(bytes: Uint8Array, sentBaud: number, readBaud: number, framingErrorByte: number | null): Uint8Array {
  if (sentBaud === readBaud) return Uint8Array.from(bytes);
  const bits: number[] = [];
  for (const b of bytes) {
    bits.push(0);
    for (let i = 0; i < 8; i++) bits.push((b >> i) & 1);
    bits.push(1);
  }
  const sentBitS = 1 / sentBaud;
  const readBitS = 1 / readBaud;
  const level = (tS: number) => {
    const k = Math.floor(tS / sentBitS + 1e-9);
    return k < 0 || k >= bits.length ? 1 : bits[k];
  };
  const out: number[] = [];
  let fromS = 0;
  for (;;) {
    // The next high-to-low transition at or after fromS (transitions fall on the sender's bit edges).
    let edge = -1;
    for (let j = Math.max(0, Math.ceil(fromS / sentBitS - 1e-9)); j < bits.length; j++) {
      if (bits[j] === 0 && (j === 0 || bits[j - 1] === 1)) {
        edge = j;
        break;
      }
    }
    if (edge < 0) break;
    const t0 = edge * sentBitS;
    if (level(t0 + 0.5 * readBitS) === 1) {
      fromS = t0 + 0.5 * readBitS; // a glitch, not a start bit
      continue;
    }
    let v = 0;
    for (let i = 0; i < 8; i++) v |= level(t0 + (1.5 + i) * readBitS) << i;
    const stopOk = level(t0 + 9.5 * readBitS) === 1;
    out.push(stopOk || framingErrorByte === null ? v : framingErrorByte);
    fromS = t0 + 9.5 * readBitS;
  }
  return Uint8Array.from(out);
}
