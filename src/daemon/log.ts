// Structured logs (pino) with stable event names. JSON lines by default; `-l/--log-console`
// gives one human-readable line per event instead (no extra dependency: a small formatter).
import { pino, stdTimeFunctions, type Logger, type DestinationStream } from 'pino';

/** The event names operators can grep and alert on; they do not change between versions. */
export const EV = {
  vrrpTransition: 'vrrp.transition',
  vrrpDrop: 'vrrp.drop',
  checkUp: 'check.up',
  checkDown: 'check.down',
  ipvsApply: 'ipvs.apply',
  vipAdd: 'vip.add',
  vipDel: 'vip.del',
  configError: 'config.error',
  reloadApplied: 'reload.applied',
  reloadRefused: 'reload.refused',
  daemonStart: 'daemon.start',
  daemonStop: 'daemon.stop',
} as const;
export type EventName = (typeof EV)[keyof typeof EV];

export type { Logger };

export interface LogOptions {
  /** human-readable lines instead of JSON */
  console?: boolean;
  /** -D: debug level */
  detail?: boolean;
  /** where lines go (default stderr) */
  out?: NodeJS.WritableStream;
  /** a second destination for every JSON record (syslog) */
  also?: { write(line: string): void };
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every record carries, or that have their own place in a line. */
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'event', 'msg', 'v']);

/** The text of one record: event, message, then key=value (time and level are the caller's). */
export function recordText(rec: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof rec.event === 'string') parts.push(rec.event);
  if (typeof rec.msg === 'string' && rec.msg) parts.push(rec.msg);
  for (const [k, v] of Object.entries(rec)) {
    if (SKIP.has(k) || v === undefined) continue;
    parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return parts.join(' ');
}

/** One JSON log record -> `2026-11-26T01:02:03.456Z INFO  vrrp.transition (VI_1) message key=value`. */
export function humanLine(rec: Record<string, unknown>): string {
  const t = typeof rec.time === 'number' ? new Date(rec.time).toISOString() : '';
  const lvl = (LEVELS[rec.level as number] ?? String(rec.level)).padEnd(5);
  const text = recordText(rec);
  return text ? `${t} ${lvl} ${text}` : `${t} ${lvl}`;
}

function humanStream(out: NodeJS.WritableStream): DestinationStream {
  return {
    write(line: string) {
      try {
        out.write(humanLine(JSON.parse(line) as Record<string, unknown>) + '\n');
      } catch {
        out.write(line);
      }
    },
  };
}

export function createLogger(o: LogOptions = {}): Logger {
  const out = o.out ?? process.stderr;
  const main: DestinationStream = o.console ? humanStream(out) : { write: (l: string) => void out.write(l) };
  const also = o.also;
  const dest: DestinationStream = also ? { write: (l: string) => { main.write(l); also.write(l); } } : main;
  return pino({ level: o.detail ? 'debug' : 'info', base: { pid: process.pid }, timestamp: stdTimeFunctions.epochTime }, dest);
}
