// Streaming response consumer with keepalived's semantics (check_http.c):
// the status line and headers must arrive within one 4095-byte receive
// buffer; the body after CRLFCRLF is fed to the digest raw (chunked transfer
// coding is NOT decoded), cut at Content-Length when one was found. Bytes are
// never retained beyond the header buffer, so memory is constant in the body
// size.
import { extractContentLength, extractStatusCode, findHeaderEnd } from './response-scan.js';

/** keepalived reads into a 4096-byte buffer, keeping one byte for a NUL. */
export const READ_SIZE = 4095;

export interface DigestSink {
  update(data: Buffer): void;
}

/**
 * Per-read trace, mirroring the reads keepalived would make (genhash -v
 * prints one block per read). When an observer is given, incoming chunks are
 * split into READ_SIZE pieces like keepalived's read() calls.
 */
export interface ResponseObserver {
  /** A read that happened while the header was still incomplete. */
  headerRead(): void;
  /** The complete header, CRLFCRLF included. */
  header(bytes: Buffer): void;
  /** Body bytes fed to the digest; first is true for the bytes that came with the header. */
  body(bytes: Buffer, first: boolean): void;
}

export type FeedResult = 'more' | 'header-overflow';

export class ResponseStream {
  private readonly head = Buffer.allocUnsafe(READ_SIZE + 1);
  private headLen = 0;
  /** True once CRLFCRLF was seen. */
  headerComplete = false;
  statusCode = 0;
  /** null: no usable Content-Length (keepalived's SIZE_MAX). */
  contentLength: number | null = null;
  headerBytes = 0;
  /** Body bytes received (keepalived's rx_bytes). */
  bodyBytes = 0;
  /** Body bytes given to the digest. */
  hashedBytes = 0;
  /** All bytes received. */
  totalBytes = 0;

  constructor(
    private readonly sink: DigestSink | null,
    private readonly observer: ResponseObserver | null = null,
  ) {}

  /**
   * Consume one received chunk. 'header-overflow' means the header did not fit
   * in the receive buffer: keepalived's next read has room for 0 bytes and
   * returns 0, which it takes for end of stream; the caller must stop reading.
   */
  feed(chunk: Buffer): FeedResult {
    let off = 0;
    while (!this.headerComplete && off < chunk.length) {
      const room = READ_SIZE - this.headLen;
      if (room === 0) return 'header-overflow';
      const n = Math.min(room, chunk.length - off);
      chunk.copy(this.head, this.headLen, off, off + n);
      this.headLen += n;
      this.totalBytes += n;
      off += n;
      this.headerRead();
    }
    if (off >= chunk.length) return 'more';
    const rest = off === 0 ? chunk : chunk.subarray(off);
    this.totalBytes += rest.length;
    if (this.observer === null) {
      this.bodyRead(rest);
      return 'more';
    }
    for (let at = 0; at < rest.length; at += READ_SIZE) {
      this.bodyRead(rest.subarray(at, Math.min(at + READ_SIZE, rest.length)));
    }
    return 'more';
  }

  private headerRead(): void {
    this.observer?.headerRead();
    const end = findHeaderEnd(this.head, this.headLen);
    if (end < 0) return;
    this.headerComplete = true;
    this.headerBytes = end;
    this.statusCode = extractStatusCode(this.head, this.headLen);
    this.contentLength = extractContentLength(this.head, this.headLen);
    this.observer?.header(this.head.subarray(0, end));
    const r = this.headLen - end;
    const take = this.allowance(r);
    if (take > 0) {
      // Copy: head is reused, and observers may keep what they get.
      const bytes = Buffer.from(this.head.subarray(end, end + take));
      this.sink?.update(bytes);
      this.hashedBytes += take;
      this.observer?.body(bytes, true);
    }
    this.bodyBytes = r;
  }

  private bodyRead(bytes: Buffer): void {
    const take = this.allowance(bytes.length);
    if (take > 0) {
      const used = take === bytes.length ? bytes : bytes.subarray(0, take);
      this.sink?.update(used);
      this.hashedBytes += take;
      this.observer?.body(used, false);
    }
    this.bodyBytes += bytes.length;
  }

  /** How many of the next r body bytes go to the digest. */
  private allowance(r: number): number {
    const cl = this.contentLength;
    if (cl === null) return r;
    if (cl <= this.bodyBytes) return 0;
    return Math.min(r, cl - this.bodyBytes);
  }
}
