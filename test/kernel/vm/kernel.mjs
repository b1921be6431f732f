// Obtains Debian's stock kernel (linux-image-amd64) without installing it on the host:
// `apt-get download` of the image package the metapackage depends on, unpacked with
// `dpkg-deb -x` into <cache>/kernel/<package>/. A complete unpacked tree is reused as is.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const META = 'linux-image-amd64';

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) return { ok: false, out: '', err: String(r.error) };
  return { ok: r.status === 0, out: r.stdout ?? '', err: r.stderr ?? '' };
}

const LISTS = '/var/lib/apt/lists';

/** Changes whenever `apt-get update` changes the package lists. */
function listsStamp() {
  if (!existsSync(LISTS)) return null;
  return readdirSync(LISTS).filter((f) => f.includes('Packages')).sort()
    .map((f) => { const st = statSync(join(LISTS, f)); return `${f}:${st.size}:${st.mtimeMs}`; }).join('|');
}

/**
 * The concrete image package the metapackage points at, from local apt lists (no network).
 * apt-cache takes seconds on a busy machine: its answer is remembered per state of the lists.
 */
function resolveImagePackage(cacheRoot) {
  const memo = join(cacheRoot, 'kernel', 'resolved.json');
  const stamp = listsStamp();
  if (stamp && existsSync(memo)) {
    try {
      const m = JSON.parse(readFileSync(memo, 'utf8'));
      if (m.stamp === stamp && typeof m.package === 'string') return m.package;
    } catch { /* rewritten below */ }
  }
  const r = sh('apt-cache', ['depends', META]);
  if (!r.ok) return null;
  const m = r.out.match(/Depends:\s+(linux-image-[0-9][^\s]*)/);
  if (!m) return null;
  if (stamp) {
    mkdirSync(join(cacheRoot, 'kernel'), { recursive: true });
    const tmp = `${memo}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ stamp, package: m[1] }) + '\n');
    renameSync(tmp, memo);
  }
  return m[1];
}

function aptUpdate(log) {
  log(`kernel: running apt-get update`);
  const r = sh('apt-get', ['update', '-qq']);
  if (!r.ok) throw new Error(`apt-get update failed: ${r.err.trim()}`);
}

/** Finished unpack of one package: a marker file written last. */
function completeDir(cacheRoot, pkg) {
  const dir = join(cacheRoot, 'kernel', pkg);
  return existsSync(join(dir, 'kernel.json')) ? dir : null;
}

function anyCached(cacheRoot) {
  const base = join(cacheRoot, 'kernel');
  if (!existsSync(base)) return null;
  const dirs = readdirSync(base).filter((d) => d.startsWith('linux-image-') && completeDir(cacheRoot, d)).sort();
  return dirs.length ? join(base, dirs[dirs.length - 1]) : null;
}

function download(cacheRoot, pkg, log) {
  const base = join(cacheRoot, 'kernel');
  mkdirSync(base, { recursive: true });
  const tmp = join(base, `.tmp-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  try {
    log(`kernel: apt-get download ${pkg}`);
    let r = sh('apt-get', ['download', pkg], { cwd: tmp });
    if (!r.ok) {
      aptUpdate(log);
      r = sh('apt-get', ['download', pkg], { cwd: tmp });
      if (!r.ok) throw new Error(`apt-get download ${pkg} failed: ${r.err.trim()}`);
    }
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} produced no .deb`);
    const x = join(tmp, 'root');
    log(`kernel: dpkg-deb -x ${deb}`);
    r = sh('dpkg-deb', ['-x', join(tmp, deb), x]);
    if (!r.ok) throw new Error(`dpkg-deb -x ${deb} failed: ${r.err.trim()}`);
    const boot = join(x, 'boot');
    const vmlinuz = existsSync(boot) ? readdirSync(boot).find((f) => f.startsWith('vmlinuz-')) : undefined;
    if (!vmlinuz) throw new Error(`${deb} has no /boot/vmlinuz-*`);
    const version = vmlinuz.slice('vmlinuz-'.length);
    if (!existsSync(join(x, 'lib/modules', version))) throw new Error(`${deb} has no /lib/modules/${version}`);
    writeFileSync(join(x, 'kernel.json'), JSON.stringify({ package: pkg, deb, version }, null, 2) + '\n');
    // kernel.json is written before the atomic rename: an existing dest is always complete.
    const dest = join(base, pkg);
    try {
      renameSync(x, dest);
    } catch (e) {
      if (!completeDir(cacheRoot, pkg)) throw e; // a concurrent run finished first: use its copy
    }
    return dest;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Returns { dir, version, vmlinuz, modulesDir } for the cached kernel, downloading it when absent.
 * Throws with a clear message when it cannot be obtained.
 */
export function obtainKernel(cacheRoot, log = (m) => console.error(m)) {
  let pkg = resolveImagePackage(cacheRoot);
  let dir = pkg ? completeDir(cacheRoot, pkg) : null;
  if (!dir && !pkg) {
    // No apt lists (fresh machine) or no apt at all: a cached kernel of any version will do.
    dir = anyCached(cacheRoot);
    if (!dir) {
      aptUpdate(log);
      pkg = resolveImagePackage(cacheRoot);
      if (!pkg) throw new Error(`cannot resolve ${META}: apt-cache depends ${META} names no linux-image package`);
    }
  }
  if (!dir) dir = completeDir(cacheRoot, pkg) ?? download(cacheRoot, pkg, log);
  const meta = JSON.parse(readFileSync(join(dir, 'kernel.json'), 'utf8'));
  return {
    dir,
    package: meta.package,
    version: meta.version,
    vmlinuz: join(dir, 'boot', `vmlinuz-${meta.version}`),
    modulesDir: join(dir, 'lib/modules', meta.version),
  };
}
