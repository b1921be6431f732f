// The daemon's one writer of IPVS. It keeps the kernel table as last confirmed, reconciles the
// engine's desired rows against it (only services lvsd owns are ever changed; when the engine
// names the services that changed, only those are diffed), and after any
// failure (netlink error, kernel refusal, ip_vs missing) logs `ipvs.apply` with the errno,
// forgets the cached view and tries again with backoff. It never throws at its caller.
import { IpvsTableCache } from '../ipvs/cache.js';
import { IpvsError } from '../ipvs/errors.js';
import type { IpvsKernel } from '../ipvs/kernel.js';
import { serviceKey } from '../ipvs/model.js';
import type { TableRow } from '../ipvs/reconcile.js';
import type { IpvsService, IpvsVirtualEntry } from '../ipvs/types.js';
import { Backoff } from './backoff.js';
import { RetryingTask } from './retrying-task.js';
import { EV, type Logger } from './log.js';

export type FlushOnStop = 'full' | 'VS' | undefined;

/**
 * serviceKey per service object: the engine hands the same objects to every apply (one per
 * check result), so each key is built once, not on every apply for every service.
 */
const keys = new WeakMap<IpvsService, string>();
function keyOf(s: IpvsService): string {
  let k = keys.get(s);
  if (k === undefined) keys.set(s, (k = serviceKey(s)));
  return k;
}

export interface IpvsEdgeOptions {
  log: Logger;
  open: () => Promise<IpvsKernel>;
  backoff?: Backoff;
  /** a failure with the message of the last one logged is logged again after this long (ms) */
  repeatLogMs?: number;
}

/** the backoff's longest wait: a failure that lasts is logged about as often as it is retried */
const REPEAT_LOG_MS = 30_000;

const errFields = (e: unknown): Record<string, unknown> => ({
  errno: e instanceof IpvsError ? e.errno : typeof e === 'object' && e !== null && 'errno' in e ? (e as { errno: unknown }).errno : undefined,
  code: e instanceof IpvsError ? e.code : undefined,
  err: e instanceof Error ? e.message : String(e),
});

export class IpvsEdge {
  private k: IpvsKernel | undefined;
  private desired: readonly TableRow[] = [];
  /** services to reconcile at the next attempt; every one when `pendingAll` */
  private pending = new Set<string>();
  private pendingAll = true;
  /** the kernel table as last confirmed (re-read in full after an unexplained failure) */
  private cache: IpvsTableCache | undefined;
  /** services lvsd manages: every one it wanted since the last confirmed apply */
  private readonly owned = new Set<string>();
  /** runs attempts: again when kicked meanwhile, after a backoff wait when one failed */
  private readonly task: RetryingTask;
  /** attempts and failed attempts since start (status, metrics) */
  attempts = 0;
  failures = 0;
  /** the last failure logged: its message, when, and the same failures since, not logged */
  private lastLogged = { err: '', at: 0, repeated: 0 };
  /** the last failure was logged (its retry line is logged with it) */
  private loud = true;
  /** when the scheduled retry runs (performance.now()) */
  private retryAt = 0;

  constructor(private readonly o: IpvsEdgeOptions) {
    this.task = new RetryingTask({
      attempt: () => this.attempt(),
      backoff: o.backoff ?? new Backoff(),
      onRetry: (ms, failures) => {
        this.retryAt = performance.now() + ms;
        const rec = { event: EV.ipvsApply, retryInMs: ms, failures };
        if (this.loud) this.o.log.warn(rec, `ipvs: retrying in ${ms} ms`);
        else this.o.log.debug(rec, `ipvs: retrying in ${ms} ms`);
      },
    });
  }

  /**
   * performance.now() of the last datagram of requests sent to the kernel and of the last answer
   * read (0: none yet): a reload's `sent` and `acked` marks.
   */
  get io(): { sentAt: number; answeredAt: number } {
    const c = this.k?.counters;
    return { sentAt: c?.sentAt ?? 0, answeredAt: c?.answeredAt ?? 0 };
  }

  /** Services lvsd owns now (keys of ipvs/model.serviceKey). */
  get ownedKeys(): ReadonlySet<string> {
    return this.owned;
  }

  /**
   * The engine's output: brings the kernel to `rows`; resolves after this attempt (retries go
   * on by themselves). `changed` limits the work to those services (see LvsEngine's apply).
   */
  apply(rows: readonly TableRow[], changed?: ReadonlySet<string>): Promise<void> {
    this.desired = rows;
    if (changed) for (const k of changed) this.pending.add(k);
    else this.pendingAll = true;
    for (const r of rows) this.owned.add(keyOf(r.service));
    return this.task.kick();
  }

  private async kernel(): Promise<IpvsKernel> {
    this.k ??= await this.o.open();
    return this.k;
  }

