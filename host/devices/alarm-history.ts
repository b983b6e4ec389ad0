// A device's alarms as the host keeps them and hands on: only the latest ALARM_HISTORY, so a flood of Alarm messages
// cannot grow the host's memory. (Range checks happen before, in the link's message dispatch.)
import type { AlarmValues } from '../../protocols/generated/wire-codec.ts';
import type { MessageDispatch } from '../../protocols/host/message-dispatch.ts';

/** Alarms a proxy keeps; older ones are dropped (and counted). */
export const ALARM_HISTORY = 200;

export class AlarmHistory {
  /** Alarms dropped from the history to keep it bounded. */
  dropped = 0;
  /** The latest alarms, oldest first, at most ALARM_HISTORY. */
  readonly alarms: AlarmValues[] = [];

  private readonly listeners: ((a: AlarmValues) => void)[] = [];

  /** Keeps the device's Alarm messages (checked by the dispatch) and hands each to the listeners. */
  constructor(messages: MessageDispatch) {
    messages.on('Alarm', (a) => {
      this.add(a);
      for (const l of this.listeners) l(a);
    });
  }

  onAlarm(listener: (a: AlarmValues) => void): void {
    this.listeners.push(listener);
  }

  private add(a: AlarmValues): void {
    this.alarms.push(a);
    if (this.alarms.length > ALARM_HISTORY) {
      this.alarms.splice(0, this.alarms.length - ALARM_HISTORY);
      this.dropped++;
    }
  }
}
