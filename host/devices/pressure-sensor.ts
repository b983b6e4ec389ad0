// The host's view of an arterial pressure sensor: a stream of beats with their quality, raw waveform on
// request, and alarms.
import { NodeRole } from '../../protocols/generated/wire-codec.ts';
import type { AlarmValues, PressureBeatValues, PressureWaveformValues } from '../../protocols/generated/wire-codec.ts';
import type { DeviceLink } from '../link/device-link.ts';
import { sendCommand } from './device-command.ts';
import { AlarmHistory } from './alarm-history.ts';

export class PressureSensor {
  latest: PressureBeatValues | null = null;
  /** The bounded alarm history. */
  readonly alarmHistory: AlarmHistory;
  private readonly beatListeners: ((b: PressureBeatValues) => void)[] = [];
  private readonly waveformListeners: ((w: PressureWaveformValues) => void)[] = [];

  constructor(readonly link: DeviceLink) {
    this.alarmHistory = new AlarmHistory(link.messages);
    link.expectRole(NodeRole.BpSensor);
    link.messages.on('PressureBeat', (b) => {
      this.latest = b;
      for (const l of this.beatListeners) l(b);
    });
    link.messages.on('PressureWaveform', (w) => {
      for (const l of this.waveformListeners) l(w);
    });
  }

  /** The latest alarms, oldest first (bounded). */
  get alarms(): readonly AlarmValues[] {
    return this.alarmHistory.alarms;
  }

  onBeat(listener: (b: PressureBeatValues) => void): void {
    this.beatListeners.push(listener);
  }

  onWaveform(listener: (w: PressureWaveformValues) => void): void {
    this.waveformListeners.push(listener);
  }

  /** Alarm messages the sensor sends (raised and cleared). */
  onAlarm(listener: (a: AlarmValues) => void): void {
    this.alarmHistory.onAlarm(listener);
  }

  requestWaveform(sampleCount: number): Promise<number> {
    return sendCommand(this.link, 'PressureWaveformRequest', { sampleCount });
  }
}
