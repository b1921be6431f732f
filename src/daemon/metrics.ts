// Prometheus metrics (text exposition format 0.0.4). Events the daemon reports as they happen
// (transitions, adverts, drops, checks, reloads) are counted here; everything that is a state
// (VRRP state and priority, real server up/weight, IPVS counters, BFD sessions and their
// counters, which the BFD runtime keeps) is read from the same
// DaemonStatus snapshot `lvsd status` shows, so the two cannot disagree.
import { createServer, type Server } from 'node:http';
import type { DaemonStatus } from './state.js';
import type { VrrpState } from '../vrrp/types.js';
import { DROP_REASONS, type BfdState } from '../bfd/packet.js';
import { CHECK_LATENCY_BOUNDS_S } from '../check/latency-buckets.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Series per event family; a config with 10,000 real servers stays far below it. */
export const MAX_SERIES = 100_000;

const STATES: VrrpState[] = ['INIT', 'BACKUP', 'MASTER', 'FAULT'];
const BFD_STATES: BfdState[] = ['AdminDown', 'Down', 'Init', 'Up'];

type Labels = Record<string, string>;

const NEEDS_ESCAPE = /[\\"\n]/;

/** Label values escaped as the format requires: backslash, double quote, newline. */
function esc(v: string): string {
  // every check result renders labels: the common value has nothing to escape
  if (!NEEDS_ESCAPE.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(l: Labels): string {
  let t = '';
  for (const k in l) t += `${t ? ',' : ''}${k}="${esc(l[k])}"`;
  return t ? `{${t}}` : '';
}

function num(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

/** Counters keyed by their label set, bounded in the number of series. */
class CounterFamily {
  // keyed by the rendered label text, which render() then reuses as it is
  private readonly series = new Map<string, { labels: Labels; text: string; value: number }>();
  dropped = 0;

  inc(labels: Labels, by = 1): void {
    const s = this.cell(labels);
    if (s) s.value += by;
    else this.dropped++;
  }

  /** the series of `labels` (made at 0), null when the family is full */
  cell(labels: Labels): { value: number } | null {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= MAX_SERIES) return null;
      s = { labels, text: key, value: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  entries(): Array<{ labels: Labels; text: string; value: number }> {
    return [...this.series.values()];
  }
}

interface HistogramCell {
  counts: number[];
  sum: number;
  count: number;
}

/**
 * One checker's series, each resolved on its first use (undefined until then, so a series
 * appears when it first counts, as before): a check result then renders no labels.
 */
interface CheckCells {
  ok: { value: number } | null | undefined;
  fail: { value: number } | null | undefined;
  latency: HistogramCell | null | undefined;
}

class HistogramFamily {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  dropped = 0;
  constructor(readonly buckets: readonly number[]) {}

  observe(labels: Labels, v: number): void {
    const s = this.cell(labels);
    if (s) this.add(s, v);
    else this.dropped++;
  }

  /** the series of `labels` (made empty), null when the family is full */
  cell(labels: Labels): HistogramCell | null {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= MAX_SERIES) return null;
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  add(s: HistogramCell, v: number): void {
    for (let i = 0; i < this.buckets.length; i++) if (v <= (this.buckets[i] ?? Infinity)) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += v;
    s.count++;
  }

  entries(): Array<{ labels: Labels; counts: number[]; sum: number; count: number }> {
    return [...this.series.values()];
  }
}

/** Builds one exposition: HELP and TYPE once per family, then its samples. */
class Exposition {
  private readonly out: string[] = [];
  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.out.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
    return this;
  }
  sample(name: string, labels: Labels, value: number): this {
    this.out.push(`${name}${labelText(labels)} ${num(value)}`);
    return this;
  }
  /** a sample whose label text is already rendered ("{a=\"b\"}" or "") */
  raw(name: string, labels: string, value: number): this {
    this.out.push(`${name}${labels} ${num(value)}`);
    return this;
  }
  text(): string {
    return this.out.join('\n') + '\n';
  }
}

export class Metrics {
  private readonly transitions = new CounterFamily();
  private readonly adverts = new CounterFamily();
  private readonly drops = new CounterFamily();
  private readonly checks = new CounterFamily();
  private readonly latency = new HistogramFamily(CHECK_LATENCY_BOUNDS_S);
  private readonly reloads = new CounterFamily();

  vrrpTransition(instance: string, to: VrrpState): void {
    this.transitions.inc({ instance, state: to });
  }

  advert(instance: string, direction: 'sent' | 'received'): void {
    this.adverts.inc({ instance, direction });
  }

  drop(instance: string, reason: string): void {
    this.drops.inc({ instance, reason });
  }

  check(vs: string, rs: string, checker: string, ok: boolean, latencyMs: number): void {
    const c = this.checkCells(vs, rs, checker);
    let n = ok ? c.ok : c.fail;
    if (n === undefined) {
      n = this.checks.cell({ virtual_server: vs, real_server: rs, checker, result: ok ? 'success' : 'failure' });
      if (ok) c.ok = n;
      else c.fail = n;
    }
    if (n) n.value++;
    else this.checks.dropped++;
    if (Number.isFinite(latencyMs) && latencyMs >= 0) {
      // per virtual server and checker: per real server would multiply the series by the buckets
      if (c.latency === undefined) c.latency = this.latency.cell({ virtual_server: vs, checker });
      if (c.latency) this.latency.add(c.latency, latencyMs / 1000);
      else this.latency.dropped++;
    }
  }

  /**
   * Successes the timed engine settled quietly (a steady TCP_CHECK, no per-check event), drained
   * when asked: `buckets` per CHECK_LATENCY_BOUNDS_S bound, not cumulative, then one above the last.
   */
  checkQuiet(vs: string, rs: string, checker: string, q: { count: number; latencySumUs: number; buckets: readonly number[] }): void {
    if (q.count <= 0) return;
    const c = this.checkCells(vs, rs, checker);
    if (c.ok === undefined) c.ok = this.checks.cell({ virtual_server: vs, real_server: rs, checker, result: 'success' });
    if (c.ok) c.ok.value += q.count;
    else this.checks.dropped += q.count;
    if (c.latency === undefined) c.latency = this.latency.cell({ virtual_server: vs, checker });
    const h = c.latency;
    if (!h) {
      this.latency.dropped += q.count;
      return;
    }
    let below = 0;
    for (let i = 0; i < this.latency.buckets.length; i++) {
      below += q.buckets[i] ?? 0;
      h.counts[i] = (h.counts[i] ?? 0) + below;
    }
    h.sum += q.latencySumUs / 1e6;
    h.count += q.count;
  }

  /** vs -> rs -> checker -> its series: found by three lookups, no label object or text per check */
  private readonly cells = new Map<string, Map<string, Map<string, CheckCells>>>();
  /** checkers in `cells`: a cache, emptied when reloads have named more than the series can hold */
  private cellCount = 0;

  private checkCells(vs: string, rs: string, checker: string): CheckCells {
    if (this.cellCount > MAX_SERIES) {
      this.cells.clear();
      this.cellCount = 0;
    }
    let byRs = this.cells.get(vs);
    if (!byRs) this.cells.set(vs, (byRs = new Map()));
    let byChecker = byRs.get(rs);
    if (!byChecker) byRs.set(rs, (byChecker = new Map()));
    let c = byChecker.get(checker);
    if (!c) {
      c = { ok: undefined, fail: undefined, latency: undefined };
      byChecker.set(checker, c);
      this.cellCount++;
    }
    return c;
  }

  reload(ok: boolean): void {
    this.reloads.inc({ result: ok ? 'applied' : 'refused' });
  }

  render(s: DaemonStatus): string {
    const e = new Exposition();
    e.family('lvsd_info', 'gauge', 'lvsd version and the parts running in this process.')
      .sample('lvsd_info', { version: s.version, vrrp: String(s.vrrpEnabled), checkers: String(s.checkersEnabled) }, 1);
    e.family('lvsd_start_time_seconds', 'gauge', 'Start time of the daemon since the epoch.').sample('lvsd_start_time_seconds', {}, s.startedAt / 1000);

    e.family('lvsd_reloads_total', 'counter', 'Configuration reloads (SIGHUP) by result.');
    for (const result of ['applied', 'refused']) {
      e.sample('lvsd_reloads_total', { result }, this.reloads.entries().find((x) => x.labels.result === result)?.value ?? 0);
    }
    e.family('lvsd_last_reload_success', 'gauge', '1 when the last reload was applied, 0 when it was refused.');
    if (s.lastReload) {
      e.sample('lvsd_last_reload_success', {}, s.lastReload.ok ? 1 : 0);
      e.family('lvsd_last_reload_timestamp_seconds', 'gauge', 'Time of the last reload attempt since the epoch.')
        .sample('lvsd_last_reload_timestamp_seconds', {}, s.lastReload.at / 1000);
    } else e.sample('lvsd_last_reload_success', {}, 1);

    this.renderVrrp(e, s);
    this.renderChecks(e, s);
    renderBfd(e, s);
    const dropped = this.transitions.dropped + this.adverts.dropped + this.drops.dropped + this.checks.dropped + this.latency.dropped + this.reloads.dropped;
    e.family('lvsd_metrics_series_dropped_total', 'counter', `Events not counted because a family reached ${MAX_SERIES} series.`)
      .sample('lvsd_metrics_series_dropped_total', {}, dropped);
    return e.text();
  }

  private renderVrrp(e: Exposition, s: DaemonStatus): void {
    e.family('lvsd_vrrp_state', 'gauge', 'VRRP instance state: 1 for the current state, 0 for the others.');
    for (const v of s.vrrp) {
      for (const st of STATES) e.sample('lvsd_vrrp_state', { instance: v.name, interface: v.interface, vrid: String(v.vrid), state: st }, v.state === st ? 1 : 0);
    }
    e.family('lvsd_vrrp_priority', 'gauge', 'Priority the instance advertises (after tracking weights).');
    for (const v of s.vrrp) e.sample('lvsd_vrrp_priority', { instance: v.name }, v.priority);
    e.family('lvsd_vrrp_vips_installed', 'gauge', '1 when the instance holds its virtual IPs on this host.');
    for (const v of s.vrrp) e.sample('lvsd_vrrp_vips_installed', { instance: v.name }, v.vipsInstalled ? 1 : 0);

    e.family('lvsd_vrrp_transitions_total', 'counter', 'VRRP state changes by the state entered.');
    for (const x of this.transitions.entries()) e.raw('lvsd_vrrp_transitions_total', x.text, x.value);
    e.family('lvsd_vrrp_adverts_total', 'counter', 'VRRP adverts sent and received (accepted).');
    for (const x of this.adverts.entries()) e.raw('lvsd_vrrp_adverts_total', x.text, x.value);
    e.family('lvsd_vrrp_drops_total', 'counter', 'Received VRRP packets dropped, by reason.');
    for (const x of this.drops.entries()) e.raw('lvsd_vrrp_drops_total', x.text, x.value);
  }

  private renderChecks(e: Exposition, s: DaemonStatus): void {
    e.family('lvsd_checks_total', 'counter', 'Health checks run, by result.');
    for (const x of this.checks.entries()) e.raw('lvsd_checks_total', x.text, x.value);
    e.family('lvsd_check_duration_seconds', 'histogram', 'Health check duration.');
    for (const h of this.latency.entries()) {
      this.latency.buckets.forEach((b, i) => e.sample('lvsd_check_duration_seconds_bucket', { ...h.labels, le: num(b) }, h.counts[i] ?? 0));
      e.sample('lvsd_check_duration_seconds_bucket', { ...h.labels, le: '+Inf' }, h.count);
      e.sample('lvsd_check_duration_seconds_sum', h.labels, h.sum);
      e.sample('lvsd_check_duration_seconds_count', h.labels, h.count);
    }

    e.family('lvsd_virtual_server_quorum_up', 'gauge', '1 when the virtual server has its quorum of live real servers.');
    for (const vs of s.virtualServers) e.sample('lvsd_virtual_server_quorum_up', { virtual_server: vs.name }, vs.quorumUp ? 1 : 0);
    e.family('lvsd_virtual_server_sorry_active', 'gauge', '1 when traffic goes to the sorry server.');
    for (const vs of s.virtualServers) e.sample('lvsd_virtual_server_sorry_active', { virtual_server: vs.name }, vs.sorryActive ? 1 : 0);

    const rsAll = s.virtualServers.flatMap((vs) => [
      ...vs.realServers.map((rs) => ({ vs, rs })),
      ...(vs.sorryServer ? [{ vs, rs: vs.sorryServer }] : []),
    ]);
    // one rendered label set per real server, shared by its eight families
    const rsLabels = rsAll.map((x) => ({ ...x, text: labelText({ virtual_server: x.vs.name, real_server: x.rs.name }) }));
    const with_ = (extra: string, t: string): string => `${t.slice(0, -1)},${extra}}`;
    e.family('lvsd_real_server_up', 'gauge', '1 when the real server passes its checks.');
    for (const x of rsLabels) e.raw('lvsd_real_server_up', x.text, x.rs.state === 'up' ? 1 : 0);
    e.family('lvsd_real_server_weight', 'gauge', 'Configured weight of the real server.');
    for (const x of rsLabels) e.raw('lvsd_real_server_weight', x.text, x.rs.weight);
    e.family('lvsd_real_server_kernel_weight', 'gauge', 'Weight in the kernel IPVS table (absent when not in the table).');
    for (const x of rsLabels) if (x.rs.kernelWeight !== null) e.raw('lvsd_real_server_kernel_weight', x.text, x.rs.kernelWeight);

    const withCounters = rsLabels.flatMap((x) => (x.rs.counters ? [{ text: x.text, c: x.rs.counters }] : []));
    e.family('lvsd_ipvs_connections_total', 'counter', 'Connections IPVS scheduled to the real server.');
    for (const x of withCounters) e.raw('lvsd_ipvs_connections_total', x.text, x.c.conns);
    e.family('lvsd_ipvs_active_connections', 'gauge', 'Active (established) IPVS connections to the real server.');
    for (const x of withCounters) e.raw('lvsd_ipvs_active_connections', x.text, x.c.activeConns);
    e.family('lvsd_ipvs_inactive_connections', 'gauge', 'Inactive IPVS connections to the real server.');
    for (const x of withCounters) e.raw('lvsd_ipvs_inactive_connections', x.text, x.c.inactiveConns);
    e.family('lvsd_ipvs_packets_total', 'counter', 'Packets through IPVS for the real server, by direction.');
    for (const x of withCounters) {
      e.raw('lvsd_ipvs_packets_total', with_('direction="in"', x.text), x.c.inPkts);
      e.raw('lvsd_ipvs_packets_total', with_('direction="out"', x.text), x.c.outPkts);
    }
    e.family('lvsd_ipvs_bytes_total', 'counter', 'Bytes through IPVS for the real server, by direction.');
    for (const x of withCounters) {
      e.raw('lvsd_ipvs_bytes_total', with_('direction="in"', x.text), x.c.inBytes);
      e.raw('lvsd_ipvs_bytes_total', with_('direction="out"', x.text), x.c.outBytes);
    }
  }
}

/**
 * bfd_instance sessions, all read from the snapshot (the runtime keeps the counters): nothing
 * is rendered without sessions. Drops are those a known neighbour sent; every reason is listed.
 */
function renderBfd(e: Exposition, s: DaemonStatus): void {
  const list = s.bfd ?? [];
  if (list.length === 0) return;
  e.family('lvsd_bfd_session_state', 'gauge', 'BFD session state: 1 for the current state, 0 for the others.');
  for (const b of list) for (const st of BFD_STATES) e.sample('lvsd_bfd_session_state', { instance: b.name, state: st }, b.state === st ? 1 : 0);
  e.family('lvsd_bfd_detect_time_seconds', 'gauge', 'Negotiated detection time of the session (0 before the neighbour is heard).');
  for (const b of list) e.sample('lvsd_bfd_detect_time_seconds', { instance: b.name }, b.detectTimeUs / 1e6);
  e.family('lvsd_bfd_packets_total', 'counter', 'BFD control packets sent and received (accepted) by the session.');
  for (const b of list) {
    e.sample('lvsd_bfd_packets_total', { instance: b.name, direction: 'sent' }, b.sent);
    e.sample('lvsd_bfd_packets_total', { instance: b.name, direction: 'received' }, b.received);
  }
  e.family('lvsd_bfd_transitions_total', 'counter', 'BFD session state changes by the state entered.');
  for (const b of list) for (const st of BFD_STATES) e.sample('lvsd_bfd_transitions_total', { instance: b.name, state: st }, b.transitions[st]);
  e.family('lvsd_bfd_drops_total', 'counter', 'BFD packets from the session\'s neighbour refused, by reason.');
  for (const b of list) for (const reason of DROP_REASONS) e.sample('lvsd_bfd_drops_total', { instance: b.name, reason }, b.drops[reason] ?? 0);
  const all = s.bfdRefused;
  if (!all) return;
  e.family('lvsd_bfd_refused_total', 'counter', 'Every BFD packet refused, by reason, from neighbours and unknown senders alike.');
  for (const reason of DROP_REASONS) e.sample('lvsd_bfd_refused_total', { reason }, all[reason]);
}

export interface MetricsServer {
  close(): Promise<void>;
  /** the bound port (useful with port 0) */
  readonly port: number;
}

/**
 * GET /metrics on node:http. The address comes from `lvsd_metrics_listen`; the daemon passes
 * 127.0.0.1 unless the operator names another address.
 */
export async function startMetricsServer(
  listen: { host: string; port: number },
  m: Metrics,
  snapshot: () => DaemonStatus | Promise<DaemonStatus>,
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('lvsd: metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    Promise.resolve()
      .then(snapshot)
      .then(
        (s) => {
          const body = m.render(s);
          res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (e: unknown) => {
          res.writeHead(503, { 'content-type': 'text/plain' }).end(`status unavailable: ${e instanceof Error ? e.message : String(e)}\n`);
        },
      );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.maxConnections = 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : listen.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
