import { describe, expect, it } from 'vitest';
import { formatPorts, listPorts, resolvePort } from './serial-ports.ts';

describe('serial ports', () => {
  it('lists ports with their USB ids (udevadm is installed by .ci/run)', async () => {
    const ports = await listPorts();
    expect(Array.isArray(ports)).toBe(true);
    expect(formatPorts(ports)).toMatch(ports.length ? /^path\s+usb id\s+serial number/ : /no serial ports found/);
  });

  it('takes a path as it is and refuses an unknown USB serial number, saying what it found', async () => {
    expect(await resolvePort('/dev/ttyACM0')).toBe('/dev/ttyACM0');
    expect(await resolvePort('tcp://127.0.0.1:23')).toBe('tcp://127.0.0.1:23');
    await expect(resolvePort('NO-SUCH-SERIAL-123')).rejects.toThrow(/no serial port has the USB serial number 'NO-SUCH-SERIAL-123'.*homeostat ports/);
  });

  it('formats a table of ports', () => {
    expect(formatPorts([{ path: '/dev/ttyACM0', vendorId: '0483', productId: '5740', serialNumber: '33004A00', manufacturer: 'Espruino' }]))
      .toBe('path          usb id     serial number  manufacturer\n/dev/ttyACM0  0483:5740  33004A00       Espruino    ');
  });
});
