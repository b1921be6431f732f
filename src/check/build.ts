// From the config model to runnable checkers: for each checker block of a real server, its
// probe (where it connects, what it sends), its counting machine and its timers.
import { readFileSync } from 'node:fs';
import type { Checker, Model, RealServer, VirtualServer } from '../config/model.js';
import { readSslBlock, type SslFiles } from '../config/ssl-block.js';
import { RetryCounter, type RetryMode } from './counter.js';
import { bfdCheckMachine, bfdCheckName } from './bfd-check.js';
import { DnsProbe } from './dns.js';
import { parseHexPattern } from './hex.js';
import { HttpGetProbe, type UrlSpec } from './http-get.js';
import { compilePcre } from './http/pcre-regex.js';
import type { HttpVersion } from './http/request.js';
import type { CheckerMachine } from './machine.js';
import { MiscProbe } from './misc.js';
import { PingProbe } from './ping.js';
import { SMTP_DEFAULT_HELO, SmtpProbe } from './smtp.js';
import { splitScriptArgs } from './script-args.js';
import { TcpProbe } from './tcp.js';
import { resolveTiming, type ResolvedTiming } from './timing.js';
import type { CheckerKind, ConnectTarget, Probe } from './types.js';
import { UdpProbe } from './udp.js';
import { UrlStepper } from './url-stepper.js';
import { resolveIds, type Ids } from './users.js';

export interface BuiltChecker {
  /** unique within its real server, e.g. "TCP_CHECK#0" */
  id: string;
  kind: CheckerKind;
  timing: ResolvedTiming;
  machine: CheckerMachine;
  /** absent for FILE_CHECK, which is driven by its file, not by the scheduler */
  probe?: Probe;
  file?: { path: string; weight: number; reverse: boolean };
  /** BFD_CHECK: driven by the named bfd_instance's events (bfd-check.ts) */
  bfd?: { name: string };
  dynamic: boolean;
}

