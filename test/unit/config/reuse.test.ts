// A load that reuses the previous load's blocks (the daemon's reload) gives exactly what a full
// load of the same file gives — model, diagnostics with their file:line:col, exit code, passes —
// and never changes the previous model; unchanged real servers come back as the same objects.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfig, type LoadOptions, type LoadResult } from '../../../src/config/load.js';
import type { RealServer } from '../../../src/config/model.js';

const CORPUS = resolve(import.meta.dirname, '../../fixtures/config');
const dir = mkdtempSync(join(tmpdir(), 'lvsd-reuse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const system: LoadOptions['system'] = { hasInterface: (n) => n !== 'eth1' };

/** A deep copy that keeps symbol keys (the checks mark removed objects with one). */
function snapshot(v: unknown, seen = new Map<object, unknown>()): unknown {
  if (v === null || typeof v !== 'object') return v;
  const had = seen.get(v);
  if (had !== undefined) return had;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const x of v) out.push(snapshot(x, seen));
    return out;
  }
  const out: Record<string | symbol, unknown> = {};
  seen.set(v, out);
  for (const k of Reflect.ownKeys(v)) out[k] = snapshot((v as Record<string | symbol, unknown>)[k], seen);
  return out;
}

const view = (r: LoadResult) => ({ model: r.model, diagnostics: r.diagnostics, files: r.files, exitCode: r.exitCode, ok: r.ok, passes: r.passes });

/** Loads `text` as the file `name` (in the test directory) with the blocks of `prev`. */
function loadText(text: string, prev: LoadResult | undefined, name = 'keepalived.conf'): { inc: LoadResult; full: LoadResult } {
  const file = join(dir, name);
  writeFileSync(file, text);
  const before = prev ? snapshot(prev.model) : undefined;
  const inc = loadConfig(file, { system, reuse: prev?.blocks, keepBlocks: true });
  const full = loadConfig(file, { system });
  expect(view(inc)).toEqual(view(full));
  expect(snapshot(inc.model)).toEqual(snapshot(full.model)); // symbol keys too
  if (prev) expect(snapshot(prev.model)).toEqual(before);
  return { inc, full };
}

// ---- generated configs ----

interface Rs { host: number; port: number | null; weight: number | null; method: string | null; check: 'none' | 'tcp' | 'http' | 'misc'; comment: boolean; def: boolean; braceNext: boolean }
interface Vs { kind: 'ip' | 'fwmark' | 'group'; port: number; lbKind: string | null; protocol: boolean; sorry: boolean; rs: Rs[] }

// mostly clean configs (a load a check complains about keeps no blocks), with the things reuse
// must see through: comments, $definitions, braces on their own line, MISC_CHECK, methods, ports
const rsArb: fc.Arbitrary<Rs> = fc.record({
  host: fc.oneof({ arbitrary: fc.constant(0), weight: 9 }, { arbitrary: fc.integer({ min: 1, max: 9 }), weight: 1 }), // 0: its place in the list
  port: fc.constantFrom(8080, 8080, 80, null),
  weight: fc.constantFrom(1, 1, 2, 3, null),
  method: fc.constantFrom(null, null, null, null, null, null, null, 'NAT', 'DR'),
  check: fc.constantFrom('none', 'tcp', 'tcp', 'tcp', 'http', 'misc'),
  comment: fc.constantFrom(false, false, false, true),
  def: fc.constantFrom(false, false, false, true),
  braceNext: fc.constantFrom(false, false, false, true),
});
const vsArb: fc.Arbitrary<Vs> = fc.record({
  kind: fc.constantFrom('ip', 'ip', 'ip', 'ip', 'ip', 'fwmark', 'group'),
  port: fc.constantFrom(80, 8080),
  lbKind: fc.constantFrom('NAT', 'NAT', 'NAT', 'NAT', 'NAT', 'NAT', 'NAT', 'NAT', 'DR', null),
  protocol: fc.constantFrom(true, true, true, true, true, true, true, true, true, false),
  sorry: fc.constantFrom(false, false, true),
  rs: fc.array(rsArb, { minLength: 1, maxLength: 8 }),
});

