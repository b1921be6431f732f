// Holding VIPs on interfaces: the AddressTable edge and its one implementation over
// rtnetlink. Add and remove are idempotent (EEXIST / EADDRNOTAVAIL count as done), so a
// VRRP instance can re-assert its addresses at any time; other kernel errors keep errno.
import { constants } from 'node:os';
import { AF_INET, AF_INET6, RTM_GETADDR } from './rtnl/constants.js';
import { RtnlSocket } from './rtnl/socket.js';
import { newAddressRequest, delAddressRequest } from './rtnl/address-msg.js';
import { lookupIfindex } from './rtnl/ifindex.js';
import { resolveVip, vipText, type Vip } from './vip.js';
import { bytesToIp, type Family } from './ip.js';

const { EEXIST, EADDRNOTAVAIL, ENODEV } = constants.errno;

export interface InterfaceAddress {
  ifindex: number;
  family: Family;
  address: string;
  prefixLength: number;
  scope: number;
  label?: string;
  broadcast?: string;
  nodad: boolean;
}

export interface AddressTable {
  /** 'present' when the address was already there (left as it is). */
  add(vip: Vip): Promise<'added' | 'present'>;
  /** 'absent' when there was nothing to remove (or the interface is gone). */
  remove(vip: Vip): Promise<'removed' | 'absent'>;
  list(ifindex: number): Promise<InterfaceAddress[]>;
  /** The index of an interface by name; rejects with ENODEV when there is none. */
  ifindex(name: string): Promise<number>;
  close(): void;
}

export function openAddressTable(): AddressTable {
  return new RtnlAddressTable(new RtnlSocket());
}

class RtnlAddressTable implements AddressTable {
  constructor(private readonly rtnl: RtnlSocket) {}

  async add(vip: Vip): Promise<'added' | 'present'> {
    const v = resolveVip(vip);
    return (await this.rtnl.settle(newAddressRequest(v), `add ${vipText(v)} on ifindex ${v.ifindex}`, [EEXIST])) ? 'added' : 'present';
  }

  async remove(vip: Vip): Promise<'removed' | 'absent'> {
    const v = resolveVip(vip);
    const done = await this.rtnl.settle(delAddressRequest(v), `remove ${vipText(v)} from ifindex ${v.ifindex}`, [EADDRNOTAVAIL, ENODEV]);
    return done ? 'removed' : 'absent';
  }

  async list(ifindex: number): Promise<InterfaceAddress[]> {
    // The kernel filters an address dump by family only; the interface is filtered here.
    const msgs = await this.rtnl.dump(RTM_GETADDR, Buffer.alloc(8), 'list addresses');
    const out: InterfaceAddress[] = [];
    for (const m of msgs) {
      if (m.kind !== 'address' || m.data.index !== ifindex) continue;
      const family = m.data.family === AF_INET ? 4 : m.data.family === AF_INET6 ? 6 : undefined;
      const local = m.attrs.local ?? m.attrs.address;
      if (family === undefined || !local) continue;
      const a: InterfaceAddress = {
        ifindex, family, address: bytesToIp(local), prefixLength: m.data.prefixlen ?? 0,
        scope: m.data.scope ?? 0, nodad: Boolean(m.attrs.flags?.nodad ?? m.data.flags?.nodad),
      };
      if (m.attrs.label !== undefined) a.label = m.attrs.label;
      if (m.attrs.broadcast) a.broadcast = bytesToIp(m.attrs.broadcast);
      out.push(a);
    }
    return out;
  }

  async ifindex(name: string): Promise<number> {
    return lookupIfindex(this.rtnl, name);
  }

  close(): void {
    this.rtnl.close();
  }
}
