// Which blocks the parser keeps for reuse (grammar/reuse.ts) and how a kept block is skipped:
// only blocks whose meaning is their text alone, found again at any line.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseConfig, type ParseResult, type RawObject } from '../../../grammar/parser.js';
import { rootSchema } from '../../../grammar/schema/index.js';
import type { BlockCache, ReusePolicy } from '../../../grammar/reuse.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-grammar-reuse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const policy: ReusePolicy = {
  keywords: new Set(['real_server']),
  deny: new Set(['MISC_CHECK']),
  eligible: () => true,
  parentSignature: (vs) => String(vs.addr),
};

function parse(text: string, previous?: BlockCache, name = 'k.conf'): ParseResult {
  const file = join(dir, name);
  writeFileSync(file, text);
  return parseConfig(file, rootSchema, { positions: false, reuse: { policy, ...(previous ? { previous } : {}) } });
}
const vs = (body: string, addr = '10.1.1.1') => `virtual_server ${addr} 80 {\n  lb_algo rr\n${body}}\n`;
const rs = (host: number, lines = '    weight 1\n') => `  real_server 10.0.0.${host} 80 {\n${lines}  }\n`;
const reals = (r: ParseResult, v = 0): RawObject[] => ((r.root.virtual_server as RawObject[])[v].real_server as RawObject[]) ?? [];

describe('kept blocks', () => {
  it('keeps plain real_server blocks, with their text and line count', () => {
    const r = parse(vs(rs(1) + rs(2, '    weight 2\n    TCP_CHECK {\n      connect_timeout 3\n    }\n')));
    const b = r.blocks as BlockCache;
    expect(b.length).toBe(2);
    expect(b.text(0)).toBe(rs(1));
    expect(b.lines(1)).toBe(6);
    expect(b.head(1)).toBe('  real_server 10.0.0.2 80 {\n');
    expect(b.objs[1]).toBe(reals(r)[1]);
    expect(b.parentSig(0)).toBe('10.1.1.1');
  });

  it('does not keep a block with a comment, quote, $definition, @condition, a denied keyword, an error, or at the end without a line end', () => {
    const cases = [
      rs(1, '    weight 1 # one\n'),
      rs(1, '    virtualhost "a b"\n'),
      `$W=2\n${rs(1, '    weight $W\n')}`,
      rs(1, '    @lb1 weight 3\n'),
      rs(1, '    MISC_CHECK {\n      misc_path /bin/true\n    }\n'),
      rs(1, '    weight x\n'),
      rs(1, '    bogus 1\n'),
    ];
    for (const body of cases) expect({ body, kept: parse(vs(body)).blocks?.length }).toEqual({ body, kept: 0 });
    expect(parse(vs(rs(1)).replace(/\n$/, '').replace(/}$/, `${rs(2).replace(/\n$/, '')}\n}`)).blocks?.length).toBe(2);
    expect(parse(`virtual_server 10.1.1.1 80 {\n${rs(1).replace(/\n$/, '')}`).blocks?.length).toBe(0);
  });

  it('hands back the objects of unchanged blocks wherever they moved, and reads changed ones', () => {
    const a = parse(vs(rs(1) + rs(2) + rs(3)) + vs(rs(4), '10.1.1.2'));
    const b = parse(`# moved down\n\n${vs(rs(3) + rs(2, '    weight 5\n') + rs(1)) + vs(rs(4), '10.1.1.2')}`, a.blocks);
    expect(b.reused).toBe(3);
    expect(b.reuseFailed).toBe(false);
    expect(reals(b)[0]).toBe(reals(a)[2]);
    expect(reals(b)[1]).not.toBe(reals(a)[1]);
    expect(reals(b)[1].weight).toBe(5);
    expect(reals(b)[2]).toBe(reals(a)[0]);
    expect(reals(b, 1)[0]).toBe(reals(a, 1)[0]);
    // what the next parse can reuse points into the new text
    const c = b.blocks as BlockCache;
    expect(c.length).toBe(4);
    expect(c.text(0)).toBe(rs(3));
  });

  it('fails over when a block came back under a parent with another signature', () => {
    const a = parse(vs(rs(1)));
    const b = parse(vs(rs(1), '10.1.1.9'), a.blocks);
    expect(b.reused).toBe(1);
    expect(b.reuseFailed).toBe(true);
  });

  it('skips blocks written with CRLF line ends and a brace on its own line', () => {
    const text = vs(`  real_server 10.0.0.1 80\n  {\n    weight 1\n  }\n${rs(2)}`).replaceAll('\n', '\r\n');
    const a = parse(text);
    expect(a.blocks?.length).toBe(2);
    const b = parse(`\r\n${text}virtual_server 10.1.1.3 80 {\r\n  lb_algo nope\r\n}\r\n`, a.blocks);
    expect(b.reused).toBe(2);
    // a diagnostic after skipped blocks has its line
    expect(b.diagnostics.find((d) => d.keyword === 'lb_algo' || d.keyword === 'lvs_sched')?.pos?.line).toBe(13);
  });
});

describe('segments of kept blocks across reloads', () => {
  const servers = (n: number, weights: Record<number, number>) => {
    let body = '';
    for (let h = 1; h <= n; h++) body += rs(h, `    weight ${weights[h] ?? 1}\n`);
    return vs(body);
  };
  it('a run handed back in two parts (its first block found alone) stays one segment: one more per changed block, not three', () => {
    const a = parse(servers(20, {}));
    expect(a.blocks?.segs.first.length).toBe(1);
    const b = parse(servers(20, { 11: 2 }), a.blocks);
    expect(b.reused).toBe(19);
    // blocks 1-10 handed back, 11 read anew (it follows them: the same segment), 12-20 handed back
    expect(b.blocks?.segs.first.length).toBe(2);
    expect(b.blocks?.segs.first).toEqual([0, 11]);
    // the next reload hands back the same objects from those segments, with their lines right
    const c = parse(servers(20, { 11: 2, 4: 3 }) + 'virtual_server 10.1.1.2 80 {\n  lb_algo nonsense\n}\n', b.blocks);
    expect(c.reused).toBe(19);
    for (const h of [1, 2, 3, 5, 10, 12, 20]) expect(reals(c)[h - 1]).toBe(reals(b)[h - 1]);
    expect(reals(c)[10]).toBe(reals(b)[10]); // the block read anew last time, handed back now
    expect(reals(c)[3]).not.toBe(reals(b)[3]);
    expect(reals(c)[3].weight).toBe(3);
    // lines after the skipped blocks are where they are: 2 + 20 blocks of 3 lines + `}` + 2
    expect(c.diagnostics.find((d) => d.keyword === 'lb_algo' || d.keyword === 'lvs_sched')?.pos?.line).toBe(2 + 60 + 1 + 2);
  });
});
