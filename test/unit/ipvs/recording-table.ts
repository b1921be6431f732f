// An in-memory IpvsKernel double that records every change call; `failOn` makes a call
// fail with the errno it returns. Shared by the apply and cache suites.
import { IpvsError } from '../../../src/ipvs/errors.js';
import type { IpvsKernel } from '../../../src/ipvs/kernel.js';
import { destKey, serviceKey } from '../../../src/ipvs/model.js';
import { zeroStats, type IpvsDest, type IpvsService, type IpvsVirtualEntry } from '../../../src/ipvs/types.js';

/** Keeps a table in memory and records every call; `failOn` makes one call fail. */
export function recordingTable(failOn?: (call: string) => number | undefined) {
  const rows = new Map<string, { service: IpvsService; dests: Map<string, IpvsDest> }>();
  const calls: string[] = [];
  /** reads, kept apart from the change calls */
  const reads: string[] = [];
  const step = (call: string): void => {
    calls.push(call);
    const errno = failOn?.(call);
    if (errno) throw new IpvsError(call.split(' ')[0], call, errno);
  };
  const entry = (s: IpvsService) => ({ ...s, stats: zeroStats(), stats64: true });
  const dentry = (d: IpvsDest) => ({ ...d, activeConns: 0, inactConns: 0, persistConns: 0, stats: zeroStats(), stats64: true });
  const k: Partial<IpvsKernel> = {
    service: async (s) => {
      reads.push(`service ${serviceKey(s)}`);
      const r = rows.get(serviceKey(s));
      if (!r) throw new IpvsError('getService', serviceKey(s), 3);
      return entry(r.service);
    },
    services: async () => (reads.push('services'), [...rows.values()].map((r) => entry(r.service))),
    dests: async (s) => (reads.push(`dests ${serviceKey(s)}`), [...(rows.get(serviceKey(s))?.dests.values() ?? [])].map(dentry)),
    table: async (): Promise<IpvsVirtualEntry[]> => (reads.push('table'), [...rows.values()].map((r) => ({ service: entry(r.service), dests: [...r.dests.values()].map(dentry) }))),
    addService: async (s) => { step(`addService ${serviceKey(s)}`); rows.set(serviceKey(s), { service: s, dests: new Map() }); },
    editService: async (s) => { step(`editService ${serviceKey(s)}`); rows.get(serviceKey(s))!.service = s; },
    deleteService: async (s) => { step(`deleteService ${serviceKey(s)}`); rows.delete(serviceKey(s)); },
    addDest: async (s, d) => { step(`addDest ${destKey(d)}`); rows.get(serviceKey(s))!.dests.set(destKey(d), d); },
    editDest: async (s, d) => { step(`editDest ${destKey(d)}`); rows.get(serviceKey(s))!.dests.set(destKey(d), d); },
    deleteDest: async (s, d) => { step(`deleteDest ${destKey(d)}`); rows.get(serviceKey(s))!.dests.delete(destKey(d)); },
  };
  return { k: k as IpvsKernel, calls, reads, rows };
}

