// The pieces that build the guest's initramfs, checked inside the VM against the real kernel
// package: cpio output unpacks with busybox, the booted initramfs loads dependencies first, compressed
// and built-in modules are handled, the cached vmlinux is PVH-bootable.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs helpers without type declarations
import { newcArchive, S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG } from './cpio.mjs';
// @ts-expect-error plain .mjs helpers without type declarations
import { modinfo, resolveModules } from './modinfo.mjs';
// @ts-expect-error plain .mjs helpers without type declarations
import { hasPvhNote } from './vmlinux.mjs';
import { requireVm } from './netns.js';

interface Resolved { modules: { name: string; rel: string; data: Buffer }[]; absent: string[] }
const resolve = resolveModules as (dir: string, wanted: string[]) => Resolved;

function kernelPaths(): { dir: string; modulesDir: string; version: string } {
  requireVm();
  const dir = process.env.LVSD_VM_KERNEL_DIR ?? '';
  const { version } = JSON.parse(readFileSync(join(dir, 'kernel.json'), 'utf8')) as { version: string };
  return { dir, version, modulesDir: join(dir, 'lib/modules', version) };
}

const work = mkdtempSync(join(tmpdir(), 'initramfs-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('initramfs builder', () => {
  it('writes newc archives that busybox cpio unpacks (dirs, files, symlinks, device nodes)', () => {
    const archive = newcArchive([
      { name: 'd', mode: S_IFDIR | 0o755 },
      { name: 'd/file', mode: S_IFREG | 0o640, data: Buffer.from('odd length!') },
      { name: 'd/link', mode: S_IFLNK | 0o777, data: Buffer.from('file') },
      { name: 'd/null', mode: S_IFCHR | 0o666, rdev: [1, 3] },
    ]) as Buffer;
    const out = join(work, 'cpio');
    mkdirSync(out);
    execFileSync('busybox', ['cpio', '-i', '-d'], { cwd: out, input: archive, stdio: ['pipe', 'pipe', 'pipe'] });
    expect(readFileSync(join(out, 'd/file'), 'utf8')).toBe('odd length!');
    expect(statSync(join(out, 'd/file')).mode & 0o777).toBe(0o640);
    expect(readlinkSync(join(out, 'd/link'))).toBe('file');
    const dev = statSync(join(out, 'd/null'));
    expect(dev.isCharacterDevice()).toBe(true);
    expect([Math.floor(dev.rdev / 256), dev.rdev % 256]).toEqual([1, 3]);
  });

  it('packs every listed module after its dependencies in the initramfs this VM booted', () => {
    const { modulesDir, version } = kernelPaths();
    const initramfs = process.env.LVSD_VM_INITRAMFS ?? '';
    const out = join(work, 'initramfs');
    mkdirSync(out);
    execFileSync('busybox', ['cpio', '-i', '-d'], { cwd: out, input: gunzipSync(readFileSync(initramfs)), stdio: ['pipe', 'pipe', 'pipe'] });
    const order = readFileSync(join(out, 'modules.load'), 'utf8').split('\n').filter(Boolean);
    const names = order.map((p) => p.replace(/^.*\//, '').replace(/\.ko$/, '').replace(/-/g, '_'));
    const builtin = readFileSync(join(modulesDir, 'modules.builtin'), 'utf8');
    const listed = readFileSync(new URL('./modules.txt', import.meta.url), 'utf8').split('\n')
      .map((l) => l.replace(/#.*/, '').trim()).filter((l) => l && !l.endsWith('?'));
    for (const m of [...listed, 'ip_vs', 'nf_conntrack', '9pnet', 'virtio_pci']) expect(names).toContain(m);
    order.forEach((p, i) => {
      expect(p.startsWith(`${version}/kernel/`)).toBe(true);
      const dep = (modinfo(readFileSync(join(out, 'lib/modules', p))) as string[]).find((kv) => kv.startsWith('depends=')) ?? 'depends=';
      for (const d of dep.slice(8).split(',').filter(Boolean)) {
        const n = d.replace(/-/g, '_');
        if (!new RegExp(`/${n}\\.ko$`, 'm').test(builtin.replace(/-/g, '_'))) expect(names.indexOf(n)).toBeLessThan(i);
      }
    });
    // Every module the guest loaded at boot is really in the running kernel.
    const loaded = readFileSync('/proc/modules', 'utf8');
    for (const n of names) expect(loaded).toMatch(new RegExp(`^${n} `, 'm'));
  });

  it('decompresses .ko.xz / .ko.zst, skips built-ins, reports absent optional modules, fails on missing ones', () => {
    const { modulesDir } = kernelPaths();
    const fake = join(work, 'modules');
    mkdirSync(join(fake, 'kernel/net'), { recursive: true });
    const plain = (rel: string) => readFileSync(join(modulesDir, rel));
    copyFileSync(join(modulesDir, 'kernel/net/ipv4/tunnel4.ko'), join(fake, 'kernel/net/tunnel4.ko'));
    execFileSync('xz', ['-z', join(fake, 'kernel/net/tunnel4.ko')]);
    copyFileSync(join(modulesDir, 'kernel/net/ipv4/ip_tunnel.ko'), join(fake, 'kernel/net/ip_tunnel.ko'));
    execFileSync('zstd', ['-q', '--rm', join(fake, 'kernel/net/ip_tunnel.ko')]);
    copyFileSync(join(modulesDir, 'kernel/net/ipv4/ipip.ko'), join(fake, 'kernel/net/ipip.ko'));
    writeFileSync(join(fake, 'modules.builtin'), 'kernel/net/bridge/bridge.ko\n');
    const r = resolve(fake, ['ipip', 'bridge', 'no_such_module?']);
    expect(r.modules.map((m) => [m.name, m.rel])).toEqual([
      ['tunnel4', 'kernel/net/tunnel4.ko'], ['ip_tunnel', 'kernel/net/ip_tunnel.ko'], ['ipip', 'kernel/net/ipip.ko']]);
    expect(r.modules[0].data.equals(plain('kernel/net/ipv4/tunnel4.ko'))).toBe(true);
    expect(r.modules[1].data.equals(plain('kernel/net/ipv4/ip_tunnel.ko'))).toBe(true);
    expect(r.absent).toEqual(['no_such_module']);
    expect(() => resolve(fake, ['no_such_module'])).toThrow(/module no_such_module not found/);
  });

  it('boots a PVH-capable vmlinux unpacked from the bzImage', () => {
    const { dir, version } = kernelPaths();
    const elf = readFileSync(join(dir, 'boot', `vmlinux-pvh-${version}`));
    expect((hasPvhNote as (b: Buffer) => boolean)(elf)).toBe(true);
    expect((hasPvhNote as (b: Buffer) => boolean)(readFileSync(join(dir, 'boot', `vmlinuz-${version}`)))).toBe(false);
  });
});
