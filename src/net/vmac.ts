// use_vmac: the macvlan a VRRP instance sends from, in private mode with the VRRP virtual
// MAC (RFC 3768 section 7.3, RFC 5798 section 7.3): 00:00:5e:00:01:VRID for IPv4,
// 00:00:5e:00:02:VRID for IPv6. keepalived names it vrrp.VRID unless told otherwise.
import { RtnlError, RtnlSocket } from './rtnl/socket.js';
import { delLinkRequest, newMacvlanRequest, setLinkUpRequest } from './rtnl/link-msg.js';
import { lookupIfindex } from './rtnl/ifindex.js';
import type { Family } from './ip.js';

const EEXIST = 17;
const ENODEV = 19;

export function vrrpMac(vrid: number, family: Family = 4): Buffer {
  if (!Number.isInteger(vrid) || vrid < 1 || vrid > 255) throw new Error(`invalid VRID ${vrid}`);
  return Buffer.from([0x00, 0x00, 0x5e, 0x00, family === 4 ? 0x01 : 0x02, vrid]);
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
  /** Creates (or finds) the macvlan and sets it up; resolves with its ifindex. */
  create(spec: VmacSpec): Promise<{ ifindex: number; created: boolean }>;
  /** Deletes the link by name; 'absent' when there is none. */
  remove(name: string): Promise<'removed' | 'absent'>;
  close(): void;
}

export function openVmacLinks(): VmacLinks {
  return new RtnlVmacLinks(new RtnlSocket());
}

class RtnlVmacLinks implements VmacLinks {
  constructor(private readonly rtnl: RtnlSocket) {}

  async create(spec: VmacSpec): Promise<{ ifindex: number; created: boolean }> {
    const name = spec.name ?? defaultVmacName(spec.vrid);
    let created = true;
    try {
      await this.rtnl.request(newMacvlanRequest({ parentIfindex: spec.parentIfindex, name, mac: vrrpMac(spec.vrid, spec.family ?? 4) }), `create macvlan ${name}`);
    } catch (e) {
      if (!(e instanceof RtnlError && e.errno === EEXIST)) throw e;
      created = false;
    }
    const ifindex = await this.ifindex(name);
    await this.rtnl.request(setLinkUpRequest(ifindex, true), `set ${name} up`);
    return { ifindex, created };
  }

  async remove(name: string): Promise<'removed' | 'absent'> {
    let ifindex: number;
    try {
      ifindex = await this.ifindex(name);
      await this.rtnl.request(delLinkRequest(ifindex), `delete ${name}`);
    } catch (e) {
      if (e instanceof RtnlError && e.errno === ENODEV) return 'absent';
      throw e;
    }
    return 'removed';
  }

  close(): void {
    this.rtnl.close();
  }

  private async ifindex(name: string): Promise<number> {
    return lookupIfindex(this.rtnl, name);
  }
}
