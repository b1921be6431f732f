// Streaming response consumer with keepalived's semantics (check_http.c):
// the status line and headers must arrive within one 4095-byte receive
// buffer; the body after CRLFCRLF is fed to the digest raw (chunked transfer
// coding is NOT decoded), cut at Content-Length when one was found. Bytes are
// never retained beyond the header buffer, so memory is constant in the body
// size. A header that arrives within the first read is parsed where it lies;
// only one spread over reads is gathered in a header buffer of the stream's.
import { extractContentLength, extractStatusCode, findHeaderEnd } from './response-scan.js';

/** keepalived reads into a 4096-byte buffer, keeping one byte for a NUL. */
export const READ_SIZE = 4095;

export interface DigestSink {
  update(data: Buffer): void;
  /** The whole body in one piece (else update): a sink may hash it in one call. */
  updateWhole?(data: Buffer): void;
}

/**
 * Per-read trace, mirroring the reads keepalived would make (genhash -v
 * prints one block per read). When an observer is given, incoming chunks are
 * split into READ_SIZE pieces like keepalived's read() calls. The bytes given
 * are valid only during the call (they may lie in a reused receive buffer).
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
  /** made when a header does not come whole in the first read; kept for the next response */
  private head: Buffer | null = null;
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
    private sink: DigestSink | null,
    private observer: ResponseObserver | null = null,
  ) {}

  /** Ready for the next response (one stream serves a probe's attempts one after another). */
  reset(sink: DigestSink | null, observer: ResponseObserver | null): void {
    this.sink = sink;
    this.observer = observer;
    this.headLen = 0;
    this.headerComplete = false;
    this.statusCode = 0;
    this.contentLength = null;
    this.headerBytes = 0;
    this.bodyBytes = 0;
    this.hashedBytes = 0;
    this.totalBytes = 0;
  }

  /**
   * Consume one received chunk. 'header-overflow' means the header did not
   * fit in the receive buffer: keepalived's next read has room for 0 bytes and returns 0,
   * which it takes for end of stream; the caller must stop reading.
   */
  feed(chunk: Buffer): FeedResult {
    const length = chunk.length;
    let off = 0;
    if (!this.headerComplete && this.headLen === 0 && length > 0) {
      // keepalived's first read: up to READ_SIZE bytes; most headers end within it
      const n = Math.min(READ_SIZE, length);
      const end = findHeaderEnd(chunk, n);
      if (end >= 0) {
        this.totalBytes += n;
        this.observer?.headerRead();
        this.headerFound(chunk, n, end);
        off = n;
      }
    }
    while (!this.headerComplete && off < length) {
      const room = READ_SIZE - this.headLen;
      if (room === 0) return 'header-overflow';
      const head = (this.head ??= Buffer.allocUnsafe(READ_SIZE + 1));
      const n = Math.min(room, length - off);
      chunk.copy(head, this.headLen, off, off + n);
      this.headLen += n;
      this.totalBytes += n;
      off += n;
      this.observer?.headerRead();
      const end = findHeaderEnd(head, this.headLen);
      if (end >= 0) this.headerFound(head, this.headLen, end);
    }
    if (off >= length) return 'more';
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

  /** The header ends at `end` within the read buf[0, len); the rest of that read is body. */
  private headerFound(buf: Buffer, len: number, end: number): void {
    this.headerComplete = true;
    this.headerBytes = end;
    this.statusCode = extractStatusCode(buf, len);
    this.contentLength = extractContentLength(buf, len);
    this.observer?.header(buf.subarray(0, end));
    const r = len - end;
    const take = this.allowance(r);
    if (take > 0) {
      const bytes = buf.subarray(end, end + take);
      // the whole body came with the header: the sink may hash it in one call
      if (take === this.contentLength && this.sink?.updateWhole) this.sink.updateWhole(bytes);
      else this.sink?.update(bytes);
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
