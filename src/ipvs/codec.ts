// IPVS objects <-> generic-netlink attributes. Field order and widths follow what
// ipvsadm (libipvs) sends, so lvsd's requests are byte-for-byte comparable with it.
import { AttrWriter, Attrs } from './attrs.js';
import { bytesToAddr, addrToBytes, type Family } from './addr.js';
import {
  AF_INET, AF_INET6, CmdAttr, DaemonAttr, DestAttr, InfoAttr, StatsAttr, SvcAttr,
  CONN_F_BYPASS, CONN_F_DROUTE, CONN_F_FWD_MASK, CONN_F_LOCALNODE, CONN_F_MASQ, CONN_F_TUNNEL,
  STATE_BACKUP, STATE_MASTER, SVC_F_HASHED,
} from './constants.js';
import type {
  Fwd, IpvsDaemon, IpvsDest, IpvsDestEntry, IpvsInfo, IpvsService, IpvsServiceEntry, IpvsStats,
  IpvsTimeouts, TunFlags, TunType,
} from './types.js';
import { zeroStats } from './types.js';

const FWD_CODE: Record<Fwd, number> = {
  masq: CONN_F_MASQ, local: CONN_F_LOCALNODE, tunnel: CONN_F_TUNNEL, route: CONN_F_DROUTE, bypass: CONN_F_BYPASS,
};
const FWD_NAME: Fwd[] = ['masq', 'local', 'tunnel', 'route', 'bypass'];
export const TUN_TYPES: TunType[] = ['ipip', 'gue', 'gre'];
export const TUN_FLAGS: TunFlags[] = ['nocsum', 'csum', 'remcsum'];

export const fwdCode = (f: Fwd): number => FWD_CODE[f];
export function fwdName(code: number): Fwd {
  const n = FWD_NAME[code & CONN_F_FWD_MASK];
  if (!n) throw new Error(`unknown forwarding method ${code}`);
  return n;
}

export function asFamily(af: number): Family {
  if (af !== AF_INET && af !== AF_INET6) throw new Error(`unknown address family ${af}`);
  return af;
}

/** Netmask attribute: IPv4 masks travel in network order, IPv6 prefix lengths in host order. */
function putNetmask(w: AttrWriter, af: number, netmask: number): void {
  if (af === AF_INET6) w.u32(SvcAttr.NETMASK, netmask);
  else w.be32(SvcAttr.NETMASK, netmask);
}

/** IPVS_CMD_ATTR_SERVICE nest with every settable field (add/edit/del, dest commands). */
export function serviceAttrs(s: IpvsService): AttrWriter {
  const w = serviceKeyAttrs(s);
  w.str(SvcAttr.SCHED_NAME, s.sched);
  if (s.pe) w.str(SvcAttr.PE_NAME, s.pe);
  const flags = Buffer.alloc(8);
  flags.writeUInt32LE(s.flags >>> 0, 0);
  flags.writeUInt32LE(0xffffffff, 4);
  w.put(SvcAttr.FLAGS, flags);
  w.u32(SvcAttr.TIMEOUT, s.timeout);
  putNetmask(w, s.af, s.netmask);
  return w;
}

/** Service nest with the key only (GET_DEST dump, GET_SERVICE). */
export function serviceKeyAttrs(s: Pick<IpvsService, 'af' | 'fwmark' | 'protocol' | 'addr' | 'port'>): AttrWriter {
  const w = new AttrWriter();
  w.u16(SvcAttr.AF, s.af);
  if (s.fwmark) {
    w.u32(SvcAttr.FWMARK, s.fwmark);
  } else {
    w.u16(SvcAttr.PROTOCOL, s.protocol);
    w.addr16(SvcAttr.ADDR, s.addr);
    w.be16(SvcAttr.PORT, s.port);
  }
  return w;
}

export function destAttrs(d: IpvsDest, w: AttrWriter = new AttrWriter()): AttrWriter {
  w.u16(DestAttr.ADDR_FAMILY, d.af);
  w.addr16(DestAttr.ADDR, d.addr);
  w.be16(DestAttr.PORT, d.port);
  w.u32(DestAttr.FWD_METHOD, fwdCode(d.fwd));
  w.u32(DestAttr.WEIGHT, d.weight);
  w.u8(DestAttr.TUN_TYPE, TUN_TYPES.indexOf(d.tunType));
  w.be16(DestAttr.TUN_PORT, d.tunPort);
  w.u16(DestAttr.TUN_FLAGS, TUN_FLAGS.indexOf(d.tunFlags));
  w.u32(DestAttr.U_THRESH, d.uThreshold);
  w.u32(DestAttr.L_THRESH, d.lThreshold);
  return w;
}

