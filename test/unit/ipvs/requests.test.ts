// requests.ts writes a destination command's attributes straight into one buffer; the bytes
// must be those of the AttrWriter layout (service-by-key nest, then destAttrs in a nest).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttrWriter } from '../../../src/ipvs/attrs.js';
import { destAttrs, serviceAttrs } from '../../../src/ipvs/codec.js';
import { CmdAttr } from '../../../src/ipvs/constants.js';
import { makeService, serviceRef } from '../../../src/ipvs/model.js';
import { withServiceDest } from '../../../src/ipvs/requests.js';
import type { Fwd, IpvsDest, IpvsService, TunFlags, TunType } from '../../../src/ipvs/types.js';

function reference(s: IpvsService, d: IpvsDest): Buffer {
  const w = new AttrWriter().nest(CmdAttr.SERVICE, serviceAttrs(serviceRef(s)).toBuffer());
  const nest = w.begin(CmdAttr.DEST);
  destAttrs(d, w);
  return Buffer.from(w.end(nest).view());
}

const outcome = (f: () => Buffer): string => {
  try {
    return f().toString('hex');
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
};

describe('destination requests', () => {
  it('withServiceDest gives AttrWriter\'s bytes, or its error, for any destination', () => {
    const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);
    const service = fc.tuple(pick('10.0.0.1', '2001:db8::1'), pick(0, 80, 65535), pick(0, 7)).map(([addr, port, fwmark]) =>
      makeService({ addr, port, fwmark, sched: 'wrr' }));
    const dest = fc.record({
      af: pick(2, 10, 0x10000, -1),
      addr: pick('172.16.0.1', '255.255.255.255', '0.0.0.0', '2001:db8::10', '::ffff:1.2.3.4', '::', 'nothing', '1.2.3.256'),
      port: pick(0, 8080, 65535, 65536, -1),
      fwd: pick<Fwd>('masq', 'local', 'tunnel', 'route', 'bypass'),
      weight: fc.oneof(fc.integer({ min: -70000, max: 70000 }), pick(0xffffffff, 2 ** 32 + 1, -(2 ** 31))),
      uThreshold: fc.oneof(fc.nat(), pick(0xffffffff)),
      lThreshold: fc.nat(),
      tunType: pick<TunType>('ipip', 'gue', 'gre', 'bogus' as TunType),
      tunPort: pick(0, 6080, 65535, 65536),
      tunFlags: pick<TunFlags>('nocsum', 'csum', 'remcsum', 'bogus' as TunFlags),
    });
    let encoded = 0;
    fc.assert(fc.property(service, dest, (s, d) => {
      const want = outcome(() => reference(s, d));
      expect(outcome(() => withServiceDest(s, d))).toBe(want);
      if (!want.includes(':')) encoded++;
    }), { numRuns: 2000 });
    expect(encoded).toBeGreaterThan(100);
  });
});
