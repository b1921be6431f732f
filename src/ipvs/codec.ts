// IPVS objects <-> generic-netlink attributes. Field order and widths follow what
// ipvsadm (libipvs) sends, so lvsd's requests are byte-for-byte comparable with it.
import { AttrWriter, Attrs } from './attrs.js';
import { addrToUnion, bytesToAddr, addrToBytes, type Family } from './addr.js';
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

function asFamily(af: number): Family {
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
  const w = new AttrWriter();
  w.u16(SvcAttr.AF, s.af);
  if (s.fwmark) {
    w.u32(SvcAttr.FWMARK, s.fwmark);
  } else {
    w.u16(SvcAttr.PROTOCOL, s.protocol);
    w.put(SvcAttr.ADDR, addrToUnion(s.addr));
    w.be16(SvcAttr.PORT, s.port);
  }
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
    w.put(SvcAttr.ADDR, addrToUnion(s.addr));
    w.be16(SvcAttr.PORT, s.port);
  }
  return w;
}

export function destAttrs(d: IpvsDest): AttrWriter {
  const w = new AttrWriter();
  w.u16(DestAttr.ADDR_FAMILY, d.af);
  w.put(DestAttr.ADDR, addrToUnion(d.addr));
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

function pickStats(a: Attrs, t64: number, t32: number): { stats: IpvsStats; stats64: boolean } {
  if (a.has(t64)) return { stats: decodeStats(a.nested(t64), true), stats64: true };
  if (a.has(t32)) return { stats: decodeStats(a.nested(t32), false), stats64: false };
  return { stats: zeroStats(), stats64: false };
}

export function decodeService(a: Attrs): IpvsServiceEntry {
  const af = asFamily(a.u16(SvcAttr.AF, 'service.af'));
  const fwmark = a.optU32(SvcAttr.FWMARK) ?? 0;
  const flagsRaw = a.raw(SvcAttr.FLAGS);
  let flags = 0;
  if (flagsRaw && flagsRaw.length >= 8) flags = (flagsRaw.readUInt32LE(0) & flagsRaw.readUInt32LE(4)) >>> 0;
  const nm = a.raw(SvcAttr.NETMASK);
  const netmask = nm && nm.length >= 4 ? (af === AF_INET6 ? nm.readUInt32LE(0) : nm.readUInt32BE(0)) : 0;
  const s: IpvsServiceEntry = {
    af,
    protocol: fwmark ? 0 : a.u16(SvcAttr.PROTOCOL, 'service.protocol'),
    addr: fwmark ? (af === AF_INET6 ? '::' : '0.0.0.0') : bytesToAddr(af, a.raw(SvcAttr.ADDR) ?? Buffer.alloc(16)),
    port: fwmark ? 0 : a.be16(SvcAttr.PORT, 'service.port'),
    fwmark,
    sched: a.optStr(SvcAttr.SCHED_NAME) ?? '',
    flags: (flags & ~SVC_F_HASHED) >>> 0,
    timeout: a.optU32(SvcAttr.TIMEOUT) ?? 0,
    netmask,
    ...pickStats(a, SvcAttr.STATS64, SvcAttr.STATS),
  };
  const pe = a.optStr(SvcAttr.PE_NAME);
  if (pe) s.pe = pe;
  return s;
}

export function decodeDest(a: Attrs, serviceAf: Family): IpvsDestEntry {
  const af = asFamily(a.optU16(DestAttr.ADDR_FAMILY) ?? serviceAf);
  return {
    af,
    addr: bytesToAddr(af, a.raw(DestAttr.ADDR) ?? Buffer.alloc(16)),
    port: a.be16(DestAttr.PORT, 'dest.port'),
    fwd: fwdName(a.u32(DestAttr.FWD_METHOD, 'dest.fwd_method')),
    weight: a.u32(DestAttr.WEIGHT, 'dest.weight') | 0,
    uThreshold: a.optU32(DestAttr.U_THRESH) ?? 0,
    lThreshold: a.optU32(DestAttr.L_THRESH) ?? 0,
    tunType: TUN_TYPES[a.optU8(DestAttr.TUN_TYPE) ?? 0] ?? 'ipip',
    tunPort: a.optBe16(DestAttr.TUN_PORT) ?? 0,
    tunFlags: TUN_FLAGS[a.optU16(DestAttr.TUN_FLAGS) ?? 0] ?? 'nocsum',
    activeConns: a.optU32(DestAttr.ACTIVE_CONNS) ?? 0,
    inactConns: a.optU32(DestAttr.INACT_CONNS) ?? 0,
    persistConns: a.optU32(DestAttr.PERSIST_CONNS) ?? 0,
    ...pickStats(a, DestAttr.STATS64, DestAttr.STATS),
  };
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
