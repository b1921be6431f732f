// Minimal writer for the "newc" cpio format the kernel unpacks as an initramfs.
// Written here (not with cpio(1)) so device nodes need no privileges and output is deterministic.

const pad4 = (n) => (4 - (n % 4)) % 4;
const hex8 = (n) => n.toString(16).padStart(8, '0');

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;

/** entries: [{ name, mode (with type bits), data?: Buffer, rdev?: [major, minor] }] -> Buffer */
export function newcArchive(entries) {
  const parts = [];
  let ino = 1;
  const push = (name, mode, data, rdev = [0, 0], nlink = 1) => {
    const nameBuf = Buffer.from(`${name}\0`);
    const fields = [ino++, mode, 0, 0, nlink, 0, data.length, 0, 0, rdev[0], rdev[1], nameBuf.length, 0];
    const header = Buffer.from(`070701${fields.map(hex8).join('')}`, 'ascii');
    parts.push(header, nameBuf, Buffer.alloc(pad4(header.length + nameBuf.length)), data, Buffer.alloc(pad4(data.length)));
  };
  for (const e of entries) {
    const type = e.mode & 0o170000;
    push(e.name.replace(/^\/+/, ''), e.mode, e.data ?? Buffer.alloc(0), e.rdev, type === S_IFDIR ? 2 : 1);
  }
  push('TRAILER!!!', 0, Buffer.alloc(0));
  return Buffer.concat(parts);
}