export function daemonStartAttrs(d: IpvsDaemon): AttrWriter {
  const w = new AttrWriter();
  w.u32(DaemonAttr.STATE, d.state === 'master' ? STATE_MASTER : STATE_BACKUP);
  w.str(DaemonAttr.MCAST_IFN, d.mcastIfn);
  w.u32(DaemonAttr.SYNC_ID, d.syncId);
  if (d.syncMaxlen) w.u16(DaemonAttr.SYNC_MAXLEN, d.syncMaxlen);
  if (d.mcastPort) w.u16(DaemonAttr.MCAST_PORT, d.mcastPort);
  if (d.mcastTtl) w.u8(DaemonAttr.MCAST_TTL, d.mcastTtl);
  if (d.mcastGroup) {
    const b = addrToBytes(d.mcastGroup);
    w.put(b.length === 16 ? DaemonAttr.MCAST_GROUP6 : DaemonAttr.MCAST_GROUP, b);
  }
  return w;
}

export function daemonStopAttrs(d: Pick<IpvsDaemon, 'state' | 'mcastIfn' | 'syncId'>): AttrWriter {
  const w = new AttrWriter();
  w.u32(DaemonAttr.STATE, d.state === 'master' ? STATE_MASTER : STATE_BACKUP);
  w.str(DaemonAttr.MCAST_IFN, d.mcastIfn);
  w.u32(DaemonAttr.SYNC_ID, d.syncId);
  return w;
}

export function timeoutAttrs(t: IpvsTimeouts): AttrWriter {
  return new AttrWriter()
    .u32(CmdAttr.TIMEOUT_TCP, t.tcp)
    .u32(CmdAttr.TIMEOUT_TCP_FIN, t.tcpFin)
    .u32(CmdAttr.TIMEOUT_UDP, t.udp);
}

// ---- decoding -------------------------------------------------------------

const STAT_FIELDS: Array<[keyof IpvsStats, number]> = [
  ['conns', StatsAttr.CONNS], ['inpkts', StatsAttr.INPKTS], ['outpkts', StatsAttr.OUTPKTS],
  ['inbytes', StatsAttr.INBYTES], ['outbytes', StatsAttr.OUTBYTES], ['cps', StatsAttr.CPS],
  ['inpps', StatsAttr.INPPS], ['outpps', StatsAttr.OUTPPS], ['inbps', StatsAttr.INBPS], ['outbps', StatsAttr.OUTBPS],
];

/** Stats nest: 64-bit counters in STATS64; in STATS only the byte counters are 64-bit. */
export function decodeStats(a: Attrs, wide: boolean): IpvsStats {
  const s = zeroStats();
  for (const [k, t] of STAT_FIELDS) {
    if (!a.has(t)) continue;
    const is64 = wide || k === 'inbytes' || k === 'outbytes';
    s[k] = is64 ? a.u64(t, `stats.${k}`) : BigInt(a.u32(t, `stats.${k}`));
  }
  return s;
}

/** Calls fn(type, payloadOffset, payloadLength) for each attribute in buf[start, end). */
export function eachAttr(buf: Buffer, start: number, end: number, fn: (type: number, off: number, len: number) => void): void {
  let off = start;
  while (off + 4 <= end) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > end) throw new Error(`malformed attribute at offset ${off - start}: length ${len}`);
    fn(buf.readUInt16LE(off + 2) & 0x3fff, off + 4, len - 4);
    off += (len + 3) & ~3;
  }
}

/** Payload of the first top-level attribute of a type (e.g. IPVS_CMD_ATTR_DEST), or undefined. */
export function findAttr(buf: Buffer, type: number): Buffer | undefined {
  let found: Buffer | undefined;
  eachAttr(buf, 0, buf.length, (t, off, len) => {
    if (t === type && !found) found = buf.subarray(off, off + len);
  });
  return found;
}

