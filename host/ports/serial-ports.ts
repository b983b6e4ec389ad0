// Finding serial ports: the list with USB ids, and a port named by path or by USB serial number.
// serialport's list() reads udev on Linux, so it needs the `udevadm` program; without it the error
// says how to install it instead of an empty list.
import { spawnSync } from 'node:child_process';
import { SerialPort } from 'serialport';

export interface PortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

export async function listPorts(): Promise<PortInfo[]> {
  if (process.platform === 'linux' && spawnSync('udevadm', ['--version'], { stdio: 'ignore' }).error) {
    throw new Error('listing serial ports needs udev\'s `udevadm` program, which is not installed: run `apt-get install udev` (or give the port by its path, such as /dev/ttyACM0)');
  }
  const ports = await SerialPort.list();
  return ports.map((p) => ({
    path: p.path, manufacturer: p.manufacturer, serialNumber: p.serialNumber, vendorId: p.vendorId, productId: p.productId,
  }));
}

/** A port argument: a path (/dev/..., COMn), a tcp:// address, or the USB serial number of a device. */
export async function resolvePort(arg: string): Promise<string> {
  if (arg.startsWith('/') || arg.startsWith('tcp://') || /^COM\d+$/i.test(arg) || arg.startsWith('.')) return arg;
  const ports = await listPorts();
  const hit = ports.find((p) => p.serialNumber === arg);
  if (hit) return hit.path;
  const known = ports.filter((p) => p.serialNumber).map((p) => `${p.serialNumber} (${p.path})`);
  throw new Error(`no serial port has the USB serial number '${arg}'. ${known.length ? `Found: ${known.join(', ')}.` : 'No USB serial device with a serial number is connected.'} Run \`homeostat ports\` to see them all.`);
}

export function formatPorts(ports: PortInfo[]): string {
  if (ports.length === 0) return 'no serial ports found';
  const rows = ports.map((p) => [p.path, p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : '-', p.serialNumber ?? '-', p.manufacturer ?? '-']);
  const head = ['path', 'usb id', 'serial number', 'manufacturer'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
}
