// The byte-stream seam between a host link and a device (docs/architecture.md#seams). Bindings: the real serial
// port, an in-memory pair on the virtual clock; fault injection wraps a transport, never lives inside one.

export interface Transport {
  /** Queues bytes for sending. */
  write(bytes: Uint8Array): void;
  /** Registers the receiver of incoming bytes (one per transport). */
  onBytes(handler: (bytes: Uint8Array) => void): void;
  close(): void;
  /**
   * Called once when the transport closes by itself (a USB device unplugged, a socket dropped), with the
   * reason; not called for close(). Transports that cannot vanish need not implement it.
   */
  onClose?(handler: (reason: string) => void): void;
}
