// The host's one typed dispatch: a session hands over each message's payload bytes once; here they are
// decoded with the generated codec, checked against the catalogue's ranges and code tables, and handed
// to the listeners of that message by name, typed. A payload that does not decode or lies out of range
// reaches no listener: it is counted (by reason) and reported to the rejection listeners, so a display or
// a controller never sees a pump state of 211, whatever arrived.
import type { MessageValues } from '../generated/wire-registry.ts';
import type { DecodedMessage, MessageName, PayloadProblem } from './host-codec.ts';
import { checkedPayload, messageId } from './host-codec.ts';

export type MessageListener<N extends MessageName> = (values: MessageValues[N], message: DecodedMessage<N>) => void;

export interface Rejection {
  id: number;
  /** The message's name, when the id is in the catalogue. */
  name?: MessageName;
  why: 'unknown-message' | 'bad-length' | 'out-of-range';
  /** In words: which field, what arrived and what is allowed. */
  detail: string;
}

export class MessageDispatch {
  /** Messages dropped, by reason. */
  readonly rejected = { 'unknown-message': 0, 'bad-length': 0, 'out-of-range': 0 };
  private readonly byId = new Map<number, MessageListener<MessageName>[]>();
  private readonly anyListeners: ((m: DecodedMessage) => void)[] = [];
  private readonly rejectionListeners: ((r: Rejection) => void)[] = [];

  /** Listens to one message, by its catalogue name; the listener gets its checked values. */
  on<N extends MessageName>(name: N, listener: MessageListener<N>): void {
    const id = messageId(name);
    const list = this.byId.get(id) ?? [];
    list.push(listener as unknown as MessageListener<MessageName>);
    this.byId.set(id, list);
  }

  /** Listens to every message that passed its checks (a monitor, a recorder). */
  onAny(listener: (m: DecodedMessage) => void): void {
    this.anyListeners.push(listener);
  }

  /** Hears of every message dropped, and why. */
  onRejected(listener: (r: Rejection) => void): void {
    this.rejectionListeners.push(listener);
  }

  /** Total of messages dropped for any reason. */
  get rejectedTotal(): number {
    return this.rejected['unknown-message'] + this.rejected['bad-length'] + this.rejected['out-of-range'];
  }

  /** A session's message: payload bytes buf[start, end) of message msgId. */
  receive(msgId: number, buf: Uint8Array, start: number, end: number): void {
    const message = checkedPayload(msgId, buf, start, end);
    if ('code' in message) return this.reject(msgId, message);
    const list = this.byId.get(msgId);
    if (list) for (const l of list) l(message.values, message);
    for (const l of this.anyListeners) l(message);
  }

  /** Counts; the words are made only for someone listening (a flood of bad frames costs a count each). */
  private reject(id: number, p: PayloadProblem): void {
    this.rejected[p.code]++;
    if (this.rejectionListeners.length === 0) return;
    let detail = '';
    try {
      p.raise();
    } catch (e) {
      detail = (e as Error).message;
    }
    const r: Rejection = { id, ...(p.name ? { name: p.name } : {}), why: p.code, detail };
    for (const l of this.rejectionListeners) l(r);
  }
}
