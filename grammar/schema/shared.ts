// Converters shared by several keyword tables: script command lines, tracked-object lines,
// address / route / rule lines, unicast peers, LVS forwarding methods, server addresses.
// Each checks what keepalived's handler checks and reports with keepalived's error class.
import { ErrClass } from '../diagnostics.js';
import type { ConvertCtx, KeywordSpec, LineSpec, Support, ValueType, Word } from './types.js';
import { int, ip, ipPrefix, uint, type Family, type IpAddr, type IpPrefix } from './values.js';
import { isIP } from '../ip.js';

export const supported: Support = { status: 'supported' };

/** A converter with a valid argument string attached, for docs and tests (see exampleOf). */
export type WithExample = { example?: string };
/** Attaches a valid argument string to a converter function. */
export function example<F extends object>(f: F, text: string): F {
  (f as WithExample).example = text;
  return f;
}
/** A valid argument string of a keyword (or a data line of a `lines` keyword): declared, or its converter's. */
export function exampleOf(k: KeywordSpec): string | undefined {
  return k.example ?? (k.convert as WithExample | undefined)?.example ?? k.lines?.example;
}
export const later = (what: string): Support => ({ status: 'accepted', later: what });
export const ignored = (why: string): Support => ({ status: 'ignored', why });

/** Parse one word with a value type, reporting at the word on failure. */
export function parseWord<T>(type: ValueType<T>, w: Word, ctx: ConvertCtx): T | undefined {
  const r = type.parse(w.text);
  if (r.ok) return r.value;
  ctx.report(r.cls, r.message, w);
  return undefined;
}

// ---- scripts -------------------------------------------------------------------------------

export interface ScriptSpec {
  /** the command: a path, or a quoted string with parameters */
  cmd: string;
  user?: string;
  group?: string;
}

/** A script line that keepalived lets be empty (vrrp_script script, misc_path): lvsd warns and drops it. */
export function scriptLineOrWarn(words: Word[], ctx: ConvertCtx): ScriptSpec | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.Warning, 'script missing - ignored', undefined, 'warning');
    return undefined;
  }
  return scriptLine(words, ctx);
}

/** `<STRING>|<QUOTED-STRING> [username [groupname]]` (keepalived notify_script_init). */
export function scriptLine(words: Word[], ctx: ConvertCtx): ScriptSpec | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.MissingParameter, 'script missing');
    return undefined;
  }
  if (words.length > 3) ctx.report(ErrClass.General, `extra parameter '${words[3].text}' after script user/group`, words[3], 'warning');
  const s: ScriptSpec = { cmd: words[0].text };
  if (words[1]) s.user = words[1].text;
  if (words[2]) s.group = words[2].text;
  return s;
}

/** `notify_deleted [<STRING>|<QUOTED-STRING> [username [groupname]]]`: true, or the script. */
export function optionalScript(words: Word[], ctx: ConvertCtx): ScriptSpec | true | undefined {
  return words.length === 0 ? true : scriptLine(words, ctx);
}

/** `FIFO_NAME [username [groupname]]` */
export function fifoLine(words: Word[], ctx: ConvertCtx): { fifo: string; user?: string; group?: string } | undefined {
  const s = scriptLine(words, ctx);
  return s && { fifo: s.cmd, ...(s.user ? { user: s.user } : {}), ...(s.group ? { group: s.group } : {}) };
}

/** `USERNAME [GROUPNAME]` */
export function userLine(words: Word[], ctx: ConvertCtx): { user: string; group?: string } | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.General, 'No script username specified');
    return undefined;
  }
  return words[1] ? { user: words[0].text, group: words[1].text } : { user: words[0].text };
}

// ---- tracked objects --------------------------------------------------------------------------

export interface TrackItem {
  name: string;
  weight?: number;
  reverse?: boolean;
}

/**
 * `NAME [weight W [reverse|noreverse]]` lines of track_interface/script/file/process/bfd.
 * keepalived reads the weight in [min, max]; for most kinds it still reads ±254 and clamps it to
 * ±253 with an error (clamp254); track_interface knows `reverse` only.
 */
export function trackLine(what: string, min: number, max: number, clamp254: boolean, noreverse: boolean, sample = 'X'): LineSpec {
  const wt = int(min, max);
  return {
    name: what,
    example: `${sample} weight 10`,
    duplicateMessage: `duplicate ${what} - ignoring`,
    convert(words, ctx) {
      const item: TrackItem = { name: words[0].text };
      if (words.length === 1) return item;
      if (words[1].text !== 'weight') {
        ctx.report(ErrClass.General, `unknown ${what} option ${words[1].text} - ignoring`, words[1]);
        return undefined;
      }
      if (words.length === 2) {
        ctx.report(ErrClass.General, `weight without value specified for ${what} ${item.name} - ignoring`, words[1]);
        return undefined;
      }
      const w = wt.parse(words[2].text);
      if (!w.ok) {
        ctx.report(w.cls, w.message, words[2]);
        item.weight = 0;
      } else if (clamp254 && Math.abs(w.value) === 254) {
        ctx.report(ErrClass.General, `weight for ${item.name} cannot be +/-254. Setting to +/-253`, words[2]);
        item.weight = w.value < 0 ? -253 : 253;
      } else item.weight = w.value;
      if (words.length >= 4) {
        const r = words[3].text;
        if (r === 'reverse') item.reverse = true;
        else if (noreverse && r === 'noreverse') item.reverse = false;
        else ctx.report(ErrClass.General, `unknown ${what} ${item.name} weight option ${r} - ignoring`, words[3]);
      }
      return item;
    },
  };
}