export interface BuildContext {
  model: Model;
  /** uid/gid lookups (tests inject); default reads /etc/passwd and /etc/group */
  ids?: (user: string, group?: string) => Ids | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const ipOf = (v: unknown): { addr: string; family: 4 | 6 } | undefined =>
  typeof v === 'object' && v !== null && 'addr' in v && typeof v.addr === 'string'
    ? { addr: v.addr, family: (v as { family?: unknown }).family === 6 ? 6 : 4 }
    : undefined;

function target(c: Checker, rs: RealServer, vs: VirtualServer, timing: ResolvedTiming, defaultPort = 0): ConnectTarget {
  const ip = ipOf(c.connect_ip) ?? rs.addr;
  const vsPort = vs.kind === 'ip' ? vs.port : 0;
  const t: ConnectTarget = {
    addr: ip.addr,
    family: ip.family === 6 ? 6 : 4,
    port: num(c.connect_port) ?? rs.port ?? (vsPort || defaultPort),
    timeoutUs: timing.connectTimeoutUs,
  };
  const bind = ipOf(c.bindto);
  if (bind) t.bindAddr = bind.addr;
  if (num(c.bind_port) !== undefined) t.bindPort = num(c.bind_port);
  if (str(c.bind_if)) t.bindIf = str(c.bind_if);
  if (num(c.fwmark) !== undefined) t.fwmark = num(c.fwmark);
  return t;
}

function httpVersion(v: unknown): HttpVersion {
  return v === '1.1' ? '1.1' : v === '1.0C' ? '1.0c' : '1.0';
}

function urlSpecs(c: Checker, rs: RealServer, vs: VirtualServer): UrlSpec[] {
  const urls = Array.isArray(c.url) ? (c.url as Array<Record<string, unknown>>) : [];
  const vhost = str(c.virtualhost) ?? str(rs.virtualhost) ?? str(vs.virtualhost);
  return urls.map((u) => {
    const spec: UrlSpec = {
      path: str(u.path) ?? '/',
      statusCodes: Array.isArray(u.status_code) ? (u.status_code as Array<[number, number]>) : [[200, 299]],
    };
    const d = str(u.digest);
    if (d) spec.digest = d;
    const vh = str(u.virtualhost) ?? vhost;
    if (vh !== undefined) spec.virtualHost = vh;
    const re = str(u.regex);
    if (re !== undefined) {
      // the load refused a regex this cannot compile (config/checks/real-servers.ts)
      const { re: compiled, firstLine, start } = compilePcre(re, Array.isArray(u.regex_options) ? (u.regex_options as string[]) : []);
      spec.regex = compiled;
      if (firstLine) spec.regexFirstLine = true;
      if (start !== null) spec.regexStart = start;
      if (u.regex_no_match === true) spec.regexNoMatch = true;
      // as keepalived: a min not below max + 1 drops both (check_http.c url_check)
      const min = typeof u.regex_min_offset === 'number' ? u.regex_min_offset : 0;
      const max = typeof u.regex_max_offset === 'number' ? u.regex_max_offset : undefined;
      if (max === undefined || min <= max) {
        if (min > 0) spec.regexMinOffset = min;
        if (max !== undefined) spec.regexMaxOffset = max;
      }
    }
    return spec;
  });
}

function scriptIds(ctx: BuildContext, c: Checker): Ids | undefined {
  const lookup = ctx.ids ?? resolveIds;
  const path = c.misc_path as { user?: string; group?: string } | undefined;
  const user = c.user as { user?: string; group?: string } | undefined;
  const global = (ctx.model.global_defs?.script_user ?? undefined) as { user?: string; group?: string } | undefined;
  const pick = path?.user ? path : user?.user ? user : global?.user ? global : undefined;
  if (pick?.user) return lookup(pick.user, pick.group);
  // keepalived's default script user, when it exists; else the daemon's own user
  return lookup('keepalived_script');
}

const RETRY_MODE: Record<string, RetryMode> = {
  TCP_CHECK: 'tcp',
  UDP_CHECK: 'udp',
  PING_CHECK: 'udp',
  SMTP_CHECK: 'smtp',
  DNS_CHECK: 'while-up',
  MISC_CHECK: 'while-up',
};

const CONNECTION_KEYS = ['connect_ip', 'connect_port', 'bindto', 'bind_port', 'bind_if', 'fwmark', 'connect_timeout'] as const;

/**
 * The targets of one SMTP_CHECK: its own connection, and one more per deprecated `host` block.
 * As keepalived: when the checker sets no connection keyword itself and has host blocks, the
 * first host takes the checker's place. A host's connect_timeout defaults to the real server's,
 * then the virtual server's, not to the checker's.
 */
function smtpTargets(c: Checker, rs: RealServer, vs: VirtualServer, timing: ResolvedTiming): ConnectTarget[] {
  const hosts = Array.isArray(c.host) ? (c.host as Checker[]) : [];
  const hostTarget = (h: Checker): ConnectTarget =>
    target(h, rs, vs, { ...timing, connectTimeoutUs: num(h.connect_timeout) ?? num(rs.connect_timeout) ?? num(vs.connect_timeout) ?? 5_000_000 });
  const ownSet = CONNECTION_KEYS.some((k) => c[k] !== undefined);
  if (hosts.length === 0 || ownSet) return [target(c, rs, vs, timing), ...hosts.map(hostTarget)];
  return hosts.map(hostTarget);
}

/** Every checker of real server `rs` of `vs`. */
export function buildCheckers(ctx: BuildContext, vs: VirtualServer, rs: RealServer): BuiltChecker[] {
  const out: BuiltChecker[] = [];
  const logAll = ctx.model.global_defs?.checker_log_all_failures === true;
  const kinds: CheckerKind[] = ['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'MISC_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'FILE_CHECK', 'SMTP_CHECK', 'PING_CHECK', 'BFD_CHECK'];
  for (const kind of kinds) {
    const list = rs[kind];
    if (!Array.isArray(list)) continue;
    (list as Checker[]).forEach((c, i) => {
      const id = `${kind}#${i}`;
      const timing = resolveTiming(kind, c, rs, vs, logAll);
      const counter = (): CheckerMachine => new RetryCounter(timing, RETRY_MODE[kind] ?? 'tcp', timing.alpha);
      switch (kind) {
        case 'TCP_CHECK':
          out.push({ id, kind, timing, machine: counter(), probe: new TcpProbe(target(c, rs, vs, timing)), dynamic: false });
          return;
        case 'PING_CHECK':
          out.push({ id, kind, timing, machine: counter(), probe: new PingProbe(target(c, rs, vs, timing)), dynamic: false });
          return;
        case 'SMTP_CHECK': {
          const heloName = str(c.helo_name) ?? SMTP_DEFAULT_HELO;
          smtpTargets(c, rs, vs, timing).forEach((t, h) => {
            const probe = new SmtpProbe({ target: t, heloName });
            out.push({ id: h === 0 ? id : `${id}/host${h}`, kind, timing: { ...timing, connectTimeoutUs: t.timeoutUs }, machine: counter(), probe, dynamic: false });
          });
          return;
        }
        case 'HTTP_GET':
        case 'SSL_GET': {
          const urls = urlSpecs(c, rs, vs);
          if (urls.length === 0) return; // keepalived drops an HTTP checker without url
          const probe = new HttpGetProbe({
            target: target(c, rs, vs, timing, kind === 'SSL_GET' ? 443 : 80),
            urls,
            version: httpVersion(c.http_protocol),
            tls: kind === 'SSL_GET',
            enableSni: c.enable_sni === true,
            ...(kind === 'SSL_GET' ? { clientTls: sslFiles(ctx.model) } : {}),
          });
          const machine = new UrlStepper(timing, urls.length, c.fast_recovery === true, timing.alpha);
          out.push({ id, kind, timing, machine, probe, dynamic: false });
          return;
        }
        case 'MISC_CHECK': {
          const path = c.misc_path as { cmd?: string } | undefined;
          if (!path?.cmd) return;
          const timeoutUs = num(c.misc_timeout) || vs.delay_loop;
          const ids = scriptIds(ctx, c);
          const dynamic = c.misc_dynamic === true;
          const probe = new MiscProbe({ args: splitScriptArgs(path.cmd), timeoutUs, dynamic, ...(ids ? { ids } : {}) });
          out.push({ id, kind, timing, machine: counter(), probe, dynamic });
          return;
        }
        case 'DNS_CHECK':
          out.push({
            id, kind, timing, machine: counter(), dynamic: false,
            probe: new DnsProbe({ target: target(c, rs, vs, timing, 53), type: str(c.type) ?? 'SOA', name: str(c.name) ?? '.' }),
          });
          return;
        case 'UDP_CHECK': {
          const payload = str(c.payload);
          const rr = c.require_reply;
          out.push({
            id, kind, timing, machine: counter(), dynamic: false,
            probe: new UdpProbe({
              target: target(c, rs, vs, timing),
              ...(payload ? { payload: parseHexPattern(payload).data } : {}),
              ...(rr === true ? { requireReply: 'any' as const } : typeof rr === 'string' ? { requireReply: parseHexPattern(rr) } : {}),
              minReplyLength: num(c.min_reply_length) ?? 0,
              maxReplyLength: num(c.max_reply_length) ?? 255,
            }),
          });
          return;
        }
        case 'BFD_CHECK': {
          const name = bfdCheckName(c, ctx.model);
          if (name) out.push({ id, kind, timing, machine: bfdCheckMachine(timing), bfd: { name }, dynamic: false });
          return;
        }
        case 'FILE_CHECK': {
          const name = str(c.track_file);
          const tf = (ctx.model.track_file as Array<Record<string, unknown>> | undefined)?.find((t) => t.name === name);
          const path = tf ? str(tf.file) : undefined;
          if (!path) return;
          const w = (c.weight ?? tf?.weight ?? { weight: 1, reverse: false }) as { weight: number; reverse?: boolean };
          // a file checker has always "run": its state is known from the file at once
          const machine = new RetryCounter({ ...timing, retry: 0 }, 'tcp', false);
          out.push({ id, kind, timing, machine, file: { path, weight: w.weight, reverse: w.reverse === true }, dynamic: false });
          return;
        }
      }
    });
  }
  return out;
}

const sslCache = new WeakMap<object, SslFiles>();

/** The global `SSL { certificate key password ca }` block, files read once per model. */
function sslFiles(model: Model): SslFiles {
  const cached = sslCache.get(model);
  if (cached) return cached;
  // the load refused the files it could not read or use (config/checks/ssl-block.ts)
  const out = readSslBlock(model.SSL as Record<string, unknown> | undefined, readFileSync).files;
  sslCache.set(model, out);
  return out;
}
