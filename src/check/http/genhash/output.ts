// genhash's stdout/stderr. Writes go straight to the file descriptors: the
// process.stdout stream costs start-up time, and keepalived's own ordering
// (stdout buffered, stderr not) cannot be observed across two pipes anyway.
import { writeSync } from 'node:fs';

const FLUSH_AT = 64 * 1024;

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  // Bounded: each round writes something or waits on a non-blocking pipe.
  for (let tries = 0; off < data.length && tries < 1_000_000; tries++) {
    try {
      off += writeSync(fd, data, off);
    } catch (err) {
      const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : '';
      if (code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/** Buffered byte output to a file descriptor (latin1 strings are bytes). */
export class FdWriter {
  private parts: Buffer[] = [];
  private size = 0;
  constructor(private readonly fd: number) {}

  text(s: string): void {
    this.bytes(Buffer.from(s, 'latin1'));
  }

  bytes(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.size === 0) return;
    const data = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    writeAll(this.fd, data);
  }
}
