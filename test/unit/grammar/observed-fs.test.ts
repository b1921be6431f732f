// What a config load read, noted and read again: the check a prepared reload rests on.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync, unlinkSync, constants as C } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessSync, firstFileRead, inputPaths, inputsUnchanged, lstatSync, readdirSync, readFileSync, readOnce, realpathSync, recordInputs, statSync, withFileBytes } from '../../../grammar/observed-fs.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-observed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recordInputs / inputsUnchanged', () => {
  it('notes each read while recording, and only then', () => {
    const f = join(dir, 'a.conf');
    writeFileSync(f, 'one\n');
    readFileSync(f); // not recording: nothing noted anywhere
    const { value, inputs } = recordInputs(() => {
      statSync(f);
      return readFileSync(f).toString();
    });
    expect(value).toBe('one\n');
    expect(inputPaths(inputs)).toEqual([{ path: f, listing: false }, { path: f, listing: false }]);
    expect(inputsUnchanged(inputs)).toBe(true);
  });

  it('sees other bytes of the same length', () => {
    const f = join(dir, 'b.conf');
    writeFileSync(f, 'weight 1\n');
    const { inputs } = recordInputs(() => readFileSync(f));
    writeFileSync(f, 'weight 2\n');
    expect(inputsUnchanged(inputs)).toBe(false);
    writeFileSync(f, 'weight 1\n');
    expect(inputsUnchanged(inputs)).toBe(true);
    writeFileSync(f, 'weight 1\n\n'); // grown, same start
    expect(inputsUnchanged(inputs)).toBe(false);
    writeFileSync(f, 'weight 1'); // shrunk
    expect(inputsUnchanged(inputs)).toBe(false);
  });

  it('compares a file larger than one read (4 MB) to its last byte, and an empty one', () => {
    const f = join(dir, 'big.conf');
    const big = Buffer.alloc(9 * 1024 * 1024 + 5, 'x'); // three reads: 4 MB, 4 MB, the rest
    writeFileSync(f, big);
    const { inputs } = recordInputs(() => readFileSync(f));
    expect(inputsUnchanged(inputs)).toBe(true);
    for (const at of [0, 4 * 1024 * 1024 - 1, 4 * 1024 * 1024, 8 * 1024 * 1024 + 1, big.length - 1]) {
      const edited = Buffer.from(big);
      edited[at] = 0x79;
      writeFileSync(f, edited);
      expect([at, inputsUnchanged(inputs)]).toEqual([at, false]);
    }
    writeFileSync(f, Buffer.concat([big, Buffer.from('x')])); // one byte more, past the last read
    expect(inputsUnchanged(inputs)).toBe(false);
    writeFileSync(f, big.subarray(0, big.length - 1));
    expect(inputsUnchanged(inputs)).toBe(false);
    writeFileSync(f, big);
    expect(inputsUnchanged(inputs)).toBe(true);
    const e = join(dir, 'empty.conf');
    writeFileSync(e, '');
    const empty = recordInputs(() => readFileSync(e)).inputs;
    expect(inputsUnchanged(empty)).toBe(true);
    writeFileSync(e, '\n');
    expect(inputsUnchanged(empty)).toBe(false);
  });

  it('sees a mode change through stat and lstat, and an access answer that changed', () => {
    const f = join(dir, 'c.sh');
    writeFileSync(f, '#!/bin/sh\n');
    chmodSync(f, 0o755);
    const { inputs } = recordInputs(() => {
      lstatSync(f);
      accessSync(f, C.X_OK);
    });
    expect(inputsUnchanged(inputs)).toBe(true);
    chmodSync(f, 0o775);
    expect(inputsUnchanged(inputs)).toBe(false);
    chmodSync(f, 0o755);
    expect(inputsUnchanged(inputs)).toBe(true);
  });

  it('notes a failure as a read: the file appearing later is a change', () => {
    const f = join(dir, 'late.conf');
    const { inputs } = recordInputs(() => {
      expect(() => statSync(f)).toThrow();
      return realpathSync(dir);
    });
    expect(inputsUnchanged(inputs)).toBe(true);
    writeFileSync(f, 'x\n');
    expect(inputsUnchanged(inputs)).toBe(false);
    unlinkSync(f);
    expect(inputsUnchanged(inputs)).toBe(true);
  });

  it('sees a folder listing gain an entry (an include glob would match it)', () => {
    const d = mkdtempSync(join(dir, 'inc-'));
    writeFileSync(join(d, '1.conf'), '');
    const { inputs } = recordInputs(() => readdirSync(d));
    expect(inputPaths(inputs)).toEqual([{ path: d, listing: true }]);
    writeFileSync(join(d, '2.conf'), '');
    expect(inputsUnchanged(inputs)).toBe(false);
  });

  it('stops recording when the recorded function throws', () => {
    const f = join(dir, 'd.conf');
    writeFileSync(f, 'x');
    expect(() => recordInputs(() => { throw new Error('boom'); })).toThrow('boom');
    const outer = recordInputs(() => 0);
    readFileSync(f);
    expect(outer.inputs.seen).toHaveLength(0);
  });
});

