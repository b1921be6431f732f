// The parent signature of kept real servers (config/reuse-policy.ts): equal exactly when the
// virtual server's fields their checks read are equal, value and type.
import { describe, expect, it } from 'vitest';
import { realServerReuse } from '../../../src/config/reuse-policy.js';
import type { RawObject } from '../../../grammar/parser.js';

const sig = (o: RawObject) => realServerReuse.parentSignature(o);
const base: RawObject = { kind: 'ip', addr: '10.0.0.1', family: 'inet', port: 80, lvs_method: 'NAT', delay_loop: 6 };

describe('realServerReuse.parentSignature', () => {
  it('is the same for the same read fields, whatever else differs', () => {
    expect(sig({ ...base })).toBe(sig(base));
    expect(sig({ ...base, delay_loop: 60, quorum: 2 })).toBe(sig(base));
  });

  it('differs for any read field changed, also to the same text in another type, or absent', () => {
    const variants: RawObject[] = [
      base,
      { ...base, addr: '10.0.0.2' },
      { ...base, port: 81 },
      { ...base, port: '80' },
      { ...base, port: undefined },
      { ...base, lvs_method: 'DR' },
      { ...base, lvs_method: undefined },
      { ...base, lvs_method: '-' },
      { ...base, ip_family: 'inet6' },
      { ...base, family: 'inet6' },
      { ...base, kind: 'fwmark', fwmark: 1 },
      { ...base, kind: 'fwmark', fwmark: 2 },
      { ...base, kind: 'fwmark', fwmark: '1' },
      // a separator inside a value does not make it another field's
      { ...base, addr: '10.0.0.1,s4:inet', family: undefined },
      { ...base, addr: '10.0.0.1', family: 'inet,' },
      { ...base, lvs_method: { name: 'NAT' } },
      { ...base, lvs_method: ['NAT'] },
    ];
    const sigs = variants.map(sig);
    expect(sigs.every((s) => typeof s === 'string')).toBe(true);
    expect(new Set(sigs).size).toBe(variants.length);
  });

  it('is null (never reused) under a virtual server group', () => {
    expect(sig({ kind: 'group', group: 'G' })).toBeNull();
    expect(sig({ ...base, kind: undefined })).toBeNull();
  });
});
