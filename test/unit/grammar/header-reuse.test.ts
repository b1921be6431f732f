// A block's header (its lines before the first kept block) replayed by the next parse when its
// text is the same (ReusePolicy.headers), and runs of kept blocks found without reading a line:
// each reload here must give what a parse without reuse gives, diagnostics included.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseConfig, type ParseResult, type RawObject } from '../../../grammar/parser.js';
import { rootSchema } from '../../../grammar/schema/index.js';
import type { BlockCache, ReusePolicy } from '../../../grammar/reuse.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-grammar-header-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const policy: ReusePolicy = {
  keywords: new Set(['real_server']),
  deny: new Set(['MISC_CHECK']),
  eligible: () => true,
  parentSignature: (vs) => `${String(vs.addr)}:${String(vs.port)}`,
  headers: new Set(['virtual_server']),
};

function write(text: string, name = 'h.conf'): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
function parse(text: string, previous?: BlockCache, name = 'h.conf'): ParseResult {
  return parseConfig(write(text, name), rootSchema, { positions: false, reuse: { policy, ...(previous ? { previous } : {}) } });
}
/** the same text parsed without anything from an earlier parse */
const fresh = (text: string, name = 'h.conf'): ParseResult => parse(text, undefined, name);
const rs = (host: number, weight = 1) => `  real_server 10.0.0.${host} 80 {\n    weight ${weight}\n  }\n`;
const head = (addr: string, lines = '  delay_loop 6\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n') => `virtual_server ${addr} 80 {\n${lines}`;
const servers = (n: number, changed: Record<number, number> = {}) => {
  let s = '';
  for (let h = 1; h <= n; h++) s += rs(h, changed[h] ?? 1);
  return s;
};
const vsList = (r: ParseResult): RawObject[] => r.root.virtual_server as RawObject[];
const diags = (r: ParseResult) => r.diagnostics.map((d) => ({ m: d.message, p: d.pos, b: d.block }));

/** b (a reload of `text` after a) is what a fresh parse gives: same objects by value, same diagnostics */
function expectAsFresh(b: ParseResult, text: string, name = 'h.conf'): void {
  const f = fresh(text, name);
  expect(b.reuseFailed).toBe(false);
  expect(b.root).toEqual(f.root);
  expect(JSON.stringify(b.root)).toBe(JSON.stringify(f.root)); // (field order too)
  expect(diags(b)).toEqual(diags(f));
}

