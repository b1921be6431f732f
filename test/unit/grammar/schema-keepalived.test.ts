// The schema against the real keepalived 2.2.7 (`keepalived -t`, installed from Debian):
//  1. every keyword is known to keepalived in the block where the schema puts it, and the ones
//     marked unknownToKeepalived (and lvsd's own, LVSD_ONLY) are exactly the ones keepalived rejects;
//  2. hand-picked values per area are accepted/rejected as keepalived does;
//  3. every numeric, enumerated and boolean keyword at and beyond its bounds;
//  4. empty data blocks (emptyMessage); 5. every keyword without arguments;
//  6. a valid example of every keyword; 7. every keyword and data block repeated (onceMessage,
//     duplicateMessage).
// Each case is its own small config file and its own `keepalived -t` run (about 10 ms each), so
// a case cannot disturb another; keepalived's verdict is "some error was reported at the case's
// line(s)". About 2,500 runs: 20-30 s on an idle 2-core machine; the limits allow a loaded one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allBlocks, exampleOf, findKeyword, rootSchema } from '../../../grammar/schema/index.js';
import { readdirSync } from 'node:fs';
import type { BlockSpec, KeywordSpec, Word } from '../../../grammar/schema/types.js';

const KEEPALIVED = '/usr/sbin/keepalived';
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lvsd-schema-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opener line of a block keyword, so that keepalived enters its block. */
const OPENERS: Record<string, string> = {
  vrrp_instance: 'vrrp_instance VI_1',
  vrrp_sync_group: 'vrrp_sync_group G_1',
  vrrp_script: 'vrrp_script S_1',
  vrrp_track_process: 'vrrp_track_process P_1',
  track_file: 'track_file TF_1',
  track_group: 'track_group TG_1',
  bfd_instance: 'bfd_instance B_1',
  virtual_server: 'virtual_server 10.99.0.1 80',
  real_server: 'real_server 10.99.0.2 80',
  virtual_server_group: 'virtual_server_group VSG_1',
};
const opener = (k: string) => OPENERS[k] ?? k;

let seq = 0;
interface KaResult { out: string; lineErrors: string[] }

/** Runs keepalived -t on `ctx` blocks around `line` (after `prelude`); returns the messages reported at that line. */
function runKeepalived(ctx: string[], line: string, prelude: string[] = []): Promise<KaResult> {
  const lines: string[] = [...prelude];
  ctx.forEach((c, i) => lines.push(`${'  '.repeat(i)}${c} {`));
  const at = lines.length + 1;
  const body = line.split('\n');
  for (const b of body) lines.push(`${'  '.repeat(ctx.length)}${b}`);
  const last = lines.length;
  for (let i = ctx.length - 1; i >= 0; i--) lines.push(`${'  '.repeat(i)}}`);
  const file = join(dir, `c${seq++}.conf`);
  writeFileSync(file, lines.join('\n') + '\n');
  return new Promise((resolve, reject) => {
    execFile(KEEPALIVED, ['-t', '-f', file], { timeout: 10_000 }, (err, stdout, stderr) => {
      // keepalived 2.2.7 crashes (SIGSEGV) after parsing some incomplete configs, e.g. an
      // HTTP_GET without url; its messages are printed by then. Only a failure to run counts.
      if (err && typeof err.code === 'string') return reject(err);
      if (err && err.killed && !err.signal) return reject(err);
      const out = `${stdout}${stderr}`;
      const lineErrors = out.split('\n').filter((l) => {
        const m = /Line (\d+)\)/.exec(l);
        return m !== null && Number(m[1]) >= at && Number(m[1]) <= last;
      });
      resolve({ out, lineErrors });
    });
  });
}

/** Runs jobs with bounded concurrency (2 cores here). */
async function pool<T, R>(items: T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const res: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        res[i] = await f(items[i]);
      }
    }),
  );
  return res;
}

