// Module dependency resolution straight from the .ko files: the Debian package ships no
// modules.dep (depmod runs at install time), so read each module's ELF ".modinfo" section.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';

const norm = (name) => name.replace(/-/g, '_');

/** Map normalized module name -> path relative to modulesDir (kernel/...ko[.xz|.zst]). */
export function indexModules(modulesDir) {
  const index = new Map();
  const walk = (dir) => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else {
        const m = ent.name.match(/^(.*)\.ko(\.xz|\.zst|\.gz)?$/);
        if (m) index.set(norm(m[1]), relative(modulesDir, p));
      }
    }
  };
  walk(join(modulesDir, 'kernel'));
  return index;
}

/** The module as an uncompressed ELF (busybox insmod loads plain .ko files). */
export function readModule(path) {
  const tool = path.endsWith('.xz') ? 'xz' : path.endsWith('.zst') ? 'zstd' : path.endsWith('.gz') ? 'gzip' : null;
  if (!tool) return readFileSync(path);
  const r = spawnSync(tool, ['-dc', path], { maxBuffer: 256 << 20 });
  if (r.error || r.status !== 0) throw new Error(`${tool} -dc ${path} failed: ${r.error ?? r.stderr}`);
  return r.stdout;
}

/** Key=value strings of the ELF64 ".modinfo" section. */
export function modinfo(elf) {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) throw new Error('not an ELF64 module');
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  const sh = (i) => {
    const o = shoff + i * shentsize;
    return { name: elf.readUInt32LE(o), offset: Number(elf.readBigUInt64LE(o + 0x18)), size: Number(elf.readBigUInt64LE(o + 0x20)) };
  };
  const strtab = sh(shstrndx);
  for (let i = 0; i < shnum; i++) {
    const s = sh(i);
    const nameEnd = elf.indexOf(0, strtab.offset + s.name);
    if (elf.toString('latin1', strtab.offset + s.name, nameEnd) !== '.modinfo') continue;
    return elf.toString('latin1', s.offset, s.offset + s.size).split('\0').filter(Boolean);
  }
  return [];
}

/**
 * Closure of `wanted` modules (names) with their dependencies, in load order (dependencies first).
 * Names listed with a trailing "?" are optional: skipped when the kernel lacks them.
 * Returns [{ name, rel, data }] and the list of optional names that were absent.
 */
export function resolveModules(modulesDir, wanted) {
  const index = indexModules(modulesDir);
  // Built into the kernel image: nothing to load (the file lists kernel/.../name.ko paths).
  const builtinPath = join(modulesDir, 'modules.builtin');
  const builtin = new Set(existsSync(builtinPath)
    ? readFileSync(builtinPath, 'utf8').split('\n').filter(Boolean).map((l) => norm(l.replace(/^.*\//, '').replace(/\.ko$/, '')))
    : []);
  const order = [];
  const seen = new Map();
  const absent = [];
  const visit = (name, chain) => {
    const n = norm(name);
    if (seen.get(n) === 'done' || builtin.has(n)) return;
    if (seen.get(n) === 'visiting') throw new Error(`module dependency cycle: ${[...chain, n].join(' -> ')}`);
    const rel = index.get(n);
    if (!rel) throw new Error(`module ${n} not found under ${modulesDir} (needed by ${chain.join(' -> ') || 'modules list'})`);
    seen.set(n, 'visiting');
    const data = readModule(join(modulesDir, rel));
    const dep = modinfo(data).find((kv) => kv.startsWith('depends='));
    for (const d of (dep ? dep.slice('depends='.length).split(',') : []).filter(Boolean)) visit(d, [...chain, n]);
    seen.set(n, 'done');
    order.push({ name: n, rel: rel.replace(/\.(xz|zst|gz)$/, ''), data });
  };
  for (const w of wanted) {
    const optional = w.endsWith('?');
    const name = optional ? w.slice(0, -1) : w;
    if (optional && !index.has(norm(name)) && !builtin.has(norm(name))) { absent.push(name); continue; }
    visit(name, []);
  }
  return { modules: order, absent };
}

export function fileStamp(path) {
  const s = statSync(path);
  return `${path}:${s.size}:${s.mtimeMs}`;
}