describe('virtual_server headers', () => {
  it('replays an unchanged header as a new object with copies of its fields, and reads the changed blocks', () => {
    const t1 = head('10.1.1.1') + servers(5) + '}\n' + head('10.1.1.2') + servers(5) + '}\n';
    const a = parse(t1);
    expect(a.blocks?.headers.size).toBe(2);
    const t2 = head('10.1.1.1') + servers(5, { 3: 2 }) + '}\n' + head('10.1.1.2') + servers(5) + '}\n';
    const b = parse(t2, a.blocks);
    expect(b.reusedHeaders).toBe(2);
    expect(b.reused).toBe(9);
    expectAsFresh(b, t2);
    const [va, vb] = [vsList(a)[0], vsList(b)[0]];
    expect(vb).not.toBe(va);
    expect(vb.lvs_method).toEqual(va.lvs_method);
    expect(vb.lvs_method).not.toBe(va.lvs_method); // (a check changing one never reaches the other)
    // recorded again for the next reload
    const c = parse(t1, b.blocks);
    expect(c.reusedHeaders).toBe(2);
    expectAsFresh(c, t1);
    expect(vsList(c)[0].lvs_method).not.toBe(vsList(b)[0].lvs_method); // (each replay its own copy)
  });

  it('reads an edited header, and one edited only after its kept blocks', () => {
    const t1 = head('10.1.1.1') + servers(4) + '}\n' + head('10.1.1.2') + servers(4) + '  quorum 2\n}\n';
    const a = parse(t1);
    const t2 = head('10.1.1.1', '  delay_loop 7\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n') + servers(4) + '}\n' + head('10.1.1.2') + servers(4) + '  quorum 3\n}\n';
    const b = parse(t2, a.blocks);
    expect(b.reusedHeaders).toBe(1); // (the second: its change is after its real servers)
    expectAsFresh(b, t2);
    expect(vsList(b)[0].delay_loop).toBe(7_000_000);
    expect(vsList(b)[1].quorum).toBe(3);
  });

  it('keeps what the header\'s lines leave for later order rules (sh-port after lb_algo sh)', () => {
    const t1 = head('10.1.1.1', '  lb_algo sh\n  lb_kind NAT\n  protocol TCP\n') + servers(3) + '  sh-port\n}\n';
    const a = parse(t1);
    expect(a.diagnostics).toEqual([]);
    const t2 = t1.replace('sh-port', 'sh-fallback');
    const b = parse(t2, a.blocks);
    expect(b.reusedHeaders).toBe(1);
    expect(b.diagnostics).toEqual([]);
    expectAsFresh(b, t2);
    expect(vsList(b)[0]['sh-fallback']).toBe(true);
  });

  it('records no header with a $definition, a comment-free include, or a diagnostic in it; a changed definition is read', () => {
    const inc = write('  delay_loop 9\n', 'part.conf');
    const cases = [
      `$DL=6\n${head('10.1.1.1', '  delay_loop $DL\n  lb_algo rr\n')}`,
      head('10.1.1.1', `  include ${inc}\n  lb_algo rr\n`),
      head('10.1.1.1', '  delay_loop 6\n  lb_algo rr\n  bogus 1\n'),
      head('10.1.1.1', '  delay_loop 6 # six\n  lb_algo rr\n'),
    ];
    for (const h of cases) expect({ h, n: parse(h + servers(2) + '}\n').blocks?.headers.size }).toEqual({ h, n: 0 });
    const t1 = cases[0] + servers(2) + '}\n';
    const a = parse(t1);
    const t2 = t1.replace('$DL=6', '$DL=8');
    const b = parse(t2, a.blocks);
    expect(b.reusedHeaders).toBe(0);
    expectAsFresh(b, t2);
    expect(vsList(b)[0].delay_loop).toBe(8_000_000);
  });

  it('replays a header in an included file, and where the lines moved', () => {
    const part = head('10.1.1.5') + servers(3) + '}\n';
    write(part, 'vs.conf');
    const main = `include ${join(dir, 'vs.conf')}\n`;
    const a = parse(main, undefined, 'main.conf');
    expect(a.blocks?.headers.size).toBe(1);
    write('\n\n' + part.replace('weight 1\n  }\n}', 'weight 4\n  }\n}'), 'vs.conf');
    const b = parse(main, a.blocks, 'main.conf');
    expect(b.reusedHeaders).toBe(1);
    expect(b.reused).toBe(2);
    expectAsFresh(b, main, 'main.conf');
  });

  it('reports a broken file after replayed headers and skipped runs at its line, and no extra brace', () => {
    const t1 = head('10.1.1.1') + servers(6) + '}\n' + head('10.1.1.2') + servers(6) + '}\n';
    const a = parse(t1);
    const t2 = head('10.1.1.1') + servers(6, { 2: 5 }) + '}\n' + head('10.1.1.2') + servers(6) + '}\nvirtual_server 10.1.1.3 80 {\n  lb_algo nonsense\n}\n}\n';
    const b = parse(t2, a.blocks);
    expect(b.reusedHeaders).toBe(2);
    expectAsFresh(b, t2);
    const lines = b.diagnostics.map((d) => [d.message, d.pos?.line]);
    expect(lines).toContainEqual(["Extra '}' found", 2 * (5 + 18 + 1) + 4]);
    expect(b.diagnostics.find((d) => d.keyword === 'lb_algo' || d.keyword === 'lvs_sched')?.pos?.line).toBe(2 * (5 + 18 + 1) + 2);
    expect(b.diagnostics).toHaveLength(2);
  });

  it('replays a header with its brace on a line of its own, written with CRLF line ends', () => {
    const h = 'virtual_server 10.1.1.1 80\n{\n  delay_loop 6\n  lb_algo rr\n';
    const t1 = (h + servers(4) + '}\n').replaceAll('\n', '\r\n');
    const a = parse(t1);
    expect(a.blocks?.headers.size).toBe(1);
    const t2 = (h + servers(4, { 2: 7 }) + '}\nvirtual_server 10.1.1.2 80 {\n  lb_algo nonsense\n}\n').replaceAll('\n', '\r\n');
    const b = parse(t2, a.blocks);
    expect(b.reusedHeaders).toBe(1);
    expectAsFresh(b, t2);
    expect(b.diagnostics.find((d) => d.keyword === 'lb_algo' || d.keyword === 'lvs_sched')?.pos?.line).toBe(4 + 12 + 1 + 2);
  });

  it('meets headers in the order of the last parse, and finds one out of order (removed, added, swapped)', () => {
    // (real servers of their own: the same text under two virtual servers would be handed back
    // under the wrong one after an insertion, and the parse fail over)
    const vsText = (n: number) => head(`10.1.2.${n}`) + [1, 2, 3].map((k) => rs(10 * n + k)).join('') + '}\n';
    const t1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map(vsText).join('');
    const a = parse(t1);
    expect(a.blocks?.headerOrder.length).toBe(12);
    // 3 removed, a new one before 6, 9 and 10 swapped, 12 before 1
    const t2 = [12, 1, 2, 4, 5, 20, 6, 7, 8, 10, 9, 11].map(vsText).join('');
    const b = parse(t2, a.blocks);
    expect(b.reusedHeaders).toBe(11);
    expectAsFresh(b, t2);
    expect(b.blocks?.headerOrder.map((h) => h.head)).toEqual([12, 1, 2, 4, 5, 20, 6, 7, 8, 10, 9, 11].map((n) => `virtual_server 10.1.2.${n} 80 {\n`));
    const c = parse(t1, b.blocks);
    expect(c.reusedHeaders).toBe(11); // (3 was not in the last one)
    expectAsFresh(c, t1);
  });

  it('a replayed header\'s parent signature is computed once, and again where a line after the kept blocks may change it', () => {
    let calls = 0;
    const p: ReusePolicy = { ...policy, parentSignature: (vs) => { calls++; return JSON.stringify([vs.addr, vs.port, vs.lvs_method]); } };
    const run = (text: string, previous?: BlockCache) => parseConfig(write(text), rootSchema, { positions: false, reuse: { policy: p, ...(previous ? { previous } : {}) } });
    const t1 = head('10.1.1.1') + servers(4) + '}\n' + head('10.1.1.2') + servers(4) + '}\n';
    const a = run(t1);
    expect(calls).toBe(2);
    const t2 = head('10.1.1.1') + servers(4, { 2: 3 }) + '}\n' + head('10.1.1.2') + servers(4, { 1: 5 }) + '}\n';
    const b = run(t2, a.blocks);
    expect(calls).toBe(4); // (replayed, computed and kept with the header)
    const c = run(t1, b.blocks);
    expect(calls).toBe(4);
    expect(c.reuseFailed).toBe(false);
    expect(c.reused).toBe(6);
    // a line after the real servers changes what the signature reads: computed, and the blocks
    // handed back under the other method make the parse fail over
    const t3 = head('10.1.1.1') + servers(4) + '  lb_kind DR\n}\n' + head('10.1.1.2') + servers(4) + '}\n';
    const d = run(t3, c.blocks);
    expect(calls).toBe(5);
    expect(d.reuseFailed).toBe(true);
    expect(vsList(d)[0].lvs_method).toEqual({ method: 'DR' });
  });

  it('without headers in the policy, records none', () => {
    const p: ReusePolicy = { ...policy, headers: undefined };
    const r = parseConfig(write(head('10.1.1.1') + servers(2) + '}\n'), rootSchema, { positions: false, reuse: { policy: p } });
    expect(r.blocks?.headers.size).toBe(0);
  });
});

