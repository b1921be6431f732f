// global_defs and the root-level global keywords of keepalived.conf(5) ("Global definitions").
// Ranges and messages follow keepalived 2.2.7 core/global_parser.c.
import { ErrClass } from '../diagnostics.js';
import type { ConvertCtx, KeywordSpec, Word } from './types.js';
import { INT_MAX, INT_MIN, UINT_MAX, int, ifname, ip, multicast, name, path, string, timerUs, uint, wholeSeconds } from './values.js';
import { conv, example, fifoLine, flag, flagBool, ignored, later, lines, nameLine, optVal, parseWord, scriptLine, supported, userLine, val, valOrWarn } from './shared.js';

const SCHED = later('process scheduling (priority, realtime, CPU affinity, mlock) of lvsd');
const SNMP = later('SNMP agent');
const DBUS = later('DBus interface');
const SMTP = later('SMTP alerts');
const FIFO = later('notify FIFOs');
const NFT = later('nftables/iptables firewall rules (no_accept, VMAC IGMP filtering, virtual server group fwmarks)');
const NETNS = later('running in a network namespace');
const NLBUF = later('netlink socket buffer sizing');
const RELOAD = later('reload scheduling and reload checks');
const NO_IPSET = 'Debian builds keepalived without libipset';

/** Root-level global keywords (outside global_defs). */
export const rootGlobalKeywords: KeywordSpec[] = [
  val('net_namespace', name(255, 'net_namespace name'), NETNS, 'Network namespace to run in (cannot change on reload).', { onceMessage: 'Duplicate net_namespace definition - ignoring' }),
  optVal('net_namespace_ipvs', string, NETNS, 'Network namespace holding the IPVS configuration (none = default namespace).', { onceMessage: 'Duplicate net_namespace_ipvs definition - ignoring' }),
  flag('namespace_with_ipsets', NETNS, 'Allow ipsets with a namespace on kernels before 3.13.'),
  val('instance', string, later('per-instance pid and file names'), 'Instance name used in pid file names.', { onceMessage: 'Duplicate instance definition - ignoring' }),
  flag('use_pid_dir', later('pid files in /run/keepalived'), 'Create pid files in /run/keepalived.'),
  flag('linkbeat_use_polling', later('link polling with MII/ETHTOOL/ioctl'), 'Poll media link state instead of netlink.'),
  val('child_wait_time', wholeSeconds(0, Math.floor(UINT_MAX / 1e6)), later('graceful child shutdown timing'), 'Time to wait for child processes on termination (µs in the model).', { default: 5_000_000 }),
];

// lvs_timeouts [tcp SECS] [tcpfin SECS] [udp SECS]
function lvsTimeouts(words: Word[], ctx: ConvertCtx): Record<string, number> | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.General, 'lvs_timeouts requires at least one option');
    return undefined;
  }
  const out: Record<string, number> = {};
  const t = uint(0, 86400 * 31);
  for (let i = 0; i < words.length; i++) {
    const k = words[i].text;
    if (k === 'tcp' || k === 'tcpfin' || k === 'udp') {
      const v = words[i + 1];
      if (!v) {
        ctx.report(ErrClass.General, `No value specified for lvs_timeout ${k} - ignoring`, words[i]);
        break;
      }
      const n = t.parse(v.text);
      if (n.ok) out[k] = n.value;
      else {
        ctx.report(n.cls, n.message, v);
        ctx.report(ErrClass.General, `Invalid lvs_timeout ${k} (${v.text}) - ignoring`, v);
      }
      i++;
    } else ctx.report(ErrClass.General, `Unknown option ${k} specified for lvs_timeouts`, words[i]);
  }
  return out;
}

interface SyncDaemon { ifname: string; inst?: string; id?: number; maxlen?: number; port?: number; ttl?: number; group?: string }

