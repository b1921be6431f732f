// Every sample config Debian ships with keepalived gets the same verdict from lvsd's loadConfig
// as from real `keepalived -t`, each run in a namespace holding the interfaces that sample names.
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { formatDiagnostic } from '../../../grammar/diagnostics.js';
import { ConfigNetns, interfacesNamed, keepalivedVerdict } from './harness.js';

const SAMPLES = '/usr/share/doc/keepalived/samples';
const samples = readdirSync(SAMPLES).filter((n) => n.startsWith('keepalived.conf.')).sort();
const namespaces: ConfigNetns[] = [];

afterAll(() => {
  for (const ns of namespaces) ns.remove();
});

describe('Debian keepalived samples: lvsd -t agrees with keepalived -t', () => {
  it('finds the samples (Debian package keepalived)', () => {
    expect(samples.length).toBeGreaterThanOrEqual(20);
  });

  it.each(samples)('%s', (name) => {
    const path = join(SAMPLES, name);
    const ns = new ConfigNetns(`lvsd-sample-${process.pid}-${namespaces.length}`);
    namespaces.push(ns);
    try {
      ns.create(interfacesNamed(readFileSync(path, 'utf8')));
      const ka = keepalivedVerdict(ns.keepalivedTest(path));
      const r = loadConfig(path, { system: ns.system() });
      const shown = r.diagnostics.map(formatDiagnostic).join('\n');
      expect(r.exitCode, `keepalived -t (exit ${ka.raw}):\n${ka.output}\nlvsd (exit ${r.exitCode}):\n${shown}`).toBe(ka.code);
    } finally {
      ns.remove();
    }
  });
});
