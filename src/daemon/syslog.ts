// Logging to syslog as keepalived does when not run with -l: one datagram per record to the
// local syslog socket (/dev/log), facility daemon unless -S/--log-facility names another.
// Node has no unix datagram sockets, so the send goes through lvsd's own small addon
// (src/daemon/native/syslog.c). The stream never throws: a missing or full syslog drops the
// record and counts it.
import { addonLoader } from '../net/native-addon.js';
import { recordText } from './log.js';

export { recordText };

export interface SyslogAddon {
  open(): number;
  send(fd: number, path: string, msg: Buffer): number;
  close(fd: number): void;
}

/** syslog(3) facility codes (<syslog.h>: LOG_USER 1<<3, LOG_DAEMON 3<<3, LOG_LOCAL0 16<<3...) >> 3 */
export const FACILITY = { user: 1, daemon: 3, local0: 16 } as const;
export const DEFAULT_SYSLOG_PATH = '/dev/log';
/** rsyslog's default maximum message size; longer records are cut there. */
export const MAX_SYSLOG_BYTES = 8192;

/**
 * `-S/--log-facility`: 0-7 or local0-local7 -> LOG_LOCALn, "daemon", "user"; absent -> daemon.
 * null when keepalived would say "Invalid log facility" (and keep the default).
 */
export function parseLogFacility(opt: string | undefined): number | null {
  if (opt === undefined) return FACILITY.daemon;
  const m = /^(?:local)?([0-7])$/.exec(opt);
  if (m?.[1]) return FACILITY.local0 + Number(m[1]);
  if (opt === 'daemon') return FACILITY.daemon;
  if (opt === 'user') return FACILITY.user;
  return null;
}

/** pino level -> syslog severity (LOG_DEBUG 7, INFO 6, WARNING 4, ERR 3, CRIT 2) */
export function severityOf(level: unknown): number {
  if (typeof level !== 'number') return 6;
  if (level >= 60) return 2;
  if (level >= 50) return 3;
  if (level >= 40) return 4;
  if (level >= 30) return 6;
  return 7;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** RFC 3164 timestamp in local time, as glibc's syslog() writes it: "Nov  6 03:21:33" */
export function rfc3164Time(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
}

/** "<PRI>Mmm dd hh:mm:ss ident[pid]: text", the local /dev/log form (no host name). */
export function formatSyslog(facility: number, severity: number, ident: string, pid: number, ms: number, text: string): Buffer {
  const head = `<${facility * 8 + severity}>${rfc3164Time(ms)} ${ident}[${pid}]: `;
  // control characters would split or garble the line in the syslog file
  const buf = Buffer.from(head + text.replace(/[\r\n]+/g, ' ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?'));
  return buf.length > MAX_SYSLOG_BYTES ? buf.subarray(0, MAX_SYSLOG_BYTES) : buf;
}

const loader = addonLoader<SyslogAddon>('lvsd_syslog.node', 'LVSD_SYSLOG_ADDON');
/** build/Release/lvsd_syslog.node above `from` ($LVSD_SYSLOG_ADDON overrides). */
export const findSyslogAddon = loader.find;
export const loadSyslogAddon = loader.load;

export interface SyslogStream {
  /** pino destination: one JSON record (with trailing newline) per call */
  write(line: string): void;
  close(): void;
  /** records syslog did not take (absent, full, refused) */
  readonly dropped: number;
  /** errno code of the last failed send, for a one-time warning */
  readonly lastError: string | null;
}

export interface SyslogOptions {
  /** the syslog socket (a test binds its own) */
  path?: string;
  pid?: number;
  now?: () => number;
  addon?: SyslogAddon;
}

/** A pino destination that sends each record to syslog with the facility and ident given. */
export function createSyslogStream(facility: number, ident: string, o: SyslogOptions = {}): SyslogStream {
  const a = o.addon ?? loadSyslogAddon();
  const path = o.path ?? DEFAULT_SYSLOG_PATH;
  const pid = o.pid ?? process.pid;
  const now = o.now ?? Date.now;
  let fd: number | null = a.open();
  let dropped = 0;
  let lastError: string | null = null;
  return {
    write(line: string): void {
      if (fd === null) return;
      let rec: Record<string, unknown>;
      try {
        const v: unknown = JSON.parse(line);
        rec = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : { msg: String(v) };
      } catch {
        rec = { msg: line.trimEnd() };
      }
      const at = typeof rec.time === 'number' ? rec.time : now();
      try {
        a.send(fd, path, formatSyslog(facility, severityOf(rec.level), ident, pid, at, recordText(rec)));
      } catch (e) {
        dropped++;
        lastError = (e as { code?: unknown }).code === undefined ? String(e) : String((e as { code?: unknown }).code);
      }
    },
    close(): void {
      if (fd === null) return;
      const f = fd;
      fd = null;
      a.close(f);
    },
    get dropped() {
      return dropped;
    },
    get lastError() {
      return lastError;
    },
  };
}