// lvs_sync_daemon <INTERFACE> [[inst] <VRRP_INSTANCE>] [id <SYNC_ID>] [maxlen <LEN>] [port <PORT>] [ttl <TTL>] [group <IP ADDR>]
function lvsSyncDaemon(words: Word[], ctx: ConvertCtx): SyncDaemon | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.General, 'lvs_sync_daemon requires interface');
    return undefined;
  }
  const ifn = parseWord(ifname, words[0], ctx);
  if (ifn === undefined) return undefined;
  const out: SyncDaemon = { ifname: ifn };
  const opts: Record<string, [number, number]> = { id: [0, 255], maxlen: [1, 65535 - 20 - 8], port: [1, 65535], ttl: [1, 255] };
  for (let i = 1; i < words.length; i++) {
    const k = words[i].text;
    const v = words[i + 1];
    if (k === 'inst' || k === 'group' || k in opts) {
      if (!v) {
        ctx.report(ErrClass.General, `No value specified for lvs_sync_daemon ${k} - ignoring`, words[i]);
        break;
      }
      i++;
      if (k === 'inst') out.inst = v.text;
      else if (k === 'group') {
        const g = multicast().parse(v.text);
        if (g.ok) out.group = g.value.addr;
        else ctx.report(ErrClass.General, `Invalid lvs_sync_daemon group (${v.text}) - ignoring`, v);
      } else {
        const [lo, hi] = opts[k];
        const n = uint(lo, hi).parse(v.text);
        if (n.ok) (out as unknown as Record<string, number>)[k] = n.value;
        else ctx.report(ErrClass.General, `Invalid lvs_sync_daemon ${k} (${v.text}) - ignoring`, v);
      }
    } else if (i === 1 && out.inst === undefined) {
      // backward compatible form: lvs_sync_daemon IF VRRP_INSTANCE [SYNCID]
      out.inst = k;
    } else if (i === 2 && /^\d+$/.test(k)) {
      const n = uint(0, 255).parse(k);
      if (n.ok) out.id = n.value;
      else ctx.report(ErrClass.General, `Invalid syncid (${k}) - defaulting to vrid`, words[i]);
      ctx.report(ErrClass.General, 'Please use keyword "id" before lvs_sync_daemon SYNCID', words[i]);
    } else ctx.report(ErrClass.General, `Unknown option ${k} specified for lvs_sync_daemon`, words[i]);
  }
  return out;
}

// vrrp_garp_extra_if [all] <0..86400>   (global: 1..86400)
function garpExtraIf(min: number) {
  return (words: Word[], ctx: ConvertCtx): { all: boolean; interval: number } | undefined => {
    let i = 0;
    let all = false;
    if (words[0]?.text === 'all') {
      all = true;
      i = 1;
    }
    if (!words[i]) {
      ctx.report(ErrClass.General, 'specified without time - ignoring', words[0]);
      return undefined;
    }
    const n = parseWord(uint(min, 86400), words[i], ctx);
    return n === undefined ? undefined : { all, interval: n };
  };
}
export const garpExtraIfGlobal = example(garpExtraIf(1), 'all 100');
export const garpExtraIfInstance = example(garpExtraIf(0), 'all 100');

// max_auto_priority [<-1 to 99>]; without a value: the maximum
function maxAutoPriority(words: Word[], ctx: ConvertCtx): number | undefined {
  if (words.length === 0) return 99;
  return parseWord(int(-1, 99), words[0], ctx);
}

// dynamic_interfaces [allow_if_changes]
function dynamicInterfaces(words: Word[], ctx: ConvertCtx): { allow_if_changes: boolean } | undefined {
  if (words.length === 0) return { allow_if_changes: false };
  if (words[0].text === 'allow_if_changes') return { allow_if_changes: true };
  ctx.report(ErrClass.General, `Unknown dynamic_interfaces option '${words[0].text}'`, words[0]);
  return undefined;
}

// lvs_flush_on_stop [VS]
function flushOnStop(words: Word[], ctx: ConvertCtx): 'full' | 'VS' | undefined {
  if (words.length === 0) return 'full';
  if (words[0].text === 'VS') return 'VS';
  ctx.report(ErrClass.General, `Unknown lvs_flush_on_stop type ${words[0].text}`, words[0]);
  return undefined;
}

// vrrp_iptables [IN_CHAIN [OUT_CHAIN]]
function iptables(words: Word[], ctx: ConvertCtx): { in?: string; out?: string } | undefined {
  const r: { in?: string; out?: string } = {};
  // Debian's keepalived is built with nftables only and reports every vrrp_iptables as an error
  ctx.report(ErrClass.General, "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option", words[0]);
  if (words[0]) r.in = parseWord(name(31, 'iptables in chain name'), words[0], ctx);
  if (words[1]) r.out = parseWord(name(31, 'iptables out chain name'), words[1], ctx);
  return r;
}