// examples name the objects tests and docs define: interface eth0, vrrp_script CHK, track_file TF, vrrp_track_process PROC, bfd_instance BFD
export const trackInterfaceLine = trackLine('track_interface', -254, 254, true, false, 'eth0');
export const trackScriptLine = trackLine('track_script', -254, 254, true, true, 'CHK');
export const trackFileLine = trackLine('track_file', -254, 254, true, true, 'TF');
export const trackProcessLine = trackLine('track_process', -254, 254, true, true, 'PROC');
export const trackBfdLine = trackLine('track_bfd', -253, 253, false, true, 'BFD');

/** A line that is just a name (sync group members, garp_group interfaces, notification_email). */
export function nameLine(what: string, emptyMessage?: string, sample = 'X'): LineSpec {
  return {
    name: what,
    example: sample,
    ...(emptyMessage ? { emptyMessage } : {}),
    convert(words, ctx) {
      if (words.length > 1) ctx.report(ErrClass.General, `extra text '${words[1].text}' after ${what} ${words[0].text} - ignoring`, words[1], 'warning');
      return words[0].text;
    },
  };
}

/** `weight W [reverse]` of vrrp_script/track_file/vrrp_track_process/bfd_instance. */
export function weightReverse(min: number, max: number, noreverse = false) {
  const wt = int(min, max);
  return example((words: Word[], ctx: ConvertCtx): { weight: number; reverse: boolean } | undefined => {
    if (words.length === 0) {
      ctx.report(ErrClass.MissingParameter, 'weight missing');
      return undefined;
    }
    const w = parseWord(wt, words[0], ctx);
    if (w === undefined) return undefined;
    let reverse = false;
    if (words[1]) {
      if (words[1].text === 'reverse') reverse = true;
      else if (!(noreverse && words[1].text === 'noreverse')) ctx.report(ErrClass.General, `unknown weight option ${words[1].text} - ignoring`, words[1]);
    }
    return { weight: w, reverse };
  }, '10 reverse');
}

// ---- addresses -------------------------------------------------------------------------------

const SCOPES: Record<string, number> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };

/** Address scope: a name or 0..255 (as `ip address add ... scope`). */
export function parseScope(t: string): number | undefined {
  if (t in SCOPES) return SCOPES[t];
  if (/^\d+$/.test(t) && Number(t) <= 255) return Number(t);
  if (/^0x[0-9a-f]+$/i.test(t) && Number(t) <= 255) return Number(t);
  return undefined;
}

export interface AddressLine extends IpPrefix {
  brd?: string;
  dev?: string;
  scope?: number;
  label?: string;
  peer?: IpPrefix;
  home?: boolean;
  nodad?: boolean;
  mngtmpaddr?: boolean;
  noprefixroute?: boolean;
  autojoin?: boolean;
  no_track?: boolean;
  preferred_lft?: number | 'forever';
  track_group?: string;
  use_vmac?: boolean;
}

/**
 * An address line of virtual_ipaddress / virtual_ipaddress_excluded / static_ipaddress
 * (keepalived alloc_ipaddress). `isStatic` allows track_group; otherwise use_vmac is allowed.
 */
