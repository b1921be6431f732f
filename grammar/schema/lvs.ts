// LVS configuration of keepalived.conf(5): virtual_server_group, virtual_server, real_server and
// the SSL block. Semantics follow keepalived 2.2.7 check/check_parser.c and check_data.c.
import { ErrClass } from '../diagnostics.js';
import type { ConvertCtx, KeywordSpec, Word } from './types.js';
import { INT_MAX, UINT_MAX, ip, oneOf, oneOfNoCase, path, port, string, uint } from './values.js';
import {
  conv, example, flag, flagBool, ignored, later, lines, lvsMethod, scriptLine, serverAddr, supported, val, virtualServerKey, vsgEntryLine,
} from './shared.js';
import { checkerKeywords, connectTimeout, delayBeforeRetry, delayLoop, warmup } from './checkers.js';

const SMTP = later('SMTP alerts');
const SNMP = later('SNMP agent');
const PE = later('IPVS persistence engines (sip)');

export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'sh', 'mh', 'dh', 'fo', 'ovf', 'lblcr', 'sed', 'nq', 'twos'] as const;

// persistence_timeout [<INTEGER>]: without a value 360 s (IPVS_SVC_PERSISTENT_TIMEOUT)
function persistenceTimeout(words: Word[], ctx: ConvertCtx): number | undefined {
  if (words.length === 0) return 360;
  const v = uint(1, 86400 * 31).parse(words[0].text);
  if (!v.ok) {
    ctx.report(v.cls, v.message, words[0]);
    ctx.report(ErrClass.General, 'persistence_timeout invalid', words[0]);
    return undefined;
  }
  return v.value;
}

// persistence_granularity <NETMASK> (IPv4 dotted mask) or 1..128 (IPv6 prefix length)
function persistenceGranularity(words: Word[], ctx: ConvertCtx): string | number | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.MissingParameter, 'persistence_granularity missing');
    return undefined;
  }
  const t = words[0].text;
  if (t.includes('.')) {
    const parts = t.split('.');
    if (parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return t;
    ctx.report(ErrClass.General, `Invalid IPv4 persistence_granularity specified - ${t}`, words[0]);
    return undefined;
  }
  // A bare number is an IPv6 prefix length (1..128) on an IPv6 service but an inet_aton-style
  // address on an IPv4 one, where keepalived accepts any 32-bit number; the family is a model check.
  const v = uint(1, 4294967295).parse(t);
  if (!v.ok) {
    ctx.report(v.cls, v.message, words[0]);
    ctx.report(ErrClass.General, `Invalid persistence_granularity specified - ${t}`, words[0]);
    return undefined;
  }
  return v.value;
}

// persistence_engine NAME (keepalived truncates to IP_VS_PENAME_MAXLEN - 1 = 15 with an error)
function persistenceEngine(words: Word[], ctx: ConvertCtx): string | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.MissingParameter, 'persistence_engine missing');
    return undefined;
  }
  const t = words[0].text;
  if (t.length > 15) {
    ctx.report(ErrClass.General, `persistence_name too long, truncating - ${t}`, words[0]);
    return t.slice(0, 15);
  }
  return t;
}

const rsWeight = uint(0, INT_MAX);

// keepalived sets the sh/mh scheduler flags only once lvs_sched is sh or mh; before that it complains
const shOnly = (flagName: string) => ({ keyword: 'lvs_sched', values: ['sh', 'mh'], message: `${flagName} only applies to sh scheduler - ignoring` });