// vrrp_rx_bufs_policy MTU|ADVERT|NUMBER
function rxBufsPolicy(words: Word[], ctx: ConvertCtx): { policy?: 'MTU' | 'ADVERT'; size?: number } | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.General, 'vrrp_rx_bufs_policy missing');
    return undefined;
  }
  let mtu = false;
  let advert = false;
  let size: number | undefined;
  for (const w of words) {
    const u = w.text.toUpperCase();
    if (u === 'MTU') mtu = true;
    else if (u === 'ADVERT') advert = true;
    else {
      // keepalived reads the first word as the number whatever position the bad word has
      const n = uint(0, UINT_MAX).parse(words[0].text);
      if (n.ok) size = n.value;
      else ctx.report(ErrClass.General, `Invalid vrrp_rx_bufs_policy ${w.text}`, w);
    }
  }
  if (size !== undefined && (mtu || advert)) {
    ctx.report(ErrClass.General, 'Cannot set vrrp_rx_bufs_policy size and policy, ignoring policy', words[0]);
    return { size };
  }
  if (mtu && advert) ctx.report(ErrClass.General, 'Cannot set both vrrp_rx_bufs_policy MTU and ADVERT, ignoring ADVERT', words[0]);
  return size !== undefined ? { size } : mtu ? { policy: 'MTU' } : advert ? { policy: 'ADVERT' } : {};
}

const UMASK_BITS: Record<string, number> = { IRUSR: 0o400, IWUSR: 0o200, IXUSR: 0o100, IRGRP: 0o40, IWGRP: 0o20, IXGRP: 0o10, IROTH: 0o4, IWOTH: 0o2, IXOTH: 0o1 };

// umask NUMBER (hex, octal or decimal) | BITS (IWGRP|IWOTH, may be split over words)
function umask(words: Word[], ctx: ConvertCtx): number | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.General, 'Missing parameter(s) to umask option');
    return undefined;
  }
  const first = words[0].text;
  if (/^\d/.test(first)) {
    if (words.length !== 1) {
      ctx.report(ErrClass.General, 'Extra parameter(s) to umask option', words[1]);
      return undefined;
    }
    const v = /^0x[0-9a-f]+$/i.test(first) ? parseInt(first, 16) : /^0[0-7]*$/.test(first) ? parseInt(first, 8) : /^[1-9]\d*$/.test(first) ? Number(first) : NaN;
    if (Number.isNaN(v) || (v & ~0o777) !== 0) {
      ctx.report(ErrClass.General, `invalid umask value ${first}`, words[0]);
      return undefined;
    }
    return v;
  }
  let bits = 0;
  let needOr = false;
  for (const w of words) {
    let p = w.text;
    while (p.length) {
      if (needOr) {
        if (p[0] !== '|') {
          ctx.report(ErrClass.General, `Invalid umask syntax ${w.text}`, w);
          return undefined;
        }
        needOr = false;
        p = p.slice(1);
        continue;
      }
      const b = UMASK_BITS[p.slice(0, 5)];
      if (b === undefined) {
        ctx.report(ErrClass.General, `Unknown umask bit ${p}`, w);
        return undefined;
      }
      bits |= b;
      p = p.slice(5);
      needOr = true;
    }
  }
  if (!needOr) {
    ctx.report(ErrClass.General, 'umask missing bit value', words[words.length - 1]);
    return undefined;
  }
  return bits;
}

// include_check [[+|-]read|match|wildcard_match|brace_match ...] (keepalived include_check_set;
// the man page says "readable" but keepalived 2.2.7 knows the word "read"). A bare word sets the
// checks and is allowed only first; +word adds, -word removes. The result lists the words.
const INCLUDE_CHECKS = new Set(['read', 'match', 'wildcard_match', 'brace_match']);
function includeCheck(words: Word[], ctx: ConvertCtx): string[] | undefined {
  if (words.length === 0) return ['read', 'match', 'wildcard_match', 'brace_match'];
  const out: string[] = [];
  words.forEach((w, i) => {
    const op = w.text[0] === '+' || w.text[0] === '-';
    if (!op && i > 0) {
      ctx.report(ErrClass.General, `Duplicate include_check '${w.text}' specified - ignoring`, w);
      return;
    }
    const bare = op ? w.text.slice(1) : w.text;
    if (!INCLUDE_CHECKS.has(bare)) ctx.report(ErrClass.General, `Unknown include_check type '${bare}' - ignoring`, w);
    else out.push(w.text);
  });
  return out;
}

