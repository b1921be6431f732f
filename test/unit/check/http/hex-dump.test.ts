import { describe, expect, it } from 'vitest';
import { hexDump } from '../../../../src/check/http/genhash/hex-dump.js';

describe('hexDump (keepalived dump_buffer layout)', () => {
  it('pads the last line and prints printable ASCII', () => {
    expect(hexDump(Buffer.from('hello world\n'))).toBe(
      '0000  68 65 6c 6c 6f 20 77 6f - 72 6c 64 0a               hello world.    \n',
    );
  });
  it('decimal offsets, 16 bytes a line', () => {
    const out = hexDump(Buffer.alloc(33, 0x41)).split('\n');
    expect(out[1].startsWith('0016 ')).toBe(true);
    // 1 byte, 7 empty slots, the " -" separator, 8 empty slots, 3 spaces, ASCII padded to 16.
    expect(out[2]).toBe(`0032  41${'   '.repeat(7)} -${'   '.repeat(8)}   A${' '.repeat(15)}`);
  });
  it('prints nothing for an empty buffer', () => expect(hexDump(Buffer.alloc(0))).toBe(''));
});