  private async attempt(): Promise<boolean> {
    // Nothing wanted and nothing owned: do not even open IPVS (VRRP-only configurations).
    if (this.desired.length === 0 && this.owned.size === 0) return true;
    this.attempts++;
    try {
      const k = await this.kernel();
      this.cache ??= new IpvsTableCache(k, this.o.log, keyOf, true);
      // The first apply reads the kernel; later ones send only what changed and take the
      // kernel's acknowledgements as confirmation (failed services are read back). Services
      // outside `only` are neither wanted nor owned for this diff, so it leaves them alone.
      const only = this.pendingAll || !this.cache.loaded ? undefined : this.pending;
      this.pending = new Set();
      this.pendingAll = false;
      const rows = this.desired;
      let desired = rows;
      let owned = this.owned;
      if (only) {
        // loops, not filter and a spread: no closure and no array per attempt
        const some: TableRow[] = [];
        for (const r of rows) if (only.has(keyOf(r.service))) some.push(r);
        desired = some;
        owned = new Set<string>();
        for (const key of only) if (this.owned.has(key)) owned.add(key);
      }
      const res = await this.cache.apply(desired, owned);
      if (!res.confirmed) {
        this.failures++;
        this.pendingAll = true;
        return false;
      }
      // What was owned, diffed and not wanted is gone now; rows that came in meanwhile may want
      // a service again, and the next attempt must still delete what they no longer want. Only
      // the services diffed are looked at (those the engine named: a reload's changed ones).
      const diffed = only ?? this.owned;
      // (every service diffed is still wanted when they are as many as the rows diffed, which
      // are among them and never twice: nothing to look up then)
      if (diffed.size > desired.length) {
        const want = new Set<string>();
        for (const r of desired) want.add(keyOf(r.service));
        if (this.desired !== rows) for (const r of this.desired) want.add(keyOf(r.service));
        for (const key of [...diffed]) if (!want.has(key)) this.owned.delete(key);
      }
      if (this.lastLogged.err !== '') {
        // a failure was logged: say it is over (and how many like it went unlogged)
        this.o.log.info({ event: EV.ipvsApply, recovered: true, repeated: this.lastLogged.repeated }, 'ipvs: apply succeeded again');
        this.lastLogged = { err: '', at: 0, repeated: 0 };
        this.loud = true;
      }
      return true;
    } catch (e) {
      this.failures++;
      this.pendingAll = true;
      this.cache?.invalidate();
      this.logFailure(e);
      if (this.k && e instanceof IpvsError && e.op === 'close') {
        this.k = undefined;
        this.cache = undefined;
      }
      return false;
    }
  }

  /**
   * An attempt's failure, logged as an error unless it is the one logged last, made before the
   * scheduled retry and less than repeatLogMs after that line: every change the engine makes
   * while IPVS stays unreachable (ip_vs not loaded) is an attempt, and logged each time they
   * were a burst of identical lines. Those go to debug and are counted on the next line logged
   * (`repeated`); the scheduled retries, spaced by the backoff, are logged.
   */
  private logFailure(e: unknown): void {
    const fields = errFields(e);
    const err = String(fields.err);
    const now = performance.now();
    const last = this.lastLogged;
    // (the retry's timer runs on the loop's millisecond clock: it may read a little early here)
    this.loud = err !== last.err || now + 5 >= this.retryAt || now - last.at >= (this.o.repeatLogMs ?? REPEAT_LOG_MS);
    if (!this.loud) {
      last.repeated++;
      this.o.log.debug({ event: EV.ipvsApply, ...fields }, `ipvs apply failed again: ${err}`);
      return;
    }
    this.o.log.error({ event: EV.ipvsApply, ...fields, ...(last.err === err && last.repeated > 0 ? { repeated: last.repeated } : {}) }, `ipvs apply failed: ${err}`);
    this.lastLogged = { err, at: now, repeated: 0 };
  }

  /** Resolves when no attempt is running (a scheduled retry may still be pending). */
  async settled(): Promise<void> {
    await this.task.settled();
  }

  /** Counters of the owned services, read from the kernel now; [] when IPVS is not reachable. */
  async dump(): Promise<IpvsVirtualEntry[]> {
    if (!this.k || this.owned.size === 0) return [];
    try {
      const table = await this.k.table();
      return table.filter((r) => this.owned.has(serviceKey(r.service)));
    } catch (e) {
      this.o.log.warn({ event: 'ipvs.dump', ...errFields(e) }, 'ipvs: reading counters failed');
      return [];
    }
  }

  /** lvs_flush: the whole table is emptied at startup, as keepalived does. */
  async flushAll(): Promise<void> {
    try {
      await (await this.kernel()).flush();
      this.o.log.info({ event: EV.ipvsApply, op: 'flush' }, 'ipvs: table flushed (lvs_flush)');
    } catch (e) {
      this.o.log.error({ event: EV.ipvsApply, op: 'flush', ...errFields(e) }, 'ipvs: flush failed');
    }
  }

  /**
   * Shutdown: lvsd's services leave the kernel (keepalived's default), or the whole table is
   * flushed (lvs_flush_on_stop), or everything stays (`keep`, -I/--dont-release-ipvs).
   */
  async close(o: { keep: boolean; flush: FlushOnStop }): Promise<void> {
    await this.task.close();
    if (!o.keep && this.k && (this.owned.size > 0 || o.flush === 'full')) {
      try {
        if (o.flush === 'full') await this.k.flush();
        else {
          const k = this.k;
          const mine = (await k.services()).filter((s) => this.owned.has(serviceKey(s)));
          // 'VS' and the default end in the same place here: deleting a service removes its destinations
          const results = await Promise.allSettled(mine.map((s) => k.deleteService(s)));
          const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
          if (failed.length > 0) throw failed[0];
        }
        this.o.log.info({ event: EV.ipvsApply, op: o.flush === 'full' ? 'flush' : 'release', services: this.owned.size }, 'ipvs: lvsd services removed');
      } catch (e) {
        this.o.log.error({ event: EV.ipvsApply, op: 'release', ...errFields(e) }, 'ipvs: removing services at stop failed');
      }
    }
    this.k?.close();
    this.k = undefined;
    this.cache = undefined;
  }
}
