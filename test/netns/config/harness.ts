// Test harness for config verdicts: a network namespace holding the interfaces a config
// names (veth pairs: the host kernel has no `dummy` module), real `keepalived -t` run inside
// it, and a SystemView of the same namespace for lvsd's loadConfig.
import { execFileSync, spawnSync } from 'node:child_process';
import type { SystemView } from '../../../src/config/validate.js';

/** Names starting with this are meant to be missing: fixtures use them to test "no such interface". */
export const MISSING_PREFIX = 'nosuch';

const IFNAME = /^[A-Za-z0-9_.:-]{1,15}$/;

/**
 * The interface names a config text mentions: words after `interface`, `dev`, `oif`, `iif`,
 * `lvs_sync_daemon[_interface]`, `default_interface`, and the lines of `track_interface`,
 * `interfaces` (garp_group) and `linkbeat_interfaces` blocks.
 */
export function interfacesNamed(text: string): string[] {
  const names = new Set<string>();
  let inBlock = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#!].*$/, '').trim();
    if (!line) continue;
    if (inBlock) {
      if (line.startsWith('}')) { inBlock = false; continue; }
      const w = line.split(/\s+/)[0];
      if (w !== '{') names.add(w);
      continue;
    }
    if (/^(track_interface|interfaces|linkbeat_interfaces)\b/.test(line)) { inBlock = !line.includes('}'); continue; }
    for (const m of line.matchAll(/(?:^|\s)(?:interface|dev|oif|iif|lvs_sync_daemon_interface|lvs_sync_daemon|default_interface)\s+([^\s{}]+)/g)) {
      names.add(m[1]);
    }
  }
  return [...names].filter((n) => IFNAME.test(n) && !n.startsWith(MISSING_PREFIX) && n !== 'lo');
}

export interface Verdict { code: number; output: string }

export class ConfigNetns {
  private created = false;
  constructor(readonly name: string) {}

  /** Creates the namespace with one veth pair per name (peers named zp<N>, also inside it). */
  create(ifnames: readonly string[]): void {
    spawnSync('ip', ['netns', 'del', this.name], { stdio: 'ignore' });
    execFileSync('ip', ['netns', 'add', this.name]);
    this.created = true;
    let n = 0;
    for (const ifname of ifnames) {
      n++;
      execFileSync('ip', ['-n', this.name, 'link', 'add', ifname, 'type', 'veth', 'peer', 'name', `zp${n}`]);
    }
  }

  remove(): void {
    if (!this.created) return;
    this.created = false;
    spawnSync('ip', ['netns', 'del', this.name], { stdio: 'ignore', timeout: 10_000 });
  }

  /** Interface names in the namespace, as `ip -n NS -o link` lists them. */
  links(): string[] {
    const out = execFileSync('ip', ['-n', this.name, '-o', 'link'], { encoding: 'utf8' });
    const names: string[] = [];
    for (const line of out.split('\n')) {
      const m = /^\d+:\s+([^:@\s]+)[@:]/.exec(line);
      if (m) names.push(m[1]);
    }
    return names;
  }

  system(): SystemView {
    const set = new Set(this.links());
    return { hasInterface: (n) => set.has(n) };
  }

  /** `keepalived -t -f FILE -l -n [extra]` inside the namespace; its exit code is the verdict. */
  keepalivedTest(file: string, extra: readonly string[] = []): Verdict {
    const r = spawnSync('ip', ['netns', 'exec', this.name, 'keepalived', '-t', '-f', file, '-l', '-n', ...extra], {
      encoding: 'utf8', timeout: 20_000,
    });
    if (r.error) throw r.error;
    if (r.status === null) throw new Error(`keepalived -t ${file} was killed by ${r.signal}`);
    return { code: r.status, output: `${r.stdout}${r.stderr}` };
  }
}

/**
 * keepalived's verdict as an lvsd exit code. Two of its exits come from paths other than the
 * config test's own: it aborts with 2 (EXIT_CONFIG) when a keyword lacks its parameter, before
 * it can finish checking (lvsd goes on, reports every error and exits 5, "config errors"), and
 * it exits 6 (EXIT_NO_CONFIG, the same number as a security failure) when an include it must
 * find is missing (lvsd exits 4, "cannot run").
 */
export function keepalivedVerdict(v: Verdict): { code: number; raw: number; output: string } {
  let code = v.code;
  if (code === 2) code = 5;
  else if (code === 6 && !v.output.includes('SECURITY VIOLATION') && /Config files missing|No config files matched/.test(v.output)) code = 4;
  return { code, raw: v.code, output: v.output };
}
