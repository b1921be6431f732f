import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigReader } from '../../../grammar/reader.js';
import type { Diagnostic } from '../../../grammar/diagnostics.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function files(spec: Record<string, string>): string {
  for (const [name, text] of Object.entries(spec)) {
    const p = join(dir, name);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
  }
  return join(dir, Object.keys(spec)[0]);
}

function read(main: string, configId = 'node1') {
  const diags: Diagnostic[] = [];
  const r = new ConfigReader(main, { configId, report: (d) => diags.push(d) });
  const lines: string[] = [];
  const where: string[] = [];
  for (let l = r.next(), n = 0; l && n < 10_000; l = r.next(), n++) {
    lines.push(r.lineText(l));
    where.push(`${r.files[l.fileId].slice(dir.length + 1)}:${l.line}:${l.col}`);
  }
  return { lines, where, diags, open: r.openBlocks };
}

describe('ConfigReader', () => {
  it('strips comments, splits braces onto their own lines, keeps columns', () => {
    const m = files({ 'a.conf': 'global_defs {   # comment\n  router_id  r1 ! other\n\n}\nvrrp_instance X { state MASTER }\n' });
    const r = read(m);
    expect(r.lines).toEqual(['global_defs', '{', 'router_id  r1', '}', 'vrrp_instance X', '{', 'state MASTER', '}']);
    expect(r.where.slice(0, 3)).toEqual(['a.conf:1:1', 'a.conf:1:13', 'a.conf:2:3']);
    expect(r.where[6]).toBe('a.conf:5:19');
    expect(r.open).toBe(0);
  });

  it('keeps # and ! inside quotes and with a backslash escape', () => {
    const m = files({ 'q.conf': 'notify "/bin/x #1 !2" # c\nword a\\#b\n' });
    expect(read(m).lines).toEqual(['notify "/bin/x #1 !2"', 'word a#b']);
  });

  it('reports an extra closing brace and counts missing ones', () => {
    const m = files({ 'b.conf': 'a {\n}\n}\nb {\nc {\n' });
    const r = read(m);
    expect(r.diags.map((d) => d.message)).toContain("Extra '}' found");
    expect(r.open).toBe(2);
  });

  it('includes files relative to the including file, with globs in sorted order', () => {
    const m = files({
      'inc/main.conf': 'first\ninclude sub/*.conf\nlast\n',
      'inc/sub/b.conf': 'from_b\n',
      'inc/sub/a.conf': 'from_a\ninclude ../leaf.conf\n',
      'inc/leaf.conf': 'leaf\n',
    });
    const r = read(m);
    expect(r.lines).toEqual(['first', 'from_a', 'leaf', 'from_b', 'last']);
    expect(r.where[2]).toBe('inc/leaf.conf:1:1');
  });

  it('include of a missing file is silent, includem of it is an error, includew of an empty glob is an error', () => {
    const m = files({ 'm/main.conf': 'include nothere.conf\nincludem nothere.conf\ninclude none/*.x\nincludew *.none\nx\n' });
    const r = read(m);
    const errs = r.diags.filter((d) => d.level === 'error').map((d) => d.message);
    expect(errs).toEqual(["Config files missing 'nothere.conf'.", "No config files matched '*.none'."]);
    expect(r.lines).toEqual(['x']);
  });

  it('rejects an include cycle', () => {
    const m = files({ 'cy/a.conf': 'a1\ninclude b.conf\na2\n', 'cy/b.conf': 'b1\ninclude a.conf\n' });
    const r = read(m);
    expect(r.lines).toEqual(['a1', 'b1', 'a2']);
    expect(r.diags.some((d) => d.level === 'error' && /include cycle/.test(d.message))).toBe(true);
  });

  it('skips executable include files as keepalived does', () => {
    const m = files({ 'ex/main.conf': 'includer x.conf\nok\n', 'ex/x.conf': 'hidden\n' });
    chmodSync(join(dir, 'ex/x.conf'), 0o755);
    const r = read(m);
    expect(r.lines).toEqual(['ok']);
    expect(r.diags[0].message).toMatch(/not a regular non-executable file/);
    expect(r.diags[0].level).toBe('error');
  });

  it('selects @id and @^id lines by config id', () => {
    const m = files({ 'c.conf': '@node1 priority 150\n@node2 priority 100\n@^node1 state BACKUP\n@^node2 state MASTER\n@node1\n' });
    expect(read(m, 'node1').lines).toEqual(['priority 150', 'state MASTER']);
    expect(read(m, 'node2').lines).toEqual(['priority 100', 'state BACKUP']);
  });

  it('expands $NAME and ${NAME}, recursively, at use time', () => {
    const m = files({ 'd.conf': '$IF=eth0\n$DEV=dev $IF\nip 10.0.0.1 $DEV\n$IF=eth1\nip 10.0.0.2 ${DEV}\nkeep $UNKNOWN\nx ${_HASH}y\n' });
    const r = read(m);
    expect(r.lines).toEqual(['ip 10.0.0.1 dev eth0', 'ip 10.0.0.2 dev eth1', 'keep $UNKNOWN', 'x']);
  });

  it('expands a multi-line definition into several lines', () => {
    const m = files({ 'ml.conf': '$BLOCK=a 1 \\\n  b 2 \\\n  c 3\nstart\n$BLOCK\nend\n' });
    expect(read(m).lines).toEqual(['start', 'a 1', 'b 2', 'c 3', 'end']);
  });

  it('provides ${_INSTANCE}, ${_PWD} and ${_RANDOM min max}', () => {
    const m = files({ 'p/std.conf': 'id ${_INSTANCE}\npwd ${_PWD}\nr ${_RANDOM 5 5}\n' });
    expect(read(m, 'lb7').lines).toEqual(['id lb7', `pwd ${join(dir, 'p')}`, 'r 5']);
  });

  it('replicates lines with ~SEQ, ~SEQx and ~LST', () => {
    const m = files({ 's.conf': '~SEQ(i, 3) rs 10.0.0.$i\n~SEQ(j, 10, -5, 0) w $j\n~SEQx(h, 9, 11) v6 ::$h\n~LST({a,b}, {x,1}, {y,2}) v $a $b\n~LST(n, p, q) n $n\n' });
    expect(read(m).lines).toEqual([
      'rs 10.0.0.1', 'rs 10.0.0.2', 'rs 10.0.0.3',
      'w 10', 'w 5', 'w 0',
      'v6 ::9', 'v6 ::a', 'v6 ::b',
      'v x 1', 'v y 2',
      'n p', 'n q',
    ]);
  });

  it('reports a bad ~SEQ and keeps going', () => {
    const m = files({ 'bs.conf': '~SEQ(i, 1, -1, 5) x\nafter\n' });
    const r = read(m);
    expect(r.lines).toEqual(['after']);
    expect(r.diags[0].message).toMatch(/Invalid ~SEQ values/);
    expect(r.diags[0].pos?.line).toBe(1);
  });
});

