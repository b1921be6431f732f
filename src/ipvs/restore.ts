// Parses ipvsadm command lines (the `ipvsadm -S` / `ipvsadm -R` format) into typed
// commands, with ipvsadm's defaults and checks. Pure: nothing is applied here.
import { isIPv4, isIPv6 } from '../../grammar/ip.js';
import { AF_INET, AF_INET6, DEFAULT_MCAST_IFN, DEFAULT_PERSISTENT_TIMEOUT, DEFAULT_SCHED, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, SVC_F_ONEPACKET, SVC_F_PERSISTENT, SVC_F_SCHED1, SVC_F_SCHED2, SVC_F_SCHED3 } from './constants.js';
import { maskToNumber, normalizeAddr, type Family } from './addr.js';
import type { Fwd, IpvsDaemon, IpvsDest, IpvsService, IpvsTimeouts, TunFlags, TunType } from './types.js';

export type RestoreCommand =
  | { kind: 'addService' | 'editService' | 'deleteService'; service: IpvsService }
  | { kind: 'addDest' | 'editDest' | 'deleteDest'; service: IpvsService; dest: IpvsDest }
  | { kind: 'flush' }
  | { kind: 'zero'; service?: IpvsService }
  | { kind: 'timeouts'; timeouts: IpvsTimeouts }
  | { kind: 'startDaemon'; daemon: IpvsDaemon }
  | { kind: 'stopDaemon'; daemon: IpvsDaemon };

export interface ParsedLine {
  line: number;
  text: string;
  command: RestoreCommand;
}

export class RestoreError extends Error {
  constructor(readonly line: number, readonly text: string, reason: string) {
    super(`line ${line}: ${reason}: ${text}`);
    this.name = 'RestoreError';
  }
}

const MAX_TIMEOUT = 86400 * 31;
const INT_MAX = 2147483647;

// option name -> [canonical, takes argument ('none' | 'required' | 'optional')]
const OPTS: Record<string, [string, 'none' | 'req' | 'opt']> = {
  '-A': ['A', 'none'], '--add-service': ['A', 'none'], '-E': ['E', 'none'], '--edit-service': ['E', 'none'],
  '-D': ['D', 'none'], '--delete-service': ['D', 'none'], '-C': ['C', 'none'], '--clear': ['C', 'none'],
  '-Z': ['Z', 'none'], '--zero': ['Z', 'none'], '-a': ['a', 'none'], '--add-server': ['a', 'none'],
  '-e': ['e', 'none'], '--edit-server': ['e', 'none'], '-d': ['d', 'none'], '--delete-server': ['d', 'none'],
  '--set': ['set', 'none'], '--start-daemon': ['start-daemon', 'req'], '--stop-daemon': ['stop-daemon', 'req'],
  '-L': ['L', 'none'], '-l': ['L', 'none'], '--list': ['L', 'none'], '-R': ['R', 'none'], '--restore': ['R', 'none'],
  '-S': ['S', 'none'], '--save': ['S', 'none'],
  '-t': ['t', 'req'], '--tcp-service': ['t', 'req'], '-u': ['u', 'req'], '--udp-service': ['u', 'req'],
  '--sctp-service': ['sctp', 'req'], '-f': ['f', 'req'], '--fwmark-service': ['f', 'req'],
  '-s': ['s', 'req'], '--scheduler': ['s', 'req'], '-p': ['p', 'opt'], '--persistent': ['p', 'opt'],
  '-M': ['M', 'req'], '--netmask': ['M', 'req'], '-r': ['r', 'req'], '--real-server': ['r', 'req'],
  '-m': ['m', 'none'], '--masquerading': ['m', 'none'], '-i': ['i', 'none'], '--ipip': ['i', 'none'],
  '-g': ['g', 'none'], '--gatewaying': ['g', 'none'], '-w': ['w', 'req'], '--weight': ['w', 'req'],
  '-x': ['x', 'req'], '--u-threshold': ['x', 'req'], '-y': ['y', 'req'], '--l-threshold': ['y', 'req'],
  '-n': ['n', 'none'], '--numeric': ['n', 'none'], '--mcast-interface': ['mcast-interface', 'req'],
  '--syncid': ['syncid', 'req'], '-6': ['6', 'none'], '--ipv6': ['6', 'none'], '-o': ['o', 'none'], '--ops': ['o', 'none'],
  '--pe': ['pe', 'req'], '-b': ['b', 'req'], '--sched-flags': ['b', 'req'], '--mcast-group': ['mcast-group', 'req'],
  '--mcast-port': ['mcast-port', 'req'], '--mcast-ttl': ['mcast-ttl', 'req'], '--sync-maxlen': ['sync-maxlen', 'req'],
  '--tun-type': ['tun-type', 'req'], '--tun-port': ['tun-port', 'req'], '--tun-nocsum': ['tun-nocsum', 'none'],
  '--tun-csum': ['tun-csum', 'none'], '--tun-remcsum': ['tun-remcsum', 'none'],
};
const COMMANDS = new Set(['A', 'E', 'D', 'C', 'Z', 'a', 'e', 'd', 'set', 'start-daemon', 'stop-daemon', 'L', 'R', 'S']);

