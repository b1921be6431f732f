// The checks never throw, whatever the parser hands them: corpus configs with lines cut off or
// dropped at random still load, with diagnostics instead of exceptions.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfig } from '../../../../src/config/load.js';

const CORPUS = resolve(import.meta.dirname, '../../../fixtures/config');
const texts = readdirSync(CORPUS).filter((f) => f.endsWith('.conf')).sort().map((f) => readFileSync(join(CORPUS, f), 'utf8').replaceAll('${_PWD}', CORPUS));
const dir = mkdtempSync(join(tmpdir(), 'lvsd-robust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checks on damaged configs', () => {
  it('has a corpus to damage', () => {
    expect(texts.length).toBeGreaterThanOrEqual(60);
  });

  it('never throw, and report an exit code keepalived could give', () => {
    const file = join(dir, 'keepalived.conf');
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.nat(200), fc.nat(200), fc.boolean(), (i, a, b, truncate) => {
        const lines = texts[i].split('\n');
        const from = a % lines.length;
        const kept = truncate ? lines.slice(0, from) : lines.filter((_, n) => n < from || n > from + (b % 4));
        writeFileSync(file, kept.join('\n'));
        const r = loadConfig(file, { system: { hasInterface: (n) => n !== 'eth1' } });
        expect([0, 4, 5, 6]).toContain(r.exitCode);
      }),
      { numRuns: 400 },
    );
  });
});
