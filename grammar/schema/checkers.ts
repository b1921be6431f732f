// Health checker blocks of a real_server: TCP_CHECK, HTTP_GET/SSL_GET (with url blocks),
// MISC_CHECK, SMTP_CHECK (with its deprecated host blocks), DNS_CHECK, UDP_CHECK, PING_CHECK,
// FILE_CHECK, BFD_CHECK. Semantics follow keepalived 2.2.7 check/check_api.c and check_*.c.
//
// Timer and retry defaults of checkers come from the real server, then the virtual server, then
// the checker type (checkerTypeDefaults); the schema gives them no `default` so that absence
// stays visible for that inheritance.
import { ErrClass } from '../diagnostics.js';
import type { ConvertCtx, KeywordSpec, Word } from './types.js';
import { INT_MAX, TIMER_MAX_US, UINT_MAX, hexString, ifname, ip, name, oneOf, oneOfNoCase, string, timerUs, uint, wholeSeconds } from './values.js';
import { conv, example, flag, flagBool, ignored, scriptLineOrWarn, supported, userLine, val, valOrWarn, weightReverse } from './shared.js';

const SMTPC = supported; // SMTP_CHECK: src/check/smtp.ts
const PING = supported; // PING_CHECK: src/check/ping.ts (ICMP echo over a raw socket)
const BFD = supported; // BFD_CHECK: src/check/bfd-check.ts
// regex / regex_no_match / regex_options / regex_min_offset / regex_max_offset: the PCRE2
// pattern and options rewritten into a JavaScript RegExp (src/check/http/pcre-regex.ts). The
// PCRE2 JIT stack has no counterpart in V8: lvsd bounds each match by backtracks instead
// (src/check/http/bounded-regex.ts REGEX_BACKTRACK_LIMIT, the figure in this message)
const REGEX_STACK = ignored('lvsd bounds each regex match by V8 backtracks (1,000,000 per read of the body), not by a JIT stack');

/** What a checker uses when neither it, its real server nor its virtual server sets a value. */
export const checkerTypeDefaults: Record<string, { retry: number; delay_before_retry: number | 'delay_loop' }> = {
  TCP_CHECK: { retry: 1, delay_before_retry: 1_000_000 },
  HTTP_GET: { retry: 1, delay_before_retry: 3_000_000 },
  SSL_GET: { retry: 1, delay_before_retry: 3_000_000 },
  SMTP_CHECK: { retry: 1, delay_before_retry: 1_000_000 },
  DNS_CHECK: { retry: 3, delay_before_retry: 'delay_loop' },
  UDP_CHECK: { retry: 1, delay_before_retry: 1_000_000 },
  PING_CHECK: { retry: 1, delay_before_retry: 1_000_000 },
  MISC_CHECK: { retry: 0, delay_before_retry: 1_000_000 },
};

/** Timer value types shared by virtual_server, real_server and checkers (keepalived read_timer bounds). */
export const connectTimeout = timerUs(1, UINT_MAX);
export const delayLoop = timerUs(1, TIMER_MAX_US);
export const delayBeforeRetry = timerUs(0, TIMER_MAX_US);
export const warmup = timerUs(0, TIMER_MAX_US);

/** keepalived install_checker_common_keywords(connection_keywords), for the checker `what`. */
function commonKeywords(connection: boolean, support = supported): KeywordSpec[] {
  const conn: KeywordSpec[] = connection
    ? [
        val('connect_ip', ip, support, 'Address to connect to (default: the real server).'),
        val('connect_port', uint(1, 65535), support, 'Port to connect to (default: the real server port).'),
        val('bindto', ip, support, 'Source address of the check.'),
        val('bind_if', ifname, support, 'Source interface (needed for IPv6 link-local bindto).'),
        val('bind_port', uint(1, 65535), support, 'Source port of the check.'),
        val('fwmark', uint(0, UINT_MAX), support, 'fwmark (SO_MARK) of check packets.'),
      ]
    : [];
  return [
    ...conn,
    flagBool('alpha', support, 'Start the checker in the failed state.'),
    ...(connection ? [val('connect_timeout', connectTimeout, support, 'Connection timeout (s; default: real/virtual server, else 5).')] : []),
    val('retry', uint(0, UINT_MAX), support, 'Retries before a failure counts (default by checker type).'),
    val('delay_before_retry', delayBeforeRetry, support, 'Delay before a retry (s; default by checker type).'),
    val('warmup', warmup, support, 'Random delay (s) before the first check, at most this.'),
    val('delay_loop', delayLoop, support, 'Interval between checks (s; default: real/virtual server).'),
    flagBool('log_all_failures', support, 'Log every failure while the checker is up.'),
  ];
}

