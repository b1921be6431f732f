// Structural rules of the keyword schema: the parser relies on each of them.
import { describe, expect, it } from 'vitest';
import { allBlocks, fieldOf, findKeyword, rootSchema } from '../../../grammar/schema/index.js';
import type { KeywordSpec } from '../../../grammar/schema/types.js';
import { renderKeywordReference } from '../../../grammar/schema/docs.js';

const everyKeyword = (): Array<{ path: string[]; k: KeywordSpec }> => {
  const out: Array<{ path: string[]; k: KeywordSpec }> = [];
  for (const { path, block } of allBlocks()) for (const k of block.keywords) out.push({ path, k });
  return out;
};
const where = (path: string[], k: KeywordSpec) => [...path, k.name].join(' > ');

describe('schema structure', () => {
  it('has no duplicate keyword or alias within a block', () => {
    const dups: string[] = [];
    for (const { path, block } of allBlocks()) {
      const seen = new Set<string>();
      for (const k of block.keywords)
        for (const w of [k.name, ...(k.aliases ?? [])]) {
          if (seen.has(w)) dups.push([...path, w].join(' > '));
          seen.add(w);
        }
    }
    expect(dups).toEqual([]);
  });

  it('gives each keyword one coherent shape (block, lines, flag, converter or arguments)', () => {
    const bad: string[] = [];
    for (const { path, k } of everyKeyword()) {
      const at = where(path, k);
      if (k.block && k.lines) bad.push(`${at}: block and lines`);
      if (k.flag && (k.block || k.lines || k.convert || k.args?.length)) bad.push(`${at}: flag with a value shape`);
      if (k.flagArg && !k.flag) bad.push(`${at}: flagArg without flag`);
      if (!k.block && !k.lines && !k.flag && !k.convert && !k.args?.length) bad.push(`${at}: no shape`);
      if (k.convert && k.args?.length && !k.block) bad.push(`${at}: both convert and args`);
      if (k.merge && !k.block) bad.push(`${at}: merge on a non-block keyword`);
      if (k.merge && k.repeatable) bad.push(`${at}: merge and repeatable`);
      if (k.block && k.block.keywords.length === 0) bad.push(`${at}: empty block`);
      const args = k.args ?? [];
      args.forEach((a, i) => {
        if (a.rest && i !== args.length - 1) bad.push(`${at}: rest argument ${a.name} not last`);
        if (!a.optional && args.slice(0, i).some((b) => b.optional)) bad.push(`${at}: required ${a.name} after an optional argument`);
      });
      if (args.length > 1 && args.some((a) => a.name === 'value')) bad.push(`${at}: 'value' must be the only argument`);
      if (new Set(args.map((a) => a.name)).size !== args.length) bad.push(`${at}: duplicate argument names`);
    }
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('names keywords of the same block in `after`', () => {
    const bad: string[] = [];
    for (const { path, block } of allBlocks())
      for (const k of block.keywords)
        if (k.after && !findKeyword(block, k.after.keyword)) bad.push(`${where(path, k)}: after ${k.after.keyword}`);
    expect(bad).toEqual([]);
  });

  it('states the support status with a reason', () => {
    const bad: string[] = [];
    for (const { path, k } of everyKeyword()) {
      const s = k.support;
      if (s.status === 'accepted' && !s.later.trim()) bad.push(`${where(path, k)}: accepted without later`);
      if (s.status === 'ignored' && !s.why.trim()) bad.push(`${where(path, k)}: ignored without why`);
      if (!k.doc.trim()) bad.push(`${where(path, k)}: no doc`);
      if (k.unknownToKeepalived !== undefined && !k.unknownToKeepalived.trim()) bad.push(`${where(path, k)}: empty unknownToKeepalived`);
      for (const d of Object.keys(k.deprecated ?? {}))
        if (d !== k.name && !(k.aliases ?? []).includes(d)) bad.push(`${where(path, k)}: deprecated spelling ${d} is neither name nor alias`);
    }
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('maps keywords of a block to distinct fields unless a spelling is declared as another (nb_get_retry)', () => {
    const shared: string[] = [];
    for (const { path, block } of allBlocks()) {
      const byField = new Map<string, string>();
      for (const k of block.keywords) {
        const f = fieldOf(k);
        const prev = byField.get(f);
        if (prev !== undefined && k.field === undefined) shared.push(`${[...path].join(' > ')}: ${prev} and ${k.name} -> ${f}`);
        byField.set(f, k.name);
      }
    }
    expect(shared).toEqual([]);
  });

  it('keeps defaults as plain data the parser can copy', () => {
    const bad: string[] = [];
    for (const { path, k } of everyKeyword()) {
      if (k.default === undefined) continue;
      if (JSON.stringify(structuredClone(k.default)) !== JSON.stringify(k.default)) bad.push(where(path, k));
    }
    expect(bad).toEqual([]);
    // the defaults the man page gives for the core keywords, in model units
    const vi = findKeyword(rootSchema, 'vrrp_instance')!.block!;
    // priority, state, lvs_sched and lvs_method carry no schema default: keepalived reacts to
    // whether they were written, and the config checks fill in 100/BACKUP/wlc/NAT afterwards.
    expect(findKeyword(vi, 'priority')!.default).toBeUndefined();
    expect(findKeyword(vi, 'state')!.default).toBeUndefined();
    expect(findKeyword(vi, 'advert_int')!.default).toBe(1_000_000);
    const vs = findKeyword(rootSchema, 'virtual_server')!.block!;
    expect(findKeyword(vs, 'delay_loop')!.default).toBe(60_000_000);
    expect(findKeyword(vs, 'connect_timeout')!.default).toBe(5_000_000);
    expect(findKeyword(vs, 'lb_algo')!.default).toBeUndefined();
    expect(findKeyword(vs, 'lb_kind')!.default).toBeUndefined();
    expect(findKeyword(vs, 'weight')!.default).toBe(1);
    // real server values inherit from the virtual server, so they carry no default of their own
    const rs = findKeyword(vs, 'real_server')!.block!;
    for (const k of rs.keywords) expect(k.default === undefined || k.block !== undefined, k.name).toBe(true);
  });

  it('parses a default-valued timer word into the default (model units agree with value types)', () => {
    const vi = findKeyword(rootSchema, 'vrrp_instance')!.block!;
    const adv = findKeyword(vi, 'advert_int')!;
    expect(adv.args![0].type.parse('1')).toEqual({ ok: true, value: adv.default });
    const vs = findKeyword(rootSchema, 'virtual_server')!.block!;
    const dl = findKeyword(vs, 'delay_loop')!;
    expect(dl.args![0].type.parse('60')).toEqual({ ok: true, value: dl.default });
    const vscript = findKeyword(rootSchema, 'vrrp_script')!.block!;
    const iv = findKeyword(vscript, 'interval')!;
    expect(iv.args![0].type.parse('1')).toEqual({ ok: true, value: iv.default });
  });

  it('finds keywords and aliases fast, and only in their own block', () => {
    const vi = findKeyword(rootSchema, 'vrrp_instance')!.block!;
    expect(findKeyword(vi, 'vmac_garp_intvl')?.name).toBe('garp_extra_if');
    expect(findKeyword(rootSchema, 'vrrp_track_file')?.name).toBe('track_file');
    expect(findKeyword(rootSchema, 'priority')).toBeUndefined();
    expect(findKeyword(vi, 'no_such_keyword')).toBeUndefined();
    const rs = findKeyword(findKeyword(rootSchema, 'virtual_server')!.block!, 'real_server')!.block!;
    const t0 = performance.now();
    let n = 0;
    for (let i = 0; i < 1_000_000; i++) if (findKeyword(rs, i & 1 ? 'weight' : 'TCP_CHECK')) n++;
    const ms = performance.now() - t0;
    expect(n).toBe(1_000_000);
    // a real server block has about 3 lines; 100,000 of them are 300,000 lookups
    expect(ms).toBeLessThan(250);
  });

  it('renders a keyword reference that lists every keyword once per block', () => {
    const md = renderKeywordReference();
    for (const { block } of allBlocks()) for (const k of block.keywords) expect(md, k.name).toContain(`| \`${k.name}\``);
    expect(md).toContain('## vrrp_instance › authentication');
    expect(md).toContain('`1000000`');
    expect(md.split('\n').length).toBeGreaterThan(450);
  });
});