describe('withFileBytes / firstFileRead', () => {
  it('answers reads of that one path with the bytes given, only while it runs, and records them as read', () => {
    const f = join(dir, 'stand-in.conf');
    const g = join(dir, 'other.conf');
    writeFileSync(f, 'disk\n');
    writeFileSync(g, 'other\n');
    const { value, inputs } = recordInputs(() => withFileBytes(f, Buffer.from('given\n'), () => [readFileSync(f).toString(), readFileSync(g).toString()]));
    expect(value).toEqual(['given\n', 'other\n']);
    expect(readFileSync(f).toString()).toBe('disk\n');
    expect(firstFileRead(inputs)).toEqual({ path: f, bytes: Buffer.from('given\n') });
    // (the disk holds other bytes than those the load saw)
    expect(inputsUnchanged(inputs)).toBe(false);
    // thrown out of: the disk again
    expect(() => withFileBytes(f, Buffer.from('x'), () => { throw new Error('boom'); })).toThrow('boom');
    expect(readFileSync(f).toString()).toBe('disk\n');
  });
  it('firstFileRead skips stats and failed reads; none read: undefined', () => {
    const f = join(dir, 'first.conf');
    writeFileSync(f, 'main\n');
    const { inputs } = recordInputs(() => {
      statSync(f);
      try { readFileSync(join(dir, 'absent.conf')); } catch { /* noted as a failure */ }
      readFileSync(f);
    });
    expect(firstFileRead(inputs)).toEqual({ path: f, bytes: Buffer.from('main\n') });
    expect(firstFileRead(recordInputs(() => statSync(f)).inputs)).toBeUndefined();
  });
});