export function addressLine(isStatic: boolean): LineSpec {
  return {
    name: 'address',
    example: '10.99.3.1/24 dev eth0 label eth0:1',
    convert(words, ctx) {
      const first = words[0];
      const a = parseIpWithPrefix(first, ctx);
      if (!a) return undefined;
      const out: AddressLine = { ...a };
      for (let i = 1; i < words.length; i++) {
        const w = words[i];
        const opt = w.text;
        const needsParam = opt === 'dev' || opt === 'scope' || opt === 'broadcast' || opt === 'brd' || opt === 'label' || opt === 'peer' || opt === 'preferred_lft' || (isStatic && opt === 'track_group');
        if (needsParam && i + 1 >= words.length) {
          ctx.report(ErrClass.General, `No ${opt} parameter specified for ${first.text}`, w);
          return undefined;
        }
        const p = words[i + 1];
        switch (opt) {
          case 'dev':
            if (out.dev !== undefined) {
              ctx.report(ErrClass.General, `Cannot specify ipaddress device more than once for ${first.text}`, w);
              return undefined;
            }
            out.dev = p.text;
            i++;
            break;
          case 'scope': {
            const s = parseScope(p.text);
            if (s === undefined) ctx.report(ErrClass.General, `Invalid scope '${p.text}' specified for ${first.text} - ignoring`, p);
            else out.scope = s;
            i++;
            break;
          }
          case 'broadcast':
          case 'brd':
            if (out.family === 6) ctx.report(ErrClass.General, `VRRP is trying to assign a broadcast ${p.text} to the IPv6 address ${first.text} !!?? WTF... skipping VIP...`, p);
            else if (p.text !== '-' && p.text !== '+' && isIP(p.text) !== 4) ctx.report(ErrClass.General, `VRRP is trying to assign invalid broadcast ${p.text}. skipping VIP...`, p);
            else out.brd = p.text;
            i++;
            break;
          case 'label':
            if (Buffer.byteLength(p.text) > 15) {
              ctx.report(ErrClass.General, `Address label ${p.text} is longer than maximum length 15 - removing address`, p);
              return undefined;
            }
            out.label = p.text;
            i++;
            break;
          case 'peer': {
            if (out.peer) ctx.report(ErrClass.General, `Peer ${p.text} - another peer has already been specified`, p);
            const pa = ipPrefix.parse(p.text);
            if (!pa.ok) ctx.report(ErrClass.General, `Invalid peer address ${p.text}`, p);
            else if (pa.value.family !== out.family) ctx.report(ErrClass.General, `Peer address ${p.text} does not match address family`, p);
            else out.peer = pa.value;
            i++;
            break;
          }
          case 'home': out.home = true; break;
          case '-nodad': out.nodad = true; break;
          case 'mngtmpaddr': out.mngtmpaddr = true; break;
          case 'noprefixroute': out.noprefixroute = true; break;
          case 'autojoin': out.autojoin = true; break;
          case 'no_track': out.no_track = true; break;
          case 'preferred_lft':
            if (p.text === 'forever') out.preferred_lft = 'forever';
            else {
              const v = uint(0, 4294967295).parse(p.text);
              if (v.ok) out.preferred_lft = v.value;
              else ctx.report(ErrClass.General, `preferred_lft ${p.text} is invalid`, p);
            }
            i++;
            break;
          default:
            if (isStatic && opt === 'track_group') {
              out.track_group = p.text;
              i++;
            } else if (!isStatic && opt === 'use_vmac') out.use_vmac = true;
            else ctx.report(ErrClass.General, `Unknown configuration entry '${opt}' for ip address - ignoring`, w);
        }
      }
      if (out.brd !== undefined && out.peer) {
        ctx.report(ErrClass.General, 'Cannot specify broadcast and peer addresses - ignoring broadcast address', first);
        delete out.brd;
      } else if ((out.brd === '+' || out.brd === '-') && out.prefix > 30) {
        ctx.report(ErrClass.General, `Address prefix length ${out.prefix} too long for broadcast`, first);
        delete out.brd;
      }
      if (out.family === 6 && out.scope !== undefined) {
        ctx.report(ErrClass.General, `Cannot specify scope for IPv6 addresses (${first.text}) - ignoring scope`, first);
        delete out.scope;
      }
      if (out.family === 6 && out.label !== undefined) {
        ctx.report(ErrClass.General, `Cannot specify label for IPv6 addresses (${first.text}) - ignoring label`, first);
        delete out.label;
      }
      return out;
    },
  };
}

/** `IP[/PREFIX]` as keepalived parse_ipaddress: a bad prefix is reported and the full length used. */
export function parseIpWithPrefix(w: Word, ctx: ConvertCtx): IpPrefix | undefined {
  const slash = w.text.indexOf('/');
  const addr = slash < 0 ? w.text : w.text.slice(0, slash);
  const f = isIP(addr);
  // keepalived picks the family by the presence of ':' and then inet_pton()s the address
  if (!f) {
    ctx.report(ErrClass.General, `VRRP parsed invalid IP ${w.text}. skipping IP...`, w);
    return undefined;
  }
  const max = f === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = w.text.slice(slash + 1);
    if (/^\s*\+?\d+$/.test(p) && Number(p) <= max) prefix = Number(p);
    else ctx.report(ErrClass.General, `Invalid address prefix len ${p} for address ${w.text} - using ${max}`, w);
  }
  return { addr, family: f as Family, prefix };
}

// ---- routes and rules ------------------------------------------------------------------------

