// use_vmac: the macvlan a VRRP instance sends from, in private mode with the VRRP virtual
// MAC (RFC 3768 section 7.3, RFC 5798 section 7.3): 00:00:5e:00:01:VRID for IPv4,
// 00:00:5e:00:02:VRID for IPv6. keepalived names it vrrp.VRID unless told otherwise.
// Like keepalived, the ARP sysctls are set so that only the vmac answers for the VIP:
//   vmac:   arp_ignore=1, accept_local=1 (hear the other router's adverts), rp_filter=0
//   parent: arp_ignore=1, arp_filter=1, put back when its last vmac goes.
// An IPv6 vmac gets no automatic link-local (every router's vmac has the same MAC, so the
// EUI-64 addresses would collide); like keepalived it takes the parent's EUI-64 link-local.
import { constants } from 'node:os';
import { RtnlError, RtnlSocket } from './rtnl/socket.js';
import { addrGenModeNoneRequest, delLinkRequest, getLinkByIndexRequest, newMacvlanRequest, setLinkUpRequest } from './rtnl/link-msg.js';
import { newAddressRequest } from './rtnl/address-msg.js';
import { lookupIfindex } from './rtnl/ifindex.js';
import { readConf, writeConf } from './sysctl.js';
import type { Family } from './ip.js';

const { EEXIST, ENODEV } = constants.errno;

export function vrrpMac(vrid: number, family: Family = 4): Buffer {
  if (!Number.isInteger(vrid) || vrid < 1 || vrid > 255) throw new Error(`invalid VRID ${vrid}`);
  return Buffer.from([0x00, 0x00, 0x5e, 0x00, family === 4 ? 0x01 : 0x02, vrid]);
}

/** fe80::/64 with the modified EUI-64 interface identifier of a MAC (RFC 4291 appendix A). */
export function linkLocalFromMac(mac: Buffer): Buffer {
  const a = Buffer.alloc(16);
  a[0] = 0xfe;
  a[1] = 0x80;
  a[8] = mac[0] ^ 0x02;
  a[9] = mac[1];
  a[10] = mac[2];
  a[11] = 0xff;
  a[12] = 0xfe;
  a[13] = mac[3];
  a[14] = mac[4];
  a[15] = mac[5];
  return a;
}

export function defaultVmacName(vrid: number): string {
  return `vrrp.${vrid}`;
}

export interface VmacSpec {
  parentIfindex: number;
  vrid: number;
  family?: Family;
  name?: string;
}

export interface VmacLinks {
  /** Creates (or finds) the macvlan, sets its sysctls and sets it up; resolves with its ifindex. */
  create(spec: VmacSpec): Promise<{ ifindex: number; created: boolean }>;
  /** Deletes the link by name ('absent' when there is none) and restores the parent's ARP sysctls. */
  remove(name: string): Promise<'removed' | 'absent'>;
  close(): void;
}

export function openVmacLinks(procRoot = '/proc'): VmacLinks {
  return new RtnlVmacLinks(new RtnlSocket(), procRoot);
}

const PARENT_KEYS = ['arp_ignore', 'arp_filter'] as const;

class RtnlVmacLinks implements VmacLinks {
  /** Parents we changed: their original values and which vmacs rely on the change. */
  private readonly parents = new Map<string, { saved: Record<string, number>; vmacs: Set<string> }>();

  constructor(private readonly rtnl: RtnlSocket, private readonly procRoot: string) {}

  async create(spec: VmacSpec): Promise<{ ifindex: number; created: boolean }> {
    const name = spec.name ?? defaultVmacName(spec.vrid);
    const macvlan = newMacvlanRequest({ parentIfindex: spec.parentIfindex, name, mac: vrrpMac(spec.vrid, spec.family ?? 4) });
    const created = await this.rtnl.settle(macvlan, `create macvlan ${name}`, [EEXIST]);
    const ifindex = await this.ifindex(name);
    writeConf('ipv4', name, 'arp_ignore', 1, this.procRoot);
    writeConf('ipv4', name, 'accept_local', 1, this.procRoot);
    writeConf('ipv4', name, 'rp_filter', 0, this.procRoot);
    const parentLink = await this.linkOf(spec.parentIfindex);
    this.holdParent(parentLink.name, name);
    const v6 = (spec.family ?? 4) === 6;
    if (v6) await this.rtnl.request(addrGenModeNoneRequest(ifindex), `addrgenmode none on ${name}`);
    await this.rtnl.request(setLinkUpRequest(ifindex, true), `set ${name} up`);
    if (v6 && parentLink.mac) {
      const ll = { family: 6 as const, address: linkLocalFromMac(parentLink.mac), prefixLength: 64, ifindex, scope: 253 };
      await this.rtnl.settle(newAddressRequest(ll), `link-local on ${name}`, [EEXIST]);
    }
    return { ifindex, created };
  }

  private holdParent(parent: string, vmac: string): void {
    let p = this.parents.get(parent);
    if (!p) {
      const saved: Record<string, number> = {};
      for (const k of PARENT_KEYS) saved[k] = readConf('ipv4', parent, k, this.procRoot);
      for (const k of PARENT_KEYS) writeConf('ipv4', parent, k, 1, this.procRoot);
      p = { saved, vmacs: new Set() };
      this.parents.set(parent, p);
    }
    p.vmacs.add(vmac);
  }

  private releaseParent(vmac: string): void {
    for (const [parent, p] of this.parents) {
      if (!p.vmacs.delete(vmac) || p.vmacs.size > 0) continue;
      this.parents.delete(parent);
      try {
        for (const k of PARENT_KEYS) writeConf('ipv4', parent, k, p.saved[k], this.procRoot);
      } catch {
        // The parent itself is gone: nothing left to restore.
      }
    }
  }

  private async linkOf(ifindex: number): Promise<{ name: string; mac?: Buffer }> {
    const msgs = await this.rtnl.request(getLinkByIndexRequest(ifindex), `interface ${ifindex}`);
    for (const m of msgs) {
      if (m.kind === 'link' && m.attrs.ifname) return { name: m.attrs.ifname, ...(m.attrs.address ? { mac: Buffer.from(m.attrs.address) } : {}) };
    }
    throw new RtnlError(`interface ${ifindex}`, ENODEV);
  }

  async remove(name: string): Promise<'removed' | 'absent'> {
    let ifindex: number;
    try {
      ifindex = await this.ifindex(name);
      await this.rtnl.request(delLinkRequest(ifindex), `delete ${name}`);
    } catch (e) {
      if (e instanceof RtnlError && e.errno === ENODEV) {
        this.releaseParent(name);
        return 'absent';
      }
      throw e;
    }
    this.releaseParent(name);
    return 'removed';
  }

  close(): void {
    this.rtnl.close();
  }

  private async ifindex(name: string): Promise<number> {
    return lookupIfindex(this.rtnl, name);
  }
}
