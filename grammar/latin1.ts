// An ASCII config's text, decoded as latin1 (one byte a character, no UTF-8 decoding). Node
// copies a latin1 string of up to EXTERN_APEX bytes into V8's heap, where 1 MB is a large object
// on fresh pages (under emulation 4-31 ms of page faults for a 1 MB config), and makes a longer
// one an external string (3.8-6.9 ms there). A buffer with room after its bytes is decoded with
// that room, past the limit, and the text sliced off it: the same characters, the cheaper copy.

/** Node's limit (src/string_bytes.cc): latin1 strings longer than this are made external */
export const EXTERN_APEX = 0xfbee9;
/** below this a text is no large object (V8's regular object limit): the heap copy is cheap */
const SMALL = 128 * 1024;

/** bytes a read buffer is allocated with, for `size` bytes, so that latin1Of may use its room */
export function roomFor(size: number): number {
  return size > SMALL && size <= EXTERN_APEX ? EXTERN_APEX + 1 : size;
}

/** `b` as latin1 text (b.toString('latin1')), through an external string where b has the room */
export function latin1Of(b: Buffer): string {
  if (b.length > SMALL && b.length <= EXTERN_APEX && b.buffer.byteLength - b.byteOffset > EXTERN_APEX) {
    // (the room's bytes are decoded too, never seen: only the slice of b's own leaves here)
    return Buffer.from(b.buffer, b.byteOffset, EXTERN_APEX + 1).toString('latin1').slice(0, b.length);
  }
  return b.toString('latin1');
}
