// What the config checks need from the running machine, read once.
import { readdirSync } from 'node:fs';
import type { SystemView } from './validate.js';

export function systemView(): SystemView {
  let names: string[] = [];
  try { names = readdirSync('/sys/class/net'); } catch { /* no sysfs: report every interface missing */ }
  const set = new Set(names);
  return { hasInterface: (n) => set.has(n) };
}
