// ha_suspend needs to know whether a virtual server's address is on this machine. This reads
// every local address over rtnetlink (one dump) and keeps the set; the daemon refreshes it
// after VRRP VIP changes and on a slow timer for addresses others add or remove.
import { RTM_GETADDR } from '../net/rtnl/constants.js';
import { RtnlSocket } from '../net/rtnl/socket.js';
import { bytesToIp } from '../net/ip.js';
import { normalizeAddr } from '../ipvs/addr.js';

export class LocalAddresses {
  private addrs = new Set<string>();
  private readonly rtnl = new RtnlSocket();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<boolean> | undefined;

  /** Canonical form, so "10.0.0.1" and IPv6 spellings compare equal. */
  has(addr: string): boolean {
    return this.addrs.has(normalizeAddr(addr));
  }

  /** Reads the table again; resolves true when the set changed. Never rejects. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.read().finally(() => { this.refreshing = undefined; });
    return this.refreshing;
  }

  private async read(): Promise<boolean> {
    let next: Set<string>;
    try {
      const msgs = await this.rtnl.dump(RTM_GETADDR, Buffer.alloc(8), 'list addresses');
      next = new Set();
      for (const m of msgs) {
        if (m.kind !== 'address') continue;
        const local = m.attrs.local ?? m.attrs.address;
        if (local) next.add(normalizeAddr(bytesToIp(local)));
      }
    } catch {
      return false;
    }
    const changed = next.size !== this.addrs.size || [...next].some((a) => !this.addrs.has(a));
    this.addrs = next;
    return changed;
  }

  /** Refreshes every `ms`, calling `onChange` when the set changed. */
  watch(ms: number, onChange: () => void): void {
    this.timer = setInterval(() => { void this.refresh().then((c) => { if (c) onChange(); }); }, ms);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.rtnl.close();
  }
}
