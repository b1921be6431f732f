// BFD control packet (RFC 5880 section 4.1) without authentication, as keepalived sends it:
// 24 bytes, version 1. decode() applies the packet-only receive checks of RFC 5880 6.8.6
// and names the reason of a refusal, so the caller counts and drops, never throws.

export const BFD_VERSION = 1;
export const BFD_CONTROL_LEN = 24;
export const BFD_CONTROL_PORT = 3784;

export type BfdState = 'AdminDown' | 'Down' | 'Init' | 'Up';
export const STATE_CODE: Record<BfdState, number> = { AdminDown: 0, Down: 1, Init: 2, Up: 3 };
const STATE_OF: readonly BfdState[] = ['AdminDown', 'Down', 'Init', 'Up'];

/** Diagnostic codes of RFC 5880 4.1. */
export const DIAG = {
  none: 0,
  detectExpired: 1,
  echoFailed: 2,
  neighborDown: 3,
  forwardingReset: 4,
  pathDown: 5,
  concatPathDown: 6,
  adminDown: 7,
  reverseConcatPathDown: 8,
} as const;

export interface BfdControl {
  diag: number;
  state: BfdState;
  poll: boolean;
  final: boolean;
  /** Control plane independent (C). */
  cpi: boolean;
  demand: boolean;
  detectMult: number;
  myDiscr: number;
  yourDiscr: number;
  /** Microseconds, as on the wire. */
  desiredMinTxUs: number;
  requiredMinRxUs: number;
  requiredMinEchoRxUs: number;
}

export const DECODE_DROPS = [
  'short', // fewer than 24 bytes arrived, or the Length field says less than 24
  'version', // version other than 1
  'length', // Length field larger than what arrived
  'detect-mult', // Detect Mult 0
  'multipoint', // M bit set
  'my-discr', // My Discriminator 0
  'your-discr', // Your Discriminator 0 while the sender is neither Down nor AdminDown
  'auth', // A bit set: lvsd (like keepalived) has no authentication
] as const;
export type DecodeDrop = (typeof DECODE_DROPS)[number];

export type DecodeResult = { ok: true; packet: BfdControl } | { ok: false; reason: DecodeDrop };

export function encodeControl(p: BfdControl): Buffer {
  const b = Buffer.alloc(BFD_CONTROL_LEN);
  b[0] = (BFD_VERSION << 5) | (p.diag & 0x1f);
  b[1] = (STATE_CODE[p.state] << 6) | (p.poll ? 0x20 : 0) | (p.final ? 0x10 : 0) | (p.cpi ? 0x08 : 0) | (p.demand ? 0x02 : 0);
  b[2] = p.detectMult;
  b[3] = BFD_CONTROL_LEN;
  b.writeUInt32BE(p.myDiscr >>> 0, 4);
  b.writeUInt32BE(p.yourDiscr >>> 0, 8);
  b.writeUInt32BE(p.desiredMinTxUs >>> 0, 12);
  b.writeUInt32BE(p.requiredMinRxUs >>> 0, 16);
  b.writeUInt32BE(p.requiredMinEchoRxUs >>> 0, 20);
  return b;
}

export function decodeControl(b: Uint8Array): DecodeResult {
  if (b.length < BFD_CONTROL_LEN) return { ok: false, reason: 'short' };
  if (b[0] >> 5 !== BFD_VERSION) return { ok: false, reason: 'version' };
  const flags = b[1];
  const auth = (flags & 0x04) !== 0;
  const len = b[3];
  // With A set the minimum is 26 (RFC 5880 6.8.6); without authentication support it is refused anyway.
  if (len < BFD_CONTROL_LEN) return { ok: false, reason: 'short' };
  if (len > b.length) return { ok: false, reason: 'length' };
  if (b[2] === 0) return { ok: false, reason: 'detect-mult' };
  if ((flags & 0x01) !== 0) return { ok: false, reason: 'multipoint' };
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const myDiscr = v.getUint32(4);
  const yourDiscr = v.getUint32(8);
  const state = STATE_OF[flags >> 6];
  if (myDiscr === 0) return { ok: false, reason: 'my-discr' };
  if (yourDiscr === 0 && state !== 'Down' && state !== 'AdminDown') return { ok: false, reason: 'your-discr' };
  if (auth) return { ok: false, reason: 'auth' };
  return {
    ok: true,
    packet: {
      diag: b[0] & 0x1f,
      state,
      poll: (flags & 0x20) !== 0,
      final: (flags & 0x10) !== 0,
      cpi: (flags & 0x08) !== 0,
      demand: (flags & 0x02) !== 0,
      detectMult: b[2],
      myDiscr,
      yourDiscr,
      desiredMinTxUs: v.getUint32(12),
      requiredMinRxUs: v.getUint32(16),
      requiredMinEchoRxUs: v.getUint32(20),
    },
  };
}

/** Refused packets by reason (RFC 5880 6.8.6 checks here; session lookup and the TTL (IPv4, see udp-socket.ts) in the runtime). */
export const DROP_REASONS = [...DECODE_DROPS, 'no-session', 'ttl', 'admin-down'] as const;
export type BfdDropReason = (typeof DROP_REASONS)[number];

export class DropCounter {
  readonly counts = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<BfdDropReason, number>;
  add(r: BfdDropReason): void {
    this.counts[r]++;
  }
  total(): number {
    let n = 0;
    for (const r of DROP_REASONS) n += this.counts[r];
    return n;
  }
}
