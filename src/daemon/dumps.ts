// The files keepalived 2.2.7 writes on signals, rendered from one DaemonStatus snapshot:
// SIGUSR1 -> /tmp/keepalived.data (VRRP process) and /tmp/keepalived_check.data (checker
// process), SIGUSR2 -> /tmp/keepalived.stats, its JSON signal -> /tmp/keepalived.json.
// Section headers and key names follow keepalived's dumps so scripts that grep them keep
// working; only the keys lvsd has facts for are written. Pure: the caller writes the files.
import { constants } from 'node:os';
import type { DaemonStatus, GarpSettings, RealServerStatus, VirtualServerStatus, VrrpInstanceStatus } from './state.js';
import type { VrrpState } from '../vrrp/types.js';

export const DUMP_FILE_NAMES = {
  data: 'keepalived.data',
  checkData: 'keepalived_check.data',
  stats: 'keepalived.stats',
  json: 'keepalived.json',
} as const;

/** Where a dump goes: keepalived uses $TMPDIR when it is an absolute path, else /tmp. */
export function dumpPath(kind: keyof typeof DUMP_FILE_NAMES, env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.TMPDIR?.startsWith('/') ? env.TMPDIR.replace(/\/+$/, '') || '/' : '/tmp';
  return `${dir === '/' ? '' : dir}/${DUMP_FILE_NAMES[kind]}`;
}

/**
 * keepalived's JSON dump signal is SIGRTMIN+2 (`keepalived --signum=JSON` prints 36 here), and
 * Node can only listen on named signals, none of them real-time. SIGURG is used instead: its
 * default action is "ignore" (sending it to a process without a handler is harmless), no
 * terminal raises it (unlike SIGWINCH on a resize under `-n -l`), and it is only generated for
 * sockets that asked for it with F_SETOWN, which lvsd never does.
 */
export const JSON_DUMP_SIGNAL = 'SIGURG' as const;

export type SignalFunction = 'STOP' | 'RELOAD' | 'DATA' | 'STATS' | 'JSON';

const SIGNAL_NAMES: Record<SignalFunction, NodeJS.Signals> = {
  STOP: 'SIGTERM',
  RELOAD: 'SIGHUP',
  DATA: 'SIGUSR1',
  STATS: 'SIGUSR2',
  JSON: JSON_DUMP_SIGNAL,
};

/** `lvsd --signum=NAME`: the signal number to send for that function. */
export function signumFor(name: SignalFunction): number {
  return constants.signals[SIGNAL_NAMES[name]];
}

export function signalFor(name: SignalFunction): NodeJS.Signals {
  return SIGNAL_NAMES[name];
}

/** keepalived's VRRP_STATE_* numbers, as its JSON dump writes them. */
const STATE_NUMBER: Record<VrrpState, number> = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3 };

const AUTH_NUMBER = { none: 0, PASS: 1, AH: 2 } as const;

/** keepalived's defaults for the garp_* keywords (global_defs vrrp_garp_*) */
const GARP_DEFAULTS: GarpSettings = { delayS: 5, repeat: 5, refreshS: 0, refreshRepeat: 1, lowerPrioDelayS: 5, lowerPrioRepeat: 5 };

// ---- formatting helpers -------------------------------------------------------------------

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** "1795663293.208909" */
export function secUsec(ms: number): string {
  const sec = Math.floor(ms / 1000);
  const usec = Math.round((ms - sec * 1000) * 1000);
  return `${sec}.${String(usec).padStart(6, '0')}`;
}

