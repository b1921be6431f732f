// PCRE2 itself, as the oracle for the regex translation: Debian's pcre2test (package
// pcre2-utils, installed by .ci/run) runs a batch of patterns over their subjects.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PcreCase {
  pattern: string;
  options: readonly string[];
  /** subjects as bytes (latin1 strings) */
  subjects: readonly string[];
}

/** per case: null when PCRE2 refuses the pattern, else one match/no-match per subject */
export type PcreAnswer = boolean[] | null;

const hex = (s: string): string => [...Buffer.from(s, 'latin1')].map((b) => '\\x' + b.toString(16).padStart(2, '0')).join('');

export function pcre2test(cases: readonly PcreCase[]): PcreAnswer[] {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-pcre-'));
  try {
    let input = '';
    for (const c of cases) {
      if (/[\n\r]/.test(c.pattern)) throw new Error('a pattern line cannot hold a line end');
      // the pattern's bytes as the config file gives them (UTF-8), '/' escaped for the delimiter
      const mods = c.options.join(',');
      input += `/${c.pattern.replace(/\//g, '\\/')}/${mods}\n`;
      // (an empty subject is a lone backslash: an empty line ends the subjects)
      for (const s of c.subjects) input += `    ${s === '' ? '\\' : hex(s)}\n`;
      input += '\n';
    }
    const file = join(dir, 'in.txt');
    writeFileSync(file, Buffer.from(input, 'utf8'));
    const out = execFileSync('pcre2test', ['-q', file], { encoding: 'latin1', maxBuffer: 64 << 20 }).split('\n');
    const answers: PcreAnswer[] = [];
    let k = 0;
    for (const c of cases) {
      // the pattern's echo, then "Failed: ..." or, per subject, its echo and the answer
      while (k < out.length && !out[k].startsWith('/')) k++;
      k++;
      if (out[k]?.startsWith('Failed:')) {
        answers.push(null);
        continue;
      }
      const got: boolean[] = [];
      for (let j = 0; j < c.subjects.length; j++) {
        while (k < out.length && !out[k].startsWith('    ')) k++;
        k++;
        while (k < out.length && !/^( 0:|No match|Partial match)/.test(out[k])) {
          if (out[k].startsWith("    ") || out[k].startsWith("/") || /^(Error|Failed)/.test(out[k])) { writeFileSync("/tmp/pcre-out.txt", out.join("\n")); writeFileSync("/tmp/pcre-in.txt", input); } if (out[k].startsWith("    ") || out[k].startsWith("/") || /^(Error|Failed)/.test(out[k])) throw new Error(`pcre2test: no answer for subject ${j} of /${c.pattern}/: ${out[k]}`);
          k++;
        }
        got.push(out[k]?.startsWith(' 0:') === true);
        k++;
      }
      answers.push(got);
    }
    return answers;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
