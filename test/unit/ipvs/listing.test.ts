// The plain listing built straight from destination nests (listing.ts) must print exactly
// what ipvsadm printed for the captured kernel replies, and what the entry path
// (decodeDest + formatTable) prints for any table.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runIpvsCommand } from '../../../src/ipvs/cli.js';
import { decodeDest, decodeInfo, decodeService, destAttrs, serviceAttrs } from '../../../src/ipvs/codec.js';
import { Cmd, CmdAttr, DestAttr } from '../../../src/ipvs/constants.js';
import { formatTable } from '../../../src/ipvs/format.js';
import type { IpvsKernel } from '../../../src/ipvs/kernel.js';
import { plainListing, type IpvsDestNests } from '../../../src/ipvs/listing.js';
import { makeDest, makeService, serviceKey } from '../../../src/ipvs/model.js';
import type { IpvsInfo, IpvsService, IpvsServiceEntry, IpvsVirtualEntry } from '../../../src/ipvs/types.js';
import { command, replies } from './fixture.js';

type Nest = { service: IpvsServiceEntry; dests: Buffer[] };

/** A kernel double serving services and raw destination nests; table() and dests() must not be used. */
function nestKernel(info: IpvsInfo, rows: Nest[]): IpvsKernel & IpvsDestNests {
  const k: Partial<IpvsKernel> & IpvsDestNests = {
    info: async () => info,
    services: async () => rows.map((r) => r.service),
    table: async () => { throw new Error('the plain listing must not decode entries'); },
    dests: async () => { throw new Error('the plain listing must not decode entries'); },
    close: () => undefined,
    eachDestNest: async (s: IpvsService, fn) => {
      const row = rows.find((r) => serviceKey(r.service) === serviceKey(s));
      if (!row) throw new Error(`no service ${serviceKey(s)}`);
      // each nest inside a larger buffer, as in a datagram
      for (const d of row.dests) {
        const buf = Buffer.concat([Buffer.alloc(8, 0xee), d, Buffer.alloc(4, 0xee)]);
        fn(buf, 8, 8 + d.length);
      }
    },
  };
  return k as IpvsKernel & IpvsDestNests;
}

/** The captured `ipvsadm -L -n` replies, as nests per service. */
function capturedRun(): { info: IpvsInfo; rows: Nest[] } {
  let info: IpvsInfo | undefined;
  const rows: Nest[] = [];
  for (const { cmd, attrs, request } of replies('-L -n')) {
    if (cmd === Cmd.GET_INFO) info = decodeInfo(attrs);
    else if (cmd === Cmd.GET_SERVICE) rows.push({ service: decodeService(attrs.raw(CmdAttr.SERVICE)!), dests: [] });
    else if (cmd === Cmd.GET_DEST) {
      const key = serviceKey(decodeService(request.raw(CmdAttr.SERVICE)!));
      rows.find((r) => serviceKey(r.service) === key)!.dests.push(attrs.raw(CmdAttr.DEST)!);
    }
  }
  return { info: info!, rows };
}