// Reads without Buffer's argument checks, for the loops that run per dump message and per
// destination (in a cold `lvsd ipvs list` each Buffer method call costs a few µs). Callers
// stay inside an attribute or message they have already bounded.
export const u16le = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
export const u32le = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
export const be16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
export const be32 = (b: Uint8Array, o: number): number => b[o] * 0x1000000 + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);

/** Decimal text of each byte value, made once. */
const OCTET: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** The address attribute at buf[off, off + len) as text. */
export function addrAt(af: number, buf: Buffer, off: number, len: number): string {
  if (af === AF_INET) {
    if (len < 4) throw new Error('short IPv4 address attribute');
    return `${OCTET[buf[off]]}.${OCTET[buf[off + 1]]}.${OCTET[buf[off + 2]]}.${OCTET[buf[off + 3]]}`;
  }
  if (len < 16) throw new Error('short IPv6 address attribute');
  return bytesToAddr(af, buf.subarray(off, off + 16));
}

/**
 * Counters decoded only when read (plain listings never look at them): until then the
 * entry keeps where the stats nest lies in the received datagram, not a copy of it.
 */
class WithLazyStats {
  stats64 = false;
  #stats: IpvsStats | undefined = undefined;
  #raw: Buffer | undefined = undefined;
  #off = 0;
  #len = 0;
  get stats(): IpvsStats {
    if (!this.#stats) {
      const raw = this.#raw;
      this.#stats = raw ? decodeStats(Attrs.parse(raw.subarray(this.#off, this.#off + this.#len)), this.stats64) : zeroStats();
      this.#raw = undefined;
    }
    return this.#stats;
  }
  set stats(v: IpvsStats) {
    this.#stats = v;
    this.#raw = undefined;
  }
  setRawStats(buf: Buffer, off: number, len: number, wide: boolean): void {
    this.#raw = buf;
    this.#off = off;
    this.#len = len;
    this.stats64 = wide;
  }
}

class ServiceEntry extends WithLazyStats implements IpvsServiceEntry {
  af: Family = AF_INET;
  protocol = 0;
  addr = '';
  port = 0;
  fwmark = 0;
  sched = '';
  flags = 0;
  timeout = 0;
  netmask = 0;
  pe?: string;
}

class DestEntry extends WithLazyStats implements IpvsDestEntry {
  af: Family = AF_INET;
  addr = '';
  port = 0;
  fwd: Fwd = 'masq';
  weight = 0;
  uThreshold = 0;
  lThreshold = 0;
  tunType: TunType = 'ipip';
  tunPort = 0;
  tunFlags: TunFlags = 'nocsum';
  activeConns = 0;
  inactConns = 0;
  persistConns = 0;
}

function badAttr(off: number, start: number, len: number): Error {
  return new Error(`malformed attribute at offset ${off - start}: length ${len}`);
}

/** Attribute types a nest scan keeps: IPVS's service and destination nests use 1-15. */
const SCAN_TYPES = 16;

/**
 * One pass over a nest's attributes: where each one's payload starts (-1: absent) and how
 * long it is, by type; the last of a type wins, as with nla_parse. A scan is reused for
 * every nest its owner reads, so nothing is allocated per entry.
 */
export class NestScan {
  readonly off = new Int32Array(SCAN_TYPES);
  readonly len = new Int32Array(SCAN_TYPES);
  scan(buf: Buffer, start: number, end: number): Int32Array {
    const off = this.off;
    off.fill(-1);
    for (let a = start; a + 4 <= end;) {
      const alen = buf[a] | (buf[a + 1] << 8);
      if (alen < 4 || a + alen > end) throw badAttr(a, start, alen);
      const t = (buf[a + 2] | (buf[a + 3] << 8)) & 0x3fff;
      if (t < SCAN_TYPES) {
        off[t] = a + 4;
        this.len[t] = alen - 4;
      }
      a += (alen + 3) & ~3;
    }
    return off;
  }
  /** Keeps where the counters lie: the 64-bit nest when the kernel sent one. */
  takeStats(e: WithLazyStats, buf: Buffer, stats: number, stats64: number): void {
    const t = this.off[stats64] >= 0 ? stats64 : stats;
    if (this.off[t] >= 0) e.setRawStats(buf, this.off[t], this.len[t], t === stats64);
  }
}

const svcScan = new NestScan();
const destScan = new NestScan();

