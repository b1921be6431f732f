import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { planFromModel, trackId } from '../../../src/vrrp/from-model.js';
import { authKey } from '../../../src/vrrp/packet.js';
import { VrrpMachine } from '../../../src/vrrp/machine.js';
import type { Model } from '../../../src/config/model.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-fm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function plan(conf: string): ReturnType<typeof planFromModel> {
  const f = join(dir, `c${Math.random()}.conf`);
  writeFileSync(f, conf);
  return planFromModel(loadConfig(f).model);
}

const FULL = `
global_defs {
  enable_script_security
  vrrp_garp_master_delay 2
  vrrp_garp_master_repeat 3
  vrrp_garp_interval 0.01
  vrrp_gna_interval 0.02
  vrrp_version 3
  vrrp_lower_prio_no_advert
  notify_fifo /tmp/lvsd-x-fifo
  vrrp_notify_fifo /tmp/lvsd-y-fifo
}
vrrp_script chk {
  script "/bin/true arg"
  interval 2
  timeout 3
  weight -20
  rise 2
  fall 4
  user root
}
vrrp_script slow {
  script /bin/false
  weight 5 reverse
  init_fail
  user root
}
vrrp_track_file tf {
  file /tmp/lvsd-tf
  weight 5
  init_file 7 overwrite
}
vrrp_sync_group G1 {
  group { VI_1 }
  notify /bin/gnotify
  notify_master "/bin/gm x"
}
vrrp_instance VI_1 {
  interface lo
  virtual_router_id 51
  priority 120
  advert_int 0.5
  nopreempt
  preempt_delay 2.5
  garp_master_delay 1
  unicast_src_ip 10.0.0.1
  unicast_peer { 10.0.0.2 }
  track_interface { lo weight -10 }
  track_script {
    chk
    slow weight 7
  }
  track_file { tf weight 3 reverse }
  virtual_ipaddress { 10.0.0.100/24 dev lo label lo:1 brd +
    10.0.0.101 scope link }
  virtual_ipaddress_excluded { 10.0.0.200 }
  notify_master "/bin/m arg"
  notify /bin/n
  notify_stop /bin/s
  down_timer_adverts 5
}
vrrp_instance VI_2 {
  interface lo
  version 2
  virtual_router_id 52
  authentication { auth_type PASS
    auth_pass secretpassword }
  old_unicast_checksum
  virtual_ipaddress { fd00::5/64 }
}
`;