const ROUTE_TYPES = new Set(['unicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'local', 'broadcast', 'anycast', 'multicast', 'nat', 'xresolve']);
/** route options taking one parameter (metrics may be preceded by `lock`) */
const ROUTE_PARAM = new Set([
  'src', 'from', 'via', 'gw', 'or', 'dev', 'oif', 'table', 'tos', 'dsfield', 'protocol', 'scope', 'metric', 'priority', 'preference',
  'mtu', 'hoplimit', 'advmss', 'rtt', 'rttvar', 'reordering', 'window', 'cwnd', 'ssthresh', 'realms', 'rto_min', 'initcwnd', 'initrwnd',
  'features', 'quickack', 'congctl', 'pref', 'fastopen_no_cookie', 'ttl-propagate', 'vrf', 'expires', 'track_group', 'as', 'to', 'weight',
]);
const ROUTE_LOCKABLE = new Set(['mtu', 'hoplimit', 'advmss', 'rtt', 'rttvar', 'reordering', 'window', 'cwnd', 'ssthresh', 'rto_min', 'initcwnd', 'initrwnd', 'congctl']);
const ROUTE_UINT: Record<string, [number, number, string]> = {
  metric: [0, 4294967295, 'metric'], priority: [0, 4294967295, 'metric'], preference: [0, 4294967295, 'metric'],
  mtu: [0, 4294967295, 'MTU'], hoplimit: [0, 255, 'hoplimit'], advmss: [0, 4294967295, 'advmss'], reordering: [0, 4294967295, 'reordering'],
  window: [0, 4294967295, 'window'], cwnd: [0, 4294967295, 'cwnd'], ssthresh: [0, 4294967295, 'ssthresh'],
  initcwnd: [0, 4294967295, 'initcwnd'], initrwnd: [0, 4294967295, 'initrwnd'],
};

/** keepalived's complaint about a route option's parameter, if any. */
function routeParamError(opt: string, v: string, dst: string): string | undefined {
  const r = ROUTE_UINT[opt];
  if (r) return uint(r[0], r[1]).parse(v).ok ? undefined : `Invalid ${r[2]} ${v} specified for route`;
  if (opt === 'scope') return parseScope(v) === undefined ? `Scope ${v} not found or invalid for route` : undefined;
  if (opt === 'tos' || opt === 'dsfield') {
    const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : /^\d+$/.test(v) ? Number(v) : NaN;
    return n >= 0 && n <= 255 ? undefined : `TOS value ${v} is invalid`;
  }
  if (opt === 'features') return v === 'ecn' ? undefined : `feature ${v} not supported`;
  if (opt === 'pref') {
    if (dst !== '' && isIP(dst.split('/')[0]) === 4) return 'pref is only valid for IPv6';
    return ['low', 'medium', 'high'].includes(v) || /^\d+$/.test(v) ? undefined : `Invalid pref ${v}`;
  }
  return undefined;
}

const ROUTE_FLAG = new Set(['onlink', 'no_track', 'append', 'prepend', 'add', 'inet', 'inet6', 'ecn', 'nexthop']);

export interface RouteLine {
  dst: string;
  type?: string;
  family?: Family;
  /** option -> value (flags -> true); nexthop groups in `nexthops` */
  options: Record<string, string | true>;
  nexthops?: Record<string, string | true>[];
  encap?: string[];
}

/**
 * A route line of static_routes / virtual_routes (keepalived alloc_route). The syntax is
 * `ip route add`'s; each option and its parameter are checked for presence, addresses for
 * validity; the kernel-level meaning is left to the code that installs routes.
 */
export function routeLine(isStatic: boolean): LineSpec {
  return {
    name: 'route',
    example: '10.99.4.0/24 via 10.99.3.254 dev eth0',
    convert(words, ctx) {
      const out: RouteLine = { dst: '', options: {} };
      let cur = out.options;
      for (let i = 0; i < words.length; i++) {
        const w = words[i];
        const t = w.text;
        if (t === 'inet') { out.family = 4; continue; }
        if (t === 'inet6') { out.family = 6; continue; }
        if (out.dst === '' && ROUTE_TYPES.has(t)) { out.type = t; continue; }
        if (t === 'nexthop') {
          out.nexthops ??= [];
          cur = {};
          out.nexthops.push(cur);
          continue;
        }
        if (t === 'encap') {
          // encap TYPE ...: the remaining words up to a known option belong to it
          const start = i + 1;
          let j = start;
          while (j < words.length && !ROUTE_PARAM.has(words[j].text) && !ROUTE_FLAG.has(words[j].text)) j++;
          if (j === start) {
            ctx.report(ErrClass.General, 'missing encap type', w);
            return undefined;
          }
          out.encap = words.slice(start, j).map((x) => x.text);
          i = j - 1;
          continue;
        }
        if (t === 'track_group' && !isStatic) {
          ctx.report(ErrClass.General, 'track_group only applies to static routes', w);
          return undefined;
        }
        if (ROUTE_PARAM.has(t) && t !== 'to') {
          let j = i + 1;
          if (ROUTE_LOCKABLE.has(t) && words[j]?.text === 'lock') j++;
          if (j >= words.length) {
            ctx.report(ErrClass.General, `missing parameter for route option ${t}`, w);
            return undefined;
          }
          const p = words[j];
          if ((t === 'via' || t === 'gw' || t === 'or' || t === 'src' || t === 'from') && !validAddr(p.text, true)) {
            ctx.report(ErrClass.General, `Invalid address ${p.text} for route ${t}`, p);
            return undefined;
          }
          // keepalived still reads the old spellings but reports them as config errors
          if (t === 'gw') ctx.report(ErrClass.General, '"gw" for routes is deprecated. Please use "via"', w);
          if (t === 'or') ctx.report(ErrClass.General, '"or" for routes is deprecated. Please use "nexthop"', w);
          const bad = routeParamError(t, p.text, out.dst);
          if (bad) {
            ctx.report(ErrClass.General, bad, p);
            return undefined;
          }
          cur[t === 'gw' ? 'via' : t] = j > i + 1 ? `lock ${p.text}` : p.text;
          // `features ecn` takes one word; `fastopen_no_cookie 1`
          i = j;
          continue;
        }
        if (ROUTE_FLAG.has(t)) { cur[t] = true; continue; }
        if (t === 'to') {
          if (i + 1 >= words.length) {
            ctx.report(ErrClass.General, 'missing route destination after to', w);
            return undefined;
          }
          i++;
        }
        const d = words[i];
        if (out.dst !== '' && t !== 'to') {
          ctx.report(ErrClass.General, `unknown route option ${d.text}`, d);
          return undefined;
        }
        if (!validAddr(d.text, true) && !['default', 'any', 'all', 'default6'].includes(d.text)) {
          ctx.report(ErrClass.General, `Invalid route destination ${d.text}`, d);
          return undefined;
        }
        out.dst = d.text;
      }
      if (out.dst === '') {
        ctx.report(ErrClass.General, 'Route must have a destination', words[0]);
        return undefined;
      }
      if (out.options.no_track === undefined) {
        // keepalived tracks the route through its interface, under its own protocol number
        const proto = out.options.protocol;
        if (typeof proto === 'string' && proto !== 'keepalived' && proto !== '18')
          ctx.report(ErrClass.General, 'Route cannot be tracked if protocol is not RTPROT_KEEPALIVED(18), resetting protocol', words[0]);
        if (out.options.dev === undefined && out.options.oif === undefined)
          ctx.report(ErrClass.General, `Warning - cannot track route ${out.dst} with no interface specified, not tracking`, words[0]);
      }
      return out;
    },
  };
}

const RULE_PARAM = new Set([
  // the man page writes ip_proto; keepalived 2.2.7 knows only ipproto
  'from', 'to', 'preference', 'priority', 'order', 'tos', 'dsfield', 'fwmark', 'iif', 'dev', 'oif', 'tunnel-id', 'uidrange',
  'protocol', 'ipproto', 'sport', 'dport', 'track_group',
]);
/** options that only make sense with a table action */
const RULE_TABLE_OPTION = new Set(['realms', 'suppress_prefixlength', 'sup_pl', 'suppress_ifgroup', 'sup_group']);
const RULE_FLAG = new Set(['no_track', 'not']);
const RULE_TYPE_ACTIONS = new Set(['blackhole', 'unreachable', 'prohibit']);
/** route types keepalived knows but refuses as a rule action */
const ROUTE_TYPE_NAMES = new Set(['unicast', 'local', 'broadcast', 'anycast', 'multicast', 'throw', 'nat', 'xresolve']);

/**
 * A rule line of static_rules / virtual_rules (keepalived alloc_rule; `ip rule add` syntax).
 * Exactly one action: table|lookup N, goto N, nop, blackhole|unreachable|prohibit (or type X),
 * or l3mdev. Table names other than main/local/default resolve through /etc/iproute2/rt_tables
 * when the rule is installed (a system check, like interface names).
 */
export function ruleLine(isStatic: boolean): LineSpec {
  return {
    name: 'rule',
    example: 'from 10.99.4.0/24 table 100 preference 100',
    convert(words, ctx) {
      const options: Record<string, string | true> = {};
      let family: Family | undefined;
      let action: string | undefined;
      let tableOption = false;
      const setAction = (a: string, w: Word, msg = 'Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable/l3mdev for rule'): boolean => {
        if (action !== undefined) {
          ctx.report(ErrClass.General, msg, w);
          return false;
        }
        action = a;
        return true;
      };
      for (let i = 0; i < words.length; i++) {
        const w = words[i];
        let t = w.text;
        if (t === 'inet') { family = 4; continue; }
        if (t === 'inet6') { family = 6; continue; }
        if (RULE_FLAG.has(t)) { options[t] = true; continue; }
        if (t === 'l3mdev') {
          if (!setAction('l3mdev', w, 'Cannot specify l3mdev with other action')) return undefined;
          options.l3mdev = true;
          continue;
        }
        if (t === 'track_group' && !isStatic) {
          ctx.report(ErrClass.General, 'track_group only applies to static rules', w);
          return undefined;
        }
        const p = words[i + 1];
        if (t === 'table' || t === 'lookup') {
          if (!p) {
            ctx.report(ErrClass.General, `missing parameter for rule option ${t}`, w);
            return undefined;
          }
          if (/^\d+$/.test(p.text) && Number(p.text) === 0) {
            ctx.report(ErrClass.General, 'Table 0 is not valid', p);
            return undefined;
          }
          if (!/^\d+$/.test(p.text) && !/^[A-Za-z_][\w.-]*$/.test(p.text)) {
            ctx.report(ErrClass.General, `Routing table ${p.text} not found for rule`, p);
            return undefined;
          }
          if (!setAction('table', w)) return undefined;
          options.table = p.text;
          i++;
          continue;
        }
        if (RULE_TABLE_OPTION.has(t) || RULE_PARAM.has(t)) {
          if (!p) {
            ctx.report(ErrClass.General, `missing parameter for rule option ${t}`, w);
            return undefined;
          }
          if ((t === 'from' || t === 'to') && !validAddr(p.text, true) && p.text !== 'all') {
            ctx.report(ErrClass.General, `Invalid rule ${t} address ${p.text}`, p);
            return undefined;
          }
          if (t === 'protocol') {
            // rules take a protocol number only (routes also know names)
            const n = uint(0, 255).parse(p.text);
            if (!n.ok) {
              ctx.report(n.cls, n.message, p);
              ctx.report(ErrClass.General, `Invalid protocol ${p.text}`, p);
            }
          }
          if (RULE_TABLE_OPTION.has(t)) tableOption = true;
          const key = t === 'priority' || t === 'order' ? 'preference' : t === 'sup_pl' ? 'suppress_prefixlength' : t === 'sup_group' ? 'suppress_ifgroup' : t;
          options[key] = p.text;
          i++;
          continue;
        }
        // actions
        if (t === 'type') {
          if (!p) {
            ctx.report(ErrClass.General, 'missing rule type', w);
            return undefined;
          }
          t = p.text;
          i++;
        }
        if (t === 'goto') {
          const g = words[i + 1];
          const n = g ? uint(0, 4294967295).parse(g.text) : undefined;
          if (!n || !n.ok) {
            ctx.report(ErrClass.General, `Invalid target ${g?.text ?? ''} specified`, g ?? w);
            return undefined;
          }
          if (!setAction('goto', w)) return undefined;
          options.goto = g!.text;
          i++;
        } else if (t === 'nop' || RULE_TYPE_ACTIONS.has(t)) {
          if (!setAction(t, w)) return undefined;
          options.type = t;
        } else if (ROUTE_TYPE_NAMES.has(t)) {
          ctx.report(ErrClass.General, `Invalid rule action ${t}`, w);
          return undefined;
        } else {
          ctx.report(ErrClass.General, `Unknown rule option ${t}`, w);
          return undefined;
        }
      }
      const first = words[0];
      if (action === 'goto') {
        const pref = options.preference;
        if (typeof pref !== 'string') {
          ctx.report(ErrClass.General, `Invalid rule - goto target ${options.goto} specified without preference`, first);
          return undefined;
        }
        if (Number(pref) >= Number(options.goto)) {
          ctx.report(ErrClass.General, `Invalid rule - preference ${pref} >= goto target ${options.goto}`, first);
          return undefined;
        }
      }
      if (action === undefined) {
        ctx.report(ErrClass.General, 'No action specified for rule - ignoring', first);
        return undefined;
      }
      if (tableOption && action !== 'table' && action !== 'l3mdev') {
        ctx.report(ErrClass.General, 'suppressor/realm specified for non table action - skipping', first);
        return undefined;
      }
      if (options.no_track === undefined) {
        const proto = options.protocol;
        if (typeof proto === 'string' && proto !== '18' && /^\d+$/.test(proto))
          ctx.report(ErrClass.General, 'Rule cannot be tracked if protocol is not RTPROT_KEEPALIVED(18), resetting protocol', first);
      }
      if (options.track_group !== undefined && options.iif === undefined && options.dev === undefined)
        ctx.report(ErrClass.General, 'Static rule cannot have track_group if dev/iif not specified', first);
      if (options.preference === undefined)
        ctx.report(ErrClass.General, 'Rule has no preference specified - keepalived assigns one. This is probably not what you want.', first);
      return family ? { family, options } : { options };
    },
  };
}

function validAddr(t: string, allowPrefix: boolean): boolean {
  const slash = t.indexOf('/');
  if (slash < 0) return isIP(t) !== 0;
  if (!allowPrefix) return false;
  const f = isIP(t.slice(0, slash));
  const p = t.slice(slash + 1);
  return f !== 0 && /^\d+$/.test(p) && Number(p) <= (f === 4 ? 32 : 128);
}

// ---- VRRP unicast peers ------------------------------------------------------------------------

export interface UnicastPeer extends IpAddr {
  min_ttl?: number;
  max_ttl?: number;
}

/** `<IPADDR> [min_ttl {0..255}] [max_ttl {0..255}]` */
export const unicastPeerLine: LineSpec = {
  name: 'unicast peer',
  example: '10.99.3.2 min_ttl 1 max_ttl 255',
  convert(words, ctx) {
    const a = ip.parse(words[0].text);
    if (!a.ok) {
      ctx.report(ErrClass.General, `Configuration error: malformed unicast peer address[${words[0].text}]. Skipping...`, words[0]);
      return undefined;
    }
    const out: UnicastPeer = { ...a.value };
    for (let i = 1; i < words.length; i += 2) {
      const k = words[i];
      const v = words[i + 1];
      if (!v) {
        ctx.report(ErrClass.General, `${k.text} is missing a value`, k);
        break;
      }
      const n = uint(0, 255).parse(v.text);
      if (!n.ok) {
        ctx.report(n.cls, n.message, v);
        continue;
      }
      if (k.text === 'min_ttl') out.min_ttl = n.value;
      else if (k.text === 'max_ttl') out.max_ttl = n.value;
      else ctx.report(ErrClass.General, `unknown unicast_peer option ${k.text}`, k);
    }
    if (out.min_ttl !== undefined && out.max_ttl !== undefined && out.min_ttl > out.max_ttl)
      ctx.report(ErrClass.General, `min_ttl ${out.min_ttl} > max_ttl ${out.max_ttl} - all packets will be discarded`, words[0]);
    return out;
  },
};

// ---- LVS -------------------------------------------------------------------------------------

export interface ForwardingMethod {
  method: 'NAT' | 'DR' | 'TUN';
  tunnel?: { type: 'ipip' | 'gue' | 'gre'; port?: number; csum?: 'nocsum' | 'csum' | 'remcsum' };
}

/** `NAT|DR` or `TUN [type {ipip|gue port NUM|gre} [nocsum|csum|remcsum]]` (keepalived svr_forwarding_handler). */
export function lvsMethod(words: Word[], ctx: ConvertCtx): ForwardingMethod | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.MissingParameter, 'forwarding method missing');
    return undefined;
  }
  const m = words[0].text;
  if (m !== 'NAT' && m !== 'DR' && m !== 'TUN') {
    ctx.report(ErrClass.General, `PARSER : unknown [${m}] routing method.`, words[0]);
    return undefined;
  }
  if (m !== 'TUN' && words.length === 1) return { method: m };
  // keepalived parses tunnel options after any method; they only take effect with TUN
  let type: 'ipip' | 'gue' | 'gre' = 'ipip';
  let port = 0;
  let csum: 'nocsum' | 'csum' | 'remcsum' = 'nocsum';
  for (let i = 1; i < words.length; i++) {
    const t = words[i].text;
    if (t === 'type') {
      const v = words[i + 1];
      if (!v) {
        ctx.report(ErrClass.General, 'Missing tunnel type.', words[i]);
        return undefined;
      }
      if (v.text !== 'ipip' && v.text !== 'gue' && v.text !== 'gre') {
        ctx.report(ErrClass.General, `Unknown tunnel type ${v.text}.`, v);
        return undefined;
      }
      type = v.text;
      i++;
    } else if (t === 'port') {
      const v = words[i + 1];
      if (!v) {
        ctx.report(ErrClass.General, 'Missing port for gue tunnel.', words[i]);
        return undefined;
      }
      const p = uint(1, 65535).parse(v.text);
      if (!p.ok) {
        ctx.report(p.cls, p.message, v);
        ctx.report(ErrClass.General, `Invalid gue tunnel port ${v.text}.`, v);
        return undefined;
      }
      port = p.value;
      i++;
    } else if (t === 'nocsum' || t === 'csum' || t === 'remcsum') csum = t;
    else {
      ctx.report(ErrClass.General, `Invalid tunnel option ${t}.`, words[i]);
      return undefined;
    }
  }
  if ((type === 'gue') !== (port !== 0)) {
    ctx.report(ErrClass.General, 'gue tunnels require port, otherwise cannot have port.', words[0]);
    return undefined;
  }
  if (type === 'ipip' && csum !== 'nocsum') {
    ctx.report(ErrClass.General, 'ipip tunnels do not support checksum option.', words[0]);
    return undefined;
  }
  if (type === 'gre' && csum === 'remcsum') {
    ctx.report(ErrClass.General, 'gre tunnels do not support remote checksum option.', words[0]);
    return undefined;
  }
  if (m !== 'TUN') return { method: m };
  return { method: m, tunnel: type === 'gue' ? { type, port, csum } : type === 'gre' ? { type, csum } : { type } };
}