/** Decodes the payload of an IPVS_CMD_ATTR_SERVICE nest. */
export function decodeService(buf: Buffer): IpvsServiceEntry {
  return decodeServiceAt(buf, 0, buf.length);
}

/** decodeService for a nest payload at buf[start, end), read in place. */
export function decodeServiceAt(buf: Buffer, start: number, end: number): IpvsServiceEntry {
  const at = svcScan.scan(buf, start, end);
  const len = svcScan.len;
  if (at[SvcAttr.AF] < 0) throw new Error('missing attribute service.af');
  const s = new ServiceEntry();
  s.af = asFamily(buf.readUInt16LE(at[SvcAttr.AF]));
  if (at[SvcAttr.FWMARK] >= 0) s.fwmark = buf.readUInt32LE(at[SvcAttr.FWMARK]);
  if (at[SvcAttr.SCHED_NAME] >= 0) s.sched = cstr(buf, at[SvcAttr.SCHED_NAME], len[SvcAttr.SCHED_NAME]);
  const fl = at[SvcAttr.FLAGS];
  if (fl >= 0 && len[SvcAttr.FLAGS] >= 8) s.flags = ((buf.readUInt32LE(fl) & buf.readUInt32LE(fl + 4)) & ~SVC_F_HASHED) >>> 0;
  if (at[SvcAttr.TIMEOUT] >= 0) s.timeout = buf.readUInt32LE(at[SvcAttr.TIMEOUT]);
  if (at[SvcAttr.PE_NAME] >= 0) {
    const pe = cstr(buf, at[SvcAttr.PE_NAME], len[SvcAttr.PE_NAME]);
    if (pe) s.pe = pe;
  }
  if (s.fwmark) {
    s.addr = s.af === AF_INET6 ? '::' : '0.0.0.0';
  } else {
    if (at[SvcAttr.PROTOCOL] < 0 || at[SvcAttr.PORT] < 0 || at[SvcAttr.ADDR] < 0) throw new Error('missing attribute service.protocol/addr/port');
    s.protocol = buf.readUInt16LE(at[SvcAttr.PROTOCOL]);
    s.port = buf.readUInt16BE(at[SvcAttr.PORT]);
    s.addr = addrAt(s.af, buf, at[SvcAttr.ADDR], len[SvcAttr.ADDR]);
  }
  const nm = at[SvcAttr.NETMASK];
  if (nm >= 0) s.netmask = s.af === AF_INET6 ? buf.readUInt32LE(nm) : buf.readUInt32BE(nm);
  svcScan.takeStats(s, buf, SvcAttr.STATS, SvcAttr.STATS64);
  return s;
}

/** Decodes the payload of an IPVS_CMD_ATTR_DEST nest. */
export function decodeDest(buf: Buffer, serviceAf: Family): IpvsDestEntry {
  return decodeDestAt(buf, 0, buf.length, serviceAf);
}

/**
 * Scans a destination nest and checks the attributes every destination has; the family is
 * the nest's own or, from kernels that send none, the service's.
 */
export function scanDest(scan: NestScan, buf: Buffer, start: number, end: number, serviceAf: number): Family {
  const at = scan.scan(buf, start, end);
  if (at[DestAttr.ADDR] < 0 || at[DestAttr.PORT] < 0 || at[DestAttr.FWD_METHOD] < 0 || at[DestAttr.WEIGHT] < 0) {
    throw new Error('missing attribute dest.addr/port/fwd_method/weight');
  }
  return asFamily(at[DestAttr.ADDR_FAMILY] >= 0 ? u16le(buf, at[DestAttr.ADDR_FAMILY]) : serviceAf);
}

/**
 * decodeDest for a nest payload at buf[start, end), read in place: one object per
 * destination (plus its address string); counters stay undecoded until asked for.
 */
