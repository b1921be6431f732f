// The text of `ipvsadm -L -n` (and --stats, --rate, --thresholds, --persistent-conn,
// --tun-info, --exact, --nosort), `-L --timeout`, `-L --daemon` and `ipvsadm -S -n`,
// character for character as ipvsadm 1.31 prints it, from typed table entries.
import { AF_INET, AF_INET6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, SVC_F_ONEPACKET, SVC_F_PERSISTENT, SVC_F_SCHED1, SVC_F_SCHED2, SVC_F_SCHED3 } from './constants.js';
import { numberToMask } from './addr.js';
import { sortDests, sortServices } from './sort.js';
import type {
  Fwd, IpvsDaemon, IpvsDestEntry, IpvsInfo, IpvsServiceEntry, IpvsTimeouts, IpvsVirtualEntry, TunFlags,
} from './types.js';

export interface ListFormat {
  stats?: boolean;
  rate?: boolean;
  thresholds?: boolean;
  persistentConn?: boolean;
  tunInfo?: boolean;
  exact?: boolean;
  nosort?: boolean;
  /** `-S`: rules instead of a table */
  rule?: boolean;
}

const padEnd = (s: string, n: number): string => s.padEnd(n);
const padStart = (s: string, n: number): string => s.padStart(n);
/** C's %d of a 32-bit int. */
const int32 = (n: number): string => String(n | 0);
/** C's %u of a 32-bit unsigned. */
const uint32 = (n: number): string => String(n >>> 0);

export function largeNum(i: bigint, exact: boolean): string {
  if (exact) {
    const s = i.toString();
    return padStart(s, s.length <= 8 ? 9 : s.length + 1);
  }
  if (i < 100000000n) return padStart(i.toString(), 9);
  if (i < 1000000000n) return `${padStart((i / 1000n).toString(), 8)}K`;
  if (i < 100000000000n) return `${padStart((i / 1000000n).toString(), 8)}M`;
  if (i < 100000000000000n) return `${padStart((i / 1000000000n).toString(), 8)}G`;
  return `${padStart((i / 1000000000000n).toString(), 8)}T`;
}

function addrPort(af: number, addr: string, port: number): string {
  return af === AF_INET ? `${addr}:${port}` : `[${addr}]:${port}`;
}

function protocolName(p: number): string {
  return p === IPPROTO_TCP ? 'TCP' : p === IPPROTO_UDP ? 'UDP' : p === IPPROTO_SCTP ? 'SCTP' : '?';
}
function protocolOption(p: number): string {
  return p === IPPROTO_TCP ? '-t' : p === IPPROTO_UDP ? '-u' : p === IPPROTO_SCTP ? '--sctp-service' : '--xxx-service';
}

const FWD_NAME: Record<Fwd, string> = { masq: 'Masq', local: 'Local', tunnel: 'Tunnel', route: 'Route', bypass: '(null)' };
const FWD_SWITCH: Record<Fwd, string> = { masq: '-m', local: '-g', tunnel: '-i', route: '-g', bypass: '(null)' };
const TUN_FLAG_SHORT: Record<TunFlags, string> = { nocsum: '-c', csum: '+c', remcsum: 'r+c' };
const TUN_FLAG_OPT: Record<TunFlags, string> = { nocsum: '--tun-nocsum', csum: '--tun-csum', remcsum: '--tun-remcsum' };

export function schedFlagsText(s: Pick<IpvsServiceEntry, 'sched' | 'flags'>): string {
  const f: string[] = [];
  if (s.sched === 'sh' || s.sched === 'mh') {
    if (s.flags & SVC_F_SCHED1) f.push(`${s.sched}-fallback`);
    if (s.flags & SVC_F_SCHED2) f.push(`${s.sched}-port`);
  } else {
    if (s.flags & SVC_F_SCHED1) f.push('flag-1');
    if (s.flags & SVC_F_SCHED2) f.push('flag-2');
    if (s.flags & SVC_F_SCHED3) f.push('flag-3');
  }
  return f.join(',');
}

function serviceName(s: IpvsServiceEntry, rule: boolean): string {
  if (s.fwmark) {
    const mark = int32(s.fwmark);
    if (rule) return s.af === AF_INET6 ? `-f ${mark} -6` : `-f ${mark}`;
    return s.af === AF_INET6 ? `FWM  ${mark} IPv6` : `FWM  ${mark}`;
  }
  const v = addrPort(s.af, s.addr, s.port);
  if (rule) return `${protocolOption(s.protocol)} ${v}`;
  const name = `${padEnd(protocolName(s.protocol), 4)} ${v}`;
  return s.af !== AF_INET6 ? name.slice(0, 33) : name;
}

function maskText(s: IpvsServiceEntry): string | undefined {
  if (s.af === AF_INET && s.netmask >>> 0 !== 0xffffffff) return numberToMask(s.netmask);
  if (s.af === AF_INET6 && s.netmask !== 128) return int32(s.netmask);
  return undefined;
}

const schedFlagMask = SVC_F_SCHED1 | SVC_F_SCHED2 | SVC_F_SCHED3;