describe('notes kept with a block for the next parse (ParseResult.note)', () => {
  it('hands a note to the next parse\'s reuseOf of the block that got its blocks back, and to no other', () => {
    const t1 = head('10.1.1.1') + servers(4) + '}\n' + head('10.1.1.2') + servers(4) + '}\n';
    const a = parse(t1);
    const [a1, a2] = vsList(a);
    expect(a.reuseOf(a1)).toBeUndefined(); // (nothing handed back in a first parse)
    a.note(a1, 'one');
    a.note(a2, 'two');
    // the second virtual server is another one now (address, real servers): nothing comes back to it
    const t2 = head('10.1.1.1') + servers(4, { 2: 9 }) + '}\n' + head('10.1.1.3') + [5, 6].map((h) => rs(h)).join('') + '}\n';
    const b = parse(t2, a.blocks);
    const [b1, b2] = vsList(b);
    const info = b.reuseOf(b1);
    expect(info?.previous).toBe(a1);
    expect(info?.note).toBe('one');
    expect(info?.fresh.map((r) => r.weight)).toEqual([9]);
    expect(b.reuseOf(b2)).toBeUndefined();
    // notes of this parse go with its blocks; one it did not make stays behind
    b.note(b1, 'one again');
    const c = parse(t2, b.blocks);
    expect(c.reuseOf(vsList(c)[0])?.note).toBe('one again');
    expect(c.reuseOf(vsList(c)[0])?.fresh).toEqual([]);
    const d = parse(t2, c.blocks);
    expect(d.reuseOf(vsList(d)[0])?.note).toBeUndefined();
  });
});