describe('planFromModel', () => {
  const p = plan(FULL);
  const [a, b] = p.instances;

  it('maps timers from microseconds to milliseconds and the machine parameters', () => {
    expect(a.machine).toMatchObject({
      name: 'VI_1', version: 3, vrid: 51, priority: 120, advertIntervalMs: 500, preempt: false, preemptDelayMs: 2500,
      primaryAddress: '10.0.0.1', family: 4, lowerPrioNoAdvert: true, higherPrioSendAdvert: false, downTimerAdverts: 5,
    });
    expect(b.machine).toMatchObject({ version: 2, advertIntervalMs: 1000, preempt: true, preemptDelayMs: 0, family: 6, downTimerAdverts: 3 });
  });

  it('maps the wire parameters: unicast, auth (v2 PASS only), checksum mode, addresses', () => {
    expect(a.wire).toMatchObject({ family: 4, vrid: 51, sourceAddress: '10.0.0.1', unicastPeers: ['10.0.0.2'], addresses: ['10.0.0.100', '10.0.0.101'] });
    expect(a.wire.auth.type).toBe('none');
    expect(a.wire.unicastChecksum).toBe('auto');
    expect(b.wire.auth).toEqual({ type: 'pass', key: authKey('secretpa') });
    expect(b.wire.unicastChecksum).toBe('old');
    expect(b.wire.sourceAddress).toBeNull();
  });

  it('keeps VIP options and the excluded list apart (excluded ones are not advertised)', () => {
    expect(a.vips[0]).toEqual({ address: '10.0.0.100', family: 4, prefixLength: 24, dev: 'lo', label: 'lo:1', broadcast: '+' });
    expect(a.vips[1]).toMatchObject({ address: '10.0.0.101', prefixLength: 32, dev: null, scope: 253 });
    expect(a.excludedVips.map((v) => v.address)).toEqual(['10.0.0.200']);
    expect(b.vips[0]).toMatchObject({ address: 'fd00::5', family: 6, prefixLength: 64 });
  });

  it('announce: instance values override global_defs, intervals in ms', () => {
    // garp_lower_prio_* default to the GLOBAL garp_master_* values (keepalived), not the instance's.
    expect(a.announce).toEqual({
      delayMs: 1000, repeat: 3, refreshMs: 0, refreshRepeat: 1, lowerPrioRepeat: 3, lowerPrioDelayMs: 2000, extraIntervalMs: 0, extraAll: false,
      garpIntervalMs: 10, gnaIntervalMs: 20,
    });
    expect(b.announce.delayMs).toBe(2000);
  });

  it('garp_lower_prio_delay/repeat and garp_extra_if: instance, else global; strict mode turns the lower-priority ones off', () => {
    const inst = (name: string, vrid: number, extra: Record<string, unknown>): Record<string, unknown> => ({
      name, interface: 'eth0', virtual_router_id: vrid, priority: 100, advert_int: 1_000_000, preempt_delay: 0,
      virtual_ipaddress: [{ addr: `192.0.2.${vrid}`, family: 4, prefix: 32 }], ...extra,
    });
    const q = planFromModel({
      global_defs: { vrrp_garp_lower_prio_delay: 4_000_000, vrrp_garp_lower_prio_repeat: 2, vrrp_garp_extra_if: { all: false, interval: 30 } },
      vrrp_instance: [
        inst('A', 1, {}),
        inst('B', 2, { garp_lower_prio_delay: 500_000, garp_lower_prio_repeat: 7, garp_extra_if: { all: true, interval: 9 } }),
        inst('C', 3, { strict_mode: true }),
      ],
    } as unknown as Model);
    const pick = (i: number): unknown => {
      const x = q.instances[i].announce;
      return [x.lowerPrioDelayMs, x.lowerPrioRepeat, x.extraIntervalMs, x.extraAll];
    };
    expect([pick(0), pick(1), pick(2)]).toEqual([[4000, 2, 30_000, false], [500, 7, 9000, true], [0, 0, 30_000, false]]);
  });

  it('use_vmac: default name <vmac_prefix>.VRID, or the given one; vmac_xmit_base', () => {
    // A literal model: the config checks clear use_vmac on interfaces this host cannot use.
    const inst = (name: string, vrid: number, extra: Record<string, unknown>): Record<string, unknown> => ({
      name, interface: 'eth0', virtual_router_id: vrid, priority: 100, advert_int: 1_000_000, preempt_delay: 0,
      virtual_ipaddress: [{ addr: `192.0.2.${vrid}`, family: 4, prefix: 32 }], ...extra,
    });
    const q = planFromModel({
      global_defs: { vmac_prefix: 'vr' },
      vrrp_instance: [inst('A', 51, { use_vmac: {} }), inst('B', 52, { use_vmac: { ifname: 'vx52' }, vmac_xmit_base: true }), inst('C', 53, {})],
    } as unknown as Model);
    expect(q.instances.map((i) => i.vmac)).toEqual([{ name: 'vr.51', xmitBase: false }, { name: 'vx52', xmitBase: true }, null]);
    expect(a.vmac).toBeNull();
  });

  it('tracked items: interface weight, script weight from its definition or the instance line, file as offset', () => {
    expect(a.machine.tracked).toEqual([
      { id: trackId.iface('lo'), weight: -10, reverse: false },
      { id: trackId.script('chk'), weight: -20, reverse: false, initiallyUp: true },
      { id: trackId.script('slow'), weight: 7, reverse: false, initiallyUp: false },
      { id: trackId.file('tf'), weight: 0, mode: 'offset' },
    ]);
    expect(a.trackFiles).toEqual([{ id: 'file:tf', file: 'tf', weight: 3, reverse: true }]);
    expect(a.trackScripts.map((t) => t.script)).toEqual(['chk', 'slow']);
  });

  it('scripts, files, groups and fifos', () => {
    expect(p.scripts).toEqual([
      { name: 'chk', cmd: '/bin/true arg', intervalMs: 2000, timeoutMs: 3000, rise: 2, fall: 4, initFail: false, user: 'root' },
      { name: 'slow', cmd: '/bin/false', intervalMs: 1000, timeoutMs: 1000, rise: 1, fall: 1, initFail: true, user: 'root' },
    ]);
    expect(p.files).toEqual([{ name: 'tf', path: '/tmp/lvsd-tf', init: { value: 7, overwrite: true } }]);
    expect(p.groups).toEqual([{ name: 'G1', members: ['VI_1'], notify: { any: { cmd: '/bin/gnotify' }, master: { cmd: '/bin/gm x' } } }]);
    expect(a.syncGroup).toBe('G1');
    expect(b.syncGroup).toBeNull();
    expect(a.notify).toEqual({ any: { cmd: '/bin/n' }, master: { cmd: '/bin/m arg' }, stop: { cmd: '/bin/s' } });
    expect(p.fifos).toEqual(['/tmp/lvsd-x-fifo', '/tmp/lvsd-y-fifo']);
  });

  it('a sync group\'s track_* lines apply to every member (an instance\'s own line for the same name wins)', () => {
    const q = plan(`
global_defs {
  enable_script_security
  script_user root
}
vrrp_script gchk {
  script /bin/true
  weight -5
}
vrrp_sync_group G {
  group {
    A
    B
  }
  track_script {
    gchk weight -30
  }
  track_interface {
    lo weight -7
  }
}
vrrp_instance A {
  interface lo
  virtual_router_id 1
  track_interface {
    lo weight -2
  }
  virtual_ipaddress { 192.0.2.1 }
}
vrrp_instance B {
  interface lo
  virtual_router_id 2
  virtual_ipaddress { 192.0.2.2 }
}
`);
    const [a2, b2] = q.instances;
    expect(a2.machine.tracked).toEqual([
      { id: 'if:lo', weight: -2, reverse: false },
      { id: 'script:gchk', weight: -30, reverse: false, initiallyUp: true },
    ]);
    expect(b2.machine.tracked.map((t) => `${t.id}:${t.weight}`)).toEqual(['if:lo:-7', 'script:gchk:-30']);
    expect(b2.trackScripts).toEqual([{ id: 'script:gchk', script: 'gchk' }]);
  });

  it('defaults: an empty model plans nothing; keepalived defaults when global_defs is absent', () => {
    expect(planFromModel({} as Model)).toEqual({ instances: [], scripts: [], files: [], groups: [], processes: [], fifos: [] });
    const q = plan('vrrp_instance X {\n interface lo\n virtual_router_id 9\n virtual_ipaddress { 192.0.2.1 }\n}\n');
    expect(q.instances[0].machine).toMatchObject({ version: 2, priority: 100, advertIntervalMs: 1000, preempt: true, primaryAddress: '0.0.0.0' });
    expect(q.instances[0].announce).toMatchObject({ delayMs: 5000, repeat: 5, refreshMs: 0 });
    expect(q.instances[0].vmac).toBeNull();
  });

  it('vrrp_track_process: matching mode, quorum and delays; the instance line\'s weight wins over the definition\'s', () => {
    const q = plan(`vrrp_track_process P1 {
  process sleep 1000
  param_match partial
  weight 10 reverse
  quorum 2
  quorum_max 3
  delay 1.5
}
vrrp_track_process P2 {
  process nginx
  terminate_delay 2
}
vrrp_instance X {
 interface lo
 virtual_router_id 9
 track_process {
  P1 weight 20
  P2
 }
 virtual_ipaddress { 192.0.2.1 }
}
`);
    expect(q.processes).toEqual([
      { name: 'P1', match: { name: 'sleep', params: ['1000'], paramMatch: 'partial', fullCommand: true }, quorum: { quorum: 2, quorumMax: 3, forkDelayMs: 1500, terminateDelayMs: 1500 } },
      { name: 'P2', match: { name: 'nginx', params: [], paramMatch: 'none', fullCommand: false }, quorum: { quorum: 1, quorumMax: 0xffffffff, forkDelayMs: 0, terminateDelayMs: 2000 } },
    ]);
    expect(q.instances[0].trackProcesses).toEqual([{ id: 'process:P1', process: 'P1' }, { id: 'process:P2', process: 'P2' }]);
    expect(q.instances[0].machine.tracked).toEqual([{ id: 'process:P1', weight: 20, reverse: false }, { id: 'process:P2', weight: 1, reverse: false }]);
  });

  it('mcast_dst_ip, else the global vrrp_mcast_group4; none with unicast peers or for the RFC group', () => {
    const q = plan(`global_defs {
 vrrp_mcast_group4 224.0.0.77
}
vrrp_instance A {
 interface lo
 virtual_router_id 1
 mcast_dst_ip 224.0.0.99
 virtual_ipaddress { 192.0.2.1 }
}
vrrp_instance B {
 interface lo
 virtual_router_id 2
 virtual_ipaddress { 192.0.2.2 }
}
vrrp_instance C {
 interface lo
 virtual_router_id 3
 unicast_peer { 192.0.2.9 }
 virtual_ipaddress { 192.0.2.3 }
}
`);
    expect(q.instances.map((i) => i.wire.multicastGroup)).toEqual(['224.0.0.99', '224.0.0.77', undefined]);
    expect(plan('vrrp_instance X {\n interface lo\n virtual_router_id 9\n virtual_ipaddress { 192.0.2.1 }\n}\n').instances[0].wire.multicastGroup).toBeUndefined();
  });

  it('unicast_fault_no_peer without peers: an item that is never up holds the instance in FAULT', () => {
    const q = plan(`vrrp_instance A {
 interface lo
 virtual_router_id 1
 unicast_fault_no_peer
 virtual_ipaddress { 192.0.2.1 }
}
vrrp_instance B {
 interface lo
 virtual_router_id 2
 unicast_fault_no_peer
 unicast_peer { 192.0.2.9 }
 virtual_ipaddress { 192.0.2.2 }
}
`);
    expect(q.instances[0].machine.tracked).toEqual([{ id: trackId.noPeer, weight: 0, initiallyUp: false }]);
    expect(q.instances[1].machine.tracked).toEqual([]);
    const m = new VrrpMachine({ ...q.instances[0].machine, primaryAddress: '192.0.2.5' });
    m.handle({ type: 'start' }, 0);
    expect(m.state).toBe('FAULT');
  });
});
