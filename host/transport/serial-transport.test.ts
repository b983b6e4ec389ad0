import { describe, expect, it } from 'vitest';
import { SerialTransport } from './serial-transport.ts';

describe('SerialTransport', () => {
  it('names the port and what to check when it cannot be opened', async () => {
    await expect(SerialTransport.open('/dev/homeostat-no-such-port', 115200)).rejects.toThrow(
      /cannot open serial port \/dev\/homeostat-no-such-port: .*plugged in.*path right.*free.*readable/,
    );
  });
});
