// The runner's side of the patient-emulator board: turns the patient model's state into beats for the
// board to play, and the board's step count into volume delivered into the patient. The board only plays
// and counts; the model (hil/sim) stays on the host, where the runner steps it.
import { shapeMeanFraction } from '../sim/arterial-waveform.ts';
import type { PatientSetWaveformValues, PatientStatusValues } from '../../protocols/generated/wire-codec.ts';
import { MsgId, writePatientSetWaveform } from '../../protocols/generated/wire-codec.ts';
import { MessageDispatch } from '../../protocols/host/message-dispatch.ts';
import type { InitiatorSession } from '../../protocols/session/initiator-session.ts';
import { codeName } from '../../protocols/catalogue/codes.ts';

/** Beats whose mean (by the shared beat shape) is mapMmHg, with the given pulse pressure and rate. */
export function beatsForMean(mapMmHg: number, pulsePressureMmHg: number, heartRateBpm: number): PatientSetWaveformValues {
  const diastolicMmHg = mapMmHg - pulsePressureMmHg * shapeMeanFraction(heartRateBpm);
  return { systolicMmHg: diastolicMmHg + pulsePressureMmHg, diastolicMmHg, heartRateBpm };
}

export class PatientEmulatorDriver {
  /** The board's last PatientStatus, null before the first. */
  status: PatientStatusValues | null = null;
  private firstCount: number | null = null;

  /**
   * host: a session on the patient-emulator board's port; mlPerStep: the pump's (firmware's syringe-geometry.ts);
   * messages: where the session's messages are decoded and range-checked (a DeviceLink's own; an out-of-range
   * status never moves the count).
   */
  constructor(private readonly host: InitiatorSession, private readonly mlPerStep_: number, private readonly messages = new MessageDispatch()) {
    this.messages.on('PatientStatus', (s) => {
      if (this.firstCount === null) this.firstCount = s.stepCount;
      this.status = s;
    });
  }

  /** Hand every message of the board's session here. */
  message(msgId: number, buf: Uint8Array, start: number, end: number): void {
    this.messages.receive(msgId, buf, start, end);
  }

  /** Sets the beats the board plays; resolves when it accepts, rejects naming the refusal. */
  play(beats: PatientSetWaveformValues): Promise<void> {
    return new Promise((resolve, reject) => {
      this.host.sendCommand(MsgId.PatientSetWaveform, writePatientSetWaveform, beats, (r) => {
        if (r === 0) resolve();
        else reject(new Error(`the patient emulator refused ${JSON.stringify(beats)}: ${codeName('NackReason', r) ?? `reason ${r}`}`));
      });
    });
  }

  /** Steps counted since the driver's first status (the count wraps at 2^32, and so does this difference). */
  get steps(): number {
    return this.status === null || this.firstCount === null ? 0 : (this.status.stepCount - this.firstCount + 4294967296) % 4294967296;
  }

  /** Volume the pump pushed into the patient since the driver's first status, by its steps. */
  get deliveredMl(): number {
    return this.steps * this.mlPerStep_;
  }
}
