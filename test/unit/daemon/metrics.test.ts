// Prometheus exposition from events + snapshot, checked with a strict little parser of the
// 0.0.4 text format, and the HTTP endpoint on a real loopback socket.
import { describe, expect, it } from 'vitest';
import { MAX_SERIES, METRICS_CONTENT_TYPE, Metrics, startMetricsServer } from '../../../src/daemon/metrics.js';
import { CHECK_LATENCY_BOUNDS_S as CHECK_BUCKETS_S } from '../../../src/check/latency-buckets.js';
import { sampleStatus } from './status-fixture.js';

interface Sample { name: string; labels: Record<string, string>; value: number }

/** Parses the text format strictly: TYPE before samples, one TYPE per family, samples grouped. */
function parse(text: string): { types: Map<string, string>; samples: Sample[] } {
  expect(text.endsWith('\n')).toBe(true);
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  let current = '';
  const closed = new Set<string>();
  for (const line of text.slice(0, -1).split('\n')) {
    const t = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (t?.[1] && t[2]) {
      expect(types.has(t[1]), `TYPE ${t[1]} twice`).toBe(false);
      if (current) closed.add(current);
      types.set(t[1], t[2]);
      current = t[1];
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    expect(m, `bad line ${JSON.stringify(line)}`).not.toBeNull();
    if (!m?.[1] || !m[4]) continue;
    const name = m[1];
    const family = types.get(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    expect(family, `sample ${name} outside its family ${current}`).toBe(current);
    expect(types.get(family) === 'histogram' || family === name).toBe(true);
    const labels: Record<string, string> = {};
    const body = m[3] ?? '';
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/gy;
    let consumed = 0;
    for (let lm = re.exec(body); lm; lm = re.exec(body)) {
      if (!lm[1]) break;
      labels[lm[1]] = (lm[2] ?? '').replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      consumed = re.lastIndex;
    }
    expect(consumed, `bad labels ${body}`).toBe(body.length);
    const value = m[4] === '+Inf' ? Infinity : Number(m[4]);
    expect(Number.isNaN(value), `bad value ${m[4]}`).toBe(false);
    samples.push({ name, labels, value });
  }
  return { types, samples };
}

const pick = (ss: Sample[], name: string, labels: Record<string, string> = {}): number[] =>
  ss.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).map((s) => s.value);

describe('Metrics.render', () => {
  it('VRRP state gauge is one-hot; priority and VIP gauges from the snapshot', () => {
    const { types, samples } = parse(new Metrics().render(sampleStatus()));
    expect(types.get('lvsd_vrrp_state')).toBe('gauge');
    expect(pick(samples, 'lvsd_vrrp_state', { instance: 'VI_1', state: 'MASTER' })).toEqual([1]);
    expect(pick(samples, 'lvsd_vrrp_state', { instance: 'VI_1' }).reduce((a, b) => a + b)).toBe(1);
    expect(pick(samples, 'lvsd_vrrp_state', { instance: 'VI_6', state: 'BACKUP', vrid: '61' })).toEqual([1]);
    expect(pick(samples, 'lvsd_vrrp_priority', { instance: 'VI_6' })).toEqual([90]);
    expect(pick(samples, 'lvsd_vrrp_vips_installed')).toEqual([1, 0]);
  });

  it('counts transitions, adverts, drops by reason and reloads', () => {
    const m = new Metrics();
    m.vrrpTransition('VI_1', 'BACKUP');
    m.vrrpTransition('VI_1', 'MASTER');
    m.vrrpTransition('VI_1', 'MASTER');
    for (let i = 0; i < 5; i++) m.advert('VI_1', 'sent');
    m.advert('VI_1', 'received');
    m.drop('VI_1', 'ttl');
    m.drop('VI_1', 'ttl');
    m.drop('VI_1', 'auth');
    m.reload(true);
    m.reload(false);
    m.reload(true);
    const { types, samples } = parse(m.render(sampleStatus()));
    expect(types.get('lvsd_vrrp_transitions_total')).toBe('counter');
    expect(pick(samples, 'lvsd_vrrp_transitions_total', { instance: 'VI_1', state: 'MASTER' })).toEqual([2]);
    expect(pick(samples, 'lvsd_vrrp_adverts_total', { direction: 'sent' })).toEqual([5]);
    expect(pick(samples, 'lvsd_vrrp_adverts_total', { direction: 'received' })).toEqual([1]);
    expect(pick(samples, 'lvsd_vrrp_drops_total', { reason: 'ttl' })).toEqual([2]);
    expect(pick(samples, 'lvsd_vrrp_drops_total', { reason: 'auth' })).toEqual([1]);
    expect(pick(samples, 'lvsd_reloads_total', { result: 'applied' })).toEqual([2]);
    expect(pick(samples, 'lvsd_reloads_total', { result: 'refused' })).toEqual([1]);
    expect(pick(samples, 'lvsd_last_reload_success')).toEqual([1]);
  });

  it('checks by result and a cumulative latency histogram', () => {
    const m = new Metrics();
    const lat = [0.4, 3, 3, 40, 700, 20_000];
    lat.forEach((ms, i) => m.check('192.0.2.100:80', '10.0.0.11:80', 'TCP_CHECK', i !== 5, ms));
    m.check('192.0.2.100:80', '10.0.0.12:80', 'HTTP_GET', false, NaN); // a result without a time
    const { types, samples } = parse(m.render(sampleStatus()));
    expect(pick(samples, 'lvsd_checks_total', { real_server: '10.0.0.11:80', result: 'success' })).toEqual([5]);
    expect(pick(samples, 'lvsd_checks_total', { real_server: '10.0.0.11:80', result: 'failure' })).toEqual([1]);
    expect(pick(samples, 'lvsd_checks_total', { checker: 'HTTP_GET', result: 'failure' })).toEqual([1]);
    expect(types.get('lvsd_check_duration_seconds')).toBe('histogram');
    const buckets = samples.filter((s) => s.name === 'lvsd_check_duration_seconds_bucket' && s.labels.checker === 'TCP_CHECK');
    // the rendered bounds, as they were before CHECK_BUCKETS_S was derived from the microsecond list
    const rendered = ['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
    expect(buckets.map((b) => b.labels.le)).toEqual(rendered);
    expect([...CHECK_BUCKETS_S.map(String), '+Inf']).toEqual(rendered);
    const at = (le: string): number | undefined => buckets.find((b) => b.labels.le === le)?.value;
    expect([at('0.001'), at('0.005'), at('0.05'), at('1'), at('10'), at('+Inf')]).toEqual([1, 3, 4, 5, 5, 6]);
    for (let i = 1; i < buckets.length; i++) expect((buckets[i]?.value ?? 0) >= (buckets[i - 1]?.value ?? 0)).toBe(true);
    expect(pick(samples, 'lvsd_check_duration_seconds_count', { checker: 'TCP_CHECK' })).toEqual([6]);
    expect(pick(samples, 'lvsd_check_duration_seconds_sum', { checker: 'TCP_CHECK' })[0]).toBeCloseTo(20.7464, 6);
    expect(pick(samples, 'lvsd_check_duration_seconds_count', { checker: 'HTTP_GET' })).toEqual([]);
  });

  it('keeps counting the same series after its lookup cache was emptied (more checkers named than series)', () => {
    const m = new Metrics();
    m.check('192.0.2.100:80', '10.0.0.11:80', 'TCP_CHECK', true, 1);
    // reloads that named more checkers than the families hold: the cache empties itself
    for (let i = 0; i <= MAX_SERIES; i++) m.check('192.0.2.200:80', `rs${i}`, 'TCP_CHECK', false, NaN);
    m.check('192.0.2.100:80', '10.0.0.11:80', 'TCP_CHECK', true, 1);
    const { samples } = parse(m.render(sampleStatus()));
    expect(pick(samples, 'lvsd_checks_total', { real_server: '10.0.0.11:80', result: 'success' })).toEqual([2]);
    expect(pick(samples, 'lvsd_check_duration_seconds_count', { virtual_server: '192.0.2.100:80', checker: 'TCP_CHECK' })).toEqual([2]);
  });

  it('real server state, weights and IPVS counters per real server from the snapshot', () => {
    const { samples } = parse(new Metrics().render(sampleStatus()));
    const rs = (name: string): Record<string, string> => ({ virtual_server: '192.0.2.100:80', real_server: name });
    expect(pick(samples, 'lvsd_real_server_up', rs('10.0.0.12:80'))).toEqual([0]);
    expect(pick(samples, 'lvsd_real_server_kernel_weight', rs('10.0.0.12:80'))).toEqual([0]);
    expect(pick(samples, 'lvsd_real_server_kernel_weight', rs('10.0.0.13:80'))).toEqual([]);
    expect(pick(samples, 'lvsd_ipvs_connections_total', rs('10.0.0.11:80'))).toEqual([10]);
    expect(pick(samples, 'lvsd_ipvs_bytes_total', { ...rs('10.0.0.11:80'), direction: 'out' })).toEqual([120000]);
    expect(pick(samples, 'lvsd_ipvs_packets_total', { ...rs('10.0.0.11:80'), direction: 'in' })).toEqual([100]);
    expect(pick(samples, 'lvsd_ipvs_active_connections', rs('10.0.0.99:80'))).toEqual([2]);
    expect(pick(samples, 'lvsd_ipvs_connections_total', rs('10.0.0.13:80'))).toEqual([]);
    expect(pick(samples, 'lvsd_virtual_server_sorry_active', { virtual_server: 'FWM 7' })).toEqual([1]);
  });

  it('escapes label values', () => {
    const m = new Metrics();
    m.drop('a"b\\c\nd', 'ttl');
    const text = m.render({ ...sampleStatus(), vrrp: [], virtualServers: [] });
    expect(text).toContain('lvsd_vrrp_drops_total{instance="a\\"b\\\\c\\nd",reason="ttl"} 1\n');
    expect(pick(parse(text).samples, 'lvsd_vrrp_drops_total')).toEqual([1]);
  });
});

describe('startMetricsServer', () => {
  it('serves GET/HEAD /metrics on loopback, 404 elsewhere, 405 for other methods, 503 without a snapshot', async () => {
    const m = new Metrics();
    m.reload(true);
    let fail = false;
    const srv = await startMetricsServer({ host: '127.0.0.1', port: 0 }, m, async () => {
      if (fail) throw new Error('starting');
      return sampleStatus();
    });
    try {
      const base = `http://127.0.0.1:${srv.port}`;
      const r = await fetch(`${base}/metrics`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe(METRICS_CONTENT_TYPE);
      const body = await r.text();
      expect(pick(parse(body).samples, 'lvsd_reloads_total', { result: 'applied' })).toEqual([1]);
      const h = await fetch(`${base}/metrics`, { method: 'HEAD' });
      expect([h.status, await h.text()]).toEqual([200, '']);
      expect((await fetch(`${base}/`)).status).toBe(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST', body: 'x' })).status).toBe(405);
      fail = true;
      const e = await fetch(`${base}/metrics`);
      expect([e.status, await e.text()]).toEqual([503, 'status unavailable: starting\n']);
    } finally {
      await srv.close();
    }
    await expect(fetch(`http://127.0.0.1:${srv.port}/metrics`)).rejects.toThrow();
  });
  it('rejects when the address cannot be bound', async () => {
    await expect(startMetricsServer({ host: '192.0.2.55', port: 0 }, new Metrics(), sampleStatus)).rejects.toThrow(/EADDRNOTAVAIL/);
  });
});