function num(s: string, min: number, max: number, what: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`illegal ${what} specified`);
  const n = Number(s);
  if (n < min || n > max) throw new Error(`illegal ${what} specified`);
  return n;
}

interface AddrPort { af: Family; addr: string; port?: number }

/** host[:port] or [v6]:port, numeric only (lvsd does not resolve names). */
function parseAddrPort(s: string, what: string): AddrPort {
  let host = s;
  let port: string | undefined;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0 || s[close + 1] !== ':') throw new Error(`illegal ${what} address[:port] specified`);
    host = s.slice(1, close);
    port = s.slice(close + 2);
  } else if (s.indexOf(':') === s.lastIndexOf(':') || !isIPv6(s)) {
    // one colon at most: host:port (an IPv6 address has two or more; its regex is slow)
    const c = s.lastIndexOf(':');
    if (c >= 0) {
      host = s.slice(0, c);
      port = s.slice(c + 1);
    }
  }
  let af: Family;
  if (isIPv4(host)) af = AF_INET;
  else if (isIPv6(host)) af = AF_INET6;
  else throw new Error(`illegal ${what} address[:port] specified`);
  // a valid IPv4 text is already canonical (no leading zeros)
  const out: AddrPort = { af, addr: af === AF_INET ? host : normalizeAddr(host) };
  if (port !== undefined) out.port = num(port, 0, 65535, `${what} port`);
  return out;
}

function schedFlags(sched: string, arg: string): number {
  let f = 0;
  for (const flag of arg.split(',').filter((x) => x !== '')) {
    if (flag === 'flag-1') f |= SVC_F_SCHED1;
    else if (flag === 'flag-2') f |= SVC_F_SCHED2;
    else if (flag === 'flag-3') f |= SVC_F_SCHED3;
    else if (flag === 'sh-fallback' || flag === 'sh-port' || flag === 'mh-fallback' || flag === 'mh-port') {
      if (sched !== flag.slice(0, 2)) throw new Error(`incompatible scheduler flag \`${flag}'`);
      f |= flag.endsWith('fallback') ? SVC_F_SCHED1 : SVC_F_SCHED2;
    } else throw new Error(`invalid scheduler flag \`${flag}'`);
  }
  return f;
}

/** Which encapsulation options each tunnel type takes (ipvsadm's tunnel option table). */
function checkTunnelOptions(t: TunType, seen: Set<string>): void {
  const illegal: Record<TunType, string[]> = {
    ipip: ['tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum'],
    gue: [],
    gre: ['tun-port', 'tun-remcsum'],
  };
  for (const o of illegal[t]) if (seen.has(o)) throw new Error(`Illegal '--${o}' option with the '${t}' tunnel type`);
  if (t === 'gue' && !seen.has('tun-port')) throw new Error(`You need to supply the 'tun-port' option for the 'gue' tunnel type`);
  const csum = ['tun-nocsum', 'tun-csum', 'tun-remcsum'].filter((o) => seen.has(o));
  if (csum.length > 1) throw new Error(`The option '--${csum[1]}' conflicts with the '--${csum[0]}' option`);
}

/** Splits one line like ipvsadm -R does: whitespace-separated, the word `ipvsadm` ignored. */
export function tokenize(line: string): string[] {
  return line.split(/[ \t\r\n]+/).filter((t) => t !== '' && t !== 'ipvsadm');
}