const realServerKeywords: KeywordSpec[] = [
  // no default here: an absent weight is the virtual server's `weight` (itself 1 by default)
  val('weight', rsWeight, supported, 'IPVS weight (default: the virtual server weight, 1).'),
  // keepalived knows lb_kind only at the virtual server level
  conv('lvs_method', lvsMethod, supported, 'Forwarding method NAT|DR|TUN [type ...] (default: virtual server).'),
  conv('notify_up', scriptLine, supported, 'Script run when the real server comes up.', { onceMessage: 'notify_up script already specified - ignoring' }),
  conv('notify_down', scriptLine, supported, 'Script run when the real server goes down.', { onceMessage: 'notify_down script already specified - ignoring' }),
  val('uthreshold', uint(0, UINT_MAX), supported, 'Upper connection threshold.'),
  val('lthreshold', uint(0, UINT_MAX), supported, 'Lower connection threshold.'),
  flagBool('smtp_alert', SMTP, 'Send SMTP alerts on state changes.'),
  val('virtualhost', string, supported, 'Default Host header of HTTP_GET/SSL_GET.'),
  val('snmp_name', string, SNMP, 'Name of the real server in SNMP data.'),
  flagBool('alpha', supported, 'Start the checkers in the failed state (default: virtual server).'),
  val('connect_timeout', connectTimeout, supported, 'Default checker connect timeout (s).'),
  val('retry', uint(1, UINT_MAX), supported, 'Default checker retries.'),
  val('delay_before_retry', delayBeforeRetry, supported, 'Default delay before a retry (s).'),
  val('warmup', warmup, supported, 'Default random initial delay (s).'),
  val('delay_loop', delayLoop, supported, 'Default check interval (s).'),
  flagBool('inhibit_on_failure', supported, 'Set weight 0 instead of removing on failure.'),
  ...checkerKeywords,
];

export const realServer: KeywordSpec = {
  name: 'real_server',
  args: [
    { name: 'addr', type: ip },
    { name: 'port', type: port, optional: true },
  ],
  repeatable: true,
  support: supported,
  doc: 'A real server <IP> [<PORT>] of the virtual server with its health checkers.',
  block: { keywords: realServerKeywords },
};

const sorryServer = conv('sorry_server', serverAddr('sorry server'), supported, 'Server <IP> [<PORT>] used when the quorum is lost.');

