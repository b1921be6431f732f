// Executes reconcile's operations against the kernel, then re-reads the services it
// touched to confirm the kernel now holds the desired state.
import { IpvsError } from './errors.js';
import { hasOpBatch, type IpvsKernel } from './kernel.js';
import { describeDest, describeService, serviceKey } from './model.js';
import { reconcile, type IpvsOp, type Ownership, type TableRow } from './reconcile.js';
import type { IpvsService } from './types.js';

export interface ApplyLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ApplyFailure {
  op: IpvsOp;
  error: Error;
}

export interface ApplyOptions {
  /** the kernel table as last confirmed (skips the initial read; the daemon keeps it) */
  actual?: readonly TableRow[];
}

export interface ApplyResult {
  /** the kernel table after the apply: re-read rows for touched services, others as before */
  table: TableRow[];
  ops: IpvsOp[];
  applied: number;
  failures: ApplyFailure[];
  /** operations still needed after the re-read; empty when confirmed */
  remaining: IpvsOp[];
  confirmed: boolean;
}

export function describeOp(o: IpvsOp): string {
  const s = describeService(o.service);
  return 'dest' in o ? `${o.op} ${describeDest(o.dest)} in ${s}` : `${o.op} ${s}`;
}

function opFields(o: IpvsOp): Record<string, unknown> {
  const f: Record<string, unknown> = { op: o.op, service: describeService(o.service) };
  if ('dest' in o) {
    f.dest = describeDest(o.dest);
    f.weight = o.dest.weight;
  }
  return f;
}

async function runOp(k: IpvsKernel, o: IpvsOp): Promise<void> {
  switch (o.op) {
    case 'addService': return k.addService(o.service);
    case 'editService': return k.editService(o.service);
    case 'deleteService': return k.deleteService(o.service);
    case 'addDest': return k.addDest(o.service, o.dest);
    case 'editDest': return k.editDest(o.service, o.dest);
    case 'deleteDest': return k.deleteDest(o.service, o.dest);
  }
}

/**
 * The operations by phase: services created or edited, destinations, services deleted. A
 * function of its own, with the only loop over the operations: executeOps runs once per apply,
 * and the daemon's first apply (every server an addDest) made it hot inside that loop, so V8
 * compiled it on-stack there (OSR) before its code after the loop had ever run; every later
 * apply entered that cached code at the loop and deoptimised after it (host --trace-deopt:
 * 'insufficient type feedback' or 'wrong map' in executeOps on 35 of 40 reloads). The phase is
 * compared, not looked up by name: an operation first met at a reload (editDest) is no new key.
 */
export function byPhase(ops: readonly IpvsOp[]): IpvsOp[][] {
  const phases: IpvsOp[][] = [[], [], []];
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i];
    const op = o.op;
    phases[op === 'addService' || op === 'editService' ? 0 : op === 'deleteService' ? 2 : 1].push(o);
  }
  return phases;
}

/**
 * Runs the operations in three phases (services created or edited, then destinations,
 * then services deleted). Within a phase operations are independent, so they are issued
 * together (in one call when the kernel takes a batch) and overlap across the client's sockets. A failure is logged and recorded;
 * the rest still run.
 */
export async function executeOps(k: IpvsKernel, ops: readonly IpvsOp[], log?: ApplyLogger): Promise<ApplyFailure[]> {
  const failures: ApplyFailure[] = [];
  const fail = (o: IpvsOp, e: unknown): void => {
    const error = e instanceof Error ? e : new Error(String(e));
    failures.push({ op: o, error });
    log?.error({
      event: 'ipvs.apply', ...opFields(o),
      errno: e instanceof IpvsError ? e.errno : undefined,
      code: e instanceof IpvsError ? e.code : undefined,
      err: error.message,
    }, `ipvs ${describeOp(o)} failed: ${error.message}`);
  };
  const phases = byPhase(ops);
  for (let p = 0; p < 3; p++) {
    const batch = phases[p];
    if (batch.length === 0) continue;
    if (hasOpBatch(k)) await k.runOps(batch, fail);
    else await Promise.all(batch.map((o) => runOp(k, o).catch((e: unknown) => fail(o, e))));
  }
  return failures;
}