describe('ConfigReader bounds', () => {
  it('stops a multi-line definition that contains itself', () => {
    const m = files({ 'self.conf': '$LOOP=a \\\n$LOOP\nstart\n$LOOP\nend\n' });
    const r = read(m);
    expect(r.lines[0]).toBe('start');
    expect(r.lines.at(-1)).toBe('end');
    expect(r.lines.length).toBeLessThan(100);
    expect(r.diags.some((d) => /nested more than 32 deep/.test(d.message))).toBe(true);
  });

  it('refuses a ~SEQ of more than a million lines', () => {
    const m = files({ 'huge.conf': '~SEQ(i, 1, 1, 100000000) x $i\nafter\n' });
    const r = read(m);
    expect(r.lines).toEqual(['after']);
    expect(r.diags[0].message).toMatch(/more than 1000000 times/);
  });
});

describe('ConfigReader.nextTextAt', () => {
  it('is where the next line starts, as textAt finds a text there; -1 while a split brace is pending and after the last line', () => {
    const text = 'a 1\nb {\nc 2\n}\n$X=3\nd $X\n';
    const m = files({ 'nt.conf': text });
    const r = new ConfigReader(m, { configId: 'n', report: () => undefined });
    expect(r.nextTextAt()).toBe(0);
    r.next(); // a 1
    expect(r.nextTextAt()).toBe(4);
    expect(r.textAt('xb {\n', 1, 5, false)).toBe(4);
    r.next(); // b (its `{` is pending)
    expect(r.nextTextAt()).toBe(-1);
    expect(r.textAt('c 2\n', 0, 4, false)).toBe(-1);
    r.next(); // {
    expect(r.nextTextAt()).toBe(text.indexOf('c 2'));
    expect(r.textAt('c 2\n', 0, 4, false)).toBe(r.nextTextAt());
    r.next(); // c 2
    r.next(); // }
    const l = r.next(); // d 3 (the definition line is taken, the expansion read)
    expect(l && r.lineText(l)).toBe('d 3');
    expect(r.nextTextAt()).toBe(text.length);
    expect(r.next()).toBeNull();
    expect(r.nextTextAt()).toBe(-1);
  });
});
