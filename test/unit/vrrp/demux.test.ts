import { describe, expect, it } from 'vitest';
import { peekVrid, VridDemux } from '../../../src/vrrp/demux.js';
import type { ReceivedPacket } from '../../../src/vrrp/transport.js';
import { captured, bytes } from './fixtures.js';

const v4 = (name: string): ReceivedPacket => ({ family: 4, packet: bytes(captured[name].adverts[0]) });

describe('VRID demultiplexing', () => {
  it('reads the VRID behind the IPv4 header, the AH header, and in IPv6 payloads', () => {
    expect(peekVrid(v4('V2NONE'))).toBe(1);
    expect(peekVrid(v4('V2AH'))).toBe(3);
    expect(peekVrid({ family: 6, payload: bytes(captured.V3IPV6.adverts[0]).subarray(40), src: 'fe80::1' })).toBe(5);
    expect(peekVrid({ family: 4, packet: Buffer.alloc(21, 0x45) })).toBeNull();
  });

  it('routes to the registered instance and counts the rest once', () => {
    const d = new VridDemux();
    const got: number[] = [];
    d.register(1, () => got.push(1));
    d.register(3, () => got.push(3));
    for (const n of ['V2NONE', 'V2AH', 'V2PASS', 'V3IPV4']) d.dispatch(v4(n));
    expect(got).toEqual([1, 3]);
    expect(d.unknown).toBe(2);
    expect(() => d.register(1, () => undefined)).toThrow(/already/);
    d.unregister(1);
    d.dispatch(v4('V2NONE'));
    expect(d.unknown).toBe(3);
  });
});
