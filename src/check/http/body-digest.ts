// The digest of a response body (MD5 for the checkers, any algorithm for genhash). A body that
// arrives whole with its header (the usual small health page) is hashed in one native call;
// only a body spread over reads gets an incremental hash object, made when it is needed.
import { createHash, hash, type Hash } from 'node:crypto';
import type { DigestSink } from './response-stream.js';

const emptyDigests = new Map<string, string>();

export class BodyDigest implements DigestSink {
  private incremental: Hash | null = null;
  /** hex digest of a body hashed whole */
  private whole: string | null = null;

  constructor(readonly algorithm: string) {}

  /** Ready for the next body. */
  reset(): void {
    this.incremental = null;
    this.whole = null;
  }

  update(data: Buffer): void {
    (this.incremental ??= createHash(this.algorithm)).update(data);
  }

  /** The whole body in one piece: nothing was hashed before and nothing comes after. */
  updateWhole(data: Buffer): void {
    if (this.incremental !== null || this.whole !== null) return this.update(data);
    this.whole = hash(this.algorithm, data, 'hex');
  }

  /** The digest in lower-case hex (of no bytes when nothing was hashed). Ends the body. */
  hex(): string {
    if (this.whole !== null) return this.whole;
    if (this.incremental !== null) {
      this.whole = this.incremental.digest('hex');
      this.incremental = null;
      return this.whole;
    }
    let empty = emptyDigests.get(this.algorithm);
    if (empty === undefined) {
      empty = hash(this.algorithm, '', 'hex');
      emptyDigests.set(this.algorithm, empty);
    }
    return empty;
  }
}
