// Types of the message catalogue. The catalogue is plain data (messages.ts); codecs, SPEC.md tables,
// validators and the layout hash are all derived from it, so the wire layout is written once.

/** Wire types. No 64-bit integers: Espruino numbers are doubles. All multi-byte values are little-endian. */
export type ScalarWireType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32';

export interface ScalarField {
  readonly name: string;
  readonly type: ScalarWireType;
  /** Physical unit of the decoded value ('1' for a plain count, 'enum' / 'flags' for codes). */
  readonly unit: string;
  /** decoded value = wire integer * scale. Omitted means 1. Not used for f32. */
  readonly scale?: number;
  /** Valid range of the decoded value, inclusive. */
  readonly min: number;
  readonly max: number;
  /** Name of a code table in codes.ts the value must belong to (an enum). */
  readonly codes?: string;
  /** Name of a flag table in codes.ts whose bits the value is made of. */
  readonly flags?: string;
  /** Marks a field appended after the message was released: optional on decode. */
  readonly ext?: true;
  readonly doc: string;
}

/** A length-prefixed list of scalars (u8 count, then count elements). */
export interface ArrayField {
  readonly name: string;
  readonly type: 'array';
  readonly element: Exclude<ScalarWireType, 'f32'>;
  readonly unit: string;
  readonly scale?: number;
  readonly min: number;
  readonly max: number;
  readonly maxCount: number;
  readonly ext?: true;
  readonly doc: string;
}

/** A length-prefixed ASCII string (u8 length, then bytes 0x20..0x7e). */
export interface TextField {
  readonly name: string;
  readonly type: 'text';
  readonly maxLength: number;
  readonly ext?: true;
  readonly doc: string;
}

export type FieldDef = ScalarField | ArrayField | TextField;

/** command: acknowledged, retransmitted, de-duplicated. telemetry: fire and forget. link: session traffic. */
export type MessageKind = 'command' | 'telemetry' | 'link';
export type Direction = 'host-to-node' | 'node-to-host' | 'both';

export interface MessageDef {
  readonly id: number;
  readonly name: string;
  readonly group: string;
  readonly kind: MessageKind;
  readonly direction: Direction;
  readonly doc: string;
  readonly fields: readonly FieldDef[];
}

export interface GroupDef {
  readonly name: string;
  readonly firstId: number;
  readonly lastId: number;
  readonly doc: string;
}

export interface CodeTable {
  readonly name: string;
  readonly doc: string;
  /** code name -> numeric value */
  readonly values: Readonly<Record<string, number>>;
  /** Codes from this value up are raised locally and never valid on the wire. */
  readonly localFrom?: number;
}

/** The codes of a table that may appear on the wire. */
export function wireCodes(t: CodeTable): [string, number][] {
  return Object.entries(t.values).filter(([, v]) => t.localFrom === undefined || v < t.localFrom);
}

export const WIRE_SIZE: Readonly<Record<ScalarWireType, number>> = {
  u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4,
};

export const WIRE_RANGE: Readonly<Record<Exclude<ScalarWireType, 'f32'>, readonly [number, number]>> = {
  u8: [0, 0xff], i8: [-0x80, 0x7f], u16: [0, 0xffff], i16: [-0x8000, 0x7fff],
  u32: [0, 0xffffffff], i32: [-0x80000000, 0x7fffffff],
};
