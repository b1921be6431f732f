// The daemon's one writer of IPVS. It keeps the kernel table as last confirmed, reconciles the
// engine's desired rows against it (only services lvsd owns are ever changed), and after any
// failure (netlink error, kernel refusal, ip_vs missing) logs `ipvs.apply` with the errno,
// forgets the cached view and tries again with backoff. It never throws at its caller.
import { applyDesired, executeOps } from '../ipvs/apply.js';
import { IpvsError } from '../ipvs/errors.js';
import type { IpvsKernel } from '../ipvs/kernel.js';
import { serviceKey } from '../ipvs/model.js';
import { reconcile, type IpvsOp, type TableRow } from '../ipvs/reconcile.js';
import type { IpvsVirtualEntry } from '../ipvs/types.js';
import { Backoff } from './backoff.js';
import { EV, type Logger } from './log.js';

export type FlushOnStop = 'full' | 'VS' | undefined;

export interface IpvsEdgeOptions {
  log: Logger;
  open: () => Promise<IpvsKernel>;
  backoff?: Backoff;
}

const errFields = (e: unknown): Record<string, unknown> => ({
  errno: e instanceof IpvsError ? e.errno : typeof e === 'object' && e !== null && 'errno' in e ? (e as { errno: unknown }).errno : undefined,
  code: e instanceof IpvsError ? e.code : undefined,
  err: e instanceof Error ? e.message : String(e),
});

/**
 * The table after `ops` succeeded: the desired rows, plus the rows of services lvsd left alone
 * (not desired and not deleted).
 */
export function tableAfter(actual: readonly TableRow[], desired: readonly TableRow[], ops: readonly IpvsOp[]): TableRow[] {
  const want = new Set(desired.map((r) => serviceKey(r.service)));
  const deleted = new Set(ops.filter((o) => o.op === 'deleteService').map((o) => serviceKey(o.service)));
  return [...desired, ...actual.filter((r) => !want.has(serviceKey(r.service)) && !deleted.has(serviceKey(r.service)))];
}

export class IpvsEdge {
  private k: IpvsKernel | undefined;
  private desired: readonly TableRow[] = [];
  /** kernel table as last confirmed; undefined: read it again before the next apply */
  private actual: TableRow[] | undefined;
  /** services lvsd manages: every one it wanted since the last confirmed apply */
  private readonly owned = new Set<string>();
  private readonly backoff: Backoff;
  private dirty = false;
  private loop: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** attempts and failed attempts since start (status, metrics) */
  attempts = 0;
  failures = 0;

  constructor(private readonly o: IpvsEdgeOptions) {
    this.backoff = o.backoff ?? new Backoff();
  }

  /** Services lvsd owns now (keys of ipvs/model.serviceKey). */
  get ownedKeys(): ReadonlySet<string> {
    return this.owned;
  }

  /** The engine's output: brings the kernel to `rows`; resolves after this attempt (retries go on by themselves). */
  apply(rows: readonly TableRow[]): Promise<void> {
    this.desired = rows;
    for (const r of rows) this.owned.add(serviceKey(r.service));
    return this.kick();
  }

  private kick(): Promise<void> {
    this.dirty = true;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    this.loop ??= this.run().finally(() => { this.loop = undefined; });
    return this.loop;
  }

  private async run(): Promise<void> {
    while (this.dirty && !this.closed) {
      this.dirty = false;
      const ok = await this.attempt();
      if (!ok && !this.dirty && !this.closed) {
        const ms = this.backoff.next();
        this.o.log.warn({ event: EV.ipvsApply, retryInMs: ms, failures: this.backoff.count }, `ipvs: retrying in ${ms} ms`);
        this.retryTimer = setTimeout(() => { this.retryTimer = undefined; void this.kick(); }, ms);
      }
    }
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
      // First apply, and after any failure: read the kernel, apply, read back what was touched.
      // Otherwise the last confirmed table is the base and the kernel's acknowledgement of
      // each operation is the confirmation (no dump of the table per change).
      const ok = this.actual ? await this.applyIncrement(k, this.actual) : await this.applyFull(k);
      if (!ok) {
        this.failures++;
        this.actual = undefined;
        return false;
      }
      this.backoff.reset();
      // what was owned but not wanted is gone now
      const want = new Set(this.desired.map((r) => serviceKey(r.service)));
      for (const key of [...this.owned]) if (!want.has(key)) this.owned.delete(key);
      return true;
    } catch (e) {
      this.failures++;
      this.actual = undefined;
      this.o.log.error({ event: EV.ipvsApply, ...errFields(e) }, `ipvs apply failed: ${e instanceof Error ? e.message : String(e)}`);
      if (this.k && e instanceof IpvsError && e.op === 'close') this.k = undefined;
      return false;
    }
  }

  private async applyFull(k: IpvsKernel): Promise<boolean> {
    const res = await applyDesired(k, this.desired, this.owned, this.o.log);
    if (res.failures.length > 0 || !res.confirmed) return false;
    this.actual = res.table;
    return true;
  }

  private async applyIncrement(k: IpvsKernel, actual: readonly TableRow[]): Promise<boolean> {
    const ops = reconcile(this.desired, actual, this.owned);
    if (ops.length === 0) return true;
    const failures = await executeOps(k, ops, this.o.log);
    const count = (name: IpvsOp['op']): number => ops.filter((o) => o.op === name).length;
    this.o.log.info({
      event: EV.ipvsApply, ops: ops.length, applied: ops.length - failures.length, failed: failures.length, confirmed: failures.length === 0, reread: false,
      addService: count('addService'), editService: count('editService'), deleteService: count('deleteService'),
      addDest: count('addDest'), editDest: count('editDest'), deleteDest: count('deleteDest'),
    }, `ipvs apply: ${ops.length} operations, ${failures.length} failed`);
    if (failures.length > 0) return false;
    this.actual = tableAfter(actual, this.desired, ops);
    return true;
  }

  /** Resolves when no attempt is running (a scheduled retry may still be pending). */
  async settled(): Promise<void> {
    for (let i = 0; i < 100 && this.loop; i++) await this.loop;
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
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.loop?.catch(() => {});
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
  }
}
