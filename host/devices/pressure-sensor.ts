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
  private readonly alarmListeners: ((a: AlarmValues) => void)[] = [];

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
        } else if (id === MsgId.Alarm) {
          const a = this.gate.alarm(buf, s, e);
          if (a) for (const l of this.alarmListeners) l(a);
        }
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

  /** Alarm messages the sensor sends (raised and cleared). */
  onAlarm(listener: (a: AlarmValues) => void): void {
    this.alarmListeners.push(listener);
  }

  requestWaveform(sampleCount: number): Promise<number> {
    return sendCommand(this.link, 'PressureWaveformRequest', { sampleCount });
  }
}