export interface ServerAddr extends IpAddr {
  /** 0 when no port was given */
  port: number;
}

/** `<IPADDR> [<PORT>]` of real_server / sorry_server (keepalived inet_stosockaddr; port 0 = none). */
export function serverAddr(what: string) {
  return example((words: Word[], ctx: ConvertCtx): ServerAddr | undefined => {
    if (words.length === 0) {
      ctx.report(ErrClass.MissingParameter, `${what} address missing`);
      return undefined;
    }
    const a = ip.parse(words[0].text);
    if (!a.ok) {
      ctx.report(ErrClass.General, `Invalid ${what} IP address ${words[0].text} - skipping`, words[0]);
      return undefined;
    }
    let port = 0;
    if (words[1]) {
      const p = uint(0, 65535).parse(words[1].text);
      if (!p.ok) {
        ctx.report(ErrClass.General, `Invalid ${what} port ${words[1].text} - skipping`, words[1]);
        return undefined;
      }
      port = p.value;
    }
    if (words.length > 2) ctx.report(ErrClass.General, `extra parameter '${words[2].text}' for ${what}`, words[2], 'warning');
    return { addr: a.value.addr, family: a.value.family, port };
  }, '10.99.0.9 8080');
}

export type VirtualServerKey =
  | ({ kind: 'ip' } & ServerAddr)
  | { kind: 'fwmark'; fwmark: number }
  | { kind: 'group'; group: string };