/** Current rows for the given services (the service dump, then destinations of those). */
async function readRows(k: IpvsKernel, keys: ReadonlySet<string> | undefined): Promise<TableRow[]> {
  if (!keys) return k.table();
  const services = (await k.services()).filter((s) => keys.has(serviceKey(s)));
  const dests = await Promise.all(services.map((s) => k.dests(s)));
  return services.map((service, i) => ({ service, dests: dests[i] }));
}

/**
 * Brings the kernel to `desired` for the services lvsd owns: read, diff, apply, re-read.
 * `owned` adds services lvsd manages but no longer wants (e.g. removed from the config).
 */
export async function applyDesired(
  k: IpvsKernel,
  desired: readonly TableRow[],
  owned: Ownership = new Set(),
  log?: ApplyLogger,
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  const actual = opts.actual ?? await k.table();
  const ops = reconcile(desired, actual, owned);
  const failures = await executeOps(k, ops, log);
  // Confirm only what was touched: a full re-read would cost as much as the change.
  const touched = new Set(ops.map((o) => serviceKey(o.service)));
  let remaining: IpvsOp[] = [];
  let table: TableRow[] = [...actual];
  if (ops.length) {
    const after = await readRows(k, touched);
    table = [...actual.filter((r) => !touched.has(serviceKey(r.service))), ...after];
    const want = desired.filter((r) => touched.has(serviceKey(r.service)));
    const isTouched = (s: IpvsService): boolean => touched.has(serviceKey(s));
    remaining = reconcile(want, after, isTouched);
  }
  const result: ApplyResult = { table, ops, applied: ops.length - failures.length, failures, remaining, confirmed: remaining.length === 0 };
  logApply(log, result);
  return result;
}

/**
 * How many operations of each kind, in one pass. A function of its own, for the reason byPhase is
 * one: logApply runs once per apply, and the first apply's loop over every server made V8 compile
 * logApply on-stack before its log line had ever run; later applies entered that code and
 * deoptimised after the loop (in the VM, --trace-deopt: 11 of 12 reloads). Kinds are counted in
 * slots found in a map: a kind first met at a reload (editDest) is no new name for the code (a
 * field per kind was a property access first run then: 'insufficient type feedback').
 */
function countOps(ops: readonly IpvsOp[]): Record<IpvsOp['op'], number> {
  const c = [0, 0, 0, 0, 0, 0];
  for (let i = 0; i < ops.length; i++) {
    const k = KIND.get(ops[i].op);
    if (k === undefined) throw new Error(`countOps: no slot for kind ${ops[i].op}`);
    c[k]++;
  }
  return { addService: c[0], editService: c[1], deleteService: c[2], addDest: c[3], editDest: c[4], deleteDest: c[5] };
}

/** countOps's slot of each kind (a map: one lookup site, whichever kinds its code has met; from a record, so a kind left out does not compile) */
const SLOTS: Readonly<Record<IpvsOp['op'], number>> = { addService: 0, editService: 1, deleteService: 2, addDest: 3, editDest: 4, deleteDest: 5 };
const KIND = new Map<string, number>(Object.entries(SLOTS));

/** The one `ipvs.apply` summary event of an apply. */
export function logApply(log: ApplyLogger | undefined, result: ApplyResult): void {
  if (!log) return;
  const { ops, failures, remaining } = result;
  const n = countOps(ops);
  log.info({
    event: 'ipvs.apply', ops: ops.length, applied: result.applied, failed: failures.length, confirmed: result.confirmed,
    addService: n.addService, editService: n.editService, deleteService: n.deleteService,
    addDest: n.addDest, editDest: n.editDest, deleteDest: n.deleteDest,
  }, `ipvs apply: ${ops.length} operations, ${failures.length} failed, ${result.confirmed ? 'confirmed' : `${remaining.length} still differ`}`);
}
