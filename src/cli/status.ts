// `lvsd status [--json] [--socket PATH]`: asks the running daemon over its unix socket and
// prints what it knows, as tables for a person or as the raw snapshot for a program.
import { createConnection } from 'node:net';
import { DEFAULT_STATUS_SOCKET, type StatusReply } from '../daemon/status-server.js';
import type { DaemonStatus, LastCheck, RealServerStatus, VirtualServerStatus } from '../daemon/state.js';

export const STATUS_USAGE = `Usage: lvsd status [--json] [--socket PATH]
  --json         print the daemon's status snapshot as JSON
  --socket PATH  the daemon's status socket (default ${DEFAULT_STATUS_SOCKET})
`;

/** A status snapshot of thousands of real servers stays far below this. */
const MAX_REPLY_BYTES = 64 * 1024 * 1024;

export class StatusError extends Error {}

/** One request, one reply; rejects with StatusError when no daemon answers in time. */
export function queryStatus(path: string, timeoutMs = 5000): Promise<DaemonStatus> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (msg: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      reject(new StatusError(msg));
    };
    const sock = createConnection(path);
    const timer = setTimeout(() => fail(`no reply from ${path} within ${timeoutMs} ms`), timeoutMs);
    sock.on('connect', () => sock.write(JSON.stringify({ cmd: 'status' }) + '\n'));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ENOENT' ? 'no socket there' : e.code === 'ECONNREFUSED' ? 'nothing listening' : e.code === 'EACCES' ? 'permission denied (run as root)' : e.message;
      fail(`no lvsd daemon answers on ${path}: ${why}`);
    });
    sock.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_REPLY_BYTES) fail(`reply from ${path} larger than ${MAX_REPLY_BYTES} bytes`);
      else chunks.push(d);
    });
    sock.on('end', () => {
      if (settled) return;
      let r: StatusReply;
      try {
        r = JSON.parse(Buffer.concat(chunks).toString('utf8')) as StatusReply;
      } catch {
        fail(`unreadable reply from ${path}`);
        return;
      }
      if (!r.ok) {
        fail(`daemon on ${path} answered: ${r.error}`);
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve(r.status);
    });
  });
}

// ---- human form ------------------------------------------------------------------------------

/** "3s", "4m05s", "2h03m", "5d02h" */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** 1234567 -> "1.2M" (IPVS byte counters get large) */
function count(n: number): string {
  if (n < 10_000) return String(n);
  for (const [unit, div] of [['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) {
    if (n >= div) return `${(n / div).toFixed(1)}${unit}`;
  }
  return String(n);
}

function table(head: string[], rows: string[][], indent = ''): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => indent + cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

function lastCheck(c: LastCheck | null, now: number): string {
  if (!c) return '-';
  return `${c.checker} ${c.ok ? 'ok' : 'FAILED'} ${age(now - c.at)} ago${c.ok ? '' : ` (${c.reason})`}`;
}

function rsRow(rs: RealServerStatus, now: number, mark = ''): string[] {
  const c = rs.counters;
  return [
    mark + rs.name,
    rs.state.toUpperCase(),
    String(rs.weight),
    rs.kernelWeight === null ? '-' : String(rs.kernelWeight),
    lastCheck(rs.lastCheck, now),
    c ? String(c.activeConns) : '-',
    c ? String(c.inactiveConns) : '-',
    c ? count(c.conns) : '-',
    c ? count(c.inBytes) : '-',
    c ? count(c.outBytes) : '-',
  ];
}

function virtualServer(vs: VirtualServerStatus, now: number): string[] {
  const flags = [vs.protocol, vs.scheduler, vs.quorumUp ? 'quorum up' : 'QUORUM DOWN'];
  if (vs.sorryActive) flags.push('SORRY SERVER ACTIVE');
  const rows = vs.realServers.map((rs) => rsRow(rs, now));
  if (vs.sorryServer) rows.push(rsRow(vs.sorryServer, now, 'sorry '));
  const out = [`${vs.name}  ${flags.join(', ')}`];
  if (rows.length === 0) return [...out, '  (no real servers)'];
  return [...out, ...table(['REAL SERVER', 'STATE', 'WEIGHT', 'KERNEL', 'LAST CHECK', 'ACTIVE', 'INACT', 'CONNS', 'IN BYTES', 'OUT BYTES'], rows, '  ')];
}

/** The table `lvsd status` prints. Pure: `now` is injected. */
export function formatStatus(s: DaemonStatus, now: number): string {
  const parts = [
    `lvsd ${s.version}, pid ${s.pid}, up ${age(now - s.startedAt)}, config ${s.configFile}`,
  ];
  const reload = s.lastReload
    ? `, last ${age(now - s.lastReload.at)} ago ${s.lastReload.ok ? 'applied' : 'REFUSED'}${s.lastReload.message ? ': ' + s.lastReload.message : ''}`
    : '';
  parts.push(`reloads ${s.reloads}${reload}`);
  parts.push('');
  if (!s.vrrpEnabled) parts.push('VRRP: not running in this process (-C)');
  else if (s.vrrp.length === 0) parts.push('VRRP: no instances configured');
  else {
    parts.push('VRRP instances');
    parts.push(...table(
      ['NAME', 'STATE', 'PRIORITY', 'VRID', 'INTERFACE', 'MASTER', 'SINCE', 'VIPS'],
      s.vrrp.map((v) => [
        v.name + (v.syncGroup ? ` (${v.syncGroup})` : ''),
        v.state,
        v.priority === v.basePriority ? String(v.priority) : `${v.priority} (base ${v.basePriority})`,
        String(v.vrid),
        v.interface,
        v.masterAddress ?? '-',
        v.lastTransitionAt === null ? '-' : age(now - v.lastTransitionAt),
        (v.vips.length ? v.vips.join(', ') : '-') + (v.vips.length ? (v.vipsInstalled ? ' [installed]' : ' [not installed]') : ''),
      ]),
      '  ',
    ));
  }
  parts.push('');
  if (!s.checkersEnabled) parts.push('Virtual servers: checkers not running in this process (-P)');
  else if (s.virtualServers.length === 0) parts.push('Virtual servers: none configured');
  else {
    parts.push('Virtual servers');
    for (const vs of s.virtualServers) parts.push(...virtualServer(vs, now).map((l) => '  ' + l));
  }
  return parts.join('\n') + '\n';
}

// ---- command -------------------------------------------------------------------------------

export interface StatusIo {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
  now: () => number;
}

export async function runStatus(argv: string[], io: StatusIo = { out: process.stdout, err: process.stderr, now: Date.now }): Promise<number> {
  let json = false;
  let socket = DEFAULT_STATUS_SOCKET;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--json') json = true;
    else if (a === '--socket' && i + 1 < argv.length) socket = argv[++i] ?? socket;
    else if (a.startsWith('--socket=')) socket = a.slice('--socket='.length);
    else if (a === '-h' || a === '--help') {
      io.out.write(STATUS_USAGE);
      return 0;
    } else {
      io.err.write(`lvsd status: unknown argument ${JSON.stringify(a)}\n${STATUS_USAGE}`);
      return 2;
    }
  }
  let s: DaemonStatus;
  try {
    s = await queryStatus(socket);
  } catch (e) {
    if (!(e instanceof StatusError)) throw e;
    io.err.write(`lvsd status: ${e.message}\nIs lvsd running? (choose its socket with --socket PATH)\n`);
    return 1;
  }
  io.out.write(json ? JSON.stringify(s, null, 2) + '\n' : formatStatus(s, io.now()));
  return 0;
}