/** `virtual_server <IPADDR> [<PORT>] | fwmark <INTEGER> | group <STRING>` (keepalived alloc_vs). */
export function virtualServerKey(words: Word[], ctx: ConvertCtx): VirtualServerKey | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.MissingParameter, 'virtual server address missing');
    return undefined;
  }
  const k = words[0].text;
  if (k === 'group' || k === 'fwmark') {
    if (!words[1]) {
      ctx.report(ErrClass.MissingParameter, `virtual server ${k} missing`, words[0]);
      return undefined;
    }
    if (k === 'group') return { kind: 'group', group: words[1].text };
    const f = uint(0, 4294967295).parse(words[1].text);
    if (!f.ok) {
      ctx.report(ErrClass.General, `virtual server fwmark '${words[1].text}' must be in [0, 4294967295] - ignoring`, words[1]);
      return undefined;
    }
    return { kind: 'fwmark', fwmark: f.value };
  }
  const a = serverAddr('virtual server')(words, ctx);
  return a && { kind: 'ip', ...a };
}

export type VsgEntry =
  | { kind: 'range'; addr: string; family: Family; /** last address of the range (= addr for one address) */ last: string; port: number }
  | { kind: 'fwmark'; fwmark: number; family?: Family };

/** A virtual_server_group entry: `IP|RANGE [PORT]` or `fwmark N [inet|inet6]`. */
export const vsgEntryLine: LineSpec = {
  name: 'virtual server group entry',
  example: '10.99.5.1-10 80',
  convert(words, ctx) {
    const t = words[0].text;
    if (t === 'fwmark') {
      const v = words[1];
      if (!v) {
        ctx.report(ErrClass.MissingParameter, 'fwmark value missing', words[0]);
        return undefined;
      }
      const f = uint(0, 4294967295).parse(v.text);
      if (!f.ok) {
        ctx.report(ErrClass.General, `fwmark '${v.text}' must be in [0, 4294967295] - ignoring`, v);
        return undefined;
      }
      if (words[2]) {
        if (words[2].text === 'inet') return { kind: 'fwmark', fwmark: f.value, family: 4 };
        if (words[2].text === 'inet6') return { kind: 'fwmark', fwmark: f.value, family: 6 };
        ctx.report(ErrClass.General, `fwmark '${f.value}' family ${words[2].text} unknown - ignoring`, words[2]);
        return undefined;
      }
      return { kind: 'fwmark', fwmark: f.value };
    }
    const r = parseRange(t);
    if (!r) {
      ctx.report(ErrClass.General, `Invalid virtual server group IP address ${t} - skipping`, words[0]);
      return undefined;
    }
    let port = 0;
    if (words[1]) {
      const p = uint(0, 65535).parse(words[1].text);
      if (!p.ok) {
        ctx.report(ErrClass.General, `Invalid virtual server group IP address ${t}/port/${words[1].text} - skipping`, words[1]);
        return undefined;
      }
      port = p.value;
    }
    return { kind: 'range', ...r, port };
  },
};