/** tidy: what a check would complain about is left out (no blocks are kept from such a load) */
function render(list: Vs[], tidy = false): string {
  const out: string[] = ['$W=3', 'global_defs {', '  router_id gen', '  enable_script_security', '  script_user root', '}', 'virtual_server_group G1 {', '  10.9.0.1 80', '}'];
  list.forEach((vs, v) => {
    const head = vs.kind === 'ip' ? `virtual_server 10.8.0.${v + 1} ${vs.port}` : vs.kind === 'fwmark' ? `virtual_server fwmark ${v + 1}` : 'virtual_server group G1';
    out.push(`${head} {`, '  delay_loop 60', '  lb_algo wlc');
    if (vs.lbKind || tidy) out.push(`  lb_kind ${tidy && vs.kind === 'fwmark' ? 'NAT' : vs.lbKind ?? 'NAT'}`);
    if ((vs.protocol || tidy) && vs.kind !== 'fwmark') out.push('  protocol TCP');
    if (vs.sorry) out.push('  sorry_server 10.7.0.1 80');
    vs.rs.forEach((rs, k) => {
      const h = `  real_server 10.0.${v}.${rs.host || k + 10}${rs.port === null ? '' : ` ${rs.port}`}`;
      if (rs.braceNext) out.push(h, '  {');
      else out.push(`${h} {`);
      if (rs.comment) out.push('    # a comment');
      if (rs.weight !== null) out.push(`    weight ${rs.def ? '$W' : rs.weight}`);
      if (rs.method && !(tidy && rs.method === 'DR')) out.push(`    lvs_method ${rs.method}`);
      if (rs.check === 'tcp') out.push('    TCP_CHECK {', '      connect_timeout 3', '    }');
      if (rs.check === 'http') out.push('    HTTP_GET {', '      url {', '        path /', '        status_code 200', '      }', '    }');
      if (rs.check === 'misc') out.push('    MISC_CHECK {', '      misc_path /bin/true', '    }');
      out.push('  }');
    });
    out.push('}');
  });
  return `${out.join('\n')}\n`;
}

// (each edit is total: on a file deleted down to no line, an edit at a line leaves it as it is;
// `at % 0` once indexed nothing and put `undefined` lines in)
type Edit = (lines: string[]) => string[];
const INSERTS = ['', '# note', '  weight 4', '}', '  delay_loop 9', '  quorum 2', '  persistence_timeout 30', '  lb_algo rr', '  real_server 10.0.0.99 8080 {\n    weight 1\n  }', 'bogus_keyword 1', '$W=5', '@lb1 weight 7', '  lb_kind DR', '  protocol UDP', '    weight x',
  // what the script checks walk every real server for (skipped when the parse stored none)
  '    notify_up /bin/true', '    notify_down /bin/false', '  quorum 7', '  hysteresis 1', '    weight 0', '    MISC_CHECK {\n      misc_path /bin/true\n      user nosuchuser_lvsd\n    }'];
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 9 })).map(([at, n]): Edit => (lines) => {
    // change a number on a line
    if (lines.length === 0) return lines;
    const i = at % lines.length;
    return lines.map((l, k) => (k === i ? l.replace(/\d+/, String(n)) : l));
  }),
  fc.tuple(fc.nat(), fc.constantFrom(...INSERTS)).map(([at, ins]): Edit => (lines) => {
    const i = at % (lines.length + 1);
    return [...lines.slice(0, i), ...ins.split('\n'), ...lines.slice(i)];
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3 })).map(([at, n]): Edit => (lines) => {
    if (lines.length === 0) return lines;
    const i = at % lines.length;
    return [...lines.slice(0, i), ...lines.slice(i + n)];
  }),
  fc.nat().map((at): Edit => (lines) => {
    if (lines.length === 0) return lines;
    const i = at % lines.length;
    return [...lines.slice(0, i + 1), lines[i], ...lines.slice(i + 1)];
  }),
  fc.nat().map((at): Edit => (lines) => {
    if (lines.length === 0) return lines;
    const i = at % Math.max(lines.length - 1, 1);
    const out = lines.slice();
    [out[i], out[i + 1]] = [out[i + 1] ?? '', out[i]];
    return out;
  }),
);
const applyEdits = (text: string, edits: Edit[]): string => {
  let lines = text.replace(/\n$/, '').split('\n');
  for (const e of edits) lines = e(lines);
  return `${lines.join('\n')}\n`;
};

