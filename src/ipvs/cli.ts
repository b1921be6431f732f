// `lvsd ipvs list|save|restore`: ipvsadm's -L -n, -S -n and -R over lvsd's own client.
import { readFileSync, writeSync } from 'node:fs';
import { NetlinkIpvs } from './client.js';
import { IpvsError } from './errors.js';
import { formatDaemons, formatEntry, formatTable, formatTimeouts, isPlainListing, title, type ListFormat } from './format.js';
import { hasOpBatch, type IpvsKernel } from './kernel.js';
import { hasDestNests, plainListingBytes } from './listing.js';
import { destKey, serviceKey } from './model.js';
import type { IpvsOp } from './reconcile.js';
import { parseIpvsadmArgs, parseRestore, RestoreError, type ParsedLine, type RestoreCommand } from './restore.js';
import type { IpvsService } from './types.js';

const USAGE = `usage: lvsd ipvs list [-n] [--stats|--rate|--thresholds|--persistent-conn|--tun-info] [--exact] [--nosort]
                     [-t|-u|--sctp-service addr:port | -f fwmark [-6]]
       lvsd ipvs list --timeout | --daemon
       lvsd ipvs save [-n]
       lvsd ipvs restore [FILE]      (ipvsadm -S format; standard input when FILE is absent or -)
Output is always numeric, as with ipvsadm -n.
`;

class UsageError extends Error {}

/** Where a command's text goes: process.stdout, or stdoutFd. */
export interface TextSink {
  write(text: string | Uint8Array): unknown;
}

/**
 * Standard output written straight to fd 1: building process.stdout for a pipe loads the
 * net and stream modules (30-60 ms of a listing's start in the test VM). A non-blocking
 * descriptor that would block hands the rest to process.stdout.
 */
export const stdoutFd: TextSink = {
  write(text: string | Uint8Array): unknown {
    const b = typeof text === 'string' ? Buffer.from(text) : text;
    for (let off = 0; off < b.length;) {
      try {
        off += writeSync(1, b, off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        return process.stdout.write(b.subarray(off));
      }
    }
    return true;
  },
};

function listFormat(args: string[]): { fmt: ListFormat; timeout: boolean; daemon: boolean; svcArgs: string[] } {
  const fmt: ListFormat = {};
  let timeout = false;
  let daemon = false;
  const svcArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    switch (a) {
      case '-n': case '--numeric': case '--sort': break;
      case '--stats': fmt.stats = true; break;
      case '--rate': fmt.rate = true; break;
      case '--thresholds': fmt.thresholds = true; break;
      case '--persistent-conn': fmt.persistentConn = true; break;
      case '--tun-info': fmt.tunInfo = true; break;
      case '--exact': case '-X': fmt.exact = true; break;
      case '--nosort': fmt.nosort = true; break;
      case '--timeout': timeout = true; break;
      case '--daemon': daemon = true; break;
      case '-t': case '-u': case '--sctp-service': case '-f': case '--tcp-service': case '--udp-service': case '--fwmark-service':
        if (i + 1 >= args.length) throw new UsageError(`${a} needs an argument`);
        svcArgs.push(a, args[++i]);
        break;
      case '-6': svcArgs.push(a); break;
      default: throw new UsageError(`unknown option ${a}`);
    }
  }
  if ((timeout || daemon) && (fmt.stats || fmt.rate || fmt.thresholds || fmt.persistentConn)) {
    throw new UsageError('options conflicts in the list command');
  }
  return { fmt, timeout, daemon, svcArgs };
}

async function list(k: IpvsKernel, args: string[], out: TextSink): Promise<number> {
  const { fmt, timeout, daemon, svcArgs } = listFormat(args);
  if (svcArgs.length) {
    const cmd = parseIpvsadmArgs(['-Z', ...svcArgs]);
    if (cmd.kind !== 'zero' || !cmd.service) throw new UsageError('bad service');
    const key = serviceKey(cmd.service);
    const service = (await k.services()).find((s) => serviceKey(s) === key);
    if (!service) throw new IpvsError('getService', `service ${svcArgs.join(' ')}`, 3, 'no such service');
    out.write(title(fmt) + formatEntry({ service, dests: await k.dests(service) }, fmt));
    return 0;
  }
  if (timeout) {
    out.write(formatTimeouts(await k.timeouts()));
    return 0;
  }
  if (daemon) {
    out.write(formatDaemons(await k.daemons()));
    return 0;
  }
  if (isPlainListing(fmt) && hasDestNests(k)) {
    out.write(await plainListingBytes(k));
    return 0;
  }
  const [info, table] = await Promise.all([k.info(), k.table()]);
  out.write(formatTable(table, fmt, info));
  return 0;
}

async function save(k: IpvsKernel, args: string[], out: TextSink): Promise<number> {
  for (const a of args) if (a !== '-n' && a !== '--numeric') throw new UsageError(`unknown option ${a}`);
  out.write(formatTable(await k.table(), { rule: true }));
  return 0;
}