/** `A.B.C.D`, `A.B.C.D-E`, `A.B.C.D-E.F.G.H`, `A.B.C.D/nn` and the IPv6 forms (hex last group). */
export function parseRange(t: string): { addr: string; family: Family; last: string } | undefined {
  const slash = t.indexOf('/');
  if (slash >= 0) {
    const a = t.slice(0, slash);
    const f = isIP(a);
    const m = t.slice(slash + 1);
    if (!f || !/^\d+$/.test(m) || Number(m) === 0 || Number(m) > (f === 4 ? 32 : 128)) return undefined;
    return { addr: a, family: f as Family, last: t };
  }
  const dash = t.indexOf('-');
  if (dash < 0) {
    const f = isIP(t);
    return f ? { addr: t, family: f as Family, last: t } : undefined;
  }
  const a = t.slice(0, dash);
  const e = t.slice(dash + 1);
  const f = isIP(a);
  if (!f) return undefined;
  if (isIP(e) === f) return { addr: a, family: f as Family, last: e };
  if (f === 4 && /^\d{1,3}$/.test(e) && Number(e) <= 255) return { addr: a, family: 4, last: a.replace(/\d+$/, e) };
  if (f === 6 && /^[0-9a-f]{1,4}$/i.test(e)) return { addr: a, family: 6, last: a.replace(/[0-9a-f]*$/i, e) };
  return undefined;
}

