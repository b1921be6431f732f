// One raw socket per interface and protocol serves every instance on it (as keepalived's
// socket pool does): packets are routed by VRID before validation, so an instance only
// counts drops for its own virtual router and other VRIDs are counted once, here.
import type { ReceivedPacket } from './transport.js';

const AH_LEN = 24;

/** The VRID byte of a received packet, or null if the packet is too short to hold one. */
export function peekVrid(rx: ReceivedPacket): number | null {
  if (rx.family === 6) return rx.payload.length >= 2 ? rx.payload[1] : null;
  const p = rx.packet;
  if (p.length < 20) return null;
  const off = (p[0] & 0x0f) * 4 + (p[9] === 51 ? AH_LEN : 0);
  return p.length > off + 1 ? p[off + 1] : null;
}

export class VridDemux {
  private readonly handlers = new Map<number, (rx: ReceivedPacket) => void>();
  /** Packets for VRIDs nobody here serves, or too short to carry a VRID. */
  unknown = 0;

  register(vrid: number, handler: (rx: ReceivedPacket) => void): void {
    if (this.handlers.has(vrid)) throw new Error(`VRID ${vrid} already has an instance on this socket`);
    this.handlers.set(vrid, handler);
  }

  unregister(vrid: number): void {
    this.handlers.delete(vrid);
  }

  dispatch(rx: ReceivedPacket): void {
    const vrid = peekVrid(rx);
    const h = vrid === null ? undefined : this.handlers.get(vrid);
    if (h) h(rx);
    else this.unknown++;
  }
}
