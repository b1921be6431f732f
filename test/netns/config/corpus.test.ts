// Every corpus config gets the same verdict from lvsd's loadConfig as from real
// `keepalived -t` (run now, in a namespace holding the interfaces the corpus names), and every
// rejected one gets an lvsd error exactly at the position its first line declares.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { formatDiagnostic } from '../../../grammar/diagnostics.js';
import { ConfigNetns, interfacesNamed, keepalivedVerdict } from './harness.js';
import { CORPUS_CONFIG_ID, corpusText, loadCorpus } from './fixtures.js';

const corpus = loadCorpus();
const ns = new ConfigNetns(`lvsd-corpus-${process.pid}`);

beforeAll(() => {
  ns.create(interfacesNamed(corpusText()));
});
afterAll(() => ns.remove());

describe('config corpus: lvsd -t agrees with keepalived -t', () => {
  it('has at least 60 configs, valid and broken', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(corpus.filter((f) => f.expect).length).toBeGreaterThanOrEqual(25);
    expect(corpus.filter((f) => !f.expect).length).toBeGreaterThanOrEqual(25);
  });

  it.each(corpus.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const ka = keepalivedVerdict(ns.keepalivedTest(f.path, ['-i', CORPUS_CONFIG_ID]));
    const r = loadConfig(f.path, { configId: CORPUS_CONFIG_ID, system: ns.system() });
    const shown = r.diagnostics.map(formatDiagnostic).join('\n');
    const context = `keepalived -t (exit ${ka.raw}):\n${ka.output}\nlvsd (exit ${r.exitCode}):\n${shown}`;
    // the fixture's label must agree with the oracle, or the fixture is wrong
    expect(ka.code === 0, `label '${f.expect ? 'error' : 'ok'}' vs keepalived\n${context}`).toBe(!f.expect);
    expect(r.exitCode, context).toBe(ka.code);
    if (f.expect === 'eof') {
      expect(r.diagnostics.some((d) => d.level === 'error' && !d.pos), `no lvsd end-of-input error\n${context}`).toBe(true);
    } else if (f.expect) {
      const at = f.expect;
      const hit = r.diagnostics.some((d) => d.level === 'error' && d.pos?.file === at.file && d.pos.line === at.line && d.pos.col === at.col);
      expect(hit, `no lvsd error at ${at.file}:${at.line}:${at.col}\n${context}`).toBe(true);
    }
  });
});
