// A reload of a small made-up config in which real servers changed, were added and removed, for
// the daemon's start-up rehearsal: a rehearsal of the running file (unchanged) never runs the
// parts of a reload's load that only a change reaches (a run of kept blocks that ends early, the
// checks of fresh real servers against the previous load's aggregate), and a first SIGHUP would
// run them for the first time (compiled then, unoptimised). Nothing of it is kept.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, loadOptions } from './load.js';

const server = (v: number, r: number, weight: number): string =>
  `  real_server 10.255.${v}.${r} 80 {\n    weight ${weight}\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n`;

function text(changed: boolean): string {
  const out = ['global_defs {\n  router_id rehearsal\n}\n'];
  for (let v = 0; v < 4; v++) {
    out.push(`virtual_server 10.254.0.${v + 1} 80 {\n  delay_loop 60\n  lb_algo wlc\n  lb_kind NAT\n  protocol TCP\n  quorum 2\n`);
    for (let r = 1; r <= 24; r++) {
      // changed: one weight per virtual server (another place in each), one added, one removed
      if (changed && v === 1 && r === 5) continue;
      out.push(server(v, r, changed && r === 3 + v * 6 ? 2 : 1));
    }
    if (changed && v === 2) out.push(server(v, 99, 1));
    out.push('}\n');
  }
  return out.join('');
}

/**
 * Loads the made-up config, then reloads it changed with the first load's blocks, in a folder of
 * its own under the system's temporary folder (removed after). Returns how many real servers
 * the reload handed back (91 when every path ran as it should), or -1 when it could not run.
 */
export function rehearseChangedReload(): number {
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), 'lvsd-rehearsal-'));
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, text(false));
    const first = loadConfig(file, loadOptions({}, undefined, true, undefined));
    if (!first.ok || !first.blocks) return -1;
    writeFileSync(file, text(true));
    const again = loadConfig(file, loadOptions({}, first.blocks, true, undefined));
    return again.ok ? again.reused : -1;
  } catch {
    return -1;
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/** one real server in this many gets the made-up edit of respaceRealServers (1%) */
export const RESPACE_EVERY = 100;

/**
 * A config's bytes with one `real_server` keyword line in RESPACE_EVERY (the `pick`th, counted
 * modulo the lines found or RESPACE_EVERY, whichever is fewer) given one more space after the
 * keyword: the same configuration by value, but those blocks' text is new, so a reload with reuse
 * reads them anew and checks them, as it would a 1% weight edit. Everything else is byte for byte
 * the same (latin1 keeps every byte). Returns the bytes and how many lines it edited.
 */
export function respaceRealServers(bytes: Buffer, pick: number): { bytes: Buffer; edited: number } {
  const text = bytes.toString('latin1');
  const line = /^([ \t]*real_server[ \t])/gm;
  let found = 0;
  for (let guard = 0; line.exec(text) !== null && guard < text.length; guard++) found++;
  if (found === 0) return { bytes, edited: 0 };
  const k = pick % Math.min(found, RESPACE_EVERY);
  let n = 0;
  let edited = 0;
  const out = text.replace(line, (m: string) => {
    if (n++ % RESPACE_EVERY !== k) return m;
    edited++;
    return `${m} `;
  });
  return { bytes: Buffer.from(out, 'latin1'), edited };
}
