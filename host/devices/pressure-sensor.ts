// The host's view of an arterial pressure sensor: a stream of beats with their quality, raw waveform on
// request, and alarms.
import {
  MsgId, NodeRole, checkPressureBeat, checkPressureWaveform, readPressureBeat, readPressureWaveform,
} from '../../protocols/generated/wire-codec.ts';
import type { AlarmValues, PressureBeatValues, PressureWaveformValues } from '../../protocols/generated/wire-codec.ts';
import type { DeviceLink } from '../link/device-link.ts';
import { sendCommand } from './device-command.ts';
import { TelemetryGate } from './telemetry-gate.ts';

export class PressureSensor {
  latest: PressureBeatValues | null = null;
  /** Range checks and the bounded alarm history. */
  readonly gate = new TelemetryGate();
  private readonly beatListeners: ((b: PressureBeatValues) => void)[] = [];
  private readonly waveformListeners: ((w: PressureWaveformValues) => void)[] = [];

  constructor(readonly link: DeviceLink) {
    link.expectRole(NodeRole.BpSensor);
    link.on({
      message: (id, buf, s, e) => {
        if (id === MsgId.PressureBeat) {
          const b = this.gate.pass(readPressureBeat, checkPressureBeat, buf, s, e);
          if (!b) return;
          this.latest = b;
          for (const l of this.beatListeners) l(b);
        } else if (id === MsgId.PressureWaveform) {
          const w = this.gate.pass(readPressureWaveform, checkPressureWaveform, buf, s, e);
          if (w) for (const l of this.waveformListeners) l(w);
        } else if (id === MsgId.Alarm) this.gate.alarm(buf, s, e);
      },
    });
  }

  /** The latest alarms, oldest first (bounded). */
  get alarms(): readonly AlarmValues[] {
    return this.gate.alarms;
  }

  onBeat(listener: (b: PressureBeatValues) => void): void {
    this.beatListeners.push(listener);
  }

  onWaveform(listener: (w: PressureWaveformValues) => void): void {
    this.waveformListeners.push(listener);
  }

  requestWaveform(sampleCount: number): Promise<number> {
    return sendCommand(this.link, 'PressureWaveformRequest', { sampleCount });
  }
}