describe('reload reuse on generated configs', () => {
  it('a chain of edited reloads gives what a full load gives, without touching the earlier models', () => {
    let reusedTotal = 0;
    let cleanFirst = 0;
    fc.assert(
      fc.property(fc.array(vsArb, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.array(fc.array(editArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }), (list, tidy, steps) => {
        let text = render(list, tidy);
        let prev = loadText(text, undefined).inc;
        if (prev.blocks) cleanFirst++;
        for (const edits of steps) {
          text = applyEdits(text, edits);
          const { inc } = loadText(text, prev);
          reusedTotal += inc.reused;
          // a refused reload keeps the running model and its blocks (as the daemon does)
          if (inc.ok) prev = inc;
        }
      }),
      { numRuns: 300 },
    );
    expect(cleanFirst).toBeGreaterThan(100); // loads that kept blocks
    expect(reusedTotal).toBeGreaterThan(500); // the property ran through the reuse path // the property ran through the reuse path
  });

  it('gives back an unchanged real server as the same object, also below inserted lines', () => {
    const list: Vs[] = [0, 1].map(() => ({
      kind: 'ip', port: 80, lbKind: 'NAT', protocol: true, sorry: false,
      rs: [1, 2, 3].map((host) => ({ host, port: 8080, weight: 1, method: null, check: 'tcp', comment: false, def: false, braceNext: false })),
    }));
    const text = render(list);
    const a = loadText(text, undefined).inc;
    expect(a.blocks?.length).toBe(6);
    // 10.0.1.2 changes weight; three lines go in at the top
    const edited = `! one\n! two\n! three\n${text.replace('real_server 10.0.1.2 8080 {\n    weight 1', 'real_server 10.0.1.2 8080 {\n    weight 2')}`;
    const { inc: b } = loadText(edited, a);
    const rs = (r: LoadResult, v: number): RealServer[] => r.model.virtual_server?.[v].real_server ?? [];
    expect(b.reused).toBe(5);
    expect(rs(b, 0).map((x, i) => x === rs(a, 0)[i])).toEqual([true, true, true]);
    expect(rs(b, 1).map((x, i) => x === rs(a, 1)[i])).toEqual([true, false, true]);
    expect(rs(b, 1)[1].weight).toBe(2);
    expect(b.model.virtual_server?.[0]).not.toBe(a.model.virtual_server?.[0]);
    // an error below the reused blocks points at its line in the new file
    const broken = `${edited}virtual_server 10.8.0.9 80 {\n  lb_algo nope\n}\n`;
    const { inc: c } = loadText(broken, b);
    expect(c.ok).toBe(false);
    const bad = c.diagnostics.find((d) => /lvs_scheduler|nope/.test(d.message));
    expect(bad?.pos?.line).toBe(broken.split('\n').indexOf('  lb_algo nope') + 1);
  });

  it('reads every real server again when its virtual server changed', () => {
    const list: Vs[] = [{
      kind: 'ip', port: 80, lbKind: 'NAT', protocol: true, sorry: false,
      rs: [1, 2].map((host) => ({ host, port: 80, weight: 1, method: null, check: 'tcp', comment: false, def: false, braceNext: false })),
    }];
    const text = render(list);
    const a = loadText(text, undefined).inc;
    const { inc: b } = loadText(text.replace('lb_kind NAT', 'lb_kind DR'), a);
    expect(b.reused).toBe(0);
    expect(b.model.virtual_server?.[0].real_server?.[0].lvs_method).toEqual({ method: 'DR' });
    expect(a.model.virtual_server?.[0].real_server?.[0].lvs_method).toEqual({ method: 'NAT' });
    // a setting its real servers' checks do not read: they come back
    const { inc: c } = loadText(text.replace('delay_loop 60', 'delay_loop 30'), a);
    expect(c.reused).toBe(2);
    expect(c.model.virtual_server?.[0].real_server?.[1]).toBe(a.model.virtual_server?.[0].real_server?.[1]);
    expect(c.model.virtual_server?.[0].delay_loop).toBe(30_000_000);
  });

  it('checks the scripts a reload adds to a config that had none: notify_up, MISC_CHECK, in an include', () => {
    // without enable_script_security: one script anywhere is the SECURITY VIOLATION error
    const plain = (rs: string) => `global_defs {\n  router_id x\n}\nvirtual_server 10.8.0.1 80 {\n  lb_algo wlc\n  lb_kind NAT\n  protocol TCP\n${rs}}\n`;
    const server = (host: number, extra = '') => `  real_server 10.0.0.${host} 80 {\n    weight 1\n${extra}    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`;
    const base = plain(server(1) + server(2) + server(3));
    const a = loadText(base, undefined).inc;
    expect(a.ok).toBe(true);
    expect(a.blocks?.length).toBe(3);
    const security = (r: LoadResult) => r.diagnostics.filter((d) => /SECURITY VIOLATION/.test(d.message)).length;
    for (const extra of ['    notify_up /bin/true\n', '    notify_down /bin/true\n', '    MISC_CHECK {\n      misc_path /bin/true\n    }\n']) {
      const { inc } = loadText(plain(server(1) + server(2, extra) + server(3)), a);
      expect(inc.ok).toBe(false);
      expect(security(inc)).toBe(1);
    }
    // a MISC_CHECK for a user that does not exist is removed (the config stays good)
    const secure = (rs: string) => plain(rs).replace('  router_id x\n', '  router_id x\n  enable_script_security\n  script_user root\n');
    const s0 = loadText(secure(server(1) + server(2)), undefined).inc;
    const { inc: s1 } = loadText(secure(server(1) + server(2, '    MISC_CHECK {\n      misc_path /bin/true\n      user nosuchuser_lvsd\n    }\n')), s0);
    expect(s1.diagnostics.some((d) => /no user or group 'nosuchuser_lvsd'/.test(d.message))).toBe(true);
    expect((s1.model.virtual_server?.[0].real_server?.[1] as Record<string, unknown>).MISC_CHECK).toEqual([]); // pruned
    // the same through an include whose text changed (the main file is the same)
    writeFileSync(join(dir, 'rs.inc'), server(3));
    const withInc = plain(`${server(1)}include ${join(dir, 'rs.inc')}\n`);
    const i0 = loadText(withInc, undefined).inc;
    expect(i0.ok).toBe(true);
    writeFileSync(join(dir, 'rs.inc'), server(3, '    notify_up /bin/true\n'));
    const { inc: i1 } = loadText(withInc, i0);
    expect(security(i1)).toBe(1);
  });

  it('hands back every unchanged real server of a long run and none of the changed ones (any changed positions)', () => {
    const N = 40;
    const text = (changed: ReadonlySet<number>) => render([{
      kind: 'ip', port: 80, lbKind: 'NAT', protocol: true, sorry: false,
      rs: Array.from({ length: N }, (_, k) => ({ host: 0, port: 8080, weight: changed.has(k) ? 2 : 1, method: null, check: 'tcp' as const, comment: false, def: false, braceNext: false })),
    }]);
    const a = loadText(text(new Set()), undefined).inc;
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(N - 1), { maxLength: 6 }), (at) => {
        const { inc } = loadText(text(new Set(at)), a);
        const rs = inc.model.virtual_server?.[0].real_server ?? [];
        expect(inc.reused).toBe(N - at.length);
        expect(rs.map((x, k) => (x === a.model.virtual_server?.[0].real_server?.[k] ? 1 : x.weight === 2 && at.includes(k) ? 2 : 0))).toEqual(
          Array.from({ length: N }, (_, k) => (at.includes(k) ? 2 : 1)));
      }),
      { numRuns: 60 },
    );
  });

  it('checks what a reload changes among handed-back real servers: weights (quorum), duplicates, removed, added, in an include', () => {
    const server = (host: number, weight = 2, port = 80) => `  real_server 10.0.0.${host} ${port} {\n    weight ${weight}\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`;
    const conf = (rs: string, vsExtra = '  quorum 6\n') => `global_defs {\n  router_id x\n}\nvirtual_server 10.8.0.1 80 {\n  lb_algo wlc\n  lb_kind NAT\n  protocol TCP\n${vsExtra}${rs}}\n`;
    const quorumWarning = (r: LoadResult) => r.diagnostics.some((d) => /quorum 6 .* exceeds total weight/.test(d.message));
    const duplicated = (r: LoadResult) => r.diagnostics.some((d) => /is duplicated - removing second rs/.test(d.message));
    const all = [1, 2, 3, 4, 5].map((h) => server(h));
    const a = loadText(conf(all.join('')), undefined).inc; // weight 10 >= quorum 6
    expect(a.ok && !quorumWarning(a)).toBe(true);
    const cases: Array<[string, string, (r: LoadResult) => boolean]> = [
      ['weights lowered (sum 4)', conf([server(1), server(2), server(3, 0), server(4, 0), server(5, 0)].join('')), quorumWarning],
      ['servers removed (sum 4)', conf([all[0], all[4]].join('')), quorumWarning],
      ['one removed, one changed (sum 6, no warning)', conf([all[0], all[1], server(3, 1), server(4, 1)].join('')), (r) => !quorumWarning(r) && r.reused === 2],
      ['one changed, three removed (sum 3)', conf([all[0], server(2, 1)].join('')), quorumWarning],
      ['a duplicate of a handed-back one, another removed', conf([all[0], all[1], all[2], all[3], server(1, 5)].join('')), duplicated],
      ['a new HTTP_GET without a url', conf([...all, '  real_server 10.0.0.9 80 {\n    weight 2\n    HTTP_GET {\n      connect_timeout 3\n    }\n  }\n'].join('')), (r) => r.diagnostics.some((d) => /HTTP_GET checker has no urls/.test(d.message))],
      ['a new IPv6 real server', conf([...all, '  real_server fd00::9 80 {\n    weight 2\n  }\n'].join('')), (r) => r.diagnostics.some((d) => /Address family of virtual server and real server fd00::9/.test(d.message))],
      ['a duplicate after the handed-back one', conf([...all, server(3, 5)].join('')), duplicated],
      ['a duplicate before the handed-back one', conf([server(4, 5), ...all].join('')), duplicated],
      ['two new ones, duplicates of each other', conf([...all, server(7), server(7, 3)].join('')), duplicated],
      ['the same address on another port: no duplicate', conf([...all, server(3, 2, 81)].join('')), (r) => r.ok && r.reused === 5],
      ['one added (sum 12 < quorum 13)', conf([...all, server(6)].join(''), '  quorum 13\n'), (r) => r.diagnostics.some((d) => /quorum 13 .* exceeds total weight of real servers 12/.test(d.message))],
      ['hysteresis >= quorum', conf(all.join(''), '  quorum 6\n  hysteresis 6\n'), (r) => r.diagnostics.some((d) => /hysteresis 6 >= quorum 6/.test(d.message))],
      ['a weight changed and another server moved (sum 9)', conf([all[1], server(1, 1), ...all.slice(2)].join('')), (r) => r.ok && r.reused === 4],
    ];
    for (const [what, text, expected] of cases) {
      const { inc } = loadText(text, a);
      expect(expected(inc), what).toBe(true);
      // and a reload from there back to the first file
      if (inc.ok) loadText(conf(all.join('')), inc);
    }
    // a chain: each reload checks against what the last one kept
    let prev = a;
    for (const w of [1, 0, 0, 0]) {
      const text = conf([server(1, w), server(2, w), ...all.slice(2)].join(''));
      const { inc } = loadText(text, prev);
      if (inc.ok) prev = inc;
    }
    // through an include whose text changed
    writeFileSync(join(dir, 'w.inc'), server(5));
    const withInc = conf(`${all.slice(0, 4).join('')}include ${join(dir, 'w.inc')}\n`, '  quorum 10\n');
    const i0 = loadText(withInc, undefined).inc;
    expect(i0.ok).toBe(true);
    writeFileSync(join(dir, 'w.inc'), server(5, 1));
    expect(quorumWarning(loadText(withInc, i0).inc) || loadText(withInc, i0).inc.diagnostics.some((d) => /quorum 10 .* total weight of real servers 9/.test(d.message))).toBe(true);
  });

  it('one host on several ports: a changed, duplicated, added or removed port checks as a full load', () => {
    const server = (host: number, port: number, weight = 2) => `  real_server 10.0.0.${host} ${port} {\n    weight ${weight}\n  }\n`;
    const conf = (rs: string[]) => `virtual_server 10.8.0.1 80 {\n  lb_algo wlc\n  lb_kind NAT\n  protocol TCP\n  quorum 7\n${rs.join('')}}\n`;
    const base = [server(1, 80), server(1, 81), server(1, 82), server(2, 80)];
    const a = loadText(conf(base), undefined).inc;
    expect(a.ok).toBe(true);
    const duplicated = (r: LoadResult) => r.diagnostics.some((d) => /real server 10.0.0.1:82 is duplicated/.test(d.message));
    const quorum = (r: LoadResult) => r.diagnostics.some((d) => /quorum 7 .* exceeds total weight of real servers 5/.test(d.message));
    const cases: Array<[string, string[], (r: LoadResult) => boolean]> = [
      ['a weight changed on one port', [base[0], server(1, 81, 5), base[2], base[3]], (r) => r.ok && r.reused === 3],
      ['a port duplicated', [...base, server(1, 82, 3)], duplicated],
      ['a port added', [...base, server(1, 83)], (r) => r.ok && r.reused === 4],
      ['a port removed, another changed (sum 5)', [base[0], server(1, 81, 1), base[3]], quorum],
      ['two ports of the host changed, one to the other\'s port', [server(1, 81, 1), server(1, 81, 3), base[2], base[3]], (r) => r.diagnostics.some((d) => /10.0.0.1:81 is duplicated/.test(d.message))],
    ];
    for (const [what, rs, expected] of cases) {
      const { inc } = loadText(conf(rs), a);
      expect(expected(inc), what).toBe(true);
      if (inc.ok) loadText(conf(base), inc);
    }
  });

  it('a chain of reloads that change, move, add, remove and duplicate real servers checks as a full load', () => {
    type S = { host: number; weight: number; port: number };
    const server = (r: S) => `  real_server 10.0.0.${r.host} ${r.port} {\n    weight ${r.weight}\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`;
    const conf = (list: S[], quorum: number) => `global_defs {\n  router_id x\n}\nvirtual_server 10.8.0.1 80 {\n  lb_algo wlc\n  lb_kind NAT\n  protocol TCP\n  quorum ${quorum}\n${list.map(server).join('')}}\n`;
    const sArb = fc.record({ host: fc.integer({ min: 1, max: 9 }), weight: fc.integer({ min: 0, max: 4 }), port: fc.constantFrom(80, 80, 80, 81) });
    type Op = (l: S[]) => S[];
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.tuple(fc.nat(), fc.integer({ min: 0, max: 4 })).map(([i, w]): Op => (l) => l.map((r, k) => (k === i % l.length ? { ...r, weight: w } : r))),
      fc.tuple(fc.nat(), fc.nat()).map(([i, j]): Op => (l) => {
        const out = l.slice();
        const [r] = out.splice(i % l.length, 1);
        out.splice(j % (out.length + 1), 0, r);
        return out;
      }),
      fc.nat().map((i): Op => (l) => (l.length > 1 ? l.filter((_, k) => k !== i % l.length) : l)),
      fc.tuple(fc.nat(), sArb).map(([i, r]): Op => (l) => [...l.slice(0, i % (l.length + 1)), r, ...l.slice(i % (l.length + 1))]),
      fc.tuple(fc.nat(), fc.nat()).map(([i, j]): Op => (l) => [...l.slice(0, j % (l.length + 1)), l[i % l.length], ...l.slice(j % (l.length + 1))]),
    );
    let reused = 0;
    fc.assert(
      fc.property(fc.uniqueArray(sArb, { minLength: 1, maxLength: 6, selector: (r) => `${r.host} ${r.port}` }), fc.integer({ min: 1, max: 12 }),
        fc.array(fc.array(opArb, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 6 }), (first, quorum, steps) => {
          let list = first;
          let prev = loadText(conf(list, quorum), undefined).inc;
          for (const ops of steps) {
            for (const op of ops) list = op(list);
            const { inc } = loadText(conf(list, quorum), prev);
            reused += inc.reused;
            if (inc.ok) prev = inc;
          }
        }),
      { numRuns: 400 },
    );
    expect(reused).toBeGreaterThan(500); // the property ran through the reuse path
  });

  it('never hands one object back twice (the same block written twice)', () => {
    const vs = render([{ kind: 'ip', port: 80, lbKind: 'NAT', protocol: true, sorry: false, rs: [{ host: 1, port: 80, weight: 1, method: null, check: 'tcp', comment: false, def: false, braceNext: false }] }]);
    const a = loadText(vs, undefined).inc;
    const twice = `${vs}${vs.slice(vs.indexOf('virtual_server 10.8'))}`;
    const { inc: b } = loadText(twice, a);
    const all = (b.model.virtual_server ?? []).flatMap((v) => v.real_server ?? []);
    expect(all.length).toBe(2);
    expect(all[0]).not.toBe(all[1]);
    expect(b.reused).toBe(1);
  });

  it('keeps no blocks when a check complained, and none unless asked (a one-shot load: -t)', () => {
    const ok = render([{ kind: 'ip', port: 80, lbKind: 'NAT', protocol: true, sorry: false, rs: [{ host: 1, port: 80, weight: 1, method: null, check: 'tcp', comment: false, def: false, braceNext: false }] }]);
    expect(loadText(ok, undefined).inc.blocks?.length).toBe(1);
    expect(loadText(ok, undefined).full.blocks).toBeUndefined();
    expect(loadConfig(join(dir, 'keepalived.conf')).blocks).toBeUndefined(); // (-t)
    expect(loadConfig(join(dir, 'keepalived.conf'), { keepBlocks: true }).blocks?.length).toBe(1); // (the daemon's first load)
    expect(loadText(ok.replace('  protocol TCP\n', ''), undefined).inc.blocks).toBeUndefined(); // "no protocol set"
  });
});

// ---- the corpus under test/fixtures/config ----

const corpus = readdirSync(CORPUS).filter((f) => f.endsWith('.conf')).sort().map((f) => readFileSync(join(CORPUS, f), 'utf8').replaceAll('${_PWD}', CORPUS));

describe('reload reuse on the fixture corpus', () => {
  it('has a corpus', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
  });

  it('every corpus file, edited at random, reloads as a full load reads it', () => {
    fc.assert(
      fc.property(fc.nat(corpus.length - 1), fc.array(editArb, { minLength: 1, maxLength: 3 }), (i, edits) => {
        // (includes name the corpus directory through ${_PWD}, replaced above)
        const prev = loadText(corpus[i], undefined).inc;
        loadText(applyEdits(corpus[i], edits), prev);
      }),
      { numRuns: 300 },
    );
  });
});