describe('whole blocks (a header-keyword block holding no kept block)', () => {
  const vrrp = (name: string, prio = 100) =>
    `vrrp_instance ${name} {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority ${prio}\n  virtual_ipaddress {\n    10.98.1.1/32\n    10.98.1.2/32 dev eth0\n  }\n}\n`;
  const vrrpPolicy: ReusePolicy = { ...policy, headers: new Set(['virtual_server', 'vrrp_instance']) };
  const vparse = (text: string, previous?: BlockCache) =>
    parseConfig(write(text, 'v.conf'), rootSchema, { positions: false, reuse: { policy: vrrpPolicy, ...(previous ? { previous } : {}) } });

  it('replays an unchanged vrrp_instance closed, as a copy, and reads a changed one', () => {
    const t1 = vrrp('VI_1') + vrrp('VI_2') + head('10.1.1.1') + servers(3) + '}\n';
    const a = vparse(t1);
    expect(a.blocks?.headers.size).toBe(3);
    const t2 = vrrp('VI_1') + vrrp('VI_2', 90) + head('10.1.1.1') + servers(3, { 2: 2 }) + '}\n';
    const b = vparse(t2, a.blocks);
    expect(b.reusedHeaders).toBe(2);
    const f = parseConfig(write(t2, 'v.conf'), rootSchema, { positions: false, reuse: { policy: vrrpPolicy } });
    expect(JSON.stringify(b.root)).toBe(JSON.stringify(f.root));
    expect(diags(b)).toEqual(diags(f));
    const vi = (r: ParseResult) => (r.root.vrrp_instance as RawObject[])[0];
    expect(vi(b)).not.toBe(vi(a));
    expect(vi(b).virtual_ipaddress).toEqual(vi(a).virtual_ipaddress);
    expect((vi(b).virtual_ipaddress as unknown[])[0]).not.toBe((vi(a).virtual_ipaddress as unknown[])[0]);
    expect((b.root.vrrp_instance as RawObject[])[1].priority).toBe(90);
    // read: VI_1's line, VI_2 (its line, `{`, 4 settings, virtual_ipaddress, `{`, 2 addresses,
    // `}`, `}`), the virtual_server line, the changed real server (4), its `}`
    expect(b.linesRead).toBe(1 + 12 + 1 + 4 + 1);
    // a diagnostic after a replayed block is at its line
    const t3 = t2 + 'virtual_server 10.1.1.9 80 {\n  lb_algo nonsense\n}\n';
    const c = vparse(t3, b.blocks);
    expect(c.reusedHeaders).toBe(3);
    expect(c.diagnostics.find((d) => d.keyword === 'lb_algo' || d.keyword === 'lvs_sched')?.pos?.line).toBe(2 * 10 + 5 + 9 + 1 + 2);
  });

  it('never replays a block holding a denied keyword (mayHold must see it)', () => {
    const nothingKept: ReusePolicy = { ...policy, keywords: new Set(), headers: new Set(['virtual_server']) };
    const p = (text: string, previous?: BlockCache) =>
      parseConfig(write(text, 'd.conf'), rootSchema, { positions: false, reuse: { policy: nothingKept, ...(previous ? { previous } : {}) } });
    // (weight denied here: a scalar, so nothing else keeps its block from being recorded)
    const weightDenied: ReusePolicy = { ...nothingKept, deny: new Set(['weight']) };
    const text = head('10.1.1.1') + servers(2) + '}\n';
    const a = parseConfig(write(text, 'd.conf'), rootSchema, { positions: false, reuse: { policy: weightDenied } });
    expect(a.blocks?.headers.size).toBe(0);
    const b = parseConfig(write(text, 'd.conf'), rootSchema, { positions: false, reuse: { policy: weightDenied, previous: a.blocks } });
    expect(b.reusedHeaders).toBe(0);
    expect(b.mayHold('weight')).toBe(true);
    // without it, the whole virtual_server (real servers too) is replayed
    const plain = head('10.1.1.1') + servers(2) + '}\n';
    const c = p(plain, p(plain).blocks);
    expect(c.reusedHeaders).toBe(1);
    expect(c.linesRead).toBe(1);
    expect(JSON.stringify(c.root)).toBe(JSON.stringify(p(plain).root));
  });
});

