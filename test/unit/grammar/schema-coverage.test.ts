// Every keyword of the installed keepalived.conf(5) must be declared in the schema.
//
// Extraction rule (deterministic, applied to the roff source of the installed man page,
// /usr/share/man/man5/keepalived.conf.5.gz, not to a stored copy):
//  1. Scope: the sections from `.SH GLOBAL CONFIGURATION` up to `.SH ADVANCED CONFIGURATION`.
//     The later sections document the preprocessor (conditionals, $params, ~SEQ); their
//     examples only repeat keywords documented before.
//  2. Example regions: the lines between a `.nf` request and the next `.fi` or `.SH` (no-fill
//     text is where the man page shows configuration syntax; prose is filled text).
//  3. `#` starts a comment. `{` at the end of a line opens a block named by the line's first
//     word; `}` closes it. Lines directly inside a data block (DATA_BLOCKS: blocks whose man-page
//     syntax lists data lines — addresses, names, routes — rather than keywords) are data.
//  4. Outside data blocks, a line's first word is a keyword when
//     a. it is written in bold (`\fB`): the man page's own marking of keywords
//        (`HTTP_GET|SSL_GET` names two), or
//     b. it is a lowercase identifier [a-z][a-z0-9_-]* and every further word of the line is
//        syntax (a <placeholder>, [optional] or {choice} part, `|`, `...` or a number): this
//        keeps unbolded keyword lines (disable_local_igmp, param_match ...) and rejects prose
//        lines that happen to sit in no-fill regions ("to SIGTERM. All such ...").
//        The bare word `or` is the man page's separator between alternative syntaxes.
//  Placeholders in upper case (CHECKER_TYPE) are not bold and not lower case, so they drop out.
import { describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { allBlocks, findKeyword, rootSchema } from '../../../grammar/schema/index.js';
import type { BlockSpec } from '../../../grammar/schema/types.js';

const MAN = '/usr/share/man/man5/keepalived.conf.5.gz';

const DATA_BLOCKS = new Set([
  'notification_email', 'linkbeat_interfaces', 'group', 'static_ipaddress', 'static_routes', 'static_rules', 'track_interface',
  'track_script', 'track_file', 'track_process', 'track_bfd', 'interfaces', 'unicast_peer', 'virtual_ipaddress',
  'virtual_ipaddress_excluded', 'virtual_routes', 'virtual_rules', 'interface_up_down_delays', 'virtual_server_group',
]);

interface Found {
  keyword: string;
  /** enclosing block openers, outermost first */
  path: string[];
  line: number;
}

const unescape = (s: string) =>
  s.replace(/\\f[BIRP]/g, '').replace(/\\\(../g, ' ').replace(/\\-/g, '-').replace(/\\e/g, '\\').replace(/\\&/g, '');

const isSyntax = (w: string) => /^[<[{|]/.test(w) || /[>\]}]$/.test(w) || w === '|' || w === '...' || /^-?[\d.]+$/.test(w);

export function extractManKeywords(roff: string): Found[] {
  const out: Found[] = [];
  let inScope = false;
  let noFill = false;
  let stack: string[] = [];
  const lines = roff.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n];
    if (raw.startsWith('.SH')) {
      const title = raw.slice(3).trim().replace(/"/g, '');
      if (title === 'GLOBAL CONFIGURATION') inScope = true;
      if (title === 'ADVANCED CONFIGURATION') inScope = false;
      noFill = false;
      stack = [];
      continue;
    }
    if (raw.startsWith('.nf')) { noFill = true; continue; }
    if (raw.startsWith('.fi')) { noFill = false; continue; }
    if (!inScope || !noFill || raw.startsWith('.')) continue;
    const bold = /^\s*\\fB/.test(raw);
    const text = unescape(raw).replace(/#.*$/, '').trim();
    if (text === '') continue;
    const words = text.split(/\s+/);
    const first = words[0];
    if (first === '}') { stack.pop(); continue; }
    const parent = stack[stack.length - 1];
    if (parent === undefined || !DATA_BLOCKS.has(parent)) {
      if (bold) {
        for (const k of first.split('|')) out.push({ keyword: k, path: [...stack], line: n + 1 });
      } else if (/^[a-z][a-z0-9_-]*$/.test(first) && first !== 'or' && words.slice(1).every(isSyntax)) {
        out.push({ keyword: first, path: [...stack], line: n + 1 });
      }
    }
    if (text.endsWith('{')) stack.push(first);
  }
  return out;
}

/** Follow the man page's block path in the schema; undefined when a step is a placeholder. */
function schemaBlock(path: string[]): BlockSpec[] {
  let blocks: BlockSpec[] = [rootSchema];
  for (const step of path) {
    const names = step === 'CHECKER_TYPE' ? ['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'DNS_CHECK', 'SMTP_CHECK', 'UDP_CHECK', 'PING_CHECK'] : step.split('|');
    const next: BlockSpec[] = [];
    for (const b of blocks) for (const nm of names) {
      const k = findKeyword(b, nm);
      if (k?.block) next.push(k.block);
    }
    blocks = next;
  }
  return blocks;
}

describe('schema covers keepalived.conf(5)', () => {
  const roff = gunzipSync(readFileSync(MAN)).toString('utf8');
  const found = extractManKeywords(roff);

  it('extracts a plausible keyword set from the man page', () => {
    const names = new Set(found.map((f) => f.keyword));
    // known landmarks of each area; a broken extraction rule fails here first
    for (const k of ['global_defs', 'vrrp_instance', 'virtual_server', 'real_server', 'HTTP_GET', 'bfd_instance', 'param_match', 'disable_local_igmp', 'interface_up_down_delays', 'min_reply_length'])
      expect(names, k).toContain(k);
    for (const k of ['or', 'to', 'possibly', 'be', 'CHECKER_TYPE', 'eth0', 'from']) expect(names, k).not.toContain(k);
    expect(names.size).toBeGreaterThan(300);
  });

  it('declares every man page keyword somewhere (name or alias)', () => {
    const all = new Set<string>();
    for (const { block } of allBlocks()) for (const k of block.keywords) {
      all.add(k.name);
      for (const a of k.aliases ?? []) all.add(a);
    }
    const missing = [...new Set(found.filter((f) => !all.has(f.keyword)).map((f) => `${f.keyword} (man line ${f.line})`))];
    expect(missing, `missing keywords:\n${missing.join('\n')}`).toEqual([]);
  });

  it('declares every man page keyword in the block the man page shows it in', () => {
    const misplaced: string[] = [];
    for (const f of found) {
      const blocks = schemaBlock(f.path);
      if (blocks.length === 0) {
        misplaced.push(`${f.keyword}: block path ${f.path.join(' > ')} not in schema (man line ${f.line})`);
        continue;
      }
      for (const b of blocks) if (!findKeyword(b, f.keyword)) misplaced.push(`${[...f.path, f.keyword].join(' > ')} (man line ${f.line})`);
    }
    expect(misplaced, `misplaced or missing keywords:\n${misplaced.join('\n')}`).toEqual([]);
  });

  it('declares each man-page data block opener as a data-line keyword somewhere', () => {
    const notLines: string[] = [];
    for (const opener of DATA_BLOCKS) {
      let asLines = false;
      for (const { block } of allBlocks()) for (const k of block.keywords) if (k.name === opener && k.lines) asLines = true;
      if (!asLines) notLines.push(opener);
    }
    expect(notLines).toEqual([]);
  });

  it('orders each block as the man page does', () => {
    // man page order of first mentions per block path; the schema's order of the same keywords must agree
    const seen = new Map<string, string[]>();
    for (const f of found) {
      const key = f.path.join(' > ');
      const list = seen.get(key) ?? [];
      if (!list.includes(f.keyword)) list.push(f.keyword);
      seen.set(key, list);
    }
    const wrong: string[] = [];
    for (const [key, manOrder] of seen) {
      const path = key === '' ? [] : key.split(' > ');
      for (const b of schemaBlock(path)) {
        const pos = (w: string) => b.keywords.indexOf(findKeyword(b, w)!);
        const inSchema = manOrder.filter((w) => findKeyword(b, w));
        for (let i = 1; i < inSchema.length; i++)
          if (pos(inSchema[i - 1]) > pos(inSchema[i])) wrong.push(`${key || 'top level'}: ${inSchema[i - 1]} comes after ${inSchema[i]} in the schema`);
      }
    }
    expect(wrong, wrong.join('\n')).toEqual([]);
  });
});
