// Watches the raw TLS record layer to tell an orderly close (close_notify
// alert, then FIN) from a bare FIN. keepalived behaves differently for the two
// (genhash -v prints the digest block only after close_notify, and a
// close_notify before any header is "SSL read error from"), but Node reports
// both as 'end'. TLS 1.2 shows the alert record type in clear; TLS 1.3 hides
// it, so there a final record carrying exactly two bytes of plaintext (an
// alert) is taken for close_notify.
import { Duplex } from 'node:stream';
import type net from 'node:net';

const ALERT = 21;
const APPLICATION_DATA = 23;

export class TlsRecordTracker {
  private header = Buffer.alloc(5);
  private headerFill = 0;
  private remaining = 0;
  private lastType = -1;
  private lastLength = -1;
  private currentType = -1;
  private currentLength = -1;

  feed(data: Buffer): void {
    let off = 0;
    // Bounded by data.length: every iteration consumes at least one byte.
    while (off < data.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, data.length - off);
        this.remaining -= n;
        off += n;
        if (this.remaining === 0) this.complete();
        continue;
      }
      const n = Math.min(5 - this.headerFill, data.length - off);
      data.copy(this.header, this.headerFill, off, off + n);
      this.headerFill += n;
      off += n;
      if (this.headerFill === 5) {
        this.headerFill = 0;
        this.currentType = this.header[0];
        this.currentLength = this.header.readUInt16BE(3);
        this.remaining = this.currentLength;
        if (this.remaining === 0) this.complete();
      }
    }
  }

  private complete(): void {
    this.lastType = this.currentType;
    this.lastLength = this.currentLength;
  }

  /** Whether the last complete record looks like close_notify. tagBytes: the AEAD tag size (TLS 1.3). */
  endedWithCloseNotify(protocol: string | null, tagBytes: number): boolean {
    if (this.remaining > 0 || this.headerFill > 0) return false;
    if (protocol === 'TLSv1.3') return this.lastType === APPLICATION_DATA && this.lastLength === 2 + 1 + tagBytes;
    return this.lastType === ALERT;
  }
}

/**
 * Passes a TCP socket through to the TLS layer while showing its raw bytes to
 * a TlsRecordTracker (Node hands a net.Socket's handle straight to OpenSSL,
 * out of JavaScript's sight).
 */
export class RecordTap extends Duplex {
  constructor(
    private readonly raw: net.Socket,
    records: TlsRecordTracker,
  ) {
    super();
    raw.on('data', (d: Buffer) => {
      records.feed(d);
      if (!this.push(d)) raw.pause();
    });
    raw.on('end', () => this.push(null));
    raw.on('error', (e) => this.destroy(e));
  }
  override _read(): void {
    this.raw.resume();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.raw.write(chunk, cb);
  }
  override _final(cb: (err?: Error | null) => void): void {
    this.raw.end();
    cb();
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.raw.destroy();
    cb(err);
  }
}
