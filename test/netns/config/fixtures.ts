// The config corpus: test/fixtures/config/*.conf, each declaring on its first line what lvsd
// must say about it: `# expect: ok`, or the position of an error, `# expect: LINE:COL` (in the
// file itself) or `# expect: path/of/included.inc:LINE:COL` (relative to the corpus folder), or
// `# expect: eof` for an error found at the end of the input (unclosed blocks), which has no position.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CORPUS_DIR = resolve(import.meta.dirname, '../../fixtures/config');

/** The config id both keepalived and lvsd run the corpus with (for @conditional lines). */
export const CORPUS_CONFIG_ID = 'corpus';

export interface Fixture {
  name: string;
  path: string;
  text: string;
  /** undefined: keepalived and lvsd must accept the file */
  expect?: { file: string; line: number; col: number } | 'eof';
}

export function loadCorpus(): Fixture[] {
  return readdirSync(CORPUS_DIR)
    .filter((n) => n.endsWith('.conf'))
    .sort()
    .map((name) => {
      const path = join(CORPUS_DIR, name);
      const text = readFileSync(path, 'utf8');
      const m = /^# expect: (?:(ok)|(eof)|(?:(.+):)?(\d+):(\d+))\s*$/m.exec(text.split('\n')[0]);
      if (!m) throw new Error(`${name}: first line must be '# expect: ok', '# expect: eof' or '# expect: [file:]LINE:COL'`);
      if (m[1]) return { name, path, text };
      if (m[2]) return { name, path, text, expect: 'eof' as const };
      const file = m[3] ? join(CORPUS_DIR, m[3]) : path;
      return { name, path, text, expect: { file, line: Number(m[4]), col: Number(m[5]) } };
    });
}

/** The text of a fixture and every file it may include (for interface names). */
export function corpusText(): string {
  const parts: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(conf|inc|cfg)$/.test(e.name)) parts.push(readFileSync(p, 'utf8'));
    }
  };
  walk(CORPUS_DIR);
  return parts.join('\n');
}