/** Parses one ipvsadm argument vector (without the program name). */
export function parseIpvsadmArgs(args: string[]): RestoreCommand {
  let cmd: string | undefined;
  const seen = new Set<string>();
  const svc: IpvsService = { af: AF_INET, protocol: 0, addr: '0.0.0.0', port: 0, fwmark: 0, sched: '', flags: 0, timeout: 0, netmask: 0xffffffff };
  let haveService = false;
  let dest: AddrPort | undefined;
  let fwd: Fwd = 'route';
  let weight = 1;
  let uThreshold = 0;
  let lThreshold = 0;
  let tunType: TunType = 'ipip';
  let tunPort = 0;
  let tunFlags: TunFlags = 'nocsum';
  let schedFlagArg: string | undefined;
  let daemonState: 'master' | 'backup' | undefined;
  const daemon: Partial<IpvsDaemon> = {};
  const positional: string[] = [];

  for (let i = 0; i < args.length; i++) {
    let tok = args[i];
    let inline: string | undefined;
    if (tok.startsWith('--') && tok.includes('=')) {
      inline = tok.slice(tok.indexOf('=') + 1);
      tok = tok.slice(0, tok.indexOf('='));
    }
    const spec = OPTS[tok];
    if (!spec) {
      if (tok.startsWith('-') && tok.length > 1) throw new Error(`invalid option \`${tok}'`);
      positional.push(tok);
      continue;
    }
    const [name, argKind] = spec;
    let arg: string | undefined = inline;
    if (argKind === 'req' && arg === undefined) {
      if (i + 1 >= args.length) throw new Error(`option ${tok} needs an argument`);
      arg = args[++i];
    } else if (argKind === 'opt' && arg === undefined && i + 1 < args.length && !args[i + 1].startsWith('-')) {
      arg = args[++i];
    }
    if (COMMANDS.has(name)) {
      if (cmd) throw new Error('multiple commands specified');
      cmd = name;
      if (name === 'start-daemon' || name === 'stop-daemon') {
        if (arg !== 'master' && arg !== 'backup') throw new Error(`illegal ${name} parameter specified`);
        daemonState = arg;
      }
      continue;
    }
    if (seen.has(name) && name !== 'n') throw new Error(`multiple ${tok} options specified`);
    seen.add(name);
    const a = arg ?? '';
    switch (name) {
      case 't': case 'u': case 'sctp': {
        const p = parseAddrPort(a, 'virtual server');
        svc.protocol = name === 't' ? IPPROTO_TCP : name === 'u' ? IPPROTO_UDP : IPPROTO_SCTP;
        svc.af = p.af;
        svc.addr = p.addr;
        svc.port = p.port ?? 0;
        if (p.af === AF_INET6) svc.netmask = 128;
        haveService = true;
        break;
      }
      case 'f':
        svc.fwmark = num(a, 1, 0xffffffff, 'fwmark value');
        svc.af = AF_INET;
        svc.protocol = 0;
        haveService = true;
        break;
      case '6':
        if (!svc.fwmark) throw new Error('-6 used before -f');
        svc.af = AF_INET6;
        svc.addr = '::';
        svc.netmask = 128;
        break;
      case 's': svc.sched = a.slice(0, 15); break;
      case 'p':
        svc.flags |= SVC_F_PERSISTENT;
        svc.timeout = arg === undefined ? DEFAULT_PERSISTENT_TIMEOUT : num(a, 1, MAX_TIMEOUT, 'timeout value');
        break;
      case 'M':
        if (svc.af === AF_INET6) svc.netmask = num(a, 1, 128, 'ipv6 netmask');
        else if (isIPv4(a)) svc.netmask = maskToNumber(a);
        else throw new Error('illegal virtual server persistent mask specified');
        break;
      case 'r': dest = parseAddrPort(a, 'real server'); break;
      case 'm': fwd = 'masq'; break;
      case 'i': fwd = 'tunnel'; break;
      case 'g': fwd = 'route'; break;
      case 'w': weight = num(a, 0, 65535, 'weight'); break;
      case 'x': uThreshold = num(a, 0, INT_MAX, 'u_threshold'); break;
      case 'y': lThreshold = num(a, 0, INT_MAX, 'l_threshold'); break;
      case 'n': break;
      case 'mcast-interface': daemon.mcastIfn = a.slice(0, 15); break;
      case 'syncid': daemon.syncId = num(a, 0, 255, 'syncid'); break;
      case 'o': svc.flags |= SVC_F_ONEPACKET; break;
      case 'pe': svc.pe = a; break;
      case 'b': schedFlagArg = a; break;
      case 'mcast-group': {
        const ok = isIPv4(a) ? (Number(a.split('.')[0]) & 0xf0) === 0xe0 : isIPv6(a) && /^ff/i.test(a);
        if (!ok) throw new Error(`invalid mcast-group \`${a}'`);
        daemon.mcastGroup = normalizeAddr(a);
        break;
      }
      case 'mcast-port': daemon.mcastPort = num(a, 1, 65535, 'mcast-port'); break;
      case 'mcast-ttl': daemon.mcastTtl = num(a, 1, 255, 'mcast-ttl'); break;
      case 'sync-maxlen': daemon.syncMaxlen = num(a, 1, 65535 - 20 - 8, 'sync-maxlen'); break;
      case 'tun-type':
        if (a !== 'ipip' && a !== 'gue' && a !== 'gre') throw new Error('illegal tunnel type specified');
        tunType = a;
        break;
      case 'tun-port': tunPort = num(a, 1, 65535, 'tunnel port'); break;
      case 'tun-nocsum': tunFlags = 'nocsum'; break;
      case 'tun-csum': tunFlags = 'csum'; break;
      case 'tun-remcsum': tunFlags = 'remcsum'; break;
    }
  }
  if (!cmd) throw new Error('no command specified');
  if (cmd === 'L' || cmd === 'R' || cmd === 'S') throw new Error(`-${cmd} is not a table change`);
  if (cmd !== 'set' && positional.length) throw new Error(`unexpected argument ${positional[0]}`);
  if (schedFlagArg !== undefined) {
    svc.flags &= ~(SVC_F_SCHED1 | SVC_F_SCHED2 | SVC_F_SCHED3);
    svc.flags |= schedFlags(svc.sched || DEFAULT_SCHED, schedFlagArg);
  }
  const needService = (): void => {
    if (!haveService) throw new Error(`You need to supply the 'service-address' option`);
  };

  switch (cmd) {
    case 'C': return { kind: 'flush' };
    case 'set': {
      if (positional.length !== 3) throw new Error('--set option requires 3 timeout values');
      const [tcp, tcpFin, udp] = positional.map((p) => num(p, 0, MAX_TIMEOUT, 'timeout value'));
      return { kind: 'timeouts', timeouts: { tcp, tcpFin, udp } };
    }
    case 'start-daemon':
    case 'stop-daemon': {
      const d: IpvsDaemon = {
        state: daemonState!,
        mcastIfn: daemon.mcastIfn ?? (cmd === 'start-daemon' ? DEFAULT_MCAST_IFN : ''),
        syncId: daemon.syncId ?? 0,
      };
      if (cmd === 'start-daemon') {
        if (daemon.syncMaxlen) d.syncMaxlen = daemon.syncMaxlen;
        if (daemon.mcastGroup) d.mcastGroup = daemon.mcastGroup;
        if (daemon.mcastPort) d.mcastPort = daemon.mcastPort;
        if (daemon.mcastTtl) d.mcastTtl = daemon.mcastTtl;
      }
      return { kind: cmd === 'start-daemon' ? 'startDaemon' : 'stopDaemon', daemon: d };
    }
    case 'Z':
      return haveService ? { kind: 'zero', service: svc } : { kind: 'zero' };
    case 'A':
    case 'E':
      needService();
      if (!svc.fwmark && !svc.port && !(svc.flags & SVC_F_PERSISTENT)) throw new Error('Zero port specified for non-persistent service');
      if (svc.flags & SVC_F_ONEPACKET && !svc.fwmark && svc.protocol !== IPPROTO_UDP) {
        throw new Error('One-Packet Scheduling is only for UDP virtual services');
      }
      if (!svc.sched) svc.sched = DEFAULT_SCHED;
      return { kind: cmd === 'A' ? 'addService' : 'editService', service: svc };
    case 'D':
      needService();
      return { kind: 'deleteService', service: svc };
    default: {
      needService();
      if (!dest) throw new Error(`You need to supply the 'real-server' option`);
      let port = dest.port ?? svc.port;
      if ((cmd === 'a' || cmd === 'e') && !svc.fwmark && (fwd === 'tunnel' || fwd === 'route')) port = svc.port;
      if ((cmd === 'a' || cmd === 'e') && dest.af !== svc.af && fwd !== 'tunnel') {
        throw new Error('Different address family is allowed only for tunneling servers');
      }
      const tunOpts = seen.has('tun-type') || seen.has('tun-port') || seen.has('tun-nocsum') || seen.has('tun-csum') || seen.has('tun-remcsum');
      if ((cmd === 'a' || cmd === 'e') && tunOpts && fwd !== 'tunnel') throw new Error('Tunnel options conflict with forward method');
      if (cmd === 'a' || cmd === 'e') checkTunnelOptions(tunType, seen);
      const d: IpvsDest = { af: dest.af, addr: dest.addr, port, fwd, weight, uThreshold, lThreshold, tunType, tunPort, tunFlags };
      return { kind: cmd === 'a' ? 'addDest' : cmd === 'e' ? 'editDest' : 'deleteDest', service: svc, dest: d };
    }
  }
}

