// Frame geometry shared by the framer, the session and SPEC.md.
//   frame on the wire = COBS(header | payload | trailer | crc32 LE) 0x00
//   header            = version (u8), sequence (u8), message id (u8)
//   trailer           = sender time, low 16 bits (u16 LE) | tag (first 6 bytes of HMAC-SHA256)
// A frame of another protocol version may lay out what follows its header differently (version 1 had no
// trailer); the CRC is always the last 4 bytes, so any version's frames can be checked and told apart.
export const HEADER_BYTES = 3;
export const TIME_BYTES = 2;
export const TAG_BYTES = 6;
export const TRAILER_BYTES = TIME_BYTES + TAG_BYTES;
export const CRC_BYTES = 4;
export const MAX_PAYLOAD_BYTES = 232;
/** Largest decoded frame: header + payload + trailer + CRC. Below 254, so COBS always adds exactly one byte. */
export const MAX_RAW_FRAME_BYTES = HEADER_BYTES + MAX_PAYLOAD_BYTES + TRAILER_BYTES + CRC_BYTES;
/** Largest COBS-encoded frame, delimiter excluded: COBS adds one code byte (a frame is below 254 bytes). */
export const MAX_ENCODED_FRAME_BYTES = MAX_RAW_FRAME_BYTES + 1;
export const DELIMITER = 0x00;
