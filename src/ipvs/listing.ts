// `ipvsadm -L -n` without options, straight from the dump datagrams: each destination nest
// leaves a few numbers (no entry object, no string), and once every dump is in, the lines
// are written as bytes into one buffer in ipvsadm's order. This is most of what
// `lvsd ipvs list` does; every other format decodes entries (codec.ts) and formats them.
import { AF_INET, CONN_F_FWD_MASK, DestAttr } from './constants.js';
import { addrAt, be32, fwdName, NestScan, scanDest, u32le } from './codec.js';
import { fwdColumn, plainDestLine, serviceRow, title, versionLine } from './format.js';
import type { IpvsKernel } from './kernel.js';
import { destOrder, Keys, sortServices } from './sort.js';
import type { Fwd, IpvsService, IpvsServiceEntry } from './types.js';

/** A kernel that hands over the destination nests of a dump in place. */
export interface IpvsDestNests {
  /** Calls fn with each destination nest of the service's dump: its payload is buf[off, end). */
  eachDestNest(s: IpvsService, fn: (buf: Buffer, off: number, end: number) => void): Promise<void>;
}

export const hasDestNests = (k: IpvsKernel): k is IpvsKernel & IpvsDestNests =>
  typeof (k as Partial<IpvsDestNests>).eachDestNest === 'function';

const FWDS: readonly Fwd[] = ['masq', 'local', 'tunnel', 'route', 'bypass'];
/**
 * An IPv4 destination's line is 71 bytes (newline included) when every column keeps its
 * width: "a.b.c.d:port" fits the 28 of the address, the counters the 10 of theirs (a 32-bit
 * number has at most 10 digits), and the weight the 6 of its own.
 */
const LINE = 71;
/**
 * Per method, a line with its fixed parts (arrow, padding, method, zero counters): a line
 * is that copied, then the address, port, weight and non-zero counters written over it.
 */
const TEMPLATES: readonly Uint8Array[] = FWDS.map((f) =>
  Uint8Array.from(Buffer.from(`  -> ${''.padEnd(28)} ${fwdColumn(f)} ${''.padEnd(6)} ${'0'.padEnd(10)} ${'0'.padEnd(10)}\n`, 'latin1')));
/** For 0-999: the digit count, then the three digits' bytes (leading zeros included). */
const DIGITS = new Uint8Array(4000);
for (let i = 0; i < 1000; i++) {
  DIGITS[i * 4] = i < 10 ? 1 : i < 100 ? 2 : 3;
  DIGITS[i * 4 + 1] = 48 + Math.floor(i / 100);
  DIGITS[i * 4 + 2] = 48 + (Math.floor(i / 10) % 10);
  DIGITS[i * 4 + 3] = 48 + (i % 10);
}

/** Per destination: family, port, the address union's four words, method, weight (as unsigned), active, inactive. */
const F = 10;

/** One service's destinations, in the kernel's order, as numbers. */
class DestRows {
  n = 0;
  private v = new Uint32Array(F * 64);
  /** address text of destinations that are not IPv4 (by position) */
  private addrs: string[] | undefined;
  /** every destination has a fixed-width IPv4 line */
  fixed = true;
  private readonly scan = new NestScan();
  private text: string | undefined;

  constructor(private readonly serviceAf: number) {}

  add(buf: Buffer, start: number, end: number): void {
    const af = scanDest(this.scan, buf, start, end, this.serviceAf);
    const at = this.scan.off;
    const a = at[DestAttr.ADDR];
    const alen = this.scan.len[DestAttr.ADDR];
    // FWDS is in the kernel's code order: the code is the index (fwdName rejects the rest)
    const f = at[DestAttr.FWD_METHOD];
    const fwd = buf[f] & CONN_F_FWD_MASK;
    if (fwd >= FWDS.length) fwdName(u32le(buf, f));
    // byte reads written out: this runs once per destination, mostly as cold code in `lvsd ipvs list`
    const w = at[DestAttr.WEIGHT];
    const weight = buf[w] | (buf[w + 1] << 8) | (buf[w + 2] << 16) | (buf[w + 3] << 24);
    if (this.n * F === this.v.length) {
      const next = new Uint32Array(this.v.length * 2);
      next.set(this.v);
      this.v = next;
    }
    const v = this.v;
    const o = this.n * F;
    v[o] = af;
    const p = at[DestAttr.PORT];
    v[o + 1] = (buf[p] << 8) | buf[p + 1];
    if (af === AF_INET) {
      if (alen < 4) throw new Error('short IPv4 address attribute');
      v[o + 2] = (buf[a] << 24) | (buf[a + 1] << 16) | (buf[a + 2] << 8) | buf[a + 3];
      v[o + 3] = 0;
      v[o + 4] = 0;
      v[o + 5] = 0;
      if (weight < -99999 || weight > 999999) this.fixed = false;
    } else {
      (this.addrs ??= [])[this.n] = addrAt(af, buf, a, alen);
      v[o + 2] = be32(buf, a);
      v[o + 3] = be32(buf, a + 4);
      v[o + 4] = be32(buf, a + 8);
      v[o + 5] = be32(buf, a + 12);
      this.fixed = false;
    }
    v[o + 6] = fwd;
    v[o + 7] = weight >>> 0;
    const ac = at[DestAttr.ACTIVE_CONNS];
    v[o + 8] = ac >= 0 ? buf[ac] | (buf[ac + 1] << 8) | (buf[ac + 2] << 16) | (buf[ac + 3] << 24) : 0;
    const ic = at[DestAttr.INACT_CONNS];
    v[o + 9] = ic >= 0 ? buf[ic] | (buf[ic + 1] << 8) | (buf[ic + 2] << 16) | (buf[ic + 3] << 24) : 0;
    this.n++;
  }