function serviceLine(s: IpvsServiceEntry, name: string, f: ListFormat): string {
  if (f.rule) {
    let o = `-A ${name} -s ${s.sched}`;
    if (s.flags & SVC_F_PERSISTENT) {
      o += ` -p ${uint32(s.timeout)}`;
      const m = maskText(s);
      if (m !== undefined) o += ` -M ${m}`;
    }
    if (s.pe) o += ` --pe ${s.pe}`;
    if (s.flags & SVC_F_ONEPACKET) o += ' -o';
    if (s.flags & schedFlagMask) o += ` -b ${schedFlagsText(s)}`;
    return o;
  }
  const ex = !!f.exact;
  if (f.stats) {
    const t = s.stats;
    return padEnd(name, 33) + [t.conns, t.inpkts, t.outpkts, t.inbytes, t.outbytes].map((v) => largeNum(v, ex)).join('');
  }
  if (f.rate) {
    const t = s.stats;
    return padEnd(name, 33) + [t.cps, t.inpps, t.outpps, t.inbps, t.outbps].map((v) => largeNum(v, ex)).join('');
  }
  let o = `${name} ${s.sched}`;
  if (s.flags & schedFlagMask) o += ` (${schedFlagsText(s)})`;
  if (s.flags & SVC_F_PERSISTENT) {
    o += ` persistent ${uint32(s.timeout)}`;
    const m = maskText(s);
    if (m !== undefined) o += ` mask ${m}`;
    if (s.pe) o += ` pe ${s.pe}`;
  }
  if (s.flags & SVC_F_ONEPACKET) o += ' ops';
  return o;
}

function tunnelInfo(d: IpvsDestEntry): string {
  if (d.fwd !== 'tunnel') return 'n/a';
  if (d.tunType === 'ipip') return 'ipip';
  if (d.tunType === 'gue') return `gue:${d.tunPort}:${TUN_FLAG_SHORT[d.tunFlags]}`.slice(0, 15);
  return `gre:${TUN_FLAG_SHORT[d.tunFlags]}`;
}

/** ipvsadm reads 64-bit destination counters (other than bytes) as 32-bit. */
const low32 = (v: bigint): bigint => v & 0xffffffffn;

/** Counters are decoded only here, so plain listings never touch them. */
function destStatsLine(n: string, d: IpvsDestEntry, f: ListFormat): string {
  const ex = !!f.exact;
  const t = d.stats;
  const w32 = d.stats64 ? low32 : (v: bigint): bigint => v;
  if (f.stats) {
    return `  -> ${n}${[w32(t.conns), w32(t.inpkts), w32(t.outpkts), t.inbytes, t.outbytes].map((v) => largeNum(v, ex)).join('')}`;
  }
  const small = [w32(t.cps), w32(t.inpps), w32(t.outpps)].map((v) => padStart(v.toString(), 8)).join(' ');
  return `  -> ${n} ${small}${largeNum(w32(t.inbps), ex)}${largeNum(w32(t.outbps), ex)}`;
}

function destLine(svcName: string, d: IpvsDestEntry, f: ListFormat): string {
  if (isPlainListing(f)) return plainDestLine(d.af, d.addr, d.port, d.fwd, d.weight, d.activeConns, d.inactConns);
  let dname = addrPort(d.af, d.addr, d.port);
  if (f.rule) {
    const head = `-a ${svcName} -r ${dname} ${FWD_SWITCH[d.fwd]} -w ${int32(d.weight)}`;
    if (d.fwd !== 'tunnel') return head;
    if (d.tunType === 'gre') return `${head} --tun-type gre ${TUN_FLAG_OPT[d.tunFlags]}`;
    if (d.tunType === 'gue') return `${head} --tun-type gue --tun-port ${d.tunPort} ${TUN_FLAG_OPT[d.tunFlags]}`;
    return `${head} --tun-type ipip`;
  }
  if (d.af !== AF_INET6) dname = dname.slice(0, 28);
  const n = padEnd(dname, 28);
  if (f.stats || f.rate) return destStatsLine(n, d, f);
  if (f.thresholds) {
    return `  -> ${n} ${[d.uThreshold, d.lThreshold, d.activeConns, d.inactConns].map((v) => padEnd(uint32(v), 10)).join(' ')}`;
  }
  if (f.persistentConn) {
    return `  -> ${n} ${padEnd(uint32(d.weight), 9)} ${padEnd(uint32(d.persistConns), 11)} ${padEnd(uint32(d.activeConns), 10)} ${padEnd(uint32(d.inactConns), 10)}`;
  }
  if (f.tunInfo) {
    return `  -> ${n} ${padEnd(FWD_NAME[d.fwd], 7)} ${padEnd(tunnelInfo(d), 13)} ${padEnd(int32(d.weight), 6)} ${padEnd(uint32(d.activeConns), 10)} ${padEnd(uint32(d.inactConns), 10)}`;
  }
  return plainDestLine(d.af, d.addr, d.port, d.fwd, d.weight, d.activeConns, d.inactConns);
}

