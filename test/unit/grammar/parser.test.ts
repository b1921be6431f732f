import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../grammar/parser.js';
import type { BlockSpec, KeywordSpec } from '../../../grammar/schema/types.js';
import { uint, string, seconds, ipPrefix, oneOf } from '../../../grammar/schema/values.js';
import { ErrClass, exitCodeFor } from '../../../grammar/diagnostics.js';

// A small schema of the parser's own, so these tests exercise the parser alone.
const ok = { status: 'supported' as const };
const inst: KeywordSpec = {
  name: 'vrrp_instance', args: [{ name: 'name', type: string }], repeatable: true, support: ok, doc: '',
  block: {
    keywords: [
      { name: 'state', args: [{ name: 'value', type: oneOf(['MASTER', 'BACKUP']) }], support: ok, doc: '' },
      { name: 'priority', args: [{ name: 'value', type: uint(1, 255) }], default: 100, support: ok, doc: '' },
      { name: 'advert_int', args: [{ name: 'value', type: seconds(0.01, 255) }], default: 1_000_000, support: ok, doc: '' },
      { name: 'nopreempt', flag: true, support: ok, doc: '' },
      { name: 'smtp_alert', flag: true, flagArg: true, support: { status: 'accepted', later: 'SMTP alerts' }, doc: '' },
      {
        name: 'virtual_ipaddress', support: ok, doc: '',
        lines: {
          name: 'address',
          convert(words, ctx) {
            const r = ipPrefix.parse(words[0].text);
            if (!r.ok) { ctx.report(r.cls, r.message, words[0]); return undefined; }
            return r.value;
          },
        },
      },
    ],
  },
};
const root: BlockSpec = {
  keywords: [
    { name: 'global_defs', merge: true, support: ok, doc: '', block: { keywords: [{ name: 'router_id', args: [{ name: 'value', type: string }], support: ok, doc: '' }] } },
    inst,
  ],
};

const dir = mkdtempSync(join(tmpdir(), 'lvsd-parser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function parse(text: string) {
  const f = join(dir, `c${n++}.conf`);
  writeFileSync(f, text);
  return parseConfig(f, root, { configId: 'x' });
}

describe('parseConfig', () => {
  it('builds objects, applies defaults, collects value blocks', () => {
    const r = parse('global_defs {\n router_id lb1\n}\nvrrp_instance VI_1 {\n state MASTER\n priority 150\n nopreempt\n virtual_ipaddress {\n  10.0.0.1/24\n  10.0.0.2\n }\n}\nvrrp_instance VI_2\n{\n}\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.root).toEqual({
      global_defs: { router_id: 'lb1' },
      vrrp_instance: [
        { name: 'VI_1', state: 'MASTER', priority: 150, nopreempt: true, advert_int: 1_000_000,
          virtual_ipaddress: [{ addr: '10.0.0.1', family: 4, prefix: 24 }, { addr: '10.0.0.2', family: 4, prefix: 32 }] },
        { name: 'VI_2', priority: 100, advert_int: 1_000_000 },
      ],
    });
    const vi = (r.root.vrrp_instance as object[])[0];
    expect(r.pos(r.at(vi)?.priority ?? -1)).toMatchObject({ line: 6, col: 2 });
    expect(r.pos(r.at(vi)?.$ ?? -1)).toMatchObject({ line: 4, col: 1 });
  });

  it('merges repeated global_defs blocks', () => {
    const r = parse('global_defs {\n router_id a\n}\nglobal_defs {\n}\n');
    expect(r.root.global_defs).toEqual({ router_id: 'a' });
  });

  it('reports bad values at their column and keeps the default', () => {
    const r = parse('vrrp_instance V {\n  priority 300\n  advert_int 0.0000001\n}\n');
    expect(r.diagnostics.map((d) => [d.pos?.line, d.pos?.col, d.cls, d.message, d.block])).toEqual([
      [2, 12, ErrClass.InvalidNumber, "number '300' outside range [1, 255]", 'vrrp_instance V'],
      [3, 14, ErrClass.InvalidNumber, "number '0.0000001' has too many decimal places", 'vrrp_instance V'],
    ]);
    expect((r.root.vrrp_instance as Array<Record<string, unknown>>)[0].priority).toBe(100);
    expect(exitCodeFor(r.diagnostics)).toBe(5);
  });

  it('reports unknown keywords and skips their block', () => {
    const r = parse('bogus_block {\n  state MASTER\n  inner {\n  }\n}\nvrrp_instance V {\n  bogus 1\n}\n');
    expect(r.diagnostics.map((d) => [d.pos?.line, d.message])).toEqual([
      [1, "Unknown keyword 'bogus_block'"],
      [7, "Unknown keyword 'bogus'"],
    ]);
    expect((r.root.vrrp_instance as unknown[]).length).toBe(1);
  });

  it('reports missing parameters and missing/extra braces', () => {
    const r = parse('vrrp_instance V {\n  priority\n}\n}\nvrrp_instance W\n  state BACKUP\n');
    const msgs = r.diagnostics.map((d) => d.message);
    expect(msgs[0]).toMatch(/missing a parameter after keyword `priority`/);
    expect(msgs).toContain("Extra '}' found");
    expect(msgs).toContain("Missing '{' at beginning of configuration block");
    expect(r.diagnostics.length).toBe(3);
  });

  it('warns once per accepted-but-unimplemented keyword without failing the config', () => {
    const r = parse('vrrp_instance A {\n smtp_alert\n}\nvrrp_instance B {\n smtp_alert false\n}\n');
    expect(r.diagnostics.length).toBe(1);
    expect(r.diagnostics[0].level).toBe('warning');
    expect(exitCodeFor(r.diagnostics)).toBe(0);
    expect((r.root.vrrp_instance as Array<Record<string, unknown>>)[1].smtp_alert).toBe(false);
  });

  it('handles braces on the keyword line, the next line, and one-line blocks', () => {
    const r = parse('vrrp_instance A { priority 5 }\nvrrp_instance B\n{\npriority 6\n}\n');
    expect(r.diagnostics).toEqual([]);
    expect((r.root.vrrp_instance as Array<Record<string, unknown>>).map((v) => v.priority)).toEqual([5, 6]);
  });
});