describe('runs found without reading a line', () => {
  it('hands back the run after a changed block and the run after a replayed header whole', () => {
    const t1 = head('10.1.1.1') + servers(30) + '}\n';
    const a = parse(t1);
    const t2 = head('10.1.1.1') + servers(30, { 1: 3, 17: 2 }) + '}\n';
    const b = parse(t2, a.blocks);
    expect(b.reused).toBe(28);
    expectAsFresh(b, t2);
    // read: the virtual_server line, the two changed blocks (their line, `{`, weight, `}`), its `}`
    expect(b.linesRead).toBe(1 + 2 * 4 + 1);
    expect(fresh(t2).linesRead).toBe(2 + 4 + 30 * 4 + 1);
    // the first blocks after a replayed header: found without reading their first line
    const t3 = head('10.1.1.1') + servers(30, { 1: 3, 17: 5 }) + '}\n';
    const c = parse(t3, b.blocks);
    expect(c.reused).toBe(29);
    expect(c.linesRead).toBe(1 + 4 + 1);
    expectAsFresh(c, t3);
    // the real servers 2-16 and 18-30: the previous objects
    for (const h of [2, 16, 18, 30]) expect((vsList(b)[0].real_server as RawObject[])[h - 1]).toBe((vsList(a)[0].real_server as RawObject[])[h - 1]);
    // blocks read anew join the segment before them: 1 (new), 2-16, 17 (new) + 18-30
    expect(b.blocks?.segs.first.length).toBe(3);
  });

  it('finds the run on each side of a changed block wherever it is, also in a text that is not ASCII', () => {
    for (const lead of ['', '# caf\u00e9 (UTF-8)\n']) {
      const t1 = lead + head('10.1.1.1') + servers(30) + '}\n';
      const a = parse(t1);
      for (let h = 1; h <= 30; h++) {
        // (a longer weight: the text after it moves by one character)
        const t2 = lead + head('10.1.1.1') + servers(30, { [h]: 10 }) + '}\n';
        const b = parse(t2, a.blocks);
        expect({ lead, h, reused: b.reused, lines: b.linesRead }).toEqual({ lead, h, reused: 29, lines: 1 + 4 + 1 });
        expectAsFresh(b, t2);
        for (const k of [1, h - 1, h + 1, 30]) {
          if (k >= 1 && k <= 30 && k !== h) expect((vsList(b)[0].real_server as RawObject[])[k - 1]).toBe((vsList(a)[0].real_server as RawObject[])[k - 1]);
        }
      }
    }
  });

  it('a file cut short inside a run: the blocks still there are handed back, the missing `}` reported as a fresh parse does', () => {
    const t1 = head('10.1.1.1') + servers(30) + '}\n';
    const a = parse(t1);
    const t2 = head('10.1.1.1') + servers(30, { 5: 2 }).slice(0, -20);
    const b = parse(t2, a.blocks);
    expect(b.reused).toBe(28);
    expectAsFresh(b, t2);
    expect(b.diagnostics.length).toBeGreaterThan(0);
  });
});