describe('plain listing from destination nests', () => {
  it('equals ipvsadm -L -n for the captured kernel replies (IPv4, IPv6, fwmark, every method)', async () => {
    const { info, rows } = capturedRun();
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.reduce((n, r) => n + r.dests.length, 0)).toBeGreaterThan(5);
    expect(await plainListing(nestKernel(info, rows))).toBe(command('-L -n').stdout);
  });

  it('is what `lvsd ipvs list -n` prints; other formats still decode entries', async () => {
    const { info, rows } = capturedRun();
    const chunks: string[] = [];
    const out = { write: (s: string) => chunks.push(s) } as unknown as NodeJS.WritableStream;
    expect(await runIpvsCommand(['list', '-n'], out, nestKernel(info, rows))).toBe(0);
    expect(chunks.join('')).toBe(command('-L -n').stdout);
    const err = process.stderr.write;
    process.stderr.write = () => true;
    try {
      // --stats needs the decoded table, which this double refuses
      expect(await runIpvsCommand(['list', '-n', '--stats'], out, nestKernel(info, rows))).toBe(1);
    } finally {
      process.stderr.write = err;
    }
  });

  it('equals formatTable over decoded entries for any table (order, families, methods, counters)', async () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
    const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((w) => w.map((x) => x.toString(16)).join(':'));
    const dest = fc.record({
      addr: fc.oneof(v4, v6), port: fc.nat(65535), fwd: fc.constantFrom('masq', 'route', 'tunnel', 'local', 'bypass' as const),
      // weights that fit the column (-99999..999999: fixed-width lines) and any other
      weight: fc.oneof(fc.integer({ min: -99999, max: 999999 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
      active: fc.oneof(fc.nat(300), fc.nat(2 ** 32 - 1)), inact: fc.oneof(fc.nat(300), fc.nat(2 ** 32 - 1)),
      family: fc.boolean(),
    });
    const row = fc.record({ six: fc.boolean(), port: fc.nat(65535), fwmark: fc.oneof(fc.constant(0), fc.nat(2 ** 32 - 1)), dests: fc.array(dest, { maxLength: 12 }) });
    // IPv4 services with only IPv4 destinations: the byte-written lines
    const v4row = fc.record({ six: fc.constant(false), port: fc.nat(65535), fwmark: fc.constant(0), dests: fc.array(dest.map((d) => ({ ...d, addr: d.addr.includes(':') ? '10.1.2.3' : d.addr })), { maxLength: 12 }) });
    await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.oneof(row, v4row), { maxLength: 6, selector: (r) => (r.fwmark ? `${r.six}|f${r.fwmark}` : `${r.six}|${r.port}`) }), async (raw) => {
      const info = { version: 0x010201, connTabSize: 4096 };
      const rows: Nest[] = raw.map((r) => {
        const svc = makeService(r.fwmark ? { fwmark: r.fwmark, af: r.six ? 10 : 2 } : { addr: r.six ? '2001:db8::1' : '10.0.0.1', port: r.port });
        const service = decodeService(serviceAttrs(svc).toBuffer());
        const dests = r.dests.map((d) => {
          const w = destAttrs({ ...makeDest({ addr: d.addr, port: d.port, fwd: d.fwd }), weight: d.weight });
          w.u32(DestAttr.ACTIVE_CONNS, d.active).u32(DestAttr.INACT_CONNS, d.inact).u32(DestAttr.PERSIST_CONNS, 0);
          // kernels before 5.x send no address family: the service's is used
          const b = w.toBuffer();
          return d.family ? b : withoutFamily(b);
        });
        return { service, dests };
      });
      const table: IpvsVirtualEntry[] = rows.map((r) => ({ service: r.service, dests: r.dests.map((b) => decodeDest(b, r.service.af)) }));
      expect(await plainListing(nestKernel(info, rows))).toBe(formatTable(table, {}, info));
    }), { numRuns: 300 });
  });

  it('fails on a destination nest without its required attributes', async () => {
    const { info, rows } = capturedRun();
    const broken = rows.map((r) => ({ ...r, dests: r.dests.map((b) => withoutType(b, DestAttr.WEIGHT)) }));
    await expect(plainListing(nestKernel(info, broken))).rejects.toThrow(/missing attribute dest/);
  });
});

/** The nest without its attributes of one type. */
function withoutType(b: Buffer, type: number): Buffer {
  const parts: Buffer[] = [];
  for (let off = 0; off + 4 <= b.length;) {
    const len = b.readUInt16LE(off);
    const next = off + ((len + 3) & ~3);
    if ((b.readUInt16LE(off + 2) & 0x3fff) !== type) parts.push(b.subarray(off, next));
    off = next;
  }
  return Buffer.concat(parts);
}
const withoutFamily = (b: Buffer): Buffer => withoutType(b, DestAttr.ADDR_FAMILY);
