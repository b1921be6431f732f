// Builds the guest initramfs (busybox-static, /init, the needed .ko files) as a gzip'd newc
// cpio, cached under <cache>/initramfs/ keyed on every input.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { newcArchive, S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR } from './cpio.mjs';
import { resolveModules, fileStamp } from './modinfo.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];

/** True when the ELF64 has a PT_INTERP program header, i.e. is dynamically linked. */
function hasInterpreter(elf) {
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (elf.readUInt32LE(phoff + i * phentsize) === 3) return true;
  return false;
}

function findBusybox() {
  for (const p of BUSYBOX_CANDIDATES) {
    if (!existsSync(p)) continue;
    const elf = readFileSync(p);
    // A dynamically linked busybox would need its libraries in the initramfs: require the static one.
    if (!hasInterpreter(elf)) return { path: p, data: elf };
  }
  throw new Error(`no statically linked busybox at ${BUSYBOX_CANDIDATES.join(' or ')} (apt-get install busybox-static)`);
}

export function wantedModules() {
  return readFileSync(join(here, 'modules.txt'), 'utf8').split('\n')
    .map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
}

/** Returns { path, modules: [names], absent: [names] } of a cached or freshly built initramfs. */
export function obtainInitramfs(cacheRoot, kernel, log = (m) => console.error(m)) {
  const busybox = findBusybox();
  const init = readFileSync(join(here, 'init.sh'));
  const wanted = wantedModules();
  const key = createHash('sha256')
    .update(kernel.package).update(kernel.version)
    .update(createHash('sha256').update(busybox.data).digest())
    .update(init).update(wanted.join('\n'))
    .update(readFileSync(join(here, 'initramfs.mjs'))).update(readFileSync(join(here, 'cpio.mjs')))
    .update(readFileSync(join(here, 'modinfo.mjs')))
    .digest('hex').slice(0, 16);
  const dir = join(cacheRoot, 'initramfs');
  const out = join(dir, `${kernel.version}-${key}.cpio.gz`);
  const metaPath = `${out}.json`;
  if (existsSync(out) && existsSync(metaPath)) return { path: out, ...JSON.parse(readFileSync(metaPath, 'utf8')) };

  log(`initramfs: building ${out}`);
  const { modules, absent } = resolveModules(kernel.modulesDir, wanted);
  const entries = [];
  const dirs = new Set();
  const mkdirp = (p) => {
    const parts = p.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) { dirs.add(d); entries.push({ name: d, mode: S_IFDIR | 0o755 }); }
    }
  };
  for (const d of ['bin', 'sbin', 'dev', 'proc', 'sys', 'tmp', 'lower', 'upper', 'newroot', 'share']) mkdirp(d);
  entries.push({ name: 'dev/console', mode: S_IFCHR | 0o600, rdev: [5, 1] });
  entries.push({ name: 'dev/null', mode: S_IFCHR | 0o666, rdev: [1, 3] });
  entries.push({ name: 'bin/busybox', mode: S_IFREG | 0o755, data: busybox.data });
  entries.push({ name: 'bin/sh', mode: S_IFLNK | 0o777, data: Buffer.from('busybox') });
  entries.push({ name: 'init', mode: S_IFREG | 0o755, data: init });
  for (const m of modules) {
    const rel = join('lib/modules', kernel.version, m.rel);
    mkdirp(dirname(rel));
    entries.push({ name: rel, mode: S_IFREG | 0o644, data: m.data });
  }
  entries.push({ name: 'modules.load', mode: S_IFREG | 0o644,
    data: Buffer.from(modules.map((m) => `${kernel.version}/${m.rel}\n`).join('')) });

  const gz = gzipSync(newcArchive(entries), { level: 6 });
  mkdirSync(dir, { recursive: true });
  // Older builds for the same kernel are stale once any input changed.
  for (const f of readdirSync(dir)) if (f.startsWith(`${kernel.version}-`) && !f.includes(key)) rmSync(join(dir, f), { force: true });
  const meta = { modules: modules.map((m) => m.name), absent, busybox: fileStamp(busybox.path) };
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, gz);
  writeFileSync(`${metaPath}.${process.pid}.tmp`, JSON.stringify(meta, null, 2) + '\n');
  renameSync(tmp, out);
  renameSync(`${metaPath}.${process.pid}.tmp`, metaPath);
  return { path: out, ...meta };
}
