// Typed errors of the host codec. Each names the message and, where it applies, the field.

export type ProtocolErrorCode = 'unknown-message' | 'bad-length' | 'out-of-range' | 'bad-frame';

export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    readonly messageName?: string,
    readonly fieldName?: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
