// The start-up rehearsal's changed reload runs the reload paths of a change (a run of kept blocks
// ending early, fresh real servers checked against the previous aggregate) and leaves nothing.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { rehearseChangedReload, respaceRealServers, RESPACE_EVERY } from '../../../src/config/rehearse-reload.js';

describe('rehearseChangedReload', () => {
  it('reloads the made-up config with a change: every unchanged real server handed back, its folder removed', () => {
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('lvsd-rehearsal-')).length;
    // 4 x 24 real servers; 4 weights changed, 1 removed, 1 added: 96 - 4 - 1 handed back
    expect(rehearseChangedReload()).toBe(91);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('lvsd-rehearsal-')).length).toBe(before);
  });
});

describe('respaceRealServers', () => {
  const text = (n: number): string => {
    const out = ['! real_server in a comment\nvirtual_server 10.0.0.1 80 {\n'];
    for (let r = 0; r < n; r++) out.push(`  real_server 10.1.0.${r % 250} ${1000 + r} {\n    weight 1 # \u00e9\n  }\n`);
    return out.join('') + '}\n';
  };
  it('adds one space after the keyword of one real_server line in RESPACE_EVERY, the pick-th, and nothing else', () => {
    const src = Buffer.from(text(250), 'utf8');
    const r = respaceRealServers(src, 3);
    expect(r.edited).toBe(3); // lines 3, 103, 203
    const a = src.toString('utf8').split('\n');
    const b = r.bytes.toString('utf8').split('\n');
    expect(b.length).toBe(a.length);
    const changed = a.flatMap((l, i) => (l === b[i] ? [] : [[l, b[i]]]));
    expect(changed).toEqual([1003, 1103, 1203].map((p) => [`  real_server 10.1.0.${p - 1000} ${p} {`, `  real_server  10.1.0.${p - 1000} ${p} {`]));
    // another pick, other lines; a pick past the lines found wraps
    expect(respaceRealServers(src, 3 + RESPACE_EVERY).bytes.equals(r.bytes)).toBe(true);
    expect(respaceRealServers(src, 4).bytes.equals(r.bytes)).toBe(false);
  });
  it('with fewer lines than RESPACE_EVERY edits one; with none, none', () => {
    const r = respaceRealServers(Buffer.from(text(5)), 12);
    expect(r.edited).toBe(1);
    expect(r.bytes.toString()).toContain('  real_server  10.1.0.2 1002 {');
    const none = Buffer.from('global_defs {\n  router_id x\n}\n');
    expect(respaceRealServers(none, 0)).toEqual({ bytes: none, edited: 0 });
  });
});
