// The Transport on a real serial port, through the serialport package: a USB serial device, a board's
// UART adapter, or a pseudo-terminal (socat) for the PIL level.
import { SerialPort } from 'serialport';
import type { Transport } from './transport.ts';
import { resolvePort } from '../ports/serial-ports.ts';

export class SerialTransport implements Transport {
  private handler: ((bytes: Uint8Array) => void) | null = null;
  private closeHandler: ((reason: string) => void) | null = null;
  private closing = false;

  private constructor(private readonly port: SerialPort, readonly path: string) {
    port.on('data', (data: Buffer) => {
      if (this.handler) this.handler(new Uint8Array(data.buffer, data.byteOffset, data.length));
    });
    // A device that disappears (USB unplugged, board reset) closes the port with an error.
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      if (this.closing || !this.closeHandler) return;
      this.closeHandler(err ? `${path} closed: ${err.message}` : `${path} closed`);
    });
    port.on('error', (err: Error) => {
      if (!this.closing && this.closeHandler) this.closeHandler(`${path}: ${err.message}`);
    });
  }

  onClose(handler: (reason: string) => void): void {
    this.closeHandler = handler;
  }

  /** Opens a port by its path or by the USB serial number of its device (matched through the port list). */
  static async openPort(pathOrSerial: string, baudRate: number): Promise<SerialTransport> {
    return SerialTransport.open(await resolvePort(pathOrSerial), baudRate);
  }

  /** Opens a port by its path. The error names the path and what to check. */
  static open(path: string, baudRate: number): Promise<SerialTransport> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, autoOpen: false });
      port.open((err) => {
        if (err) reject(new Error(`cannot open serial port ${path}: ${err.message} (is the device plugged in, the path right, the port free and readable by this user?)`));
        else resolve(new SerialTransport(port, path));
      });
    });
  }

  write(bytes: Uint8Array): void {
    this.port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  }

  onBytes(handler: (bytes: Uint8Array) => void): void {
    this.handler = handler;
  }

  close(): void {
    this.closing = true;
    if (this.port.isOpen) this.port.close();
  }
}
