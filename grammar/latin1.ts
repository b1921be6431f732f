// An ASCII config's text, decoded as latin1 (one byte a character, no UTF-8 decoding). A file the
// daemon read on a SIGHUP through lvsd's text addon (observed-fs.ts) comes with its text made
// already, an external string over the very bytes: no second copy of 1 MB (under emulation the
// decode's copy into fresh memory cost ~9 ms, more than the read).

/** texts made with their bytes: the Buffer's own characters */
const known = new WeakMap<Buffer, string>();

/** Notes that `text` is `b` decoded as latin1 (the addon made both from one read). */
export function knownText(b: Buffer, text: string): void {
  known.set(b, text);
}

/** the text made with `b` (its bytes are all ASCII then), or undefined */
export function knownLatin1(b: Buffer): string | undefined {
  return known.get(b);
}
