// The one edge between lvsd and the kernel's IPVS table.
import type { IpvsOp } from './reconcile.js';
import type {
  IpvsDaemon, IpvsDest, IpvsDestEntry, IpvsInfo, IpvsService, IpvsServiceEntry, IpvsTimeouts, IpvsVirtualEntry,
} from './types.js';

export interface IpvsKernel {
  info(): Promise<IpvsInfo>;
  services(): Promise<IpvsServiceEntry[]>;
  service(key: IpvsService): Promise<IpvsServiceEntry>;
  dests(service: IpvsService): Promise<IpvsDestEntry[]>;
  /** every service with its destinations */
  table(): Promise<IpvsVirtualEntry[]>;
  addService(s: IpvsService): Promise<void>;
  editService(s: IpvsService): Promise<void>;
  deleteService(s: IpvsService): Promise<void>;
  addDest(s: IpvsService, d: IpvsDest): Promise<void>;
  editDest(s: IpvsService, d: IpvsDest): Promise<void>;
  deleteDest(s: IpvsService, d: IpvsDest): Promise<void>;
  flush(): Promise<void>;
  zero(s?: IpvsService): Promise<void>;
  timeouts(): Promise<IpvsTimeouts>;
  setTimeouts(t: IpvsTimeouts): Promise<void>;
  daemons(): Promise<IpvsDaemon[]>;
  startDaemon(d: IpvsDaemon): Promise<void>;
  stopDaemon(d: Pick<IpvsDaemon, 'state' | 'mcastIfn' | 'syncId'>): Promise<void>;
  close(): void;
  /** when the last plain requests were sent and answered (performance.now(); the netlink client keeps them) */
  readonly counters?: { readonly sentAt: number; readonly answeredAt: number };
}

/**
 * A kernel that takes many add/edit/delete operations at once: one promise for all of
 * them instead of one per operation (what a large apply spends most of its own time on).
 * Each failure is reported through `failed`; the promise settles when every one is answered.
 */
export interface IpvsOpBatch {
  runOps(ops: readonly IpvsOp[], failed: (op: IpvsOp, error: Error) => void): Promise<void>;
}

export const hasOpBatch = (k: IpvsKernel): k is IpvsKernel & IpvsOpBatch =>
  typeof (k as Partial<IpvsOpBatch>).runOps === 'function';
