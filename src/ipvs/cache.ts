// The daemon's view of the kernel table: the rows it last confirmed. A change then costs
// requests for what changed only: reconcile against the cached rows, run the operations,
// and take each operation's acknowledgement as the kernel's word that it holds the
// change. Only services where an operation failed are read back (one GET and one
// destination dump each) to learn what the kernel really holds.
import { executeOps, logApply, type ApplyLogger, type ApplyResult } from './apply.js';
import { IpvsError } from './errors.js';
import type { IpvsKernel } from './kernel.js';
import { serviceKey } from './model.js';
import { reconcile, type IpvsOp, type Ownership, type TableRow } from './reconcile.js';
import type { IpvsService } from './types.js';

/** ESRCH: the kernel has no such service. */
const ESRCH = 3;

export class IpvsTableCache {
  /** by service key, in the order the rows were first seen */
  private rows: Map<string, TableRow> | undefined;

  /**
   * `keyOf`: serviceKey, or the same remembered per service object (the daemon's edge: its
   * services are never changed once made, and a reload's apply looks each one up several times).
   */
  constructor(
    private readonly k: IpvsKernel,
    private readonly log?: ApplyLogger,
    private readonly keyOf: (s: IpvsService) => string = serviceKey,
    /**
     * the `ipvs.apply` summary line in a later event-loop turn, not before apply() resolves (the
     * daemon: a reload's 'applied' waits for nothing but the kernel's answers). A failed
     * operation's own error line is logged at once either way.
     */
    private readonly summaryLater = false,
  ) {}

  /** The cached table, or undefined before the first read. */
  get table(): TableRow[] | undefined {
    return this.rows ? [...this.rows.values()] : undefined;
  }

  /** Whether the table was read (the next apply diffs against the cache). */
  get loaded(): boolean {
    return this.rows !== undefined;
  }

  /** Forget the cache: the next apply starts with a full read (e.g. after an outside change). */
  invalidate(): void {
    this.rows = undefined;
  }

  /** Reads the whole kernel table into the cache. */
  async refresh(): Promise<TableRow[]> {
    const t = await this.k.table();
    this.rows = new Map(t.map((r) => [this.keyOf(r.service), r]));
    return t;
  }

  /**
   * Brings the kernel to `desired` for the services lvsd owns (see applyDesired). The first
   * call reads the kernel table; later calls diff against the cached rows. `confirmed`
   * means every operation was acknowledged, or, for services where one failed, that the
   * read-back shows nothing left to do.
   */
  async apply(desired: readonly TableRow[], owned: Ownership = new Set()): Promise<ApplyResult> {
    const rows = this.rows ?? new Map((await this.refresh()).map((r) => [this.keyOf(r.service), r]));
    this.rows = rows;
    const ops = reconcile(desired, rows, owned, this.keyOf);
    const failures = await executeOps(this.k, ops, this.log);

    const failed = new Set<string>();
    for (const f of failures) failed.add(this.keyOf(f.op.service));
    this.confirm(rows, desired, ops, failed);

    let remaining: IpvsOp[] = [];
    if (failed.size) {
      const keys = [...failed];
      try {
        const reread = await Promise.all(keys.map((key) => this.readService(failedService(ops, key))));
        const after: TableRow[] = [];
        keys.forEach((key, i) => {
          const row = reread[i];
          if (row) {
            rows.set(key, row);
            after.push(row);
          } else rows.delete(key);
        });
        const want = desired.filter((r) => failed.has(serviceKey(r.service)));
        remaining = reconcile(want, after, (s: IpvsService) => failed.has(serviceKey(s)));
      } catch (e) {
        // The kernel's state is unknown: start from a full read next time.
        this.rows = undefined;
        remaining = failures.map((f) => f.op);
        this.log?.error({ event: 'ipvs.apply', err: e instanceof Error ? e.message : String(e) }, 'ipvs apply: cannot read back failed services');
      }
    }
    const result: ApplyResult = {
      // a copy of every row only for a caller that reads it (the daemon's edge does not)
      get table() { return [...rows.values()]; },
      ops, applied: ops.length - failures.length, failures, remaining, confirmed: remaining.length === 0,
    };
    // (a check result that changes nothing is not news)
    if (ops.length > 0 && this.log) {
      const log = this.log;
      if (this.summaryLater) setImmediate(() => logApply(log, result));
      else logApply(log, result);
    }
    return result;
  }

  /**
   * Every operation of the services not in `failed` was acknowledged: they now hold the desired
   * rows. reconcile gives a service's operations together, desired services in the order of
   * `desired` (its row found by walking along it, no key map), then services to delete. (A
   * method whose loop is its end: see NetlinkIpvs.queueOps.)
   */
  private confirm(rows: Map<string, TableRow>, desired: readonly TableRow[], ops: readonly IpvsOp[], failed: ReadonlySet<string>): void {
    let last: IpvsService | undefined;
    let j = 0;
    // (an index, not for...of: no iterator, whose maps an on-stack compile may not have met)
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i];
      if (o.service === last) continue;
      last = o.service;
      const key = this.keyOf(o.service);
      if (failed.size !== 0 && failed.has(key)) continue;
      while (j < desired.length && desired[j].service !== o.service) j++;
      const want = desired[j];
      if (o.op === 'deleteService' || want === undefined) rows.delete(key);
      // the desired array itself (never changed once handed out): the next row built on it
      // (TableRow.base) is then diffed by its changed entries only
      else rows.set(key, { service: want.service, dests: want.dests });
    }
  }

  /** One service as the kernel holds it now, or undefined when it has none. */
  private async readService(s: IpvsService): Promise<TableRow | undefined> {
    let service: IpvsService;
    try {
      service = await this.k.service(s);
    } catch (e) {
      if (e instanceof IpvsError && e.errno === ESRCH) return undefined;
      throw e;
    }
    return { service, dests: await this.k.dests(service) };
  }
}

function failedService(ops: readonly IpvsOp[], key: string): IpvsService {
  for (const o of ops) if (serviceKey(o.service) === key) return o.service;
  throw new Error(`no operation for service ${key}`);
}
