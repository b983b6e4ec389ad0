// A fake of every driver of a rig, on emulated boards and the virtual clock, so rig code runs in CI: each
// node is a board emulator (powered off at rest when it has a power port), its USB port is listed under
// the rig's serial number while the board is powered (a Pico's USB is its own MCU's, so the port goes
// with the power, after an enumeration delay), flashing writes the node's real bundle to its flash,
// opening the link opens the board's port, and a source sets the node's input pin. The rig's wires join the
// boards' pins as on the bench (hil/emulator/board-wiring.ts): a patient-emulator board's pressure output
// reaches the sensor's ADC, the pump's step pulses reach the emulator's counter. A pump board drives its
// syringe mechanism as in use (its plunger potentiometer, force sensor and end stop are what its delivery
// monitor reads; a bare board would see a stalled motor): the mechanism is the SIL plant's model.
import type { VirtualClock } from '../../protocols/clock/virtual-clock.ts';
import type { NodeName } from '../../firmware/build/firmware-build.ts';
import type { PortInfo } from '../../host/ports/serial-ports.ts';
import type { Transport } from '../../host/transport/transport.ts';
import { BoardEmulator } from '../emulator/board-emulator.ts';
import { boardById, builtProgram } from '../emulator/emulated-node.ts';
import { SIM_KEYRING } from '../emulator/sim-keys.ts';
import { wireBoards } from '../emulator/wired-bench.ts';
import type { PumpBoardConfig } from '../../firmware/src/board-config.ts';
import { syringeDrive } from '../sim/nodes/infusion-pump-node.ts';
import type { SyringeMechanism } from '../sim/syringe-mechanism.ts';
import { PATIENT_LINE } from '../sim/syringe-mechanism.ts';
import type { Board } from '../../firmware/build/board-schema.ts';
import type { BenchDrivers, SourceDriver } from './rig-drivers.ts';
import type { Rig } from './rig-schema.ts';

/** How long a board's USB port takes to be listed after power-on. */
const ENUMERATION_MS = 300;

interface FakeNode {
  board: BoardEmulator;
  boardConfig: Board;
  uart: string;
  usbSerial: string;
  path: string;
  listedFromMs: number;
}

export class FakeBench {
  readonly nodes: Partial<Record<NodeName, FakeNode>> = {};
  /** Every driver action, in order, for tests to read. */
  readonly actions: string[] = [];
  /** The syringe mechanism each pump board drives. */
  readonly mechanisms: Partial<Record<NodeName, SyringeMechanism>> = {};
  /** Volts last set per source. */
  readonly volts: Record<string, number> = {};
  private readonly instruments: PortInfo[] = [];

  constructor(private readonly rig: Rig, private readonly clock: VirtualClock) {
    let i = 0;
    for (const [name, n] of Object.entries(rig.nodes)) {
      if (!n) continue;
      const port = rig.resources[n.port] as Extract<Rig['resources'][string], { kind: 'serial-port' }>;
      const cfg = boardById(n.board);
      const board = new BoardEmulator({ clock, serial: port.usbSerial, variables: cfg.variables, nativeSha256: cfg.nativeSha256 });
      if (n.power) board.powerOff();
      if (name === 'infusion-pump') this.mechanisms[name] = syringeDrive(board, cfg.nodes['infusion-pump'] as PumpBoardConfig, clock, PATIENT_LINE).mechanism;
      this.nodes[name as NodeName] = { board, boardConfig: cfg, uart: cfg.uart.port, usbSerial: port.usbSerial, path: `/dev/ttyACM${i++}`, listedFromMs: clock.now() };
    }
    wireBoards(clock, rig.wires, (node) => this.nodes[node]!);
    for (const r of Object.values(rig.resources)) {
      if (r.kind !== 'voltage-source') continue;
      const port = rig.resources[r.port] as Extract<Rig['resources'][string], { kind: 'serial-port' }>;
      this.instruments.push({ path: `/dev/ttyUSB${this.instruments.length}`, serialNumber: port.usbSerial });
    }
  }

  private byPower(name: string): FakeNode[] {
    return Object.entries(this.rig.nodes).filter(([, n]) => n && n.power === name).map(([node]) => this.nodes[node as NodeName]!);
  }

  private byPath(path: string): FakeNode | undefined {
    return Object.values(this.nodes).find((n) => n && n.path === path);
  }

  private listed(n: FakeNode): boolean {
    return n.board.powered && this.clock.now() >= n.listedFromMs;
  }

  drivers(): BenchDrivers {
    return {
      clock: this.clock,
      // Each emulated board holds the simulation key of its serial number.
      keyring: SIM_KEYRING,
      listPorts: async () => [
        ...Object.values(this.nodes).filter((n): n is FakeNode => !!n && this.listed(n)).map((n) => ({ path: n.path, serialNumber: n.usbSerial })),
        ...this.instruments,
      ],
      power: (name) => ({
        set: async (on) => {
          this.actions.push(`power ${name} ${on ? 'on' : 'off'}`);
          for (const n of this.byPower(name)) {
            if (on && !n.board.powered) n.listedFromMs = this.clock.now() + ENUMERATION_MS;
            if (on) n.board.powerOn();
            else n.board.powerOff();
          }
        },
      }),
      flash: async (node, board, path) => {
        const n = this.byPath(path);
        if (!n || !this.listed(n)) throw new Error(`cannot open ${path}: no such device`);
        this.actions.push(`flash ${node} for ${board.id} on ${path}`);
        n.board.flash(await builtProgram(node, board));
      },
      openLink: async (path): Promise<Transport> => {
        const n = this.byPath(path);
        if (!n || !this.listed(n)) throw new Error(`cannot open ${path}: no such device`);
        this.actions.push(`open ${path}`);
        return n.board.port(n.uart);
      },
      source: (name, r): SourceDriver => ({
        setVolts: async (volts) => {
          if (!(volts >= 0 && volts <= r.maxV)) throw new Error(`${name}: ${volts} V is outside 0..${r.maxV} V`);
          this.volts[name] = volts;
          this.actions.push(`source ${name} ${volts} V`);
          for (const [node, n] of Object.entries(this.rig.nodes)) {
            for (const [role, src] of Object.entries(n?.inputs ?? {})) {
              if (src !== name) continue;
              const fake = this.nodes[node as NodeName]!;
              const pins = (boardById(n!.board).nodes[node as NodeName] as { pins: Record<string, string> }).pins;
              fake.board.setAnalog(pins[role], volts / 3.3);
            }
          }
        },
        close: () => undefined,
      }),
    };
  }
}
