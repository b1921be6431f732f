// Loads a config given as text (written to a temporary file) with a made-up set of interfaces.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type LoadResult } from '../../../../src/config/load.js';
import type { Diagnostic } from '../../../../grammar/diagnostics.js';

export const dirs: string[] = [];

export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function load(text: string, interfaces: readonly string[] = ['eth0', 'eth1']): LoadResult & { file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lvsd-checks-'));
  dirs.push(dir);
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, text);
  const set = new Set(interfaces);
  return { ...loadConfig(file, { system: { hasInterface: (n) => set.has(n) } }), file };
}

export const errors = (r: LoadResult): Diagnostic[] => r.diagnostics.filter((d) => d.level === 'error');

/** "line:col message" of every error, for compact assertions. */
export const errorsAt = (r: LoadResult): string[] => errors(r).map((d) => `${d.pos ? `${d.pos.line}:${d.pos.col}` : '-'} ${d.message}`);

export function vrrp(body: string, name = 'VI_1'): string {
  return `vrrp_instance ${name} {\n${body}\n}\n`;
}
