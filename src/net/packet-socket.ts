// The one AF_PACKET edge: lvsd's own N-API addon (src/net/native/packet.c, built by
// node-gyp into build/Release/lvsd_packet.node). Sends whole Ethernet frames on one interface.
import { addonLoader } from './native-addon.js';

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

const loader = addonLoader<PacketAddon>('lvsd_packet.node', 'LVSD_PACKET_ADDON');
/** build/Release/lvsd_packet.node above `from` ($LVSD_PACKET_ADDON overrides). */
export const findAddon = loader.find;
export const load = loader.load;

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