export async function runRestoreCommand(k: IpvsKernel, c: RestoreCommand): Promise<void> {
  switch (c.kind) {
    case 'addService': return k.addService(c.service);
    case 'editService': return k.editService(c.service);
    case 'deleteService': return k.deleteService(c.service);
    case 'addDest': return k.addDest(c.service, c.dest);
    case 'editDest': return k.editDest(c.service, c.dest);
    case 'deleteDest': return k.deleteDest(c.service, c.dest);
    case 'flush': return k.flush();
    case 'zero': return k.zero(c.service);
    case 'timeouts': return k.setTimeouts(c.timeouts);
    case 'startDaemon': return k.startDaemon(c.daemon);
    case 'stopDaemon': return k.stopDaemon(c.daemon);
  }
}

const isDestCommand = (c: RestoreCommand): c is Extract<RestoreCommand, { dest: unknown }> =>
  c.kind === 'addDest' || c.kind === 'editDest' || c.kind === 'deleteDest';

/**
 * Applies ipvsadm -S text; everything is parsed first, then the first kernel error stops it.
 * Consecutive destination lines on distinct destinations do not depend on each other and
 * are sent together (over the client's socket pool); other lines run one by one, in order.
 */
export async function restoreText(k: IpvsKernel, text: string): Promise<number> {
  return restoreLines(k, parseRestore(text));
}

/** restoreText for lines already parsed. */
async function restoreLines(k: IpvsKernel, lines: readonly ParsedLine[]): Promise<number> {
  let i = 0;
  while (i < lines.length) {
    const group = [lines[i]];
    const first = lines[i].command;
    if (isDestCommand(first)) {
      // destinations seen in this group, per service; consecutive lines of one service share
      // its object (parseRestore), so its key is made once per run of lines, not per line
      const seen = new Map<string, Set<string>>();
      let svc: IpvsService | undefined;
      let dests: Set<string> | undefined;
      const firstTime = (c: Extract<RestoreCommand, { dest: unknown }>): boolean => {
        if (c.service !== svc || !dests) {
          svc = c.service;
          const key = serviceKey(svc);
          dests = seen.get(key);
          if (!dests) seen.set(key, (dests = new Set()));
        }
        const d = destKey(c.dest);
        if (dests.has(d)) return false;
        dests.add(d);
        return true;
      };
      firstTime(first);
      while (i + group.length < lines.length) {
        const next = lines[i + group.length].command;
        if (!isDestCommand(next) || !firstTime(next)) break;
        group.push(lines[i + group.length]);
      }
    }
    const bad = await runGroup(k, group);
    if (bad) throw new RestoreError(group[bad.at].line, group[bad.at].text, bad.message);
    i += group.length;
  }
  return lines.length;
}

/** Runs the lines of a group together; the first one that failed (in line order), if any. */
async function runGroup(k: IpvsKernel, group: readonly ParsedLine[]): Promise<{ at: number; message: string } | undefined> {
  const destOps: IpvsOp[] = [];
  for (const l of group) if (isDestCommand(l.command)) destOps.push({ op: l.command.kind, service: l.command.service, dest: l.command.dest });
  if (group.length > 1 && destOps.length === group.length && hasOpBatch(k)) {
    // one call for the whole group: no promise per line
    let bad: { at: number; message: string } | undefined;
    let at: Map<IpvsOp, number> | undefined;
    await k.runOps(destOps, (op, e) => {
      at ??= new Map(destOps.map((o, j) => [o, j]));
      const j = at.get(op) ?? 0;
      if (!bad || j < bad.at) bad = { at: j, message: e.message };
    });
    return bad;
  }
  const results = await Promise.allSettled(group.map((l) => runRestoreCommand(k, l.command)));
  const j = results.findIndex((r) => r.status === 'rejected');
  if (j < 0) return undefined;
  const r = results[j] as PromiseRejectedResult;
  return { at: j, message: r.reason instanceof Error ? r.reason.message : String(r.reason) };
}

function readInput(args: string[]): string {
  if (args.length > 1) throw new UsageError('restore takes at most one file');
  const f = args[0];
  return readFileSync(f === undefined || f === '-' ? 0 : f, 'utf8');
}

export async function runIpvsCommand(argv: string[], out: TextSink = stdoutFd, kernel?: IpvsKernel): Promise<number> {
  const [sub, ...args] = argv;
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h') {
    (sub ? out : process.stderr).write(USAGE);
    return sub ? 0 : 2;
  }
  let k = kernel;
  try {
    if (sub !== 'list' && sub !== 'save' && sub !== 'restore') throw new UsageError(`unknown command ${sub}`);
    // Parse restore input before touching the kernel: a bad file changes nothing.
    const lines = sub === 'restore' ? parseRestore(readInput(args)) : [];
    k ??= await NetlinkIpvs.open();
    if (sub === 'list') return await list(k, args, out);
    if (sub === 'save') return await save(k, args, out);
    await restoreLines(k, lines);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`lvsd ipvs: ${e.message}\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`lvsd ipvs ${sub}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    if (!kernel) k?.close();
  }
}