// ---- HTTP_GET / SSL_GET -----------------------------------------------------------------------

// digest: 32 hex digits (MD5)
function digest(words: Word[], ctx: ConvertCtx): string | undefined {
  if (words.length === 0) {
    ctx.report(ErrClass.MissingParameter, 'digest missing');
    return undefined;
  }
  const d = words[0].text;
  if (d.length !== 32) {
    ctx.report(ErrClass.General, `digest '${d}' character length should be 32 rather than ${d.length}`, words[0]);
    return undefined;
  }
  if (!/^[0-9a-fA-F]{32}$/.test(d)) {
    ctx.report(ErrClass.General, `Unable to interpret hex digit in '${d}'`, words[0]);
    return undefined;
  }
  return d.toLowerCase();
}

/** status_code values of one code, shared by every url that has it (the model treats them as read-only). */
const singleCodes: Array<[number, number][] | undefined> = new Array(500);

/** The value of a word of exactly three digits, else -1. */
function threeDigits(t: string): number {
  if (t.length !== 3) return -1;
  const a = t.charCodeAt(0) - 48, b = t.charCodeAt(1) - 48, c = t.charCodeAt(2) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9 ? a * 100 + b * 10 + c : -1;
}

// status_code <INTEGER|RANGE> ... in 100..599
function statusCodes(words: Word[], ctx: ConvertCtx): [number, number][] | undefined {
  if (words.length === 1) {
    // `status_code 200` on every url of 100,000 real servers: one shared (read-only) value per code
    const one = threeDigits(words[0].text);
    if (one >= 100 && one <= 599) return (singleCodes[one - 100] ??= [[one, one]]);
  }
  const out: [number, number][] = [];
  for (const w of words) {
    const one = threeDigits(w.text);
    if (one >= 100 && one <= 599) {
      out.push([one, one]); // the common `status_code 200`, without the regex
      continue;
    }
    const m = /^(\d+)(?:-(\d+))?$/.exec(w.text);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || lo < 100 || hi > 599 || lo > hi) ctx.report(ErrClass.General, `Invalid HTTP_GET status code '${w.text}'`, w);
    else out.push([lo, hi]);
  }
  return out;
}

const REGEX_OPTIONS = new Set([
  'allow_empty_class', 'alt_bsux', 'auto_callout', 'caseless', 'dollar_endonly', 'dotall', 'dupnames', 'extended', 'firstline',
  'match_unset_backref', 'multiline', 'never_ucp', 'never_utf', 'no_auto_capture', 'no_auto_possess', 'no_dotstar_anchor',
  'no_start_optimize', 'ucp', 'ungreedy', 'utf', 'never_backslash_c', 'alt_circumflex', 'alt_verbnames', 'use_offset_limit',
]);

// regex_options: keepalived ignores unknown words silently; lvsd warns
function regexOptions(words: Word[], ctx: ConvertCtx): string[] {
  const out: string[] = [];
  for (const w of words) {
    if (REGEX_OPTIONS.has(w.text)) out.push(w.text);
    else ctx.report(ErrClass.Warning, `unknown regex option '${w.text}' - ignored`, w, 'warning');
  }
  return out;
}

// regex_min_offset / regex_max_offset N: keepalived only logs bad values
function regexOffset(words: Word[], ctx: ConvertCtx): number | undefined {
  if (words.length !== 1 || !/^\d+$/.test(words[0].text)) {
    ctx.report(ErrClass.Warning, 'Invalid or missing regex offset - ignored', words[0], 'warning');
    return undefined;
  }
  return Number(words[0].text);
}

// regex_stack START MAX
function regexStack(words: Word[], ctx: ConvertCtx): { start: number; max: number } | undefined {
  if (words.length !== 2 || !/^\d+$/.test(words[0].text) || !/^\d+$/.test(words[1].text)) {
    ctx.report(ErrClass.Warning, 'regex_stack requires start and max values', words[0], 'warning');
    return undefined;
  }
  return { start: Number(words[0].text), max: Number(words[1].text) };
}

