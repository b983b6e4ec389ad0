// The host's view of an arterial pressure sensor: a stream of beats with their quality, raw waveform on
// request, and alarms.
import { MsgId, readAlarm, readPressureBeat, readPressureWaveform } from '../../protocols/generated/wire-codec.ts';
import type { AlarmValues, PressureBeatValues, PressureWaveformValues } from '../../protocols/generated/wire-codec.ts';
import type { DeviceLink } from '../link/device-link.ts';
import { sendCommand } from './device-command.ts';

export class PressureSensor {
  latest: PressureBeatValues | null = null;
  readonly alarms: AlarmValues[] = [];
  private readonly beatListeners: ((b: PressureBeatValues) => void)[] = [];
  private readonly waveformListeners: ((w: PressureWaveformValues) => void)[] = [];
  private readonly alarmListeners: ((a: AlarmValues) => void)[] = [];

  constructor(readonly link: DeviceLink) {
    link.on({
      message: (id, buf, s, e) => {
        if (id === MsgId.PressureBeat) {
          const b = readPressureBeat(buf, s, e);
          if (!b) return;
          this.latest = b;
          for (const l of this.beatListeners) l(b);
        } else if (id === MsgId.PressureWaveform) {
          const w = readPressureWaveform(buf, s, e);
          if (w) for (const l of this.waveformListeners) l(w);
        } else if (id === MsgId.Alarm) {
          const a = readAlarm(buf, s, e);
          if (a) {
            this.alarms.push(a);
            for (const l of this.alarmListeners) l(a);
          }
        }
      },
    });
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

  requestWaveform(sampleCount: number): Promise<void> {
    return sendCommand(this.link, 'PressureWaveformRequest', { sampleCount });
  }
}
