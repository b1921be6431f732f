import { EventEmitter } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, load } from '../../config/checks/load-text.js';
import { planFromModel, trackId, type InstanceSpec } from '../../../../src/vrrp/from-model.js';
import { VrrpMachine, type MachineEvent } from '../../../../src/vrrp/machine.js';
import { BfdTracker } from '../../../../src/vrrp/trackers/bfd.js';

afterAll(cleanup);

const CONF = `
bfd_instance B1 {
  neighbor_ip 10.0.0.2
}
bfd_instance B2 {
  neighbor_ip 10.0.0.3
  weight 7 reverse
}
bfd_instance B3 {
  neighbor_ip 10.0.0.4
}
bfd_instance BC {
  neighbor_ip 10.0.0.5
  checker
}
vrrp_sync_group G {
  group {
    VI_1
  }
  track_bfd {
    B3 weight -20
  }
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  priority 100
  track_bfd {
    B1 weight 30
    B2
  }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 2
  priority 100
  track_bfd {
    B1
    B2 weight 0 reverse
    BC weight 5
  }
}
`;

class States extends EventEmitter<{ up: [{ name: string }]; down: [{ name: string }] }> {
  readonly up = new Set<string>();
  isUp(n: string): boolean { return this.up.has(n); }
  set(n: string, up: boolean): void {
    if (up) this.up.add(n); else this.up.delete(n);
    this.emit(up ? 'up' : 'down', { name: n });
  }
}

function setup() {
  const plan = planFromModel(load(CONF).model);
  const machines = new Map<string, VrrpMachine>();
  const instances = new Map<string, { spec: InstanceSpec; event(ev: MachineEvent): void }>();
  for (const spec of plan.instances) {
    const m = new VrrpMachine(spec.machine);
    machines.set(spec.name, m);
    instances.set(spec.name, { spec, event: (ev) => { m.handle(ev, 0); } });
  }
  const states = new States();
  const tracker = new BfdTracker({ instances }, states);
  for (const m of machines.values()) m.handle({ type: 'start' }, 0);
  tracker.start();
  return { plan, machines, states, tracker };
}

describe('track_bfd', () => {
  it('takes weights from the line, else the bfd_instance, with the sync group lines; checker-only instances are not tracked', () => {
    const { plan } = setup();
    const [v1, v2] = plan.instances;
    expect(v1.trackBfds.map((t) => t.bfd)).toEqual(['B1', 'B2', 'B3']);
    expect(v2.trackBfds.map((t) => t.bfd)).toEqual(['B1', 'B2']);
    const item = (s: InstanceSpec, n: string) => s.machine.tracked.find((t) => t.id === trackId.bfd(n));
    expect(item(v1, 'B1')).toEqual({ id: 'bfd:B1', weight: 30, initiallyUp: false });
    expect(item(v1, 'B2')).toEqual({ id: 'bfd:B2', weight: -7, reverse: true, initiallyUp: false });
    expect(item(v1, 'B3')).toMatchObject({ weight: -20 });
  });

  it('starts Down like keepalived: weight 0 is FAULT, negative weights apply, positive do not', () => {
    const { machines } = setup();
    // VI_1: B1 +30 (down: 0), B2 7 reverse (down: 0), B3 -20 (down: -20)
    expect(machines.get('VI_1')!.effectivePriority).toBe(80);
    // VI_2: B1 weight 0 down -> FAULT
    expect(machines.get('VI_2')!.state).toBe('FAULT');
  });

  it('follows up/down: +W while Up, reversed W taken off while Up, weight 0 reverse is FAULT while Up', () => {
    const { machines, states } = setup();
    const v1 = machines.get('VI_1')!, v2 = machines.get('VI_2')!;
    states.set('B1', true);
    expect(v1.effectivePriority).toBe(110);
    expect(v2.state).not.toBe('FAULT');
    states.set('B2', true);
    expect(v1.effectivePriority).toBe(103);
    expect(v2.state).toBe('FAULT');
    states.set('B3', true);
    expect(v1.effectivePriority).toBe(123);
    states.set('B2', false);
    expect(v1.effectivePriority).toBe(130);
    expect(v2.state).not.toBe('FAULT');
    states.set('B1', false);
    expect(v1.effectivePriority).toBe(100);
    expect(v2.state).toBe('FAULT');
  });

  it('sync() hands the current states to instances (after a reload), stop() stops listening', () => {
    const { machines, states, tracker } = setup();
    states.up.add('B1');
    expect(machines.get('VI_1')!.effectivePriority).toBe(80);
    tracker.sync();
    expect(machines.get('VI_1')!.effectivePriority).toBe(110);
    tracker.stop();
    states.set('B1', false);
    expect(machines.get('VI_1')!.effectivePriority).toBe(110);
  });
});