const url: KeywordSpec = {
  name: 'url',
  repeatable: true,
  support: supported,
  doc: 'A URL to fetch; may be repeated.',
  block: {
    keywords: [
      val('path', string, supported, 'Path of the URL.'),
      conv('digest', digest, supported, 'MD5 of the body (genhash output).', { onceMessage: 'Digest is a duplicate' }),
      conv('status_code', statusCodes, supported, 'Accepted status codes and ranges (default 200-299).', { default: [[200, 299]] }),
      val('virtualhost', string, supported, 'Host header (default: checker, real or virtual server).'),
      valOrWarn('regex', string, supported, 'Regular expression the body must match.', { example: '^OK' }),
      flag('regex_no_match', supported, 'Fail when the regex matches.'),
      conv('regex_options', regexOptions, supported, 'PCRE2 options.'),
      conv('regex_stack', regexStack, REGEX_STACK, 'JIT stack start and max size.'),
      conv('regex_min_offset', regexOffset, supported, 'Minimum body offset where a match may start.'),
      conv('regex_max_offset', regexOffset, supported, 'Maximum body offset where a match may start.'),
    ],
  },
};

function httpGet(kw: 'HTTP_GET' | 'SSL_GET'): KeywordSpec {
  return {
    name: kw,
    repeatable: true,
    support: supported,
    doc: kw === 'HTTP_GET' ? 'HTTP health check.' : 'HTTPS health check.',
    block: {
      keywords: [
        ...commonKeywords(true),
        val('http_protocol', oneOf(['1.0', '1.0C', '1.1'] as const, { '1.0c': '1.0C' }, 'http_protocol version'), supported, 'HTTP version 1.0, 1.0C or 1.1.', {
          default: '1.0',
        }),
        flagBool('fast_recovery', supported, 'Check all URLs without delay_loop between them after a failure.'),
        url,
        val('virtualhost', string, supported, 'Host header (default: real or virtual server).'),
        flagBool('enable_sni', supported, 'Send SNI during the TLS handshake (SSL_GET).'),
        val('nb_get_retry', uint(0, UINT_MAX), supported, 'Deprecated spelling of retry.', {
          field: 'retry',
          deprecated: { nb_get_retry: { level: 'error', message: "nb_get_retry is deprecated - please use 'retry'" } },
        }),
      ],
    },
  };
}

// ---- SMTP_CHECK -------------------------------------------------------------------------------

const smtpHost: KeywordSpec = {
  name: 'host',
  repeatable: true,
  support: SMTPC,
  doc: 'Deprecated SMTP_CHECK host block; define more checkers instead.',
  deprecated: { host: { level: 'log', message: 'The SMTP_CHECK host block is deprecated. Please define additional checkers.' } },
  block: { keywords: commonKeywords(true, SMTPC) },
};

const smtpCheck: KeywordSpec = {
  name: 'SMTP_CHECK',
  repeatable: true,
  support: SMTPC,
  doc: 'SMTP health check (HELO/QUIT).',
  block: { keywords: [...commonKeywords(true, SMTPC), val('helo_name', string, SMTPC, 'Name sent in HELO.'), smtpHost] },
};

// ---- DNS_CHECK --------------------------------------------------------------------------------

// name: labels must not be empty (no "a..b")
const dnsName = {
  name: 'DOMAIN',
  parse(t: string) {
    if (t !== '.' && (t.startsWith('.') || t.includes('..')))
      return { ok: false as const, cls: ErrClass.General, message: `DNS_CHECK name '${t}' has empty label - ignoring` };
    return { ok: true as const, value: t };
  },
};

const dnsCheck: KeywordSpec = {
  name: 'DNS_CHECK',
  repeatable: true,
  support: supported,
  doc: 'DNS health check over UDP.',
  block: {
    keywords: [
      ...commonKeywords(true),
      val('type', oneOfNoCase(['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'] as const, 'DNS check type'), supported, 'Query type.', {
        default: 'SOA',
      }),
      val('name', dnsName, supported, 'Domain name queried.', { default: '.' , onceMessage: 'DNS_CHECK name already specified - ignoring' }),
    ],
  },
};

// ---- MISC_CHECK -------------------------------------------------------------------------------

