// A protocol loopback peer that answers like an infusion pump: it accepts PumpSetRate within its limits,
// holds the rate for the lease, falls to rate 0 when the lease lapses, and reports PumpStatus each second.
// It exercises the wire protocol end to end before the real pump firmware (firmware/src/nodes) runs in
// the board emulator; it is not that firmware and has no mechanics.
import type { Clock, Timer } from '../../protocols/clock/clock.ts';
import { crc32Range } from '../../protocols/framing/crc32.ts';
import {
  AlarmCode, AlarmPriority, AlarmState, BoardId, MsgId, NackReason, NodeRole, PumpAlarmFlags, PumpState, checkPumpSetRate, isCommandId, readPumpSetRate, writeAlarm, writePumpStatus,
} from '../../protocols/generated/wire-codec.ts';
import { LINK_TIMINGS } from '../../protocols/session/session-config.ts';
import { ResponderSession, nack } from '../../protocols/session/responder-session.ts';
import type { Transport } from '../../host/transport/transport.ts';

export interface LoopbackPumpEvents {
  onChange?(what: string): void;
}

export class LoopbackPump {
  readonly session: ResponderSession;
  rateMlPerH = 0;
  commandedRateMlPerH = 0;
  deliveredMl = 0;
  state = PumpState.AwaitingHost;
  alarms = 0;
  private leaseEndMs = 0;
  private leaseTimer: Timer | null = null;
  private lastTickMs: number;

  constructor(
    transport: Transport,
    private readonly clock: Clock,
    private readonly maxRateMlPerH: number,
    private readonly events: LoopbackPumpEvents = {},
  ) {
    this.lastTickMs = clock.now();
    this.session = new ResponderSession(
      {
        clock, crc: crc32Range, isCommand: isCommandId, timings: LINK_TIMINGS,
        acceptBeforeReady: (id) => id === MsgId.PumpStop,
        identity: {
          nodeRole: NodeRole.InfusionPump, boardId: BoardId.Emulator, firmwareMajor: 0, firmwareMinor: 1, firmwarePatch: 0,
          uniqueId: 'loopback-pump',
        },
      },
      {
        output: (b) => transport.write(b),
        command: (id, buf, s, e) => this.command(id, buf, s, e),
        message: () => undefined,
        ready: () => this.report('session up'),
        lost: (why) => this.report(`link lost (${why})`),
        refused: (reason) => this.report(`refused host (reason ${reason})`),
      },
    );
    transport.onBytes((b) => this.session.receive(b));
    clock.every(1000, () => this.sendStatus());
  }

  start(): void {
    this.session.start();
  }

  private report(what: string): void {
    if (this.events.onChange) this.events.onChange(what);
  }

  private integrate(): void {
    const now = this.clock.now();
    this.deliveredMl += (this.rateMlPerH * (now - this.lastTickMs)) / 3_600_000;
    this.lastTickMs = now;
  }

  private command(id: number, buf: Uint8Array, s: number, e: number): number {
    if (id === MsgId.PumpStop) {
      this.setRate(0, PumpState.Stopped);
      this.report('stopped by host');
      return 0;
    }
    if (id !== MsgId.PumpSetRate) return nack(NackReason.UnknownMessage);
    const m = readPumpSetRate(buf, s, e);
    if (!m) return nack(NackReason.BadLength);
    const bad = checkPumpSetRate(m);
    if (bad >= 0) return nack(NackReason.OutOfRange, bad);
    if (m.rateMlPerH > this.maxRateMlPerH) return nack(NackReason.HardLimit, 0);
    this.commandedRateMlPerH = m.rateMlPerH;
    this.alarms &= ~PumpAlarmFlags.LeaseExpired;
    this.leaseEndMs = this.clock.now() + m.leaseMs;
    if (this.leaseTimer) this.leaseTimer.cancel();
    this.leaseTimer = this.clock.after(m.leaseMs, () => this.leaseLapsed());
    this.setRate(m.rateMlPerH, PumpState.Running);
    return 0;
  }

  private leaseLapsed(): void {
    this.leaseTimer = null;
    this.alarms |= PumpAlarmFlags.LeaseExpired;
    this.setRate(0, PumpState.SafeRate);
    this.report('lease lapsed: safe rate 0 mL/h');
    this.session.send(MsgId.Alarm, writeAlarm, {
      tMs: this.clock.now(), code: AlarmCode.LeaseExpired, priority: AlarmPriority.Medium, state: AlarmState.Raised,
    });
  }

  private setRate(rateMlPerH: number, state: number): void {
    this.integrate();
    const changed = rateMlPerH !== this.rateMlPerH || state !== this.state;
    this.rateMlPerH = rateMlPerH;
    this.state = state;
    if (changed) this.sendStatus();
  }

  private sendStatus(): void {
    this.integrate();
    this.session.send(MsgId.PumpStatus, writePumpStatus, {
      tMs: this.clock.now(), state: this.state, rateMlPerH: this.rateMlPerH, commandedRateMlPerH: this.commandedRateMlPerH,
      deliveredMl: Math.round(this.deliveredMl * 1000) / 1000,
      leaseRemainingMs: Math.max(0, Math.min(3_600_000, this.leaseTimer ? this.leaseEndMs - this.clock.now() : 0)), alarms: this.alarms,
    });
  }
}
