// `ipvsadm -L -n` without options, straight from the dump datagrams: each destination nest
// becomes its sort key and its line, with no entry object in between. This is most of what
// `lvsd ipvs list` does; every other format decodes entries (codec.ts) and formats them.
import { AF_INET, DestAttr } from './constants.js';
import { addrAt, be16, be32, fwdName, NestScan, scanDest, u32le } from './codec.js';
import { plainDestLine, serviceRow, title, versionLine } from './format.js';
import type { IpvsKernel } from './kernel.js';
import { destOrder, Keys, sortServices } from './sort.js';
import type { IpvsService, IpvsServiceEntry } from './types.js';

/** A kernel that hands over the destination nests of a dump in place. */
export interface IpvsDestNests {
  /** Calls fn with each destination nest of the service's dump: its payload is buf[off, end). */
  eachDestNest(s: IpvsService, fn: (buf: Buffer, off: number, end: number) => void): Promise<void>;
}

export const hasDestNests = (k: IpvsKernel): k is IpvsKernel & IpvsDestNests =>
  typeof (k as Partial<IpvsDestNests>).eachDestNest === 'function';

/** One service's destinations as lines and sort keys, in the kernel's order. */
class DestRows {
  readonly lines: string[] = [];
  /** per destination: family, port, the address union's four words */
  private readonly nums: number[] = [];
  private readonly scan = new NestScan();

  constructor(private readonly serviceAf: number) {}

  add(buf: Buffer, start: number, end: number): void {
    const af = scanDest(this.scan, buf, start, end, this.serviceAf);
    const at = this.scan.off;
    const a = at[DestAttr.ADDR];
    const port = be16(buf, at[DestAttr.PORT]);
    const addr = addrAt(af, buf, a, this.scan.len[DestAttr.ADDR]);
    // addrAt checked the length: 4 bytes for IPv4, 16 for IPv6
    if (af === AF_INET) this.nums.push(af, port, be32(buf, a), 0, 0, 0);
    else this.nums.push(af, port, be32(buf, a), be32(buf, a + 4), be32(buf, a + 8), be32(buf, a + 12));
    const active = at[DestAttr.ACTIVE_CONNS] >= 0 ? u32le(buf, at[DestAttr.ACTIVE_CONNS]) : 0;
    const inact = at[DestAttr.INACT_CONNS] >= 0 ? u32le(buf, at[DestAttr.INACT_CONNS]) : 0;
    const fwd = fwdName(u32le(buf, at[DestAttr.FWD_METHOD]));
    this.lines.push(plainDestLine(af, addr, port, fwd, u32le(buf, at[DestAttr.WEIGHT]) | 0, active, inact));
  }

  /** The service's block: its line, then its destinations' lines in ipvsadm's order. */
  text(head: string): string {
    const n = this.lines.length;
    const keys = new Keys(n, false);
    const v = this.nums;
    for (let i = 0; i < n; i++) keys.setWords(i, v[i * 6], v[i * 6 + 2], v[i * 6 + 3], v[i * 6 + 4], v[i * 6 + 5], v[i * 6 + 1]);
    const order = destOrder(keys);
    const out = new Array<string>(n + 2);
    out[0] = head;
    for (let i = 0; i < n; i++) out[i + 1] = this.lines[order[i]];
    out[n + 1] = '';
    return out.join('\n');
  }
}

async function serviceBlock(k: IpvsDestNests, s: IpvsServiceEntry): Promise<string> {
  const rows = new DestRows(s.af);
  await k.eachDestNest(s, (buf, off, end) => rows.add(buf, off, end));
  return rows.text(serviceRow(s, {}));
}

/** The text of `ipvsadm -L -n`: what formatTable(table, {}, info) gives, without entry objects. */
export async function plainListing(k: IpvsKernel & IpvsDestNests): Promise<string> {
  const [info, services] = await Promise.all([k.info(), k.services()]);
  // one dump per service; they overlap across the kernel's dump sockets
  const blocks = await Promise.all(sortServices(services.map((service) => ({ service }))).map((r) => serviceBlock(k, r.service)));
  return versionLine(info) + title({}) + blocks.join('');
}