const words = (s: string): Word[] => {
  const out: Word[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push({ text: m[0], col: m.index + 1, quoted: false });
  return out;
};

/** The schema's verdict on one line: the error messages its value types / converters report. */
function schemaErrors(ctx: string[], line: string): string[] {
  let block: BlockSpec = rootSchema;
  let linesKw: KeywordSpec | undefined;
  for (const c of ctx) {
    const k = findKeyword(block, c.split(/\s+/)[0]);
    if (!k) throw new Error(`context ${c} not in schema`);
    if (k.block) block = k.block;
    else if (k.lines) linesKw = k;
  }
  const errs: string[] = [];
  const ctxObj = { report: (_c: unknown, m: string, _w?: Word, level?: 'error' | 'warning') => void (level !== 'warning' && errs.push(m)) };
  // the parser takes a trailing '{' off a block keyword's line before the words reach the schema
  const ws = words(line.split('\n')[0].replace(/\s*\{$/, ''));
  if (linesKw?.lines) {
    linesKw.lines.convert(ws, ctxObj);
    return errs;
  }
  const kw = findKeyword(block, ws[0].text);
  if (!kw) return [`unknown keyword ${ws[0].text}`];
  if (kw.unknownToKeepalived) errs.push(`Unknown keyword '${ws[0].text}'`);
  // this evaluator sees one line alone: a keyword that must follow another always fails here
  if (kw.after) errs.push(kw.after.message);
  const dep = kw.deprecated?.[ws[0].text];
  if (dep?.level === 'error') errs.push(dep.message);
  const args = ws.slice(1);
  if (kw.convert) kw.convert(args, ctxObj);
  else if (kw.flag && !kw.args?.length) {
    if (kw.flagArg && args[0] && !['true', 'on', 'yes', 'false', 'off', 'no'].includes(args[0].text)) errs.push(`bad bool ${args[0].text}`);
  } else {
    (kw.args ?? []).forEach((a, i) => {
      const w = args[i];
      if (!w) {
        if (!a.optional) errs.push(`missing ${a.name}`);
        return;
      }
      const r = a.type.parse(w.text);
      if (!r.ok) errs.push(r.message);
    });
  }
  return errs;
}

// ---- 1. keyword placement -------------------------------------------------------------------

/** lvsd's own keywords: keepalived rejects them by design (checked below), lvsd accepts them. */
const LVSD_ONLY = new Set(['lvsd_metrics_listen', 'lvsd_status_socket']);

interface Placement { ctx: string[]; word: string; unknown: boolean }

function placements(): Placement[] {
  const out: Placement[] = [];
  for (const { path, block } of allBlocks()) {
    // a path through the schema -> opener lines (repeatable blocks get a name)
    const ctx = path.map(opener);
    for (const k of block.keywords) {
      for (const word of [k.name, ...(k.aliases ?? [])]) out.push({ ctx, word, unknown: k.unknownToKeepalived !== undefined || LVSD_ONLY.has(k.name) });
    }
  }
  return out;
}

describe('schema keywords vs keepalived -t', () => {
  it('keepalived knows every schema keyword where the schema puts it, and only those', async () => {
    const cases = placements();
    expect(cases.length).toBeGreaterThan(400);
    const results = await pool(cases, 4, (c) => runKeepalived(c.ctx, c.word));
    const wrong: string[] = [];
    cases.forEach((c, i) => {
      const unknown = results[i].lineErrors.some((l) => l.includes(`Unknown keyword '${c.word}'`));
      if (unknown !== c.unknown) wrong.push(`${[...c.ctx, c.word].join(' > ')}: keepalived ${unknown ? 'rejects' : 'knows'} it, schema says ${c.unknown ? 'unknown' : 'known'}`);
    });
    expect(wrong, wrong.join('\n')).toEqual([]);
  }, 600_000);
});

// ---- 2. values ---------------------------------------------------------------------------------

/** [context openers, line]; each is run through keepalived and the schema. */
const VRRP = ['vrrp_instance VI_1'];
const VS = ['virtual_server 10.99.0.1 80'];
const RS = [...VS, 'real_server 10.99.0.2 80'];
const VALUE_CASES: Array<[string[], string]> = [
  // global_defs
  [['global_defs'], 'vrrp_version 2'], [['global_defs'], 'vrrp_version 4'], [['global_defs'], 'vrrp_version x'],
  [['global_defs'], 'vrrp_garp_master_delay 10'], [['global_defs'], 'vrrp_garp_master_delay -1'], [['global_defs'], 'vrrp_garp_master_delay 1.5'],
  [['global_defs'], 'vrrp_garp_interval 0.001'], [['global_defs'], 'vrrp_garp_interval 0.0000001'], [['global_defs'], 'vrrp_garp_interval abc'],
  [['global_defs'], 'vrrp_mcast_group4 224.0.0.19'], [['global_defs'], 'vrrp_mcast_group4 10.0.0.1'], [['global_defs'], 'vrrp_mcast_group4 ff02::12'],
  [['global_defs'], 'vrrp_mcast_group6 ff02::13'], [['global_defs'], 'vrrp_mcast_group6 fe80::1'],
  [['global_defs'], 'startup_script_timeout 1000'], [['global_defs'], 'startup_script_timeout 1001'], [['global_defs'], 'startup_script_timeout 0'],
  [['global_defs'], 'smtp_alert'], [['global_defs'], 'smtp_alert yes'], [['global_defs'], 'smtp_alert maybe'],
  [['global_defs'], 'vrrp_priority -20'], [['global_defs'], 'vrrp_priority 20'], [['global_defs'], 'vrrp_rt_priority 99'], [['global_defs'], 'vrrp_rt_priority 100'],
  [['global_defs'], 'max_auto_priority'], [['global_defs'], 'max_auto_priority -1'], [['global_defs'], 'max_auto_priority -2'],
  [['global_defs'], 'lvs_timeouts tcp 900 udp 300'], [['global_defs'], 'lvs_timeouts tcp x'], [['global_defs'], 'lvs_timeouts bogus 1'], [['global_defs'], 'lvs_timeouts'],
  [['global_defs'], 'lvs_sync_daemon eth0 inst VI_1 id 5 maxlen 1400 port 8848 ttl 2 group 224.0.0.81'], [['global_defs'], 'lvs_sync_daemon eth0 id 256'],
  [['global_defs'], 'lvs_sync_daemon eth0 port 0'], [['global_defs'], 'lvs_sync_daemon eth0 group 10.0.0.1'],
  [['global_defs'], 'lvs_flush_on_stop VS'], [['global_defs'], 'lvs_flush_on_stop RS'],
  [['global_defs'], 'dynamic_interfaces allow_if_changes'], [['global_defs'], 'dynamic_interfaces other'],
  [['global_defs'], 'umask 022'], [['global_defs'], 'umask IWGRP|IWOTH'], [['global_defs'], 'umask IWGRP|IFOO'], [['global_defs'], 'umask 0x1000'],
  [['global_defs'], 'vrrp_rx_bufs_policy MTU'], [['global_defs'], 'vrrp_rx_bufs_policy 10000'], [['global_defs'], 'vrrp_rx_bufs_policy MTU ADVERT'],
  [['global_defs'], 'vrrp_garp_extra_if all 100'], [['global_defs'], 'vrrp_garp_extra_if 0'], [['global_defs'], 'vrrp_garp_extra_if 86401'],
  [['global_defs'], 'vrrp_startup_delay 5.5'], [['global_defs'], 'vrrp_startup_delay 0'],
  [['global_defs'], 'nftables_priority -5'], [['global_defs'], 'nftables_ipvs_start_fwmark 0'],
  [['global_defs'], 'include_check read -match'], [['global_defs'], 'include_check readable'], [['global_defs'], 'include_check match read'],
  [['global_defs'], 'min_auto_priority_delay 10000001'], [['global_defs'], 'vrrp_rlimit_rttime 0'],
  // vrrp_instance
  [VRRP, 'priority 255'], [VRRP, 'priority 0'], [VRRP, 'priority 256'], [VRRP, 'priority -1'], [VRRP, 'priority 1x'],
  [VRRP, 'virtual_router_id 1'], [VRRP, 'virtual_router_id 0'], [VRRP, 'virtual_router_id 256'],
  [VRRP, 'advert_int 0.01'], [VRRP, 'advert_int 0.009'], [VRRP, 'advert_int 255'], [VRRP, 'advert_int 255.000001'], [VRRP, 'advert_int 1.0000001'],
  [VRRP, 'state MASTER'], [VRRP, 'state master'], [VRRP, 'version 3'], [VRRP, 'version 1'],
  [VRRP, 'unicast_ttl 0'], [VRRP, 'unicast_ttl 256'], [VRRP, 'preempt_delay 1000'], [VRRP, 'preempt_delay 1000.5'],
  [VRRP, 'down_timer_adverts 100'], [VRRP, 'down_timer_adverts 101'], [VRRP, 'garp_extra_if 0'], [VRRP, 'garp_extra_if all'],
  [VRRP, 'strict_mode off'], [VRRP, 'strict_mode bad'], [VRRP, 'debug 4'], [VRRP, 'debug 5'],
  [VRRP, 'mcast_src_ip 10.0.0.1'], [VRRP, 'mcast_dst_ip 224.0.0.20'], [VRRP, 'mcast_dst_ip 10.0.0.1'],
  [VRRP, 'use_vmac vrrp.51 02:00:00:00:00:01'], [VRRP, 'use_vmac 01:00:00:00:00:01'], [VRRP, 'use_vmac 02:00:00:00:00'], [VRRP, 'use_vmac 00:00:5e:00:01:33'],
  [VRRP, 'old_unicast_checksum never'], [VRRP, 'old_unicast_checksum sometimes'],
  [[...VRRP, 'authentication'], 'auth_type PASS'], [[...VRRP, 'authentication'], 'auth_type MD5'],
  [[...VRRP, 'authentication'], 'auth_pass 12345678'], [[...VRRP, 'authentication'], 'auth_pass 123456789'],
  [[...VRRP, 'virtual_ipaddress'], '10.1.2.3/24 dev eth0 label eth0:1 scope link'], [[...VRRP, 'virtual_ipaddress'], '10.1.2.300/24'],
  [[...VRRP, 'virtual_ipaddress'], '10.1.2.3/33'], [[...VRRP, 'virtual_ipaddress'], '10.1.2.3 scope bogus'], [[...VRRP, 'virtual_ipaddress'], '10.1.2.3 frob'],
  [[...VRRP, 'virtual_ipaddress'], '10.1.2.3 brd 10.1.2.255'], [[...VRRP, 'virtual_ipaddress'], '10.1.2.3 brd +'], [[...VRRP, 'virtual_ipaddress'], '10.1.2.3 dev'],
  [[...VRRP, 'virtual_ipaddress'], '10.1.2.3 preferred_lft forever'], [[...VRRP, 'virtual_ipaddress'], '10.1.2.3 preferred_lft soon'],
  [[...VRRP, 'virtual_ipaddress'], '10.1.2.3 label averyveryverylonglabel'], [[...VRRP, 'virtual_ipaddress'], 'fe80::1/64 no_track'],
  [[...VRRP, 'unicast_peer'], '10.0.0.2'], [[...VRRP, 'unicast_peer'], '10.0.0.2 min_ttl 1 max_ttl 255'], [[...VRRP, 'unicast_peer'], '10.0.0.2 max_ttl 256'],
  [[...VRRP, 'unicast_peer'], '10.0.0.2 foo 1'], [[...VRRP, 'unicast_peer'], '10.0.0.256'],
  [[...VRRP, 'track_interface'], 'eth0 weight 253'], [[...VRRP, 'track_interface'], 'eth0 weight 254'], [[...VRRP, 'track_interface'], 'eth0 weight 255'],
  [[...VRRP, 'track_interface'], 'eth0 weight 10 reverse'], [[...VRRP, 'track_interface'], 'eth0 weight 10 noreverse'], [[...VRRP, 'track_interface'], 'eth0 height 1'],
  // vrrp_script / track_file / sync group
  [['vrrp_script S_1'], 'interval 0'], [['vrrp_script S_1'], 'interval 5'], [['vrrp_script S_1'], 'weight -253'], [['vrrp_script S_1'], 'weight 254'],
  [['vrrp_script S_1'], 'weight 10 reverse'], [['vrrp_script S_1'], 'weight 10 backwards'], [['vrrp_script S_1'], 'rise 0'], [['vrrp_script S_1'], 'fall 2147483647'],
  [['track_file TF_1'], 'weight 254'], [['track_file TF_1'], 'weight 255'], [['track_file TF_1'], 'init_file 5 overwrite'], [['track_file TF_1'], 'init_file x'],
  [['vrrp_sync_group G_1'], 'smtp_alert off'], [['vrrp_sync_group G_1'], 'notify_priority_changes sure'],
  [['garp_group'], 'garp_interval 0.5'], [['garp_group'], 'gna_interval -1'],
  [['interface_up_down_delays'], 'lo 1.5 2'], [['interface_up_down_delays'], 'lo 256'],
  // LVS
  [VS, 'lvs_sched wrr'], [VS, 'lb_algo sh'], [VS, 'lvs_sched fastest'], [VS, 'lvs_method DR'], [VS, 'lb_kind TUN'], [VS, 'lvs_method NATT'],
  [VS, 'lvs_method TUN type gue port 6080'], [VS, 'lvs_method TUN type gue'], [VS, 'lvs_method TUN type ipip csum'], [VS, 'lvs_method TUN type gre remcsum'],
  [VS, 'lvs_method TUN type gre csum'], [VS, 'lvs_method TUN type vxlan'],
  [VS, 'protocol tcp'], [VS, 'protocol SCTP'], [VS, 'protocol ICMP'],
  [VS, 'persistence_timeout'], [VS, 'persistence_timeout 0'], [VS, 'persistence_timeout 2678400'], [VS, 'persistence_timeout 2678401'],
  [VS, 'persistence_granularity 255.255.255.0'], [VS, 'persistence_granularity 255.255.255.256'],
  [VS, 'quorum 0'], [VS, 'quorum 2'], [VS, 'hysteresis 0'], [VS, 'delay_loop 0'], [VS, 'delay_loop 0.000001'], [VS, 'delay_loop 6'],
  [VS, 'connect_timeout 4294.967295'], [VS, 'connect_timeout 4294.967296'], [VS, 'retry 0'], [VS, 'warmup 0'],
  // ip_family is checked against the address of an address service (a model check); a fwmark service shows the value check
  [['virtual_server fwmark 1'], 'ip_family inet6'], [['virtual_server fwmark 1'], 'ip_family ipx'], [VS, 'sorry_server 10.99.0.9 8080'], [VS, 'sorry_server 10.99.0.999 80'],
  [RS, 'weight 0'], [RS, 'weight 2147483647'], [RS, 'weight -1'], [RS, 'weight 2147483648'], [RS, 'inhibit_on_failure false'], [RS, 'inhibit_on_failure sometimes'],
  [RS, 'uthreshold 100'], [RS, 'lvs_method TUN type gue port 0'],
  // checkers
  [[...RS, 'TCP_CHECK'], 'connect_port 0'], [[...RS, 'TCP_CHECK'], 'connect_port 65535'], [[...RS, 'TCP_CHECK'], 'connect_ip 10.99.0.3'],
  [[...RS, 'TCP_CHECK'], 'connect_timeout 0'], [[...RS, 'TCP_CHECK'], 'retry 0'], [[...RS, 'TCP_CHECK'], 'alpha no'], [[...RS, 'TCP_CHECK'], 'fwmark 7'],
  [[...RS, 'HTTP_GET'], 'http_protocol 1.1'], [[...RS, 'HTTP_GET'], 'http_protocol 1.0c'], [[...RS, 'HTTP_GET'], 'http_protocol 2'],
  [[...RS, 'HTTP_GET', 'url'], 'status_code 200-299 404'], [[...RS, 'HTTP_GET', 'url'], 'status_code 600'], [[...RS, 'HTTP_GET', 'url'], 'status_code 300-200'],
  [[...RS, 'HTTP_GET', 'url'], 'digest 9b3a0c85a887a256d6939da88aabd8cd'], [[...RS, 'HTTP_GET', 'url'], 'digest 9b3a0c85'], [[...RS, 'HTTP_GET', 'url'], 'digest 9b3a0c85a887a256d6939da88aabd8cz'],
  [[...RS, 'SSL_GET'], 'enable_sni'], [[...RS, 'SSL_GET'], 'fast_recovery off'],
  [[...RS, 'DNS_CHECK'], 'type AAAA'], [[...RS, 'DNS_CHECK'], 'type aaaa'], [[...RS, 'DNS_CHECK'], 'type PTR'], [[...RS, 'DNS_CHECK'], 'name a..b'],
  [[...RS, 'MISC_CHECK'], 'misc_timeout 5'], [[...RS, 'MISC_CHECK'], 'misc_timeout x'],
  [[...RS, 'UDP_CHECK'], 'payload 01ab 2'], [[...RS, 'UDP_CHECK'], 'payload 0g'], [[...RS, 'UDP_CHECK'], 'require_reply'], [[...RS, 'UDP_CHECK'], 'require_reply 0x'],
  [[...RS, 'UDP_CHECK'], 'min_reply_length 65535'], [[...RS, 'UDP_CHECK'], 'max_reply_length 65536'],
  [[...RS, 'FILE_CHECK'], 'weight -2147483647 reverse'], [[...RS, 'FILE_CHECK'], 'weight 10 sideways'],
  [['virtual_server_group VSG_1'], '10.99.1.1-10 80'], [['virtual_server_group VSG_1'], '10.99.1.0/24 80'], [['virtual_server_group VSG_1'], '10.99.1.1/33'],
  [['virtual_server_group VSG_1'], 'fwmark 5 inet6'], [['virtual_server_group VSG_1'], 'fwmark 5 ipx'], [['virtual_server_group VSG_1'], '10.99.1.1 99999'],
  // static and virtual routes / rules / addresses
  [['static_ipaddress'], '10.1.2.3/24 dev lo scope host'], [['static_ipaddress'], '10.1.2.3/24 dev lo use_vmac'],
  [['static_routes'], '10.9.0.0/16 via 10.1.2.1 dev lo'], [['static_routes'], '10.9.0.0/16 via 10.1.2.999 dev lo'],
  [['static_routes'], '10.9.0.0/16 dev lo table 100 metric 5 mtu lock 1400'], [['static_routes'], 'blackhole 10.9.0.0/16'],
  [['static_rules'], 'from 10.9.0.0/16 table 100 priority 10'], [['static_rules'], 'from 10.9.0.0/16 table 100 frobnicate 1'],
  [['static_rules'], 'to 10.9.0.0/16 lookup 100 preference 5'], [[...VRRP, 'virtual_routes'], '10.8.0.0/16 via 10.1.2.1 dev lo no_track'],
  [[...VRRP, 'virtual_rules'], 'from 10.8.0.0/16 table 5 no_track'], [[...VRRP, 'virtual_routes'], '10.8.0.0/16 gw 10.1.2.1 dev lo'],
  [[...VRRP, 'virtual_routes'], '10.8.0.0/16 via 10.1.2.1 or 10.1.2.2 dev lo'], [[...VRRP, 'virtual_routes'], '10.8.0.0/16 via 10.1.2.1 dev lo protocol bird'], [[...VRRP, 'virtual_routes'], '10.8.0.0/16 via'],
  // the man page's own static route and rule examples (interfaces renamed to lo)
  [['static_routes'], '192.168.100.0/24 table 6909 nexthop via 192.168.101.1 dev lo onlink weight 1 nexthop via 192.168.101.2 dev lo onlink weight 2'],
  [['static_routes'], '192.168.200.0/24 dev lo table 6909 tos 0x04 protocol bird scope link priority 12 mtu 1000 hoplimit 100 advmss 101 rtt 102 rttvar 103 reordering 104 window 105 cwnd 106 ssthresh lock 107 realms PQA/0x14 rto_min 108 initcwnd 109 initrwnd 110 vrf blue features ecn add'],
  [['static_routes'], '2001:470:69e9:1:2::4 dev lo table 6909 tos 0x04 protocol bird scope link priority 12 mtu 1000 hoplimit 100 advmss 101 rtt 102 rttvar 103 reordering 104 window 105 cwnd 106 ssthresh lock 107 rto_min 108 initcwnd 109 append initrwnd 110 features ecn fastopen_no_cookie 1'],
  [['static_routes'], '192.168.200.0/24 dev lo table 6909 protocol keepalived no_track'], [['static_routes'], 'unreachable 10.77.0.0/16 dev lo'],
  [['static_rules'], 'from 192.168.28.0/24 to 192.168.29.0/26 table 100 iif lo oif lo tos 22 fwmark 24/12 preference 39 realms 30/20 goto 40'],
  [['static_rules'], 'from 192.168.28.0/24 to 192.168.29.0/26 table 100 iif lo oif lo tos 22 fwmark 24/12 preference 39 realms 30/20'],
  [['static_rules'], 'from 192.168.28.0/24 preference 39 goto 40'], [['static_rules'], 'from 192.168.28.0/24 preference 41 goto 40'],
  [['static_rules'], 'from 192.168.28.0/24 goto 40'], [['static_rules'], 'from 192.168.28.0/24 preference 5'],
  [['static_rules'], 'from 192.168.28.0/24 preference 5 type unreachable'], [['static_rules'], 'from 192.168.28.0/24 preference 5 blackhole realms 1'],
  [['static_rules'], 'from 192.168.28.0/24 preference 5 type local'], [['static_rules'], 'from 192.168.28.0/24 preference 5 table 0'],
  [['static_rules'], 'from 192.168.28.0/24 preference 5 nop table 5'], [['static_rules'], 'from 192.168.28.0/24 preference 5 l3mdev table 5'],
  [['static_rules'], 'from 192.168.28.0/24 preference 5 table main'], [['static_rules'], 'to 10.99.9.0/24 preference 5 table 9 protocol keepalived'],
  [['static_rules'], 'to 1:2:3:4:5:6:7:0/112 from 7:6:5:4:3:2::/96 table 6908 uidrange 10000-19999 preference 5'],
  [['static_rules'], 'to 1:2:3:4:6:6:7:0/112 from 8:6:5:4:3:2::/96 l3mdev protocol 12 ipproto UDP sport 10-20 dport 20-30 preference 6'],
  [['static_rules'], 'to 1:2:3:4:6:6:7:0/112 from 8:6:5:4:3:2::/96 l3mdev protocol 18 ipproto UDP sport 10-20 dport 20-30 preference 6'],
  [['static_rules'], 'from 10.99.9.0/24 ip_proto UDP preference 7'],
  [['static_ipaddress'], '10.99.7.1/24 brd + dev lo scope global label lo:7 home -nodad mngtmpaddr noprefixroute autojoin preferred_lft 100'],
  // more route shapes
  [['static_routes'], '10.77.0.0/16 dev lo frobnicate 3'], [['static_routes'], '10.77.0.0/16 dev lo metric x'], [['static_routes'], '10.77.0.0/16 dev lo mtu x'],
  [['static_routes'], '10.77.0.0/16 dev lo table 0'], [['static_routes'], '10.77.0.0/16 dev lo scope bogus'], [['static_routes'], '10.77.0.0/16 dev lo src 10.1.1.1'],
  [['static_routes'], '10.77.0.0/16 dev lo src 10.1.1.999'], [['static_routes'], '10.77.0.0/16 dev lo protocol 18'], [['static_routes'], '10.77.0.0/16 dev lo proto bird'],
  [['static_routes'], 'throw 10.77.0.0/16 dev lo'], [['static_routes'], '10.77.0.0/16 via inet6 fe80::1 dev lo'], [['static_routes'], '10.77.0.0/16 dev lo dev lo'],
  [['static_routes'], '10.77.0.0/16 dev lo nexthop dev lo'], [['static_routes'], '10.77.0.0/16 dev lo encap mpls 100'], [['static_routes'], 'default via 10.1.1.1 dev lo'],
  [['static_routes'], '10.77.0.0/33 dev lo'], [['static_routes'], '10.77.0.0/16 dev lo table main'], [['static_routes'], '10.77.0.0/16 dev lo pref high'],
  [['static_routes'], '10.77.0.0/16 dev lo tos 0x100'], [['static_routes'], '10.77.0.0/16 dev lo hoplimit 256'], [['static_routes'], '10.77.0.0/16 dev lo features bogus'],
  [['static_routes'], '10.77.0.0/16 dev lo to 10.78.0.0/16'], [['static_routes'], 'to 10.77.0.0/16 dev lo'], [['static_routes'], '10.77.0.0/16 dev lo congctl lock cubic'],
  // root level, process tracking, sync group tracking
  [[], 'child_wait_time 10'], [[], 'child_wait_time -1'], [[], 'instance inst1'],
  [['vrrp_track_process P_1'], 'quorum 0'], [['vrrp_track_process P_1'], 'quorum 65535'], [['vrrp_track_process P_1'], 'quorum_max 65536'],
  [['vrrp_track_process P_1'], 'delay 0.5'], [['vrrp_track_process P_1'], 'delay 3601'], [['vrrp_track_process P_1'], 'param_match initial'],
  [['vrrp_track_process P_1'], 'param_match total'], [['vrrp_track_process P_1'], 'weight -254'], [['vrrp_track_process P_1'], 'weight -255'],
  [['vrrp_sync_group G_1', 'track_interface'], 'lo weight -253 reverse'], [['vrrp_sync_group G_1', 'track_interface'], 'lo weight'],
  [['linkbeat_interfaces'], 'lo MII'], [['linkbeat_interfaces'], 'lo SNMP'],
  // block openers
  [[], 'virtual_server 10.99.0.1 80 {\n}'], [[], 'virtual_server 10.99.0.1 65536 {\n}'], [[], 'virtual_server 10.99.0.256 80 {\n}'],
  [[], 'virtual_server fwmark 7 {\n}'], [[], 'virtual_server fwmark x {\n}'], [[], 'virtual_server fe80::1 80 {\n}'],
  [VS, 'real_server 10.99.0.2 {\n}'], [VS, 'real_server 10.99.0.2 x {\n}'], [VS, 'real_server 10.99.0.999 80 {\n}'],
  [VS, 'sorry_server 10.99.0.9 99999'], [[], 'vrrp_instance VI_9 {\n}'], [[], 'bfd_instance averyveryveryveryveryverylongbfdname {\n}'],
  // converters
  [VS, 'lvs_method TUN type gue port 6080 csum'], [VS, 'lvs_method TUN type gue port 6080 remcsum'], [VS, 'lvs_method TUN type gue port 6080 bogus'],
  [VS, 'lvs_method DR type gue port 6080'], [VS, 'lvs_method NAT type ipip'], [VS, 'persistence_engine sip'], [VS, 'persistence_granularity 64'],
  [VS, 'persistence_granularity 129'], [RS, 'notify_up /bin/true root'], [RS, 'notify_down "/bin/echo down" root root'],
  [VRRP, 'use_ipvlan ipvl0 10.1.2.3/24 private'], [VRRP, 'use_ipvlan ipvl0 bridge vepa'], [VRRP, 'use_vmac vrrp.51'],
  [VRRP, 'use_vmac 02:00:00:00:00:01:02'], [VRRP, 'notify_deleted'], [VRRP, 'notify_master /bin/true'],
  [VRRP, 'garp_extra_if all 86400'], [VRRP, 'garp_extra_if all 86401'], [VRRP, 'garp_extra_if'],
  [['global_defs'], 'vrrp_ipsets a b c'], [['global_defs'], 'vrrp_iptables in out'], [['global_defs'], 'smtp_server 10.0.0.1 2525'],
  [['global_defs'], 'smtp_server mail.example.com 0'], [['global_defs'], 'vrrp_cpu_affinity 0'], [['global_defs'], 'vrrp_cpu_affinity -1'],
  [['global_defs'], 'vrrp_notify_fifo /tmp/fifo root'], [['global_defs'], 'script_user root'],
  [['track_file TF_1'], 'init_file'], [['track_file TF_1'], 'weight -254 reverse'], [['track_file TF_1'], 'weight 5 noreverse'],
  // BFD
  [['bfd_instance B_1'], 'min_rx 0.5'], [['bfd_instance B_1'], 'min_rx 3.312'], [['bfd_instance B_1'], 'min_rx 3.3125'], [['bfd_instance B_1'], 'idle_tx 999'],
  [['bfd_instance B_1'], 'multiplier 256'], [['bfd_instance B_1'], 'max_hops -1'], [['bfd_instance B_1'], 'max_hops -2'], [['bfd_instance B_1'], 'weight 253 reverse'],
];

/** keepalived -t and the schema on each [context, line]; the lines where their verdicts differ, and how many keepalived rejected. */
async function verdictDiffs(cases: Array<[string[], string]>): Promise<{ diffs: string[]; rejected: number }> {
  const results = await pool(cases, 4, ([ctx, line]) => runKeepalived(ctx, line));
  const diffs: string[] = [];
  let rejected = 0;
  cases.forEach(([ctx, line], i) => {
    const ka = results[i].lineErrors;
    const ours = schemaErrors(ctx, line);
    if (ka.length > 0) rejected++;
    if ((ka.length > 0) !== (ours.length > 0))
      diffs.push(`${[...ctx, line].join(' > ')}: keepalived ${ka.length ? `rejects (${ka.join(' | ')})` : 'accepts'}, schema ${ours.length ? `rejects (${ours.join(' | ')})` : 'accepts'}`);
  });
  return { diffs, rejected };
}

describe('schema values vs keepalived -t', () => {
  it('accepts and rejects the sample values as keepalived does', async () => {
    expect(VALUE_CASES.length).toBeGreaterThan(150);
    const { diffs, rejected } = await verdictDiffs(VALUE_CASES);
    // both verdicts must occur, or the sample proves nothing
    expect(rejected).toBeGreaterThan(40);
    expect(rejected).toBeLessThan(VALUE_CASES.length - 40);
    expect(diffs, diffs.join('\n')).toEqual([]);
  }, 600_000);
});

// ---- 3. every numeric range of the schema at its bounds ---------------------------------------

/** Words just inside and just outside a value type's range, from its documented name. */
function boundaryWords(typeName: string): string[] {
  let m = /^INTEGER (-?\d+)\.\.(-?\d+)$/.exec(typeName);
  if (m) {
    const lo = BigInt(m[1]);
    const hi = BigInt(m[2]);
    return [`${lo}`, `${hi}`, `${lo - 1n}`, `${hi + 1n}`, 'x1'];
  }
  m = /^SECONDS ([\d.e+-]+)\.\.([\d.e+-]+)$/.exec(typeName);
  if (m && Number(m[2]) < 1e9) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    const us = (v: number) => (Math.round(v * 1e6) / 1e6).toFixed(6);
    const out = [us(lo), us(hi), us(hi + 0.000001), 'x1'];
    if (lo >= 0.000001) out.push(us(lo - 0.000001));
    return out;
  }
  // enumerations: every member, its lower-case and upper-case spelling, and a stranger
  if (/^[\w.-]+(\|[\w.-]+)+$/.test(typeName)) {
    const members = typeName.split('|');
    return [...new Set([...members, ...members.map((x) => x.toLowerCase()), ...members.map((x) => x.toUpperCase()), 'bogus'])];
  }
  return [];
}

describe('schema ranges vs keepalived -t', () => {
  it('accepts and rejects the bounds of every numeric, enumerated and boolean keyword as keepalived does', async () => {
    const cases: Array<[string[], string]> = [];
    for (const { path, block } of allBlocks()) {
      const ctx = path.map(opener);
      for (const k of block.keywords) {
        // ip_family is also checked against the service's own address (a model check); the
        // value cases above test it on a fwmark service
        if (k.unknownToKeepalived || k.name === 'ip_family') continue;
        if (k.flagArg) for (const w of ['', ' yes', ' off', ' maybe']) cases.push([ctx, `${k.name}${w}`]);
        if (k.args?.length !== 1 || k.args[0].name !== 'value') continue;
        for (const w of boundaryWords(k.args[0].type.name)) cases.push([ctx, `${k.name} ${w}`]);
      }
    }
    expect(cases.length).toBeGreaterThan(400);
    const { diffs } = await verdictDiffs(cases);
    expect(diffs, diffs.join('\n')).toEqual([]);
  }, 600_000);
});

// ---- 4. empty data blocks ----------------------------------------------------------------------

describe('empty data blocks vs keepalived -t', () => {
  it('reports an empty data block exactly where keepalived does (LineSpec.emptyMessage)', async () => {
    const cases: Array<{ ctx: string[]; kw: KeywordSpec }> = [];
    for (const { path, block } of allBlocks()) for (const k of block.keywords) if (k.lines && !k.unknownToKeepalived) cases.push({ ctx: path.map(opener), kw: k });
    expect(cases.length).toBeGreaterThan(20);
    const results = await pool(cases, 4, (c) => runKeepalived(c.ctx, `${c.kw.args?.length ? opener(c.kw.name) : c.kw.name} {\n}`));
    const wrong: string[] = [];
    cases.forEach((c, i) => {
      const ka = results[i].lineErrors.length > 0;
      const ours = c.kw.lines?.emptyMessage !== undefined;
      if (ka !== ours) wrong.push(`${[...c.ctx, c.kw.name].join(' > ')}: keepalived ${ka ? `complains (${results[i].lineErrors.join(' | ')})` : 'is silent'}, schema ${ours ? 'complains' : 'is silent'}`);
    });
    expect(wrong, wrong.join('\n')).toEqual([]);
  }, 600_000);
});

// ---- 5. every keyword without its arguments ---------------------------------------------------

describe('bare keywords vs keepalived -t', () => {
  it('needs an argument exactly where keepalived does (flags, optional and required values)', async () => {
    const cases: Array<[string[], string]> = [];
    for (const { path, block } of allBlocks()) {
      const ctx = path.map(opener);
      for (const k of block.keywords) if (!k.block && !k.lines && !k.unknownToKeepalived) cases.push([ctx, k.name]);
    }
    expect(cases.length).toBeGreaterThan(300);
    const { diffs } = await verdictDiffs(cases);
    expect(diffs, diffs.join('\n')).toEqual([]);
  }, 600_000);
});

// ---- 6. a valid example of every keyword, once and twice ---------------------------------------

/** A real, non-loopback interface of this machine stands in for the examples' eth0. */
const IFACE = readdirSync('/sys/class/net').find((n) => n !== 'lo') ?? 'lo';

/** Objects the examples refer to (track_script CHK, track_file TF, ...), defined before the case. */
const PRELUDE = [
  'vrrp_script CHK {', '  script /bin/true', '}',
  'track_file TF {', '  file /tmp/lvsd-schema-tf', '}',
  'vrrp_track_process PROC {', '  process sshd', '}',
  'bfd_instance BFD {', '  neighbor_ip 10.99.0.7', '}',
];

/** A valid word for a value type, from its documented name. */
function sampleFor(typeName: string): string {
  let m = /^INTEGER (-?\d+)\.\.(-?\d+)$/.exec(typeName) ?? /^SECONDS (-?\d+)\.\.(-?\d+) \(whole\)$/.exec(typeName);
  if (m) return String(Math.min(Math.max(1, Number(m[1])), Number(m[2])));
  m = /^MILLISECONDS (\d+)\.\.(\d+)$/.exec(typeName);
  if (m) return String(Math.max(10, Number(m[1])));
  if (typeName.startsWith('SECONDS')) return '1';
  const fixed: Record<string, string> = {
    IP: '10.99.0.5', IPv4: '10.99.0.5', 'IPv4 MULTICAST': '224.0.0.19', 'IPv6 MULTICAST': 'ff02::13', 'MULTICAST IP': '224.0.0.19',
    'IP[/PREFIX]': '10.99.0.5/32', PORT: '80', PATH: '/tmp', INTERFACE: 'eth0', MAC: '02:00:00:00:00:01', STRING: 'x1',
    'true|false': 'true', DOMAIN: 'example.com',
  };
  if (fixed[typeName]) return fixed[typeName];
  if (typeName.includes('|')) return typeName.split('|')[0];
  throw new Error(`no sample for value type ${typeName}`);
}

function exampleLine(k: KeywordSpec): string | undefined {
  let ex = exampleOf(k);
  if (ex === undefined && k.flag) ex = '';
  if (ex === undefined && k.args?.length) ex = k.args.map((a) => sampleFor(a.type.name)).join(' ');
  if (ex === undefined) return undefined;
  const head = k.args?.length && k.lines ? opener(k.name) : k.name;
  const body = k.lines ? `${head} {\n${ex}\n}` : `${k.name} ${ex}`.trim();
  return body.replace(/\beth0\b/g, IFACE);
}

function exampleCases(): Array<{ ctx: string[]; k: KeywordSpec; line: string }> {
  const out: Array<{ ctx: string[]; k: KeywordSpec; line: string }> = [];
  for (const { path, block } of allBlocks()) {
    const ctx = path.map(opener);
    for (const k of block.keywords) {
      if (k.block || k.unknownToKeepalived || LVSD_ONLY.has(k.name) || k.after || k.deprecated?.[k.name]) continue;
      const line = exampleLine(k);
      if (line === undefined) throw new Error(`${[...path, k.name].join(' > ')} has no example`);
      out.push({ ctx, k, line });
    }
  }
  return out;
}

describe('keyword examples vs keepalived -t', () => {
  it('every keyword has an example that both keepalived and the schema accept', async () => {
    const cases = exampleCases();
    expect(cases.length).toBeGreaterThan(300);
    const results = await pool(cases, 4, (c) => runKeepalived(c.ctx, c.line, PRELUDE));
    const wrong: string[] = [];
    cases.forEach((c, i) => {
      const ka = results[i].lineErrors;
      const ours = c.k.lines ? schemaErrors([...c.ctx, c.k.name], c.line.split('\n')[1]) : schemaErrors(c.ctx, c.line);
      // Debian's keepalived (nftables only) rejects every vrrp_iptables; the schema says so too
      const alwaysRejected = c.k.name === 'vrrp_iptables' && ka.length > 0 && ours.length > 0;
      if ((ka.length || ours.length) && !alwaysRejected) wrong.push(`${[...c.ctx, c.line.replace(/\n/g, ' ')].join(' > ')}: keepalived ${ka.join(' | ') || 'ok'}; schema ${ours.join(' | ') || 'ok'}`);
    });
    expect(wrong, wrong.join('\n')).toEqual([]);
  }, 600_000);

  it('complains about a repeated keyword exactly where keepalived does (onceMessage)', async () => {
    // value keywords that may not repeat, and every data block (repeatable ones append silently)
    const cases = exampleCases().filter((c) => !c.k.repeatable || c.k.lines);
    // blocks that may not repeat: a second empty block must be silent (merge) or complained about (onceMessage)
    for (const { path, block } of allBlocks())
      for (const k of block.keywords)
        if (k.block && !k.repeatable && !k.unknownToKeepalived) cases.push({ ctx: path.map(opener), k, line: `${opener(k.name)} {\n}` });
    const results = await pool(cases, 4, (c) => runKeepalived(c.ctx, `${c.line}\n${c.line}`, PRELUDE));
    const wrong: string[] = [];
    cases.forEach((c, i) => {
      const ka = results[i].lineErrors.length > 0;
      // a repeated data block repeats its example line: an item keepalived refuses twice
      const ours = c.k.onceMessage !== undefined || c.k.lines?.duplicateMessage !== undefined;
      if (ka !== ours) wrong.push(`${[...c.ctx, c.k.name].join(' > ')}: keepalived ${ka ? `complains (${results[i].lineErrors.join(' | ')})` : 'is silent'}, schema ${ours ? 'complains' : 'is silent'}`);
    });
    expect(wrong, wrong.join('\n')).toEqual([]);
  }, 600_000);
});