// ---- builders that keep the tables short ------------------------------------------------------

type Extra = Partial<KeywordSpec>;

/** A keyword with one value argument. */
export function val(name: string, type: ValueType, support: Support, doc: string, extra: Extra = {}): KeywordSpec {
  return { name, args: [{ name: 'value', type }], support, doc, ...extra };
}

/**
 * A keyword with one value that keepalived lets appear without it (it complains later, if at all,
 * when the block ends): lvsd warns at the line and drops it.
 */
export function valOrWarn(name: string, type: ValueType, support: Support, doc: string, extra: Extra = {}): KeywordSpec {
  return {
    name,
    convert(words, ctx) {
      if (words.length === 0) {
        ctx.report(ErrClass.Warning, `${name} has no value - ignored`, undefined, 'warning');
        return undefined;
      }
      return parseWord(type, words[0], ctx);
    },
    support,
    doc,
    ...extra,
  };
}

/** A keyword with one optional value argument (present without it -> the field is absent from the object). */
export function optVal(name: string, type: ValueType, support: Support, doc: string, extra: Extra = {}): KeywordSpec {
  return { name, args: [{ name: 'value', type, optional: true }], support, doc, ...extra };
}

/** A flag: present -> true. */
export function flag(name: string, support: Support, doc: string, extra: Extra = {}): KeywordSpec {
  return { name, flag: true, support, doc, ...extra };
}

/** A flag that takes an optional <BOOL> word (keepalived check_true_false). */
export function flagBool(name: string, support: Support, doc: string, extra: Extra = {}): KeywordSpec {
  return { name, flag: true, flagArg: true, support, doc, ...extra };
}

/** A keyword with a custom converter. */
export function conv(name: string, convert: NonNullable<KeywordSpec['convert']>, support: Support, doc: string, extra: Extra = {}): KeywordSpec {
  return { name, convert, support, doc, ...extra };
}

/** A value block: `name { line... }`; a repeated block appends its lines unless extra says otherwise. */
export function lines(name: string, line: LineSpec, support: Support, doc: string, extra: Extra = {}): KeywordSpec {
  return { name, lines: line, repeatable: true, support, doc, ...extra };
}

example(scriptLine, '/bin/true');
example(scriptLineOrWarn, '/bin/true');
example(optionalScript, '/bin/true');
example(fifoLine, '/run/lvsd.fifo');
example(userLine, 'root');
example(lvsMethod, 'TUN type gue port 6080 csum');
example(virtualServerKey, '10.99.0.1 80');
