// Routing table names as iproute2 knows them: /etc/iproute2/rt_tables (and the distribution's
// copy under /usr/share/iproute2), "NUMBER NAME" lines. Missing files mean no extra names.
import { readFileSync } from 'node:fs';

/** Names -> numbers of /etc/iproute2/rt_tables style text ("NUMBER NAME" lines, # comments). */
export function parseRtTables(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [n, name] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (name && /^(0x[0-9a-f]+|\d+)$/i.test(n)) m.set(name, Number(n));
  }
  return m;
}

const FILES = ['/usr/share/iproute2/rt_tables', '/etc/iproute2/rt_tables'];

export function readRtTables(files = FILES): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const [k, v] of parseRtTables(text)) out.set(k, v);
  }
  return out;
}