export const virtualServer: KeywordSpec = {
  name: 'virtual_server',
  convert: virtualServerKey,
  repeatable: true,
  support: supported,
  doc: 'A virtual service: <IP> [<PORT>] | fwmark <INT> | group <NAME>.',
  block: {
    keywords: [
      // No schema default: whether it was written decides keepalived's complaint; the check applies wlc.
      val('lvs_sched', oneOf(SCHEDULERS, {}, 'lvs_scheduler'), supported, 'IPVS scheduler (absent: keepalived reports an error and uses wlc).', { aliases: ['lb_algo'] }),
      flag('flag-1', supported, 'Scheduler flag-1.'),
      flag('flag-2', supported, 'Scheduler flag-2.'),
      flag('flag-3', supported, 'Scheduler flag-3.'),
      flag('sh-port', supported, 'sh scheduler: include the port in the hash.', { after: shOnly('sh-port') }),
      flag('sh-fallback', supported, 'sh scheduler: fall back to another server.', { after: shOnly('sh-fallback') }),
      flag('mh-port', supported, 'mh scheduler: include the port in the hash.', { after: shOnly('mh-port') }),
      flag('mh-fallback', supported, 'mh scheduler: fall back to another server.', { after: shOnly('mh-fallback') }),
      flag('ops', supported, 'One-packet scheduling (UDP).'),
      flag('hashed', ignored('keepalived accepts it but sets no flag (only sh/mh flags are meaningful)'), 'No effect in keepalived 2.2.7.', { after: shOnly('hashed') }),
      conv('lvs_method', lvsMethod, supported, 'Forwarding method NAT|DR|TUN [type {ipip|gue port N|gre} [nocsum|csum|remcsum]] (absent: keepalived reports an error and uses NAT).', {
        aliases: ['lb_kind'],
      }),
      conv('persistence_engine', persistenceEngine, PE, 'IPVS persistence engine (sip).'),
      conv('persistence_timeout', persistenceTimeout, supported, 'Persistence timeout in seconds (no value: 360).'),
      conv('persistence_granularity', persistenceGranularity, supported, 'Persistence netmask (IPv4) or prefix length (IPv6).'),
      val('protocol', oneOfNoCase(['TCP', 'UDP', 'SCTP'] as const, 'protocol'), supported, 'L4 protocol (absent on an address service: keepalived reports an error and uses UDP).'),
      flag('ha_suspend', supported, 'Suspend checkers while the virtual address is not configured.'),
      flagBool('smtp_alert', SMTP, 'Send SMTP alerts on quorum changes.'),
      val('virtualhost', string, supported, 'Default Host header of HTTP_GET/SSL_GET.'),
      val('snmp_name', string, SNMP, 'Name of the virtual server in SNMP data.'),
      flag('alpha', supported, 'Start with all real servers down.'),
      flag('omega', supported, 'Run quorum and real server down notifiers at shutdown.'),
      val('quorum', uint(1, UINT_MAX), supported, 'Minimum total weight of live real servers.', { default: 1 }),
      val('hysteresis', uint(0, UINT_MAX), supported, 'Quorum hysteresis.', { default: 0 }),
      conv('quorum_up', scriptLine, supported, 'Script run when quorum is gained.', { onceMessage: 'quorum_up script already specified - ignoring' }),
      conv('quorum_down', scriptLine, supported, 'Script run when quorum is lost.', { onceMessage: 'quorum_down script already specified - ignoring' }),
      val('ip_family', oneOf(['inet', 'inet6'] as const, {}, 'address family'), supported, 'Address family of a fwmark service with tunnelled real servers.'),
      val('weight', uint(1, INT_MAX), supported, 'Default weight of the real servers (not in the man page; keepalived 2.2.7 reads it).', { default: 1 }),
      sorryServer,
      flag('sorry_server_inhibit', supported, 'inhibit_on_failure for the sorry server.', {
        after: { keyword: 'sorry_server', message: 'Ignoring sorry_server inhibit used before or without sorry_server' },
      }),
      conv('sorry_server_lvs_method', lvsMethod, supported, 'Forwarding method of the sorry server.', {
        after: { keyword: 'sorry_server', message: 'sorry_server forwarding used without sorry_server' },
      }),
      val('connect_timeout', connectTimeout, supported, 'Default checker connect timeout (s).', { default: 5_000_000 }),
      val('retry', uint(1, UINT_MAX), supported, 'Default checker retries (checker type default otherwise).'),
      val('delay_before_retry', delayBeforeRetry, supported, 'Default delay before a retry (s).'),
      val('warmup', warmup, supported, 'Default random initial delay (s; default delay_loop, 0 disables).'),
      val('delay_loop', delayLoop, supported, 'Default check interval (s).', { default: 60_000_000 }),
      flag('inhibit_on_failure', supported, 'Set weight 0 instead of removing failed real servers.'),
      realServer,
    ],
  },
};

export const virtualServerGroup: KeywordSpec = lines('virtual_server_group', { ...vsgEntryLine, emptyMessage: 'virtual server group has no entries - removing' }, supported, 'Addresses, ranges and fwmarks sharing one real server set.', {
  args: [{ name: 'name', type: string }],
  repeatable: true,
});

export const sslBlock: KeywordSpec = {
  name: 'SSL',
  onceMessage: 'SSL context already specified - replacing',
  support: supported,
  doc: 'TLS context of SSL_GET checkers (auto-generated when absent).',
  block: {
    keywords: [
      val('password', string, supported, 'Password of the key.', { onceMessage: 'SSL password already specified - replacing' }),
      val('ca', path, supported, 'CA file.', { onceMessage: 'SSL cafile already specified - replacing' }),
      val('certificate', path, supported, 'Certificate file.', { onceMessage: 'SSL certfile already specified - replacing' }),
      val('key', path, supported, 'Key file.', { onceMessage: 'SSL keyfile already specified - replacing' }),
    ],
  },
};


example(persistenceTimeout, '300');
example(persistenceGranularity, '255.255.255.0');
example(persistenceEngine, 'sip');
