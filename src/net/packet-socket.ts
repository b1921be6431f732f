// The one AF_PACKET edge: lvsd's own N-API addon (src/net/native/packet.c, built by
// node-gyp into build/Release/lvsd_packet.node). Sends whole Ethernet frames on one interface.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PacketAddon {
  open(ifindex: number): number;
  send(fd: number, frame: Buffer): number;
  close(fd: number): void;
  /** unconnected non-blocking TCP socket with SO_MARK set */
  tcpSocket(family: 4 | 6, mark: number): number;
  /** SO_MARK of a socket */
  mark(fd: number): number;
  /** setsockopt(fd, level, name, &int) on any socket of this process */
  setIntOption(fd: number, level: number, name: number, value: number): void;
  /** getsockopt(fd, level, name) as an int */
  intOption(fd: number, level: number, name: number): number;
}

export interface FrameSender {
  readonly ifindex: number;
  /** Sends one frame; throws an Error with errno/code when the kernel refuses. */
  send(frame: Buffer): void;
  close(): void;
}

const ADDON = join('build', 'Release', 'lvsd_packet.node');
let addon: PacketAddon | undefined;

/** The addon sits under the package root: src/net, dist/src/net or a test bundle below it. */
export function findAddon(from = dirname(fileURLToPath(import.meta.url))): string {
  const override = process.env.LVSD_PACKET_ADDON;
  if (override) return override;
  let dir = from;
  for (let up = 0; up < 8; up++) {
    const candidate = join(dir, ADDON);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`${ADDON} not found above ${from}: build it with node-gyp rebuild (npm install does)`);
}

export function load(): PacketAddon {
  addon ??= createRequire(import.meta.url)(findAddon()) as PacketAddon;
  return addon;
}

export function openFrameSender(ifindex: number): FrameSender {
  const a = load();
  let fd: number | undefined = a.open(ifindex);
  return {
    ifindex,
    send(frame: Buffer): void {
      if (fd === undefined) throw new Error(`packet socket on ifindex ${ifindex} is closed`);
      a.send(fd, frame);
    },
    close(): void {
      if (fd === undefined) return;
      const f = fd;
      fd = undefined;
      a.close(f);
    },
  };
}