  /** Positions in ipvsadm's order. */
  private order(): readonly number[] {
    const keys = new Keys(this.n, false);
    const v = this.v;
    for (let i = 0; i < this.n; i++) {
      const o = i * F;
      keys.setWords(i, v[o], v[o + 2], v[o + 3], v[o + 4], v[o + 5], v[o + 1]);
    }
    return destOrder(keys);
  }

  /** The lines as text, for destinations without a fixed-width line. */
  private lines(): string {
    if (this.text === undefined) {
      const v = this.v;
      const order = this.order();
      const out = new Array<string>(this.n + 1);
      for (let i = 0; i < this.n; i++) {
        const j = order[i];
        const o = j * F;
        const af = v[o];
        const addr = af === AF_INET ? v4Text(v[o + 2]) : this.addrs![j];
        out[i] = plainDestLine(af, addr, v[o + 1], FWDS[v[o + 6]], v[o + 7] | 0, v[o + 8], v[o + 9]);
      }
      out[this.n] = '';
      this.text = out.join('\n');
    }
    return this.text;
  }

  /** Bytes the lines take. */
  size(): number {
    return this.fixed ? this.n * LINE : Buffer.byteLength(this.lines());
  }

  /** Writes the lines at out[pos...] in ipvsadm's order; returns where the next byte goes. */
  writeTo(out: Buffer, pos: number): number {
    if (!this.fixed) return pos + out.write(this.lines(), pos);
    const v = this.v;
    const order = this.order();
    for (let i = 0; i < this.n; i++) {
      const o = order[i] * F;
      writeV4Line(out, pos, v[o + 2], v[o + 1], v[o + 6], v[o + 7] | 0, v[o + 8], v[o + 9]);
      pos += LINE;
    }
    return pos;
  }
}

const v4Text = (w: number): string => `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;

/** Decimal digits of a non-negative integer below 2^32 at out[p...]; returns the end. */
function digits(out: Buffer, p: number, x: number): number {
  if (x >= 1000) {
    const hi = Math.floor(x / 1000);
    p = digits(out, p, hi);
    const t = (x - hi * 1000) * 4;
    out[p] = DIGITS[t + 1];
    out[p + 1] = DIGITS[t + 2];
    out[p + 2] = DIGITS[t + 3];
    return p + 3;
  }
  const t = x * 4;
  const n = DIGITS[t];
  for (let i = 0; i < n; i++) out[p + i] = DIGITS[t + 4 - n + i];
  return p + n;
}

/** A fixed-width IPv4 line ("  -> a.b.c.d:port ... inactive\n", LINE bytes) at out[s...]. */
function writeV4Line(out: Buffer, s: number, addr: number, port: number, fwd: number, weight: number, active: number, inact: number): void {
  out.set(TEMPLATES[fwd], s);
  let p = digits(out, s + 5, addr >>> 24);
  out[p] = 46;
  p = digits(out, p + 1, (addr >>> 16) & 255);
  out[p] = 46;
  p = digits(out, p + 1, (addr >>> 8) & 255);
  out[p] = 46;
  p = digits(out, p + 1, addr & 255);
  out[p] = 58;
  digits(out, p + 1, port);
  p = s + 42;
  if (weight < 0) {
    out[p++] = 45;
    weight = -weight;
  }
  digits(out, p, weight);
  if (active) digits(out, s + 49, active);
  if (inact) digits(out, s + 60, inact);
}

/** The bytes of `ipvsadm -L -n`: what formatTable(table, {}, info) gives, without entry objects. */
export async function plainListingBytes(k: IpvsKernel & IpvsDestNests): Promise<Buffer> {
  const [info, services] = await Promise.all([k.info(), k.services()]);
  const sorted: IpvsServiceEntry[] = sortServices(services.map((service) => ({ service }))).map((r) => r.service);
  // one dump per service; they overlap across the kernel's dump sockets
  const rows = await Promise.all(sorted.map(async (s) => {
    const rows = new DestRows(s.af);
    await k.eachDestNest(s, (buf, off, end) => rows.add(buf, off, end));
    return rows;
  }));
  const head = versionLine(info) + title({});
  const heads = sorted.map((s) => `${serviceRow(s, {})}\n`);
  let size = Buffer.byteLength(head);
  for (let i = 0; i < rows.length; i++) size += Buffer.byteLength(heads[i]) + rows[i].size();
  const out = Buffer.allocUnsafe(size);
  let pos = out.write(head, 0);
  for (let i = 0; i < rows.length; i++) {
    pos += out.write(heads[i], pos);
    pos = rows[i].writeTo(out, pos);
  }
  if (pos !== size) throw new Error(`plain listing: wrote ${pos} of ${size} bytes`);
  return out;
}

/** plainListingBytes as text. */
export async function plainListing(k: IpvsKernel & IpvsDestNests): Promise<string> {
  return (await plainListingBytes(k)).toString();
}
