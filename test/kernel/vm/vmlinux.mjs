// The bzImage decompresses itself at every boot, which costs seconds under TCG. A kernel built
// with CONFIG_PVH can instead be booted as the plain ELF vmlinux: unpack it once and cache it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const FORMATS = [
  { magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), cmd: 'xz', args: ['-dc', '--single-stream'] },
  { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), cmd: 'zstd', args: ['-dc'] },
  { magic: Buffer.from([0x1f, 0x8b, 0x08]), cmd: 'gzip', args: ['-dc'] },
];
const XEN_ELFNOTE_PHYS32_ENTRY = 18;

/** True when the ELF64 carries the Xen PVH entry note qemu needs to boot it directly. */
export function hasPvhNote(elf) {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (elf.readUInt32LE(ph) !== 4) continue; // PT_NOTE
    let o = Number(elf.readBigUInt64LE(ph + 8));
    const end = o + Number(elf.readBigUInt64LE(ph + 0x20));
    while (o + 12 <= end) {
      const namesz = elf.readUInt32LE(o);
      const descsz = elf.readUInt32LE(o + 4);
      const type = elf.readUInt32LE(o + 8);
      const name = elf.toString('latin1', o + 12, o + 12 + namesz).replace(/\0+$/, '');
      if (name === 'Xen' && type === XEN_ELFNOTE_PHYS32_ENTRY) return true;
      o += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4;
    }
  }
  return false;
}

/** The ELF vmlinux inside a bzImage, or null when none (or no PVH entry) is found. */
export function extractVmlinux(bzImage) {
  for (const f of FORMATS) {
    for (let at = bzImage.indexOf(f.magic); at >= 0; at = bzImage.indexOf(f.magic, at + 1)) {
      // Trailing data after the stream makes some tools exit non-zero; the output is what counts.
      const r = spawnSync(f.cmd, f.args, { input: bzImage.subarray(at), maxBuffer: 512 << 20 });
      if (r.error || !r.stdout || r.stdout.length < 1 << 20) continue;
      if (hasPvhNote(r.stdout)) return r.stdout;
    }
  }
  return null;
}

/** Path of a cached PVH-bootable vmlinux next to vmlinuz, or vmlinuz itself as the fallback. */
export function bootableKernel(vmlinuz, log) {
  const out = vmlinuz.replace(/vmlinuz-/, 'vmlinux-pvh-');
  const none = `${out}.none`;
  if (existsSync(out)) return out;
  if (existsSync(none)) return vmlinuz;
  const elf = extractVmlinux(readFileSync(vmlinuz));
  if (!elf) {
    log(`kernel: no PVH-bootable vmlinux inside ${vmlinuz}; booting the bzImage`);
    writeFileSync(none, '');
    return vmlinuz;
  }
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, elf);
  renameSync(tmp, out);
  return out;
}