/** asctime(3) in local time with microseconds before the year: "Thu Nov 26 03:21:33.208909 2026" */
export function ctimeUs(ms: number): string {
  const d = new Date(ms);
  const usec = Math.round((ms - Math.floor(ms / 1000) * 1000) * 1000);
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ` +
    `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${String(usec).padStart(6, '0')} ${d.getFullYear()}`;
}

/** keepalived prints timer values as seconds with 6 decimals */
function decimalSeconds(ms: number): string {
  return (ms / 1000).toFixed(6);
}

/** lvsd's VIP text ("addr/prefix" [+ " dev X"]) in keepalived's form "addr/prefix dev X scope global[ set]". */
export function formatVip(vip: string, defaultInterface: string, installed: boolean): string {
  const m = /^(\S+)(?:\s+dev\s+(\S+))?(.*)$/.exec(vip.trim());
  // a host prefix (/32, /128) is not printed, as `ip addr` input does not need it
  const raw = m?.[1] ?? vip;
  const addr = raw.replace(raw.includes(':') ? /\/128$/ : /\/32$/, '');
  const dev = m?.[2] ?? defaultInterface;
  const rest = (m?.[3] ?? '').trim();
  return `${addr} dev ${dev} scope global${rest ? ' ' + rest : ''}${installed ? ' set' : ''}`;
}

function bool(b: boolean, yes: string, no: string): string {
  return b ? yes : no;
}

// ---- /tmp/keepalived.data and /tmp/keepalived_check.data -----------------------------------

function globalSection(s: DaemonStatus): string[] {
  return [
    '------< Global definitions >------',
    ' Network namespace = (default)',
    ' Network namespace ipvs = (main namespace)',
    ...(s.routerId !== undefined ? [` Router ID = ${s.routerId}`] : []),
  ];
}

function vrrpInstance(v: VrrpInstanceStatus): string[] {
  const out = [` VRRP Instance = ${v.name}`, `   VRRP Version = ${v.version}`];
  if (v.syncGroup) out.push(`   Sync group = ${v.syncGroup}`);
  if (v.family === 6) out.push('   Using Native IPv6');
  out.push(`   State = ${v.state}`);
  if (v.state === 'BACKUP') {
    // keepalived prints a meaningless address here before any master was heard; lvsd omits it
    if (v.masterAddress !== null) out.push(`   Master router = ${v.masterAddress}`);
    out.push(`   Master priority = ${v.masterPriority ?? 0}`);
    if (v.version === 3) out.push(`   Master advert int = ${((v.masterAdvertIntervalMs ?? v.advertIntervalMs ?? 1000) / 1000).toFixed(2)} sec`);
  }
  out.push(`   Wantstate = ${v.wantState ?? v.state}`);
  if (v.lastTransitionAt !== null) out.push(`   Last transition = ${secUsec(v.lastTransitionAt)} (${ctimeUs(v.lastTransitionAt)})`);
  out.push(`   Interface = ${v.interface}`);
  if (v.sourceAddress !== undefined) out.push(`   Using src_ip = ${v.sourceAddress ?? '(none)'}`);
  if (v.unicastPeers === undefined || v.unicastPeers.length === 0) {
    out.push(`   Multicast address ${v.family === 6 ? 'ff02::12' : '224.0.0.18'}`);
  }
  const g = v.garp ?? GARP_DEFAULTS;
  out.push(
    `   Gratuitous ARP delay = ${g.delayS}`,
    `   Gratuitous ARP repeat = ${g.repeat}`,
    `   Gratuitous ARP refresh = ${g.refreshS}`,
    `   Gratuitous ARP refresh repeat = ${g.refreshRepeat}`,
    `   Gratuitous ARP lower priority delay = ${g.lowerPrioDelayS}`,
    `   Gratuitous ARP lower priority repeat = ${g.lowerPrioRepeat}`,
  );
  out.push(`   Virtual Router ID = ${v.vrid}`);
  out.push(`   Priority = ${v.basePriority}`);
  out.push(`   Effective priority = ${v.priority}`);
  out.push(`   Total priority = ${v.priority}`);
  const intervalMs = v.advertIntervalMs ?? 1000;
  out.push(v.version === 2 ? `   Advert interval = ${Math.floor(intervalMs / 1000)} sec` : `   Advert interval = ${intervalMs} milli-sec`);
  if (v.state === 'BACKUP' && v.version === 3) out.push(`   Master advert interval = ${v.masterAdvertIntervalMs ?? intervalMs} milli-sec`);
  if (v.accept !== undefined) out.push(`   Accept = ${bool(v.accept, 'enabled', 'disabled')}`);
  out.push(`   Preempt = ${bool(v.preempt ?? true, 'enabled', 'disabled')}`);
  if (v.preemptDelayMs) out.push(`   Preempt delay = ${v.preemptDelayMs / 1000} secs`);
  out.push(`   Promote_secondaries = ${bool(v.promoteSecondaries ?? false, 'enabled', 'disabled')}`);
  // keepalived names the authentication only for v2 or when one is configured
  if ((v.authType ?? 'none') !== 'none' || v.version === 2) out.push(`   Authentication type = ${authText(v.authType ?? 'none')}`);
  if (v.vips.length > 0) {
    out.push(`   Virtual IP (${v.vips.length}):`);
    for (const vip of v.vips) out.push(`     ${formatVip(vip, v.interface, v.vipsInstalled)}`);
  }
  if (v.excludedVips && v.excludedVips.length > 0) {
    out.push('   Virtual IP Excluded :');
    for (const vip of v.excludedVips) out.push(`     ${formatVip(vip, v.interface, v.vipsInstalled)}`);
  }
  if (v.unicastPeers && v.unicastPeers.length > 0) {
    out.push('   Unicast Peer :');
    for (const p of v.unicastPeers) out.push(`     ${p}`);
  }
  if (v.trackInterfaces && v.trackInterfaces.length > 0) {
    out.push('   Tracked interfaces :');
    for (const t of v.trackInterfaces) out.push(`     ${t}`);
  }
  if (v.trackScripts && v.trackScripts.length > 0) {
    out.push('   Tracked scripts :');
    for (const t of v.trackScripts) out.push(`     ${t}`);
  }
  return out;
}

function authText(a: 'none' | 'PASS' | 'AH'): string {
  return a === 'PASS' ? 'SIMPLE_PASSWORD' : a === 'AH' ? 'IPSEC_AH' : 'none';
}

/** Sync group state as keepalived derives it: FAULT if any member is, else the members' state. */
function groupState(members: VrrpInstanceStatus[]): VrrpState {
  if (members.some((m) => m.state === 'FAULT')) return 'FAULT';
  if (members.length > 0 && members.every((m) => m.state === 'MASTER')) return 'MASTER';
  if (members.some((m) => m.state === 'INIT')) return 'INIT';
  return 'BACKUP';
}

function syncGroups(vrrp: VrrpInstanceStatus[]): string[] {
  const groups = new Map<string, VrrpInstanceStatus[]>();
  for (const v of vrrp) {
    if (!v.syncGroup) continue;
    const g = groups.get(v.syncGroup) ?? [];
    g.push(v);
    groups.set(v.syncGroup, g);
  }
  if (groups.size === 0) return [];
  const out = ['------< VRRP Sync groups >------'];
  for (const [name, members] of groups) {
    out.push(` VRRP Sync Group = ${name}, ${groupState(members)}`);
    out.push('   VRRP member instances :');
    for (const m of members) out.push(`     ${m.name}`);
  }
  return out;
}

/** /tmp/keepalived.data: what keepalived's VRRP process writes on SIGUSR1. */
export function renderDataDump(s: DaemonStatus): string {
  const out = globalSection(s);
  if (s.vrrpEnabled && s.vrrp.length > 0) {
    out.push('------< VRRP Topology >------');
    for (const v of s.vrrp) out.push(...vrrpInstance(v));
    out.push(...syncGroups(s.vrrp));
  }
  return out.join('\n') + '\n';
}

/** keepalived's "[addr]:proto:port" for a virtual or real server. */
function trio(address: string, protocol: string, port: number): string {
  return `[${address}]:${protocol.toLowerCase()}:${port}`;
}

/** "10.0.0.1:80" / "[2001:db8::1]:80" -> address and port; null for "FWM n" / "group X". */
function splitHostPort(name: string): { address: string; port: number } | null {
  const m = /^\[?([0-9a-fA-F.:]+?)\]?:(\d+)$/.exec(name);
  return m?.[1] && m[2] ? { address: m[1], port: Number(m[2]) } : null;
}

function vsHeader(vs: VirtualServerStatus): string {
  const fwm = /^FWM (\d+)$/.exec(vs.name);
  if (fwm) return ` VS FWMARK = ${fwm[1]}`;
  const group = /^group (.+)$/.exec(vs.name);
  if (group) return ` VS GROUP = ${group[1]}`;
  const hp = splitHostPort(vs.name);
  return hp ? ` VS VIP = ${hp.address}, VPORT = ${hp.port}` : ` VS VIP = ${vs.name}`;
}

function vsLabel(vs: VirtualServerStatus): string {
  const hp = splitHostPort(vs.name);
  if (hp) return trio(hp.address, vs.protocol, hp.port);
  const group = /^group (.+)$/.exec(vs.name);
  return group ? `[${group[1]}]` : vs.name;
}

function realServer(rs: RealServerStatus): string[] {
  // keepalived's WEIGHT/effective weight is the configured (dynamic) weight, not the kernel's:
  // an inhibited server shows its weight here and 0 only in the IPVS table
  return [
    '   ------< Real server >------',
    `   RIP = ${rs.address}, RPORT = ${rs.port}, WEIGHT = ${rs.weight} EFF WEIGHT = ${rs.weight}`,
    `   forwarding method = ${rs.forwarding}`,
    `   Inhibit on failure is ${bool(rs.inhibitOnFailure ?? false, 'ON', 'OFF')}`,
    `   initial weight = ${rs.weight}`,
    `   effective weight = ${rs.weight}`,
    `   alive = ${rs.state === 'up' ? 1 : 0}`,
    `   num failed checkers = ${rs.lastCheck && !rs.lastCheck.ok ? 1 : 0}`,
    `   RS set = ${rs.kernelWeight !== null ? 1 : 0}`,
  ];
}

function virtualServer(vs: VirtualServerStatus): string[] {
  const out = [' ------< Virtual server >------', vsHeader(vs)];
  if (vs.delayLoopMs !== undefined) out.push(`   delay_loop = ${decimalSeconds(vs.delayLoopMs)}`);
  out.push(`   lvs_sched = ${vs.scheduler}`);
  if (vs.persistenceTimeout) out.push(`   persistence timeout = ${vs.persistenceTimeout}`);
  // a fwmark service has no protocol of its own in IPVS
  out.push(`   protocol = ${vs.name.startsWith('FWM ') ? 'none' : vs.protocol.toUpperCase() || 'none'}`);
  out.push(`   quorum = ${vs.quorum ?? 1}, hysteresis = ${vs.hysteresis ?? 0}`);
  if (vs.forwarding !== undefined) out.push(`   default forwarding method = ${vs.forwarding}`);
  if (vs.sorryServer) {
    out.push(`   sorry server = ${trio(vs.sorryServer.address, vs.protocol, vs.sorryServer.port)}`);
    out.push(`     forwarding method = ${vs.sorryServer.forwarding}`);
  }
  const alive = vs.realServers.some((r) => r.state === 'up') || vs.sorryActive;
  out.push(`   alive = ${alive ? 1 : 0}`);
  out.push(`   quorum_state_up = ${vs.quorumUp ? 1 : 0}`);
  for (const rs of vs.realServers) out.push(...realServer(rs));
  return out;
}

function healthCheckers(vss: VirtualServerStatus[]): string[] {
  const out: string[] = [];
  for (const vs of vss) {
    for (const rs of vs.realServers) {
      if (!rs.lastCheck) continue;
      out.push(` ${vsLabel(vs)} -> ${trio(rs.address, vs.protocol, rs.port)}`);
      out.push('   Enabled = yes');
      out.push(`   Up = ${bool(rs.state === 'up', 'yes', 'no')}`);
      out.push('   Has run = yes');
      // HTTP_GET/SSL_GET add their http protocol version, which the snapshot does not carry
      if (!/_GET$/.test(rs.lastCheck.checker)) out.push(`   Keepalive method = ${rs.lastCheck.checker}`);
    }
  }
  return out.length > 0 ? ['------< Health checkers >------', ...out] : [];
}

/** IP_VS_VERSION_CODE 0x010201 in /usr/include/linux/ip_vs.h */
const LVS_VERSION = '1.2.1';

/** /tmp/keepalived_check.data: what keepalived's checker process writes on SIGUSR1. */
export function renderCheckDataDump(s: DaemonStatus): string {
  const out = globalSection(s);
  if (s.checkersEnabled && s.virtualServers.length > 0) {
    out.push('------< LVS Topology >------', ` System is compiled with LVS v${LVS_VERSION}`);
    for (const vs of s.virtualServers) out.push(...virtualServer(vs));
    out.push(...healthCheckers(s.virtualServers));
  }
  return out.join('\n') + '\n';
}

// ---- /tmp/keepalived.stats -----------------------------------------------------------------

/** /tmp/keepalived.stats: keepalived's per-instance counters (SIGUSR2). */
export function renderStatsDump(s: DaemonStatus): string {
  const out: string[] = [];
  for (const v of s.vrrp) {
    const d = v.drops;
    out.push(
      `VRRP Instance: ${v.name}`,
      '  Advertisements:',
      `    Received: ${v.advertsReceived}`,
      `    Sent: ${v.advertsSent}`,
      `  Became master: ${v.becameMaster}`,
      `  Released master: ${v.releasedMaster ?? 0}`,
      '  Packet Errors:',
      `    Length: ${d.length}`,
      `    TTL: ${d.ttl}`,
      `    Invalid Type: ${d.type}`,
      `    Advertisement Interval: ${d.interval}`,
      `    Address List: ${d['address-list']}`,
      '  Authentication Errors:',
      '    Invalid Type: 0',
      '    Type Mismatch: 0',
      `    Failure: ${d.auth}`,
      '  Priority Zero:',
      `    Received: ${v.priorityZeroReceived}`,
      `    Sent: ${v.priorityZeroSent}`,
    );
  }
  return out.length > 0 ? out.join('\n') + '\n' : '';
}

// ---- /tmp/keepalived.json --------------------------------------------------------------------

/** keepalived's JSON writer escapes "/" as "\/"; doing the same keeps byte-compatible output. */
function jsonText(value: unknown): string {
  return JSON.stringify(value).replace(/\//g, '\\/');
}

/** keepalived writes last_transition with "%f" (6 decimals) */
function rawNumber(n: number, decimals: number): { raw: string } {
  return { raw: n.toFixed(decimals) };
}

function jsonObject(fields: Array<[string, unknown]>): string {
  const parts = fields.map(([k, v]) => {
    const val = typeof v === 'object' && v !== null && 'raw' in v ? String((v as { raw: unknown }).raw) : jsonText(v);
    return `${jsonText(k)}:${val}`;
  });
  return `{${parts.join(',')}}`;
}

function jsonInstance(v: VrrpInstanceStatus): string {
  const intervalS = (v.advertIntervalMs ?? 1000) / 1000;
  const g = v.garp ?? GARP_DEFAULTS;
  const data: Array<[string, unknown]> = [
    ['iname', v.name],
    ['dont_track_primary', 0],
    ['skip_check_adv_addr', 0],
    ['strict_mode', 0],
    ['vmac_ifname', ''],
    ['ifp_ifname', v.interface],
    ['master_priority', v.masterPriority ?? 0],
    ['last_transition', rawNumber((v.lastTransitionAt ?? 0) / 1000, 6)],
    ['garp_delay', g.delayS],
    ['garp_refresh', g.refreshS],
    ['garp_rep', g.repeat],
    ['garp_refresh_rep', g.refreshRepeat],
    ['garp_lower_prio_delay', g.lowerPrioDelayS],
    ['garp_lower_prio_rep', g.lowerPrioRepeat],
    ['lower_prio_no_advert', 0],
    ['higher_prio_send_advert', 0],
    ['vrid', v.vrid],
    ['base_priority', v.basePriority],
    ['effective_priority', v.priority],
    ['vipset', v.vipsInstalled],
    ['promote_secondaries', v.promoteSecondaries ?? false],
    ['adver_int', intervalS],
    ['master_adver_int', (v.masterAdvertIntervalMs ?? v.advertIntervalMs ?? 1000) / 1000],
    ['accept', (v.accept ?? true) ? 1 : 0],
    ['nopreempt', !(v.preempt ?? true)],
    ['preempt_delay', Math.floor((v.preemptDelayMs ?? 0) / 1000)],
    ['state', STATE_NUMBER[v.state]],
    ['wantstate', STATE_NUMBER[v.wantState ?? v.state]],
    ['version', v.version],
    ['smtp_alert', false],
    ['notify_deleted', false],
  ];
  // keepalived leaves empty lists out of the object altogether
  if (v.vips.length > 0) data.push(['vips', v.vips.map((x) => formatVip(x, v.interface, v.vipsInstalled))]);
  if (v.excludedVips && v.excludedVips.length > 0) data.push(['evips', v.excludedVips.map((x) => formatVip(x, v.interface, v.vipsInstalled))]);
  if (v.trackInterfaces && v.trackInterfaces.length > 0) data.push(['track_ifp', v.trackInterfaces]);
  if (v.trackScripts && v.trackScripts.length > 0) data.push(['track_script', v.trackScripts]);
  data.push(['auth_type', AUTH_NUMBER[v.authType ?? 'none']]);
  const d = v.drops;
  const stats: Array<[string, unknown]> = [
    ['advert_rcvd', v.advertsReceived],
    ['advert_sent', v.advertsSent],
    ['become_master', v.becameMaster],
    ['release_master', v.releasedMaster ?? 0],
    ['packet_len_err', d.length],
    ['advert_interval_err', d.interval],
    ['ip_ttl_err', d.ttl],
    ['invalid_type_rcvd', d.type],
    ['addr_list_err', d['address-list']],
    ['invalid_authtype', 0],
    ['authtype_mismatch', 0],
    ['auth_failure', d.auth],
    ['pri_zero_rcvd', v.priorityZeroReceived],
    ['pri_zero_sent', v.priorityZeroSent],
  ];
  return `{"data":${jsonObject(data)},"stats":${jsonObject(stats)}}`;
}

/** /tmp/keepalived.json: an array of {data, stats} per VRRP instance, keepalived's field names. */
export function renderJsonDump(s: DaemonStatus): string {
  return `[${s.vrrp.map(jsonInstance).join(',')}]`;
}
