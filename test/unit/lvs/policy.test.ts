import { describe, expect, it } from 'vitest';
import { VirtualServerPolicy } from '../../../src/lvs/policy.js';
import { rs, sorry, vsConfig } from './helpers.js';

const dests = (p: VirtualServerPolicy) => p.desired()[0].dests.map((d) => `${d.addr}:${d.port}/${d.weight}/${d.fwd}`).sort();

describe('VirtualServerPolicy', () => {
  it('removes a failed real server and adds it back at its weight', () => {
    const p = new VirtualServerPolicy(vsConfig([rs(1, { weight: 3 }), rs(2)]));
    expect(dests(p)).toEqual(['10.0.0.1:80/3/masq', '10.0.0.2:80/1/masq']);
    expect(p.checkerState(0, 'c0', false)).toEqual([{ kind: 'rs-down', vs: '10.1.0.1:80', rs: '10.0.0.1:80' }]);
    expect(dests(p)).toEqual(['10.0.0.2:80/1/masq']);
    p.checkerState(0, 'c0', true);
    expect(dests(p)).toEqual(['10.0.0.1:80/3/masq', '10.0.0.2:80/1/masq']);
  });

  it('inhibit_on_failure keeps the server at weight 0', () => {
    const p = new VirtualServerPolicy(vsConfig([rs(1, { weight: 5, inhibit: true }), rs(2)]));
    p.checkerState(0, 'c0', false);
    expect(dests(p)).toEqual(['10.0.0.1:80/0/masq', '10.0.0.2:80/1/masq']);
    p.checkerState(0, 'c0', true);
    expect(dests(p)).toEqual(['10.0.0.1:80/5/masq', '10.0.0.2:80/1/masq']);
  });

  it('a server with two checkers is alive only when both are up', () => {
    const p = new VirtualServerPolicy(vsConfig([rs(1, { checkers: 2 }), rs(2)]));
    p.checkerState(0, 'c0', false);
    expect(p.checkerState(0, 'c1', false)).toEqual([]);
    expect(p.checkerState(0, 'c0', true)).toEqual([]);
    expect(p.isAlive(0)).toBe(false);
    expect(p.checkerState(0, 'c1', true)[0].kind).toBe('rs-up');
  });

  it('sorry server in when none is up, out when one returns; notify and quorum actions', () => {
    const p = new VirtualServerPolicy(vsConfig([rs(1, { notifyDown: { cmd: '/bin/down' } }), rs(2)], {
      sorry: sorry(), quorumUp: { cmd: '/bin/qup' }, quorumDown: { cmd: '/bin/qdown' },
    }));
    expect(p.start()).toEqual([]);
    p.checkerState(0, 'c0', false);
    const a = p.checkerState(1, 'c0', false);
    expect(a.map((x) => x.kind)).toEqual(['rs-down', 'quorum-down', 'sorry-in']);
    expect(a[1]).toMatchObject({ script: { cmd: '/bin/qdown' }, weight: 0 });
    expect(dests(p)).toEqual(['10.9.9.9:80/1/route']);
    const b = p.checkerState(1, 'c0', true);
    expect(b.map((x) => x.kind)).toEqual(['rs-up', 'quorum-up', 'sorry-out']);
    expect(dests(p)).toEqual(['10.0.0.2:80/1/masq']);
  });

  it('sorry_server_inhibit keeps the sorry server at weight 0 while quorum holds', () => {
    const p = new VirtualServerPolicy(vsConfig([rs(1)], { sorry: sorry(true) }));
    expect(dests(p)).toEqual(['10.0.0.1:80/1/masq', '10.9.9.9:80/0/route']);
    p.checkerState(0, 'c0', false);
    expect(dests(p)).toEqual(['10.9.9.9:80/1/route']);
  });

  it('while the sorry server serves, alive servers are out (inhibited ones at 0)', () => {
    const p = new VirtualServerPolicy(vsConfig([rs(1, { inhibit: true }), rs(2), rs(3)], { sorry: sorry(), quorum: 3 }));
    p.checkerState(2, 'c0', false);
    expect(p.quorumUp).toBe(false);
    expect(dests(p)).toEqual(['10.0.0.1:80/0/masq', '10.9.9.9:80/1/route']);
  });

  it('quorum with hysteresis', () => {
    const reals = [1, 2, 3, 4, 5].map((i) => rs(i));
    const p = new VirtualServerPolicy(vsConfig(reals, { quorum: 3, hysteresis: 1 }));
    expect(p.quorumUp).toBe(true); // 5 >= 3 + 1
    p.checkerState(0, 'c0', false);
    p.checkerState(1, 'c0', false);
    p.checkerState(2, 'c0', false);
    expect(p.quorumUp).toBe(true); // 2 >= 3 - 1
    expect(p.checkerState(3, 'c0', false).map((x) => x.kind)).toEqual(['rs-down', 'quorum-down']);
    p.checkerState(0, 'c0', true);
    p.checkerState(1, 'c0', true);
    expect(p.quorumUp).toBe(false); // 3 < 3 + 1
    expect(p.checkerState(2, 'c0', true).map((x) => x.kind)).toEqual(['rs-up', 'quorum-up']);
  });

  it('quorum above the total weight is lowered to it; hysteresis below quorum', () => {
    const p = new VirtualServerPolicy(vsConfig([rs(1), rs(2)], { quorum: 10, hysteresis: 10 }));
    expect(p.quorum).toBe(2);
    expect(p.hysteresis).toBe(1);
  });

  it('alpha: starts without the server; the sorry server is in from the start', () => {
    const p = new VirtualServerPolicy(vsConfig([rs(1, { alpha: true, notifyDown: { cmd: '/bin/d' } })], { sorry: sorry(), quorumDown: { cmd: '/bin/qd' } }));
    expect(p.start().map((a) => a.kind)).toEqual(['quorum-down', 'sorry-in']);
    expect(dests(p)).toEqual(['10.9.9.9:80/1/route']);
    expect(p.checkerInitialDown(0)).toEqual([{ kind: 'rs-down', vs: '10.1.0.1:80', rs: '10.0.0.1:80', script: { cmd: '/bin/d' } }]);
    p.checkerState(0, 'c0', true);
    expect(dests(p)).toEqual(['10.0.0.1:80/1/masq']);
  });

  it('misc_dynamic weight replaces the configured weight and can drop the quorum', () => {
    const p = new VirtualServerPolicy(vsConfig([rs(1, { weight: 10 })], { sorry: sorry() }));
    p.checkerDynamicWeight(0, 'c0', 3);
    expect(dests(p)).toEqual(['10.0.0.1:80/3/masq']);
    expect(p.checkerDynamicWeight(0, 'c0', 0).map((a) => a.kind)).toEqual(['quorum-down', 'sorry-in']);
    p.checkerDynamicWeight(0, 'c0', null);
    expect(dests(p)).toEqual(['10.0.0.1:80/10/masq']);
    // a failure drops the checker's contribution
    p.checkerDynamicWeight(0, 'c0', 50);
    p.checkerState(0, 'c0', false);
    p.checkerState(0, 'c0', true);
    expect(dests(p)).toEqual(['10.0.0.1:80/10/masq']);
  });

  it('weights are kept within 0..65535', () => {
    const p = new VirtualServerPolicy(vsConfig([rs(1, { weight: 100000 }), rs(2, { weight: 5 })]));
    p.checkerWeight(1, 'c0', -50);
    expect(dests(p)).toEqual(['10.0.0.1:80/65535/masq', '10.0.0.2:80/0/masq']);
  });

  it('omega runs the down notifiers at shutdown; without it nothing', () => {
    const mk = (omega: boolean) => new VirtualServerPolicy(vsConfig([rs(1, { notifyDown: { cmd: '/bin/d' } }), rs(2)], { omega, quorumDown: { cmd: '/bin/q' } }));
    expect(mk(false).shutdown()).toEqual([]);
    expect(mk(true).shutdown().map((a) => a.kind)).toEqual(['rs-down', 'rs-down', 'quorum-down']);
  });

  it('a sorry server that is also a real server appears once', () => {
    const p = new VirtualServerPolicy(vsConfig([rs(1), rs(2)], { sorry: { server: rs(2).server, inhibit: true } }));
    expect(dests(p)).toEqual(['10.0.0.1:80/1/masq', '10.0.0.2:80/1/masq']);
    p.checkerState(0, 'c0', false);
    p.checkerState(1, 'c0', false);
    expect(dests(p)).toEqual(['10.0.0.2:80/1/masq']);
  });

  it('every row has its base field, set only when patched (one shape for all rows: see desired())', () => {
    const keys = (p: VirtualServerPolicy) => p.desired().map((r) => Object.keys(r).join(','));
    const p = new VirtualServerPolicy(vsConfig([rs(1), rs(2)]));
    expect(keys(p)).toEqual(['service,dests,base']);
    expect(p.desired()[0].base).toBeUndefined();
    // a weight update: the row patched on the last one
    p.updateReal(1, { ...rs(2), weight: 5 });
    expect(keys(p)).toEqual(['service,dests,base']);
    expect(p.desired()[0].base?.at).toEqual([1]);
    // a server leaving the row: built anew
    p.checkerState(0, 'c0', false);
    expect(keys(p)).toEqual(['service,dests,base']);
    expect(p.desired()[0].base).toBeUndefined();
    // shared destinations (the sorry server is also a real server): merged rows too
    const q = new VirtualServerPolicy(vsConfig([rs(1), rs(2)], { sorry: { server: rs(2).server, inhibit: false } }));
    expect(keys(q)).toEqual(['service,dests,base']);
  });
});