const miscCheck: KeywordSpec = {
  name: 'MISC_CHECK',
  repeatable: true,
  support: supported,
  doc: 'Runs a program; exit status 0 = up.',
  block: {
    keywords: [
      ...commonKeywords(false),
      conv('misc_path', scriptLineOrWarn, supported, 'Program to run (quoted with parameters).'),
      val('misc_timeout', wholeSeconds(0, Math.floor(UINT_MAX / 1e6)), supported, 'Time the program may run (default: delay_loop).'),
      flag('misc_dynamic', supported, 'Exit status 2..255 sets the weight to status - 2.'),
      conv('user', userLine, supported, 'User [group] to run the program as.'),
    ],
  },
};

// ---- BFD_CHECK, PING_CHECK, UDP_CHECK, FILE_CHECK, TCP_CHECK --------------------------------

const bfdCheck: KeywordSpec = {
  name: 'BFD_CHECK',
  repeatable: true,
  support: BFD,
  doc: 'Real server state follows a bfd_instance.',
  block: { keywords: [val('name', name(31, 'BFD name'), BFD, 'Name of the bfd_instance.', { example: 'BFD', onceMessage: 'BFD_CHECK - BFD already specified' }), flagBool('alpha', BFD, 'Start in the failed state.')] },
};

const pingCheck: KeywordSpec = {
  name: 'PING_CHECK',
  repeatable: true,
  support: PING,
  doc: 'ICMP echo health check.',
  block: { keywords: commonKeywords(true, PING) },
};

const udpCheck: KeywordSpec = {
  name: 'UDP_CHECK',
  repeatable: true,
  support: supported,
  doc: 'UDP health check (ICMP errors mean down).',
  block: {
    keywords: [
      ...commonKeywords(true),
      conv('payload', example(hexPayload(false, 'payload'), '01ab 02'), supported, 'Data sent (hex; default random).'),
      conv('require_reply', optionalHex, supported, 'A reply is needed [hex data it must match, x = any nibble].'),
      val('min_reply_length', uint(0, 65535), supported, 'Minimum reply length.', { default: 0 }),
      val('max_reply_length', uint(0, 65535), supported, 'Maximum reply length.', { default: 255 }),
    ],
  },
};

function hexPayload(wildcard: boolean, what: string) {
  const t = hexString(wildcard);
  return (words: Word[], ctx: ConvertCtx): string | undefined => {
    if (words.length === 0) {
      ctx.report(ErrClass.General, `UDP_CHECK ${what} requires a ${what}`);
      return undefined;
    }
    // keepalived joins the rest of the line: spaces inside the hex string are allowed
    const joined = words.map((w) => w.text).join(' ');
    const r = t.parse(joined);
    if (!r.ok) {
      ctx.report(ErrClass.General, `Invalid hex string for UDP_CHECK ${what}`, words[0]);
      return undefined;
    }
    return r.value.replace(/\s+/g, ' ');
  };
}
const replyHex = hexPayload(true, 'reply');
example(optionalHex, '01xx 02');
function optionalHex(words: Word[], ctx: ConvertCtx): string | true | undefined {
  return words.length === 0 ? true : replyHex(words, ctx);
}

const fileCheck: KeywordSpec = {
  name: 'FILE_CHECK',
  repeatable: true,
  support: supported,
  doc: 'Real server weight/state from a track_file.',
  block: {
    keywords: [
      val('track_file', string, supported, 'Name of the track_file.', { example: 'TF' }),
      flag('dynamic', supported, 'Add value x weight to the real server weight.', {
        unknownToKeepalived: 'documented in keepalived.conf(5) but keepalived 2.2.7 never installs the keyword',
      }),
      conv('weight', weightReverse(-INT_MAX, INT_MAX, true), supported, 'Multiplier of the file value [reverse].', { default: { weight: 1, reverse: false } }),
    ],
  },
};

const tcpCheck: KeywordSpec = {
  name: 'TCP_CHECK',
  repeatable: true,
  support: supported,
  doc: 'TCP connect health check.',
  block: { keywords: commonKeywords(true) },
};

/** Checker blocks of a real_server, in man page order. */
export const checkerKeywords: KeywordSpec[] = [httpGet('HTTP_GET'), httpGet('SSL_GET'), tcpCheck, smtpCheck, dnsCheck, miscCheck, bfdCheck, pingCheck, udpCheck, fileCheck];

example(digest, '9b3a0c85a887a256d6939da88aabd8cd');
example(statusCodes, '200-299 404');
example(regexOptions, 'caseless multiline');
example(regexStack, '32768 65536');
example(regexOffset, '10');
