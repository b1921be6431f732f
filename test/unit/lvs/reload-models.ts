// What the engine reload property tests share: small configs of virtual servers with real
// servers (TCP_CHECK), loaded as the daemon loads them (model-files.ts), an
// engine on a model that records its applies (no check runs: a scheduler clock that never
// fires), and the generators of such configs.
import fc from 'fast-check';
import { CheckScheduler } from '../../../src/check/scheduler.js';
import type { Model } from '../../../src/config/model.js';
import type { TableRow } from '../../../src/ipvs/reconcile.js';
import { LvsEngine } from '../../../src/lvs/engine.js';
import { textModels } from './model-files.js';

export interface Rs { host: number; weight: number; timeout: number; inhibit: boolean }
/** delay: the virtual server's delay_loop (30 when absent) */
export interface Vs { v: number; sched: string; delay?: number; reals: Rs[] }

/** keepalived.conf text: virtual servers 10.<net>.0.v:80, real servers 127.0.<net>.host:8080 */
export function configText(vss: readonly Vs[], net: number): string {
  return vss.map((vs) => `virtual_server 10.${net}.0.${vs.v} 80 {
  protocol TCP
  lvs_sched ${vs.sched}
  lvs_method NAT
  delay_loop ${vs.delay ?? 30}
${vs.reals.map((r) => `  real_server 127.0.${net}.${r.host} 8080 {
    weight ${r.weight}
${r.inhibit ? '    inhibit_on_failure\n' : ''}    TCP_CHECK {
      connect_timeout ${r.timeout}
    }
  }
`).join('')}}
`).join('');
}

/** `load(vss)`: the config written to a fresh file and loaded (it must load without error) */
export function modelLoader(net: number): (vss: readonly Vs[]) => Model {
  const load = textModels(`reload-${net}`);
  return (vss) => load(configText(vss, net));
}

const never = { nowUs: () => 0, setTimer: () => 0, clearTimer: () => {} };

/** An engine on `m` whose applies are recorded: the last rows, and per apply the services it named (undefined: all). */
export function engineOn(m: Model) {
  let last: TableRow[] = [];
  const named: Array<ReadonlySet<string> | undefined> = [];
  const engine = new LvsEngine({
    model: m, scheduler: new CheckScheduler({ clock: never }),
    apply: (rows, changed) => { last = rows; named.push(changed ? new Set(changed) : undefined); },
  });
  return { engine, rows: () => last, named };
}

/** a row as text: service, scheduler, destinations with weight and method */
export const shownRow = (r: TableRow): string =>
  `${r.service.addr}:${r.service.port} ${r.service.sched} [${r.dests.map((d) => `${d.addr}:${d.port}/${d.weight}/${d.fwd}`).join(' ')}]`;

const rsArb = (host: number) => fc.record({
  host: fc.constant(host), weight: fc.integer({ min: 1, max: 3 }), timeout: fc.constantFrom(1, 2), inhibit: fc.boolean(),
});

/** 1-3 virtual servers of 1..maxReals real servers on hosts 1..maxHost; `delays`: delay_loop values to draw from */
export function modelArb(maxHost: number, maxReals: number, delays: readonly number[] = [30]): fc.Arbitrary<Vs[]> {
  const vsArb = (v: number) => fc.record({
    v: fc.constant(v), sched: fc.constantFrom('wlc', 'rr'), delay: fc.constantFrom(...delays),
    reals: fc.uniqueArray(fc.integer({ min: 1, max: maxHost }), { minLength: 1, maxLength: maxReals }).chain((hosts) => fc.tuple(...hosts.map(rsArb))),
  });
  return fc.uniqueArray(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }).chain((vs) => fc.tuple(...vs.map(vsArb)));
}
