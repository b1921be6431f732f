import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, errors, errorsAt, load } from './load-text.js';

afterAll(cleanup);

describe('bfd_instance', () => {
  it('accepts a session with a neighbour', () => {
    expect(errors(load('bfd_instance b {\nneighbor_ip 10.0.0.2\n}\n'))).toEqual([]);
  });
  it('drops a session without neighbour, of mixed families, or of a name or address used before', () => {
    expect(errorsAt(load('bfd_instance b {\nsource_ip 10.0.0.1\n}\n'))).toEqual(['1:1 Configuration error: BFD instance b has no neighbor_ip address set, disabling instance']);
    expect(errorsAt(load('bfd_instance b {\nneighbor_ip 10.0.0.2\nsource_ip 2001:db8::1\n}\n'))[0]).toMatch(/^3:1 .*not of the same family/);
    const two = load('bfd_instance a {\nneighbor_ip 10.0.0.2\n}\nbfd_instance b {\nneighbor_ip 10.0.0.2\n}\n');
    expect(errorsAt(two)).toEqual(['5:1 Configuration error: BFD instance b has duplicate neighbor_ip address 10.0.0.2, ignoring instance']);
    expect(two.model.bfd_instance).toHaveLength(1);
  });
  it('limits max_hops to the IPv6 hop limit 64 by default', () => {
    const r = load('bfd_instance b {\nneighbor_ip 2001:db8::2\nmax_hops 100\n}\n');
    expect(errorsAt(r)).toEqual(['3:1 BFD instance b: max_hops exceeds ttl/hoplimit - setting to ttl/hoplimit']);
    expect((r.model.bfd_instance as Array<{ max_hops: number }>)[0].max_hops).toBe(64);
  });
});

describe('track_file', () => {
  it('needs a file, and references to it fail afterwards', () => {
    const r = load('track_file t {\nweight 1\n}\nvrrp_instance A {\ninterface eth0\nvirtual_router_id 1\ntrack_file {\nt\n}\nvirtual_ipaddress {\n10.0.0.1\n}\n}\n');
    expect(errorsAt(r)).toEqual(['1:1 No file set for track_file t - ignoring', '7:1 (A) track file t not found, ignoring...']);
  });
});
