// `lvsd -t -f FILE` end to end: the built CLI, run inside a namespace holding the corpus
// interfaces (its SystemView reads /sys/class/net), exits with keepalived's config-test code
// and names file:line:col of each error on stderr. The same cases run through the package's
// `lvsd` bin (the esbuild bundle of scripts/bundle.mjs), built here so it is current.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { Script } from 'node:vm';
import { join, resolve } from 'node:path';
import { ConfigNetns, interfacesNamed } from './harness.js';
import { CORPUS_DIR, corpusText, loadCorpus } from './fixtures.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'dist/src/cli/lvsd.js');
const BIN = join(ROOT, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { lvsd: string } }).bin.lvsd);
const ns = new ConfigNetns(`lvsd-cli-${process.pid}`);

beforeAll(() => {
  // dist/ is built once by the global setup (test/global-setup.ts) before any file runs.
  if (!existsSync(CLI)) throw new Error(`no built CLI at ${CLI}`);
  const b = spawnSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs')], { encoding: 'utf8', timeout: 60_000 });
  if (b.status !== 0) throw new Error(`scripts/bundle.mjs failed: ${b.stderr}`);
  ns.create(interfacesNamed(corpusText()));
}, 150_000);
afterAll(() => ns.remove());

function lvsdTest(cli: string, file: string): { code: number; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns.name, process.execPath, cli, '-t', '-f', file], { encoding: 'utf8', timeout: 30_000 });
  if (r.status === null) throw new Error(`lvsd -t ${file} did not finish: ${String(r.error ?? r.signal)}`);
  return { code: r.status, stderr: r.stderr };
}

const corpus = new Map(loadCorpus().map((f) => [f.name, f]));
const files: Array<[string, number]> = [
  ['vrrp-basic.conf', 0],
  ['vs-http-get.conf', 0],
  ['err-bad-number.conf', 5],
  ['err-interface-missing.conf', 5],
  ['include-error.conf', 5],
  ['err-vs-no-lb-kind.conf', 5],
  ['err-script-security.conf', 6],
];
const cases = files.flatMap(([name, code]) => [['dist', name, code], ['bin', name, code]] as Array<['dist' | 'bin', string, number]>);

describe('lvsd -t -f FILE (built CLI and bundled bin)', () => {
  it.each(cases)('%s: %s exits %i', (which, name, code) => {
    const f = corpus.get(name);
    if (!f) throw new Error(`no corpus file ${name} in ${CORPUS_DIR}`);
    const r = lvsdTest(which === 'dist' ? CLI : BIN, f.path);
    expect(r.code, r.stderr).toBe(code);
    if (code === 0) {
      expect(r.stderr).not.toMatch(/: error: /);
    } else {
      const at = f.expect;
      if (!at || at === 'eof') throw new Error(`${name} declares no error position`);
      expect(r.stderr).toContain(`${at.file}:${at.line}:${at.col}: error: `);
    }
  });
});

describe('the bundled bin', () => {
  it('gives the config test the same stderr as the built CLI', () => {
    const f = corpus.get('err-bad-number.conf');
    if (!f) throw new Error(`no corpus file err-bad-number.conf in ${CORPUS_DIR}`);
    expect(lvsdTest(BIN, f.path).stderr).toBe(lvsdTest(CLI, f.path).stderr);
  });

  it('hands everything but a config test to the full command line', () => {
    const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^lvsd v\d+\.\d+\.\d+ /);
    const x = spawnSync(process.execPath, [BIN, '-t', '-x'], { encoding: 'utf8', timeout: 30_000 });
    expect(x.status).toBe(2); // -x is answered before the config test, as by dist/src/cli/lvsd.js
    expect(x.stderr).toContain('SNMP');
  });

  it('ships a code cache this node accepts for the config-test bundle', () => {
    const dir = join(ROOT, 'dist/bundle');
    const name = readdirSync(dir).find((n) => /^config-test-[0-9a-f]+\.cjs$/.test(n));
    if (!name) throw new Error(`no config-test bundle in ${dir}`);
    const file = join(dir, name);
    const s = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData: readFileSync(file + '.cache') });
    expect(s.cachedDataRejected).toBe(false);
  });
});