// smtp_server <IP|NAME> [PORT]
function smtpServer(words: Word[], ctx: ConvertCtx): { host: string; port: number } | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.General, 'Invalid smtp server');
    return undefined;
  }
  let p = 25;
  if (words[1]) {
    const n = uint(1, 65535).parse(words[1].text);
    if (!n.ok) {
      ctx.report(ErrClass.General, `Invalid smtp server ${words[0].text} ${words[1].text}`, words[1]);
      return undefined;
    }
    p = n.value;
  }
  return { host: words[0].text, port: p };
}

// <cpu> [<cpu>]...
function cpuList(words: Word[], ctx: ConvertCtx): number[] | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.General, 'No cpu_id set specified');
    return undefined;
  }
  const out: number[] = [];
  for (const w of words) {
    // keepalived bounds by the number of configured CPUs of the machine; lvsd checks that at startup
    const n = parseWord(int(0, 4095), w, ctx);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

// vrrp_ipsets [name [name6 [name_if6 [name_igmp [name_mld]]]]]
function ipsets(words: Word[], ctx: ConvertCtx): string[] | undefined {
  if (words.length > 5) ctx.report(ErrClass.General, 'too many ipset names', words[5]);
  return words.slice(0, 5).map((w) => w.text);
}

const nice = int(-20, 19);
const rtime = (p: string) => ({ [`${p}_rlimit_rtime`]: { level: 'log' as const, message: `Keyword '${p}_rlimit_rtime' is deprecated - please use '${p}_rlimit_rttime'` } });
const rtPrio = int(1, 99);
const rlimit = uint(1, UINT_MAX);
const bufs = uint(0, UINT_MAX);
const lvsProcName = name(15, 'process name');

/** The global_defs block, in man page order. */
export const globalDefsKeywords: KeywordSpec[] = [
  val('tmp_config_directory', path, ignored('lvsd reads the configuration once per process; no copy is made'), 'Directory for the temporary configuration copy.', { onceMessage: 'tmp_config_directory already specified - ignoring' }),
  val('config_save_dir', path, RELOAD, 'Directory where configuration state is saved around reloads.'),
  flag('process_names', later('process names'), 'Use the default process names.'),
  val('process_name', lvsProcName, later('process names'), 'Name of the parent process.'),
  val('vrrp_process_name', lvsProcName, later('process names'), 'Name of the VRRP process.'),
  val('checker_process_name', lvsProcName, later('process names'), 'Name of the checker process.', { aliases: ['lvs_process_name'], deprecated: { lvs_process_name: { level: 'log', message: "'lvs_process_name' is deprecated - please use 'checker_process_name'" } } }),
  val('bfd_process_name', lvsProcName, later('process names'), 'Name of the BFD process.'),
  conv('startup_script', scriptLine, later('startup/shutdown scripts'), 'Script run once before the children start.', { onceMessage: 'startup script already specified' }),
  val('startup_script_timeout', wholeSeconds(1, 1000), later('startup/shutdown scripts'), 'Time the startup script may run.', { default: 10_000_000 }),
  conv('shutdown_script', scriptLine, later('startup/shutdown scripts'), 'Script run once after the children stop.', { onceMessage: 'shutdown script already specified' }),
  val('shutdown_script_timeout', wholeSeconds(1, 1000), later('startup/shutdown scripts'), 'Time the shutdown script may run.', { default: 10_000_000 }),
  lines('notification_email', nameLine('email address', 'Warning - empty notification_email block', 'admin@example.com'), SMTP, 'Recipients of SMTP alerts.'),
  val('notification_email_from', string, SMTP, 'From address of SMTP alerts.'),
  conv('smtp_server', smtpServer, SMTP, 'SMTP server (IP or name) and optional port.'),
  valOrWarn('smtp_helo_name', string, SMTP, 'Name used in HELO.', { example: 'lvs1.example.com' }),
  val('smtp_connect_timeout', wholeSeconds(1, Math.floor(UINT_MAX / 1e6)), SMTP, 'SMTP connect timeout.', { default: 30_000_000 }),
  flagBool('smtp_alert', SMTP, 'Default state of all smtp_alerts.'),
  flagBool('smtp_alert_vrrp', SMTP, 'Default state of VRRP smtp_alerts.'),
  flagBool('smtp_alert_checker', SMTP, 'Default state of checker smtp_alerts.'),
  flagBool('checker_log_all_failures', supported, 'Log every failed real server check.'),
  flag('no_email_faults', SMTP, 'No SMTP alerts for FAULT transitions.'),
  val('router_id', string, supported, 'Name of this machine in notifications (default: host name).'),
  val('vrrp_mcast_group4', multicast(4), supported, 'IPv4 VRRP multicast group.', { default: { addr: '224.0.0.18', family: 4 } }),
  val('vrrp_mcast_group6', multicast(6), supported, 'IPv6 VRRP multicast group.', { default: { addr: 'ff02::12', family: 6 } }),
  val('default_interface', ifname, supported, 'Interface for static addresses without dev.', { default: 'eth0' }),
  conv('lvs_sync_daemon', lvsSyncDaemon, supported, 'IPVS sync daemon interface, instance and parameters.', { onceMessage: 'lvs_sync_daemon has already been specified - ignoring' }),
  conv('lvs_timeouts', lvsTimeouts, supported, 'IPVS tcp/tcpfin/udp connection timeouts (s).'),
  flag('lvs_flush', supported, 'Flush the IPVS table at startup.'),
  conv('lvs_flush_on_stop', flushOnStop, supported, 'Flush IPVS at shutdown (VS: virtual servers only).', { aliases: ['lvs_flush_onstop'] }),
  val('vrrp_garp_master_delay', wholeSeconds(0, Math.floor(UINT_MAX / 1e6)), supported, 'Delay of the second gratuitous ARP burst after becoming MASTER; 0 = none.', { default: 5_000_000 }),
  val('vrrp_garp_master_repeat', uint(1, UINT_MAX), supported, 'Gratuitous ARPs per burst.', { default: 5 }),
  val('vrrp_garp_lower_prio_delay', wholeSeconds(0, Math.floor(UINT_MAX / 1e6)), supported, 'Delay of GARPs after a lower priority advert (default: vrrp_garp_master_delay).'),
  val('vrrp_down_timer_adverts', uint(1, 100), supported, 'Default down_timer_adverts.', { default: 3 }),
  val('vrrp_garp_lower_prio_repeat', uint(0, INT_MAX), supported, 'GARPs after a lower priority advert (default: vrrp_garp_master_repeat).'),
  val('vrrp_garp_master_refresh', wholeSeconds(0, UINT_MAX), supported, 'Interval of GARP refresh while MASTER; 0 = none.', { default: 0 }),
  val('vrrp_garp_master_refresh_repeat', uint(1, UINT_MAX), supported, 'GARPs per refresh.', { default: 1 }),
  val('vrrp_garp_interval', timerUs(1, UINT_MAX), supported, 'Delay between gratuitous ARPs on an interface (s).', { default: 0 }),
  val('vrrp_gna_interval', timerUs(1, UINT_MAX), supported, 'Delay between unsolicited NAs on an interface (s).', { default: 0 }),
  flagBool('vrrp_min_garp', supported, 'Send one GARP/NA and no second burst.'),
  conv('vrrp_garp_extra_if', garpExtraIfGlobal, supported, 'Periodic GARP/NA (s) on VIP interfaces other than the instance interface.', {
    aliases: ['vrrp_vmac_garp_intvl'],
    deprecated: { vrrp_vmac_garp_intvl: { level: 'error', message: 'Keyword "vrrp_vmac_garp_intvl" is deprecated - please use "vrrp_garp_extra_if"' } },
  }),
  flagBool('vrrp_lower_prio_no_advert', supported, 'Do not answer a lower priority advert.'),
  flagBool('vrrp_higher_prio_send_advert', supported, 'Send an advert before yielding to a higher priority master.'),
  val('vrrp_version', int(2, 3), supported, 'Default VRRP version.', { default: 2 }),
  optVal('nftables', name(255, 'nftables table name'), NFT, 'Use nftables table TABLENAME (default keepalived).', { onceMessage: 'nftables already specified - ignoring' }),
  val('nftables_priority', int(INT_MIN, INT_MAX), NFT, 'Priority of the nftables base chains.', { default: -1 }),
  flag('nftables_counters', NFT, 'Add counters to nftables rules.'),
  flag('nftables_ifindex', NFT, 'Use ifindex in IPv6 link-local nftables sets.'),
  optVal('nftables_ipvs', name(255, 'ipvs nftables table name'), NFT, 'nftables table for virtual server group fwmarks.', { onceMessage: 'ipvs nftables already specified - ignoring' }),
  val('nftables_ipvs_priority', int(INT_MIN, INT_MAX), NFT, 'Priority of the IPVS nftables chains.'),
  val('nftables_ipvs_start_fwmark', uint(1, UINT_MAX), NFT, 'First fwmark for virtual server groups.', { default: 1000 }),
  conv('vrrp_iptables', iptables, NFT, 'iptables chains for VIP filtering (Debian keepalived uses nftables instead).', { onceMessage: 'iptables already specified - ignoring' }),
  conv('vrrp_ipsets', ipsets, NFT, 'ipset names used with iptables.', { unknownToKeepalived: NO_IPSET }),
  flag('disable_local_igmp', later('igmp_link_local_mcast_reports control'), 'Disable IGMP reports for 224.0.0.0/24.'),
  flag('vrrp_check_unicast_src', supported, 'Check that unicast adverts come from a configured peer.'),
  flag('vrrp_skip_check_adv_addr', supported, 'Skip the address check of adverts from the current master.'),
  flag('vrrp_strict', supported, 'Enforce strict VRRP compliance.'),
  flagBool('vrrp_notify_priority_changes', supported, 'Send priority changes on notify FIFOs.'),
  conv('max_auto_priority', maxAutoPriority, SCHED, 'Maximum automatic realtime priority (-1 silences the warning).', { default: 0 }),
  val('min_auto_priority_delay', int(1, 10_000_000), SCHED, 'Scheduling delay (µs) that triggers a priority increase.', { default: 1_000_000 }),
  val('vrrp_priority', nice, SCHED, 'Nice value of the VRRP process.'),
  val('checker_priority', nice, SCHED, 'Nice value of the checker process.'),
  val('bfd_priority', nice, SCHED, 'Nice value of the BFD process.'),
  flag('vrrp_no_swap', SCHED, 'Lock the VRRP process in memory.'),
  flag('checker_no_swap', SCHED, 'Lock the checker process in memory.'),
  flag('bfd_no_swap', SCHED, 'Lock the BFD process in memory.'),
  conv('vrrp_cpu_affinity', cpuList, SCHED, 'CPUs for the VRRP process.'),
  conv('checker_cpu_affinity', cpuList, SCHED, 'CPUs for the checker process.'),
  conv('bfd_cpu_affinity', cpuList, SCHED, 'CPUs for the BFD process.'),
  val('vrrp_rt_priority', rtPrio, SCHED, 'Realtime priority of the VRRP process.'),
  val('checker_rt_priority', rtPrio, SCHED, 'Realtime priority of the checker process.'),
  val('bfd_rt_priority', rtPrio, SCHED, 'Realtime priority of the BFD process.'),
  val('vrrp_rlimit_rttime', rlimit, SCHED, 'RLIMIT_RTTIME (µs) of the VRRP process.', { default: 10000, aliases: ['vrrp_rlimit_rtime'], deprecated: rtime('vrrp') }),
  val('checker_rlimit_rttime', rlimit, SCHED, 'RLIMIT_RTTIME (µs) of the checker process.', { default: 10000, aliases: ['checker_rlimit_rtime'], deprecated: rtime('checker') }),
  val('bfd_rlimit_rttime', rlimit, SCHED, 'RLIMIT_RTTIME (µs) of the BFD process.', { default: 10000, aliases: ['bfd_rlimit_rtime'], deprecated: rtime('bfd') }),
  val('snmp_socket', name(255, 'snmp socket name'), SNMP, 'AgentX master socket.', { default: 'unix:/var/agentx/master' , onceMessage: 'SNMP socket already set - ignoring' }),
  flag('enable_snmp_vrrp', SNMP, 'SNMP: VRRP part of the KEEPALIVED MIB.', { aliases: ['enable_snmp_keepalived'] }),
  flag('enable_snmp_checker', SNMP, 'SNMP: checker part of the KEEPALIVED MIB.'),
  flag('enable_snmp_rfc', SNMP, 'SNMP: RFC2787 and RFC6527 VRRP MIBs.'),
  flag('enable_snmp_rfcv2', SNMP, 'SNMP: RFC2787 VRRP MIB.'),
  flag('enable_snmp_rfcv3', SNMP, 'SNMP: RFC6527 VRRP MIB.'),
  flag('enable_traps', SNMP, 'SNMP traps.'),
  flag('enable_dbus', DBUS, 'Enable the DBus interface.'),
  val('dbus_service_name', string, DBUS, 'DBus service name.', { default: 'org.keepalived.Vrrp1' }),
  conv('script_user', userLine, supported, 'Default user [group] for scripts.'),
  flag('enable_script_security', supported, 'Refuse root scripts whose path a non-root user can write.'),
  conv('notify_fifo', fifoLine, later('checker events on notify_fifo (VRRP events are written)'), 'FIFO for all notify events.', { onceMessage: 'notify_fifo already specified - ignoring' }),
  conv('notify_fifo_script', scriptLine, FIFO, 'Script reading notify_fifo.', { onceMessage: 'notify_fifo_script already specified - ignoring' }),
  conv('vrrp_notify_fifo', fifoLine, supported, 'FIFO for VRRP notify events.', { onceMessage: 'vrrp_notify_fifo already specified - ignoring' }),
  conv('vrrp_notify_fifo_script', scriptLine, FIFO, 'Script reading vrrp_notify_fifo.', { onceMessage: 'vrrp_notify_fifo_script already specified - ignoring' }),
  conv('lvs_notify_fifo', fifoLine, FIFO, 'FIFO for checker notify events.', { onceMessage: 'lvs_notify_fifo already specified - ignoring' }),
  conv('lvs_notify_fifo_script', scriptLine, FIFO, 'Script reading lvs_notify_fifo.', { onceMessage: 'lvs_notify_fifo_script already specified - ignoring' }),
  flag('fifo_write_vrrp_states_on_reload', FIFO, 'Write VRRP states to the FIFOs on reload.'),
  conv('dynamic_interfaces', dynamicInterfaces, later('interfaces that appear after startup'), 'Allow interfaces missing at startup [allow_if_changes].'),
  val('vrrp_netlink_cmd_rcv_bufs', bufs, NLBUF, 'VRRP netlink command socket receive buffer.'),
  flagBool('vrrp_netlink_cmd_rcv_bufs_force', NLBUF, 'Use SO_RCVBUFFORCE.'),
  val('vrrp_netlink_monitor_rcv_bufs', bufs, NLBUF, 'VRRP netlink monitor socket receive buffer.'),
  flagBool('vrrp_netlink_monitor_rcv_bufs_force', NLBUF, 'Use SO_RCVBUFFORCE.'),
  val('lvs_netlink_cmd_rcv_bufs', bufs, NLBUF, 'Checker netlink command socket receive buffer.'),
  flagBool('lvs_netlink_cmd_rcv_bufs_force', NLBUF, 'Use SO_RCVBUFFORCE.'),
  val('lvs_netlink_monitor_rcv_bufs', bufs, NLBUF, 'Checker netlink monitor socket receive buffer.'),
  flagBool('lvs_netlink_monitor_rcv_bufs_force', NLBUF, 'Use SO_RCVBUFFORCE.'),
  val('process_monitor_rcv_bufs', bufs, later('process tracking (vrrp_track_process)'), 'Process monitor socket receive buffer.'),
  flagBool('process_monitor_rcv_bufs_force', later('process tracking (vrrp_track_process)'), 'Use SO_RCVBUFFORCE.'),
  conv('vrrp_rx_bufs_policy', rxBufsPolicy, later('VRRP socket receive buffer sizing'), 'VRRP socket receive buffer policy: MTU, ADVERT or a size.'),
  val('vrrp_rx_bufs_multiplier', uint(1, UINT_MAX), later('VRRP socket receive buffer sizing'), 'Multiplier for vrrp_rx_bufs_policy.', { default: 3 }),
  flagBool('rs_init_notifies', supported, 'Send notifies for real servers at startup.'),
  flagBool('no_checker_emails', SMTP, 'Mail only when a real server is added or removed.'),
  conv('umask', umask, later('umask for created files'), 'umask as a number or IRUSR|IWGRP|... bits.'),
  val('vrrp_startup_delay', timerUs(1000, UINT_MAX), supported, 'Delay (s) before VRRP instances start.'),
  flag('log_unknown_vrids', supported, 'Log adverts for VRIDs not configured on the interface.'),
  val('vmac_prefix', name(10, 'vmac prefix'), supported, 'Prefix of generated VMAC interface names.', { default: 'vrrp' , onceMessage: 'vmac prefix has already been specified - ignoring' }),
  val('vmac_addr_prefix', name(10, 'vmac_addr prefix'), supported, 'Prefix of VMAC names for VIPs on other interfaces.', { onceMessage: 'vmac_addr prefix has already been specified - ignoring' }),
  val('random_seed', uint(0, UINT_MAX), supported, 'Seed for ${_RANDOM}.'),
  optVal('reload_check_config', path, RELOAD, 'Check the configuration before a reload [log file].'),
  conv('include_check', includeCheck, supported, 'Which include failures are errors.'),
  val('reload_time_file', path, RELOAD, 'File holding a scheduled reload time.'),
  flag('reload_repeat', RELOAD, 'Keep the reload time file and reload daily.'),
  optVal('reload_file', path, RELOAD, 'File present while the configuration is read.'),
  flagBool('data_use_instance', later('SIGUSR1 data dumps'), 'Add instance and namespace to .data file names.'),
  // lvsd's own keyword (keepalived rejects it): the Prometheus endpoint's address
  // lvsd's own keyword: where `lvsd status` finds the daemon (--status-socket overrides; SIGHUP moves it)
  val('lvsd_status_socket', path, supported, "lvsd only (keepalived reports it as an unknown keyword): the unix socket 'lvsd status' reads; 'none' turns it off. Default /run/lvsd/lvsd.sock; --status-socket overrides it.", {
    onceMessage: 'lvsd_status_socket already specified - replacing',
  }),
  conv('lvsd_metrics_listen', metricsListen, supported, 'lvsd only (keepalived reports it as an unknown keyword): serve Prometheus metrics on http://ADDRESS:PORT/metrics; [ADDRESS] PORT, ADDRESS defaults to 127.0.0.1.', {
    onceMessage: 'lvsd_metrics_listen already specified - replacing',
  }),
];

// lvsd_metrics_listen [ADDRESS] PORT
function metricsListen(words: Word[], ctx: ConvertCtx): { host: string; port: number } | undefined {
  if (words.length < 1 || words.length > 2) {
    ctx.report(ErrClass.General, 'lvsd_metrics_listen takes [ADDRESS] PORT', words[0]);
    return undefined;
  }
  const hostWord = words.length === 2 ? words[0] : undefined;
  const portWord = words[words.length - 1];
  let host = '127.0.0.1';
  if (hostWord) {
    const a = ip.parse(hostWord.text);
    if (!a.ok) {
      ctx.report(ErrClass.General, `lvsd_metrics_listen: ${a.message}`, hostWord);
      return undefined;
    }
    host = a.value.addr;
  }
  const n = uint(1, 65535).parse(portWord.text);
  if (!n.ok) {
    ctx.report(ErrClass.General, `lvsd_metrics_listen: invalid port '${portWord.text}'`, portWord);
    return undefined;
  }
  return { host, port: n.value };
}
example(metricsListen, '127.0.0.1 9650');


example(lvsTimeouts, 'tcp 900 tcpfin 120 udp 300');
example(lvsSyncDaemon, 'eth0 inst VI_1 id 10 maxlen 1400 port 8848 ttl 2 group 224.0.0.81');
example(maxAutoPriority, '10');
example(dynamicInterfaces, 'allow_if_changes');
example(flushOnStop, 'VS');
example(iptables, 'keepalived_in keepalived_out');
example(rxBufsPolicy, 'MTU');
example(umask, 'IWGRP|IWOTH');
example(includeCheck, 'read +match');
example(smtpServer, '10.99.0.25 25');
example(cpuList, '0');
example(ipsets, 'keepalived keepalived6');