/**
 * The destination line `ipvsadm -S` writes ("-a -t VIP:PORT -r RIP:PORT -m -w 1", also -e and
 * -u, -g and -i) in one match, without the general option loop: a restore of 10,000
 * destinations runs this 10,000 times, mostly as cold code in a fresh process. It returns
 * what parseIpvsadmArgs returns for the same line, or undefined (then the general parser
 * decides, errors included).
 */
const SAVED_DEST = /^-([ae]) -([tu]) (\S+) -r (\S+) -([mgi]) -w (\d{1,5})$/;
export function parseSavedDestLine(t: string): RestoreCommand | undefined {
  const m = SAVED_DEST.exec(t);
  if (!m) return undefined;
  let v: AddrPort;
  let r: AddrPort;
  try {
    v = parseAddrPort(m[3], 'virtual server');
    r = parseAddrPort(m[4], 'real server');
  } catch {
    return undefined;
  }
  const weight = Number(m[6]);
  if (weight > 65535 || r.af !== v.af) return undefined;
  const port = v.port ?? 0;
  const svc: IpvsService = {
    af: v.af, protocol: m[2] === 't' ? IPPROTO_TCP : IPPROTO_UDP, addr: v.addr, port, fwmark: 0, sched: '', flags: 0, timeout: 0,
    netmask: v.af === AF_INET6 ? 128 : 0xffffffff,
  };
  const fwd: Fwd = m[5] === 'm' ? 'masq' : m[5] === 'i' ? 'tunnel' : 'route';
  // a direct-routing or tunnelled destination takes the service's port, as in the general parser
  const d: IpvsDest = {
    af: r.af, addr: r.addr, port: fwd === 'masq' ? r.port ?? port : port, fwd, weight, uThreshold: 0, lThreshold: 0,
    tunType: 'ipip', tunPort: 0, tunFlags: 'nocsum',
  };
  return { kind: m[1] === 'a' ? 'addDest' : 'editDest', service: svc, dest: d };
}

const sameService = (a: IpvsService, b: IpvsService): boolean =>
  a.af === b.af && a.protocol === b.protocol && a.addr === b.addr && a.port === b.port && a.fwmark === b.fwmark
  && a.sched === b.sched && a.flags === b.flags && a.timeout === b.timeout && a.netmask === b.netmask && a.pe === b.pe;

/** Parses a whole `ipvsadm -S` style text; the first bad line stops it, naming the line. */
export function parseRestore(text: string): ParsedLine[] {
  const out: ParsedLine[] = [];
  const lines = text.split('\n');
  // Destination lines of one service share its object: requests.ts encodes a service once per object.
  let shared: IpvsService | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) continue;
    let command = parseSavedDestLine(t);
    if (!command) {
      const args = tokenize(t);
      if (args.length === 0) continue;
      try {
        command = parseIpvsadmArgs(args);
      } catch (e) {
        throw new RestoreError(i + 1, t, e instanceof Error ? e.message : String(e));
      }
    }
    if (command.kind === 'addDest' || command.kind === 'editDest' || command.kind === 'deleteDest') {
      if (shared && sameService(shared, command.service)) command.service = shared;
      else shared = command.service;
    }
    out.push({ line: i + 1, text: t, command });
  }
  return out;
}