export function decodeDestAt(buf: Buffer, start: number, end: number, serviceAf: Family): IpvsDestEntry {
  const d = new DestEntry();
  d.af = scanDest(destScan, buf, start, end, serviceAf);
  const at = destScan.off;
  d.addr = addrAt(d.af, buf, at[DestAttr.ADDR], destScan.len[DestAttr.ADDR]);
  d.port = buf.readUInt16BE(at[DestAttr.PORT]);
  d.fwd = fwdName(buf.readUInt32LE(at[DestAttr.FWD_METHOD]));
  d.weight = buf.readInt32LE(at[DestAttr.WEIGHT]);
  if (at[DestAttr.U_THRESH] >= 0) d.uThreshold = buf.readUInt32LE(at[DestAttr.U_THRESH]);
  if (at[DestAttr.L_THRESH] >= 0) d.lThreshold = buf.readUInt32LE(at[DestAttr.L_THRESH]);
  if (at[DestAttr.ACTIVE_CONNS] >= 0) d.activeConns = buf.readUInt32LE(at[DestAttr.ACTIVE_CONNS]);
  if (at[DestAttr.INACT_CONNS] >= 0) d.inactConns = buf.readUInt32LE(at[DestAttr.INACT_CONNS]);
  if (at[DestAttr.PERSIST_CONNS] >= 0) d.persistConns = buf.readUInt32LE(at[DestAttr.PERSIST_CONNS]);
  if (at[DestAttr.TUN_TYPE] >= 0) d.tunType = TUN_TYPES[buf[at[DestAttr.TUN_TYPE]]] ?? 'ipip';
  if (at[DestAttr.TUN_PORT] >= 0) d.tunPort = buf.readUInt16BE(at[DestAttr.TUN_PORT]);
  if (at[DestAttr.TUN_FLAGS] >= 0) d.tunFlags = TUN_FLAGS[buf.readUInt16LE(at[DestAttr.TUN_FLAGS])] ?? 'nocsum';
  destScan.takeStats(d, buf, DestAttr.STATS, DestAttr.STATS64);
  return d;
}

/** Offset of the payload of the first top-level attribute of `type` in buf[start, end), or -1. */
export function findAttrAt(buf: Buffer, start: number, end: number, type: number): number {
  for (let a = start; a + 4 <= end;) {
    const alen = u16le(buf, a);
    if (alen < 4 || a + alen > end) throw badAttr(a, start, alen);
    if ((u16le(buf, a + 2) & 0x3fff) === type) return a + 4;
    a += (alen + 3) & ~3;
  }
  return -1;
}

/** Payload length of the attribute whose payload starts at `payloadOff`. */
export const attrLenAt = (buf: Buffer, payloadOff: number): number => u16le(buf, payloadOff - 4) - 4;

function cstr(buf: Buffer, off: number, len: number): string {
  let end = off;
  while (end < off + len && buf[end] !== 0) end++;
  return buf.toString('utf8', off, end);
}

export function decodeDaemon(a: Attrs): IpvsDaemon | undefined {
  const state = a.u32(DaemonAttr.STATE, 'daemon.state');
  if (!(state & (STATE_MASTER | STATE_BACKUP))) return undefined;
  const d: IpvsDaemon = {
    state: state & STATE_MASTER ? 'master' : 'backup',
    mcastIfn: a.str(DaemonAttr.MCAST_IFN, 'daemon.mcast_ifn'),
    syncId: a.u32(DaemonAttr.SYNC_ID, 'daemon.sync_id'),
  };
  const maxlen = a.optU16(DaemonAttr.SYNC_MAXLEN);
  if (maxlen) d.syncMaxlen = maxlen;
  const g4 = a.raw(DaemonAttr.MCAST_GROUP);
  const g6 = a.raw(DaemonAttr.MCAST_GROUP6);
  if (g4 && g4.length >= 4) d.mcastGroup = bytesToAddr(AF_INET, g4);
  else if (g6 && g6.length >= 16) d.mcastGroup = bytesToAddr(AF_INET6, g6);
  const port = a.optU16(DaemonAttr.MCAST_PORT);
  if (port) d.mcastPort = port;
  const ttl = a.optU8(DaemonAttr.MCAST_TTL);
  if (ttl) d.mcastTtl = ttl;
  return d;
}

export function decodeTimeouts(a: Attrs): IpvsTimeouts {
  return {
    tcp: a.optU32(CmdAttr.TIMEOUT_TCP) ?? 0,
    tcpFin: a.optU32(CmdAttr.TIMEOUT_TCP_FIN) ?? 0,
    udp: a.optU32(CmdAttr.TIMEOUT_UDP) ?? 0,
  };
}

export function decodeInfo(a: Attrs): IpvsInfo {
  return {
    version: a.u32(InfoAttr.VERSION, 'info.version'),
    connTabSize: a.u32(InfoAttr.CONN_TAB_SIZE, 'info.conn_tab_size'),
  };
}
