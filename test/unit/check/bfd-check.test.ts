// BFD_CHECK through the engine: real servers follow their bfd_instance's up/down events.
import { EventEmitter } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCheckers } from '../../../src/check/build.js';
import { followBfd } from '../../../src/check/bfd-check.js';
import type { TableRow } from '../../../src/ipvs/reconcile.js';
import { LvsEngine } from '../../../src/lvs/engine.js';
import { cleanup, load } from '../config/checks/load-text.js';
import { until } from '../support/until.js';

afterAll(cleanup);

const CONF = `
bfd_instance B1 {
  neighbor_ip 10.0.0.2
}
bfd_instance B2 {
  neighbor_ip 10.0.0.3
}
bfd_instance BV {
  neighbor_ip 10.0.0.4
  vrrp
}
virtual_server 10.1.0.1 80 {
  protocol TCP
  lvs_method NAT
  real_server 10.2.0.1 80 {
    BFD_CHECK {
      name B1
    }
  }
  real_server 10.2.0.2 80 {
    BFD_CHECK {
      name B2
      alpha
    }
    BFD_CHECK {
      name NOPE
    }
    BFD_CHECK {
      name BV
    }
  }
}
`;

class Events extends EventEmitter<{ up: [{ name: string }]; down: [{ name: string }] }> {}

const dests = (rows: TableRow[]) => rows.flatMap((r) => r.dests.map((d) => `${d.addr}`)).sort();

describe('BFD_CHECK', () => {
  const model = load(CONF).model;

  it('builds one event-driven checker per block (no probe), failed at start with alpha; skips unknown and vrrp-only names', () => {
    const vs = model.virtual_server![0];
    const [a, b] = vs.real_server!.map((rs) => buildCheckers({ model }, vs, rs));
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ kind: 'BFD_CHECK', bfd: { name: 'B1' }, id: 'BFD_CHECK#0' });
    expect(a[0].probe).toBeUndefined();
    expect(a[0].machine.up).toBe(true);
    expect(b[0].machine.up).toBe(false);
    expect(b.map((x) => x.bfd?.name)).toEqual(['B2']);
  });

  it('follows up/down of its own bfd_instance only, and stops following', () => {
    const ev = new Events();
    const seen: boolean[] = [];
    const stop = followBfd(ev, 'B1', (up) => seen.push(up));
    ev.emit('down', { name: 'B1' });
    ev.emit('up', { name: 'B2' });
    ev.emit('up', { name: 'B1' });
    stop();
    ev.emit('down', { name: 'B1' });
    expect(seen).toEqual([false, true]);
    expect(ev.listenerCount('up') + ev.listenerCount('down')).toBe(0);
  });

  it('takes real servers out and back with the BFD events in the engine', async () => {
    const ev = new Events();
    let last: TableRow[] = [];
    const engine = new LvsEngine({ model, apply: (rows) => void (last = rows), bfd: ev });
    try {
      await engine.start();
      await until(() => last.length > 0, 2000);
      expect(dests(last)).toEqual(['10.2.0.1']);
      ev.emit('up', { name: 'B2' });
      await until(() => dests(last).length === 2, 2000);
      ev.emit('down', { name: 'B1' });
      await until(() => dests(last).join() === '10.2.0.2', 2000);
      ev.emit('up', { name: 'B1' });
      await until(() => dests(last).length === 2, 2000);
    } finally {
      engine.stop();
    }
    expect(ev.listenerCount('up')).toBe(0);
  });
});