describe('readOnce', () => {
  const recorded = (f: string, bytes: Buffer | string) => {
    writeFileSync(f, bytes);
    return recordInputs(() => readFileSync(f)).inputs;
  };

  it('a changed file compared is what later comparisons and reads of its path get, not the disk again', () => {
    const f = join(dir, 'once.conf');
    const inputs = recorded(f, 'weight 1\n');
    writeFileSync(f, 'weight 2\n');
    const seen = readOnce(() => {
      const first = inputsUnchanged(inputs);
      writeFileSync(f, 'weight 1\n'); // the disk as recorded again: this scope still sees its read
      return [first, inputsUnchanged(inputs), readFileSync(f).toString()];
    });
    expect(seen).toEqual([false, false, 'weight 2\n']);
    // out of the scope: the disk
    expect(inputsUnchanged(inputs)).toBe(true);
    expect(readFileSync(f).toString()).toBe('weight 1\n');
  });

  it('an unchanged file compared is read from what it was compared with; a file not compared from the disk', () => {
    const f = join(dir, 'same.conf');
    const g = join(dir, 'uncompared.conf');
    const inputs = recorded(f, 'same\n');
    writeFileSync(g, 'g1\n');
    const seen = readOnce(() => {
      const same = inputsUnchanged(inputs);
      writeFileSync(f, 'later\n');
      writeFileSync(g, 'g2\n');
      return [same, readFileSync(f).toString(), readFileSync(g).toString()];
    });
    expect(seen).toEqual([true, 'same\n', 'g2\n']);
  });

  it('reads a grown, shrunk or rewritten file whole, also past the first 4 MB', () => {
    const f = join(dir, 'sizes.conf');
    const grownBy = Buffer.alloc(70 * 1024, 'y');
    const cases: Array<[Buffer, Buffer]> = [
      [Buffer.from('abc\n'), Buffer.concat([Buffer.from('abc\n'), grownBy])],
      [Buffer.from('abcdef\n'), Buffer.from('abc')],
      [Buffer.from('abc\n'), Buffer.from('xyz\nmore\n')],
    ];
    const big = Buffer.alloc(5 * 1024 * 1024, 'x');
    const late = Buffer.from(big);
    late[4 * 1024 * 1024 + 7] = 0x7a; // the difference in the second read
    const early = Buffer.from(big);
    early[3] = 0x7a; // in the first: the rest read after it
    cases.push([big, late], [big, early], [big, Buffer.concat([big, grownBy])]);
    for (const [before, now] of cases) {
      const inputs = recorded(f, before);
      writeFileSync(f, now);
      const got = readOnce(() => (inputsUnchanged(inputs) ? null : readFileSync(f)));
      expect(got === null ? 'unchanged' : Buffer.compare(got, now)).toBe(0);
    }
  });

  it('a file gone since is read (and fails) as the disk says; the bytes handed over are not written by a later comparison', () => {
    const f = join(dir, 'gone.conf');
    const inputs = recorded(f, 'here\n');
    unlinkSync(f);
    expect(readOnce(() => [inputsUnchanged(inputs), (() => { try { return readFileSync(f).toString(); } catch (e) { return (e as NodeJS.ErrnoException).code; } })()])).toEqual([false, 'ENOENT']);
    const a = join(dir, 'handed-a.conf');
    const b = join(dir, 'handed-b.conf');
    const ia = recorded(a, 'aaaa\n');
    const ib = recorded(b, 'bbbb\n');
    writeFileSync(a, 'AAAA\n');
    writeFileSync(b, 'BBBB\n');
    const kept = readOnce(() => (inputsUnchanged(ia), readFileSync(a)));
    expect(readOnce(() => inputsUnchanged(ib))).toBe(false);
    expect(inputsUnchanged(ib)).toBe(false);
    expect(kept.toString()).toBe('AAAA\n');
  });

  it('asks each stat, access and listing once per readOnce: the comparisons and the load get one answer', () => {
    const f = join(dir, 'once.conf');
    writeFileSync(f, 'x\n');
    chmodSync(f, 0o644);
    const sub = mkdtempSync(join(dir, 'list-'));
    const { inputs } = recordInputs(() => { statSync(f); accessSync(f, C.W_OK); readdirSync(sub); });
    readOnce(() => {
      expect(inputsUnchanged(inputs)).toBe(true);
      // changed after the comparison asked: the same SIGHUP keeps the answer it got
      chmodSync(f, 0o444);
      writeFileSync(join(sub, 'new.conf'), '');
      expect(statSync(f).mode & 0o777).toBe(0o644);
      expect(readdirSync(sub)).toEqual([]);
      const listed = readdirSync(sub);
      listed.push('x'); // (each caller gets its own copy)
      expect(readdirSync(sub)).toEqual([]);
    });
    // the next SIGHUP asks again
    expect(statSync(f).mode & 0o777).toBe(0o444);
    expect(inputsUnchanged(inputs)).toBe(false);
    expect(readOnce(() => inputsUnchanged(inputs))).toBe(false);
    chmodSync(f, 0o644);
  });
});
