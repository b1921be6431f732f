// The one edge between lvsd and the kernel's IPVS table.
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
}