/** A destination's line of the plain `-L -n` listing, from its values. */
export function plainDestLine(af: number, addr: string, port: number, fwd: Fwd, weight: number, active: number, inact: number): string {
  const dname = af === AF_INET ? `${addr}:${port}` : `[${addr}]:${port}`;
  return `  -> ${padEnd(af !== AF_INET6 ? dname.slice(0, 28) : dname, 28)} ${FWD_COLUMN[fwd]} ${numColumn(weight | 0, 6)} ${numColumn(active >>> 0, 10)} ${numColumn(inact >>> 0, 10)}`;
}

/** A listing plain enough for plainDestLine: no counters, thresholds or tunnel columns, sorted. */
export const isPlainListing = (f: ListFormat): boolean =>
  !f.rule && !f.stats && !f.rate && !f.thresholds && !f.persistentConn && !f.tunInfo && !f.nosort;

/** The forwarding method as its 7-character column of the plain listing. */
export const fwdColumn = (f: Fwd): string => FWD_COLUMN[f];

const FWD_COLUMN: Record<Fwd, string> = {
  masq: padEnd(FWD_NAME.masq, 7), local: padEnd(FWD_NAME.local, 7), tunnel: padEnd(FWD_NAME.tunnel, 7),
  route: padEnd(FWD_NAME.route, 7), bypass: padEnd(FWD_NAME.bypass, 7),
};

/** Small numbers padded to a column (6 or 10 wide), kept once: most weights and counters are small. */
const COLUMN6: string[] = [];
const COLUMN10: string[] = [];
function numColumn(v: number, width: 6 | 10): string {
  if (v < 0 || v >= 256) return padEnd(String(v), width);
  const c = width === 6 ? COLUMN6 : COLUMN10;
  return c[v] ??= padEnd(String(v), width);
}

export function title(f: ListFormat): string {
  const h = (a: string, cols: string[], w: number, left: boolean): string =>
    `${padEnd(a, 33)} ${cols.map((c) => (left ? padEnd(c, w) : padStart(c, w))).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (f.rule) return '';
  if (f.stats) return h('Prot LocalAddress:Port', ['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'], 8, false);
  if (f.rate) return h('Prot LocalAddress:Port', ['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'], 8, false);
  if (f.thresholds) return h('Prot LocalAddress:Port', ['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'], 10, true);
  if (f.persistentConn) {
    return `${padEnd('Prot LocalAddress:Port', 33)} ${padEnd('Weight', 9)} ${padEnd('PersistConn', 11)} ${padEnd('ActiveConn', 10)} ${padEnd('InActConn', 10)}\n  -> RemoteAddress:Port\n`;
  }
  if (f.tunInfo) {
    return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n';
  }
  return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
}

export function versionLine(info: IpvsInfo): string {
  const v = info.version;
  return `IP Virtual Server version ${(v >> 16) & 0xff}.${(v >> 8) & 0xff}.${v & 0xff} (size=${info.connTabSize})\n`;
}

/** A service's own line (without its destinations). */
export const serviceRow = (s: IpvsServiceEntry, f: ListFormat): string => serviceLine(s, serviceName(s, !!f.rule), f);

// Lines are collected and joined: one flat string per service instead of a rope of
// thousands of pieces for the garbage collector to trace and copy.
export function formatEntry(e: IpvsVirtualEntry, f: ListFormat): string {
  const name = serviceName(e.service, !!f.rule);
  const dests = f.nosort ? e.dests : sortDests(e.dests);
  const lines = new Array<string>(dests.length + 2);
  lines[0] = serviceLine(e.service, name, f);
  for (let i = 0; i < dests.length; i++) lines[i + 1] = destLine(name, dests[i], f);
  lines[dests.length + 1] = '';
  return lines.join('\n');
}

/** `ipvsadm -L -n [...]` (info given) or `ipvsadm -S -n` (f.rule). */
export function formatTable(table: readonly IpvsVirtualEntry[], f: ListFormat, info?: IpvsInfo): string {
  const rows = f.nosort ? table : sortServices(table);
  const parts = new Array<string>(rows.length + 2);
  parts[0] = !f.rule && info ? versionLine(info) : '';
  parts[1] = title(f);
  for (let i = 0; i < rows.length; i++) parts[i + 2] = formatEntry(rows[i], f);
  return parts.join('');
}

export function formatTimeouts(t: IpvsTimeouts): string {
  return `Timeout (tcp tcpfin udp): ${int32(t.tcp)} ${int32(t.tcpFin)} ${int32(t.udp)}\n`;
}

export function formatDaemons(ds: readonly IpvsDaemon[]): string {
  let out = '';
  for (const d of ds) {
    out += `${d.state} sync daemon (mcast=${d.mcastIfn}, syncid=${int32(d.syncId)}`;
    if (d.syncMaxlen) out += `, maxlen=${d.syncMaxlen}`;
    if (d.mcastGroup) out += `, group=${d.mcastGroup}`;
    if (d.mcastPort) out += `, port=${d.mcastPort}`;
    if (d.mcastTtl) out += `, ttl=${d.mcastTtl}`;
    out += ')\n';
  }
  return out;
}
