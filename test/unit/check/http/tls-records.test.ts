import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TlsRecordTracker } from '../../../../src/check/http/tls-records.js';

const record = (type: number, length: number): Buffer => {
  const b = Buffer.alloc(5 + length, 0xaa);
  b[0] = type;
  b.writeUInt16BE(0x0303, 1);
  b.writeUInt16BE(length, 3);
  return b;
};

function track(chunks: Buffer[]): TlsRecordTracker {
  const t = new TlsRecordTracker();
  for (const c of chunks) t.feed(c);
  return t;
}

describe('TlsRecordTracker', () => {
  it('TLS 1.2: a final alert record is close_notify, application data is not', () => {
    expect(track([record(23, 100), record(21, 26)]).endedWithCloseNotify('TLSv1.2', 16)).toBe(true);
    expect(track([record(21, 26), record(23, 100)]).endedWithCloseNotify('TLSv1.2', 16)).toBe(false);
  });
  it('TLS 1.3: a final 2-byte-plaintext record (2 + type + tag) is close_notify', () => {
    expect(track([record(23, 500), record(23, 19)]).endedWithCloseNotify('TLSv1.3', 16)).toBe(true);
    expect(track([record(23, 500)]).endedWithCloseNotify('TLSv1.3', 16)).toBe(false);
    expect(track([record(23, 11)]).endedWithCloseNotify('TLSv1.3', 8)).toBe(true);
  });
  it('a truncated last record is not an orderly close', () => {
    expect(track([record(21, 26).subarray(0, 10)]).endedWithCloseNotify('TLSv1.2', 16)).toBe(false);
  });
  it('record boundaries are found whatever the chunking', () => {
    const wire = Buffer.concat([record(22, 300), record(23, 4000), record(23, 19)]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: wire.length - 1 }), { maxLength: 10 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let at = 0;
        for (const p of points) {
          chunks.push(wire.subarray(at, p));
          at = p;
        }
        chunks.push(wire.subarray(at));
        return track(chunks).endedWithCloseNotify('TLSv1.3', 16);
      }),
    );
  });
});
