// `homeostat rig check <file>`: reads a rig file (errors name the file, line and field), then probes the
// bench: each serial port by its USB serial number in udev's port list, each power port through uhubctl.
// Nothing is switched, flashed or opened.
import { loadRig } from '../../../hil/rigs/rig-file.ts';
import { runTool } from '../../../hil/rigs/rig-drivers.ts';
import { listPorts } from '../../ports/serial-ports.ts';
import type { PortInfo } from '../../ports/serial-ports.ts';

export interface RigProbe {
  listPorts(): Promise<PortInfo[]>;
  /** Runs a tool, resolving with its output (rejects with what to install or check). */
  run(cmd: string, args: string[]): Promise<string>;
}

const realProbe: RigProbe = {
  listPorts,
  run: (cmd, args) => runTool(cmd, args, cmd === 'uhubctl' ? 'apt-get install uhubctl' : `install ${cmd}`),
};

export async function rigCheck(file: string, probe: RigProbe = realProbe): Promise<{ ok: boolean; lines: string[] }> {
  const rig = loadRig(file);
  const nodes = Object.entries(rig.nodes).filter(([, n]) => n);
  const lines = [`${rig.name} (${file}): valid, ${nodes.length} nodes, ${Object.keys(rig.resources).length} resources`];
  let problems = 0;
  let ports: PortInfo[] = [];
  try {
    ports = await probe.listPorts();
  } catch (e) {
    problems++;
    lines.push(`cannot list serial ports: ${(e as Error).message}`);
  }
  const rows: string[][] = [];
  for (const [name, r] of Object.entries(rig.resources)) {
    if (r.kind === 'serial-port') {
      const hit = ports.find((p) => p.serialNumber === r.usbSerial);
      if (!hit) problems++;
      rows.push([name, r.kind, `USB serial ${r.usbSerial}`, hit ? `found at ${hit.path}` : 'MISSING: no port with this serial number']);
    } else if (r.kind === 'power-port') {
      let state: string;
      try {
        const out = await probe.run('uhubctl', ['-l', r.hub]);
        const ok = new RegExp(`Port ${r.port}:`).test(out);
        if (!ok) problems++;
        state = ok ? 'found (uhubctl)' : `MISSING: uhubctl lists no port ${r.port} on hub ${r.hub}`;
      } catch (e) {
        problems++;
        state = `MISSING: ${(e as Error).message}`;
      }
      rows.push([name, r.kind, `uhubctl hub ${r.hub} port ${r.port}`, state]);
    } else {
      rows.push([name, r.kind, `SCPI channel ${r.channel} on ${r.port}, at most ${r.maxV} V`, 'not probed (its port is checked above)']);
    }
  }
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) lines.push('  ' + row.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join('  '));
  lines.push('nodes:');
  for (const [name, n] of nodes) lines.push(`  ${name}: ${n!.board} on ${n!.port}${n!.power ? `, power ${n!.power}` : ''}${n!.flash ? ', flashed at bring-up' : ''}`);
  const unknown = ports.filter((p) => p.serialNumber && !Object.values(rig.resources).some((r) => r.kind === 'serial-port' && r.usbSerial === p.serialNumber));
  if (unknown.length) lines.push(`other ports attached: ${unknown.map((p) => `${p.path} (${p.serialNumber})`).join(', ')}`);
  lines.push(problems === 0 ? 'ready: everything the rig names is attached' : `not ready: ${problems} problem${problems > 1 ? 's' : ''} above`);
  return { ok: problems === 0, lines };
}
