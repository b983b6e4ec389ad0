// Frame geometry shared by the framer, the session and SPEC.md.
//   frame on the wire = COBS(header | payload | crc32 LE) 0x00
//   header            = version (u8), sequence (u8), message id (u8)

export const HEADER_BYTES = 3;
export const CRC_BYTES = 4;
export const MAX_PAYLOAD_BYTES = 240;
/** Largest decoded frame: header + payload + CRC. Below 254, so COBS always adds exactly one byte. */
export const MAX_RAW_FRAME_BYTES = HEADER_BYTES + MAX_PAYLOAD_BYTES + CRC_BYTES;
/** Largest COBS-encoded frame, delimiter excluded (COBS adds one code byte, plus one per 254 data bytes). */
export const MAX_ENCODED_FRAME_BYTES = MAX_RAW_FRAME_BYTES + 1 + Math.floor(MAX_RAW_FRAME_BYTES / 254);
export const DELIMITER = 0x00;
