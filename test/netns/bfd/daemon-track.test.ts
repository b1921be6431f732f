// The real lvsd daemon with a bfd_instance against keepalived 2.2.7's BFD process (two netns):
// track_bfd with weight 0 holds the VRRP instance in FAULT while the session is Down and lets
// it become MASTER once Up; keepalived killed brings FAULT back within the detection time. The
// metrics endpoint shows the session's state, packets, transitions and (malformed datagrams sent
// on purpose) drops by reason.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BfdLab, KA_IP, LVSD_IP } from './lab.js';

const lab = new BfdLab();

const KA = `bfd_instance KA {
  neighbor_ip ${LVSD_IP}
  source_ip ${KA_IP}
  min_rx 100
  min_tx 100
  multiplier 3
}
`;

const LVSD = `global_defs {
  vrrp_garp_master_delay 0
}
bfd_instance PEER {
  neighbor_ip ${KA_IP}
  source_ip ${LVSD_IP}
  min_rx 100
  min_tx 100
  multiplier 3
}
vrrp_instance VI_1 {
  state BACKUP
  interface bfl0
  virtual_router_id 51
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.79.1.1/32
  }
  track_bfd {
    PEER
  }
}
`;

const METRICS_PORT = 9661;
/** The lvsd endpoint, read from inside its namespace. */
const metrics = (): string => lab.inLvsd(['-e', `fetch('http://127.0.0.1:${METRICS_PORT}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))`]);
/** The value of the one sample whose name and labels are `series` (NaN when absent). */
const sample = (text: string, series: string): number => {
  const l = text.split('\n').find((x) => x.startsWith(`${series} `));
  return l ? Number(l.slice(series.length + 1)) : NaN;
};
async function until(cond: () => boolean, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const TO = (state: string): RegExp => new RegExp(`"event":"vrrp.transition".*"to":"${state}"`);

describe('lvsd daemon track_bfd against keepalived 2.2.7 BFD (netns)', () => {
  beforeAll(async () => {
    await lab.prepare();
  });
  afterAll(() => lab.cleanup(['kad1', 'kad2', 'kad3', 'kad4']));

  it('FAULT while the BFD session is Down, MASTER once Up, FAULT again when keepalived dies, MASTER after its return', async () => {
    lab.up();
    const lv = lab.startLvsdDaemon('lv', LVSD, ['-P', '--metrics-listen', `127.0.0.1:${METRICS_PORT}`]);
    let ka = lab.startKeepalived('kad1', KA);
    try {
      await lv.waitFor(TO('FAULT'), 8000);
      const up = await lv.waitFor(/"event":"bfd.transition".*"to":"Up"/, 10_000);
      const master = await lv.waitFor(TO('MASTER'), 10_000);
      expect(master.index).toBeGreaterThan(up.index);
      await ka.waitFor(/\(KA\) Entering Up state/, 5000);
      await new Promise((r) => setTimeout(r, 1000));
      // the session in `lvsd status --json`: Up, negotiated 100 ms, detection 3 x 100 ms
      const bfd = lab.statusOf('lv').bfd as Array<Record<string, unknown>>;
      expect(bfd).toHaveLength(1);
      expect(bfd[0]).toMatchObject({ name: 'PEER', state: 'Up', up: true, txIntervalUs: 100_000, detectTimeUs: 300_000 });
      expect(bfd[0].received).toBeGreaterThan(5);
      // the installed daemon reads IPv4 BFD through its raw socket: the TTL is checked
      expect(lv.matching(/bfd\.no-ttl-check/)).toEqual([]);
      // the metrics endpoint: the session Up, its packets, Init/Up entered, no drops yet;
      // then two malformed datagrams from the neighbour's address are counted by reason
      let m = metrics();
      expect(m).toContain('lvsd_bfd_session_state{instance="PEER",state="Up"} 1');
      expect(m).toContain('lvsd_bfd_session_state{instance="PEER",state="Down"} 0');
      expect(sample(m, 'lvsd_bfd_packets_total{instance="PEER",direction="received"}')).toBeGreaterThan(5);
      expect(sample(m, 'lvsd_bfd_packets_total{instance="PEER",direction="sent"}')).toBeGreaterThan(5);
      expect(sample(m, 'lvsd_bfd_transitions_total{instance="PEER",state="Up"}')).toBe(1);
      expect(sample(m, 'lvsd_bfd_transitions_total{instance="PEER",state="Down"}')).toBe(0);
      expect(m).toContain('lvsd_bfd_detect_time_seconds{instance="PEER"} 0.3');
      expect(m.split('\n').filter((l) => l.startsWith('lvsd_bfd_drops_total{') && !l.endsWith(' 0'))).toEqual([]);
      lab.sendFromKa(LVSD_IP, 3784, [Buffer.alloc(10), Buffer.alloc(24)]);
      await until(() => sample(metrics(), 'lvsd_bfd_drops_total{instance="PEER",reason="version"}') === 1, 5000);
      m = metrics();
      expect(sample(m, 'lvsd_bfd_drops_total{instance="PEER",reason="short"}')).toBe(1);
      expect(sample(m, 'lvsd_bfd_drops_total{instance="PEER",reason="version"}')).toBe(1);
      // the daemon-wide refusals count the same two (and would count unknown senders' too)
      expect(sample(m, 'lvsd_bfd_refused_total{reason="short"}')).toBe(1);
      expect(sample(m, 'lvsd_bfd_refused_total{reason="version"}')).toBe(1);
      expect(lv.matching(TO('FAULT')).length).toBe(1);
      const from = lv.lines.length;
      const t0 = Date.now();
      lab.killKeepalivedBfd('kad1');
      const fault = await lv.waitFor(TO('FAULT'), 3000, from);
      const ms = fault.at - t0;
      console.log(`DETECT daemon track_bfd: VRRP FAULT ${ms} ms after keepalived was killed (BFD detection time 300 ms)`);
      expect(ms).toBeLessThanOrEqual(300 + 250);
      m = metrics();
      expect(m).toContain('lvsd_bfd_session_state{instance="PEER",state="Down"} 1');
      expect(sample(m, 'lvsd_bfd_transitions_total{instance="PEER",state="Down"}')).toBe(1);
      expect(m).toContain('lvsd_bfd_detect_time_seconds{instance="PEER"} 0.3');
      await ka.exited(5000);
      const from2 = lv.lines.length;
      ka = lab.startKeepalived('kad2', KA);
      await lv.waitFor(TO('MASTER'), 15_000, from2);
    } finally {
      await lab.finish(lv, ['kad1', 'kad2']);
    }
  }, 60_000);

  it('reload (SIGHUP): an unchanged bfd_instance keeps its session Up (no FAULT); a changed one restarts', async () => {
    lab.up();
    const lv = lab.startLvsdDaemon('lvr', LVSD, ['-P']);
    const ka = lab.startKeepalived('kad4', KA);
    try {
      await lv.waitFor(TO('MASTER'), 15_000);
      const from = lv.lines.length, fromKa = ka.lines.length;
      writeFileSync(lab.confPath('lvr'), LVSD.replace('priority 100', 'priority 110'));
      process.kill(lv.child.pid ?? 0, 'SIGHUP');
      await lv.waitFor(/"event":"reload.applied"/, 10_000, from);
      await new Promise((r) => setTimeout(r, 1500));
      expect(lv.matching(TO('FAULT'), from)).toEqual([]);
      expect(lv.matching(/"event":"bfd.transition"/, from)).toEqual([]);
      expect(ka.matching(/\(KA\) Entering Down state/, fromKa)).toEqual([]);
      // a changed instance (multiplier) restarts: keepalived hears AdminDown, both come Up again
      const from2 = lv.lines.length, fromKa2 = ka.lines.length;
      writeFileSync(lab.confPath('lvr'), LVSD.replace('multiplier 3', 'multiplier 4'));
      process.kill(lv.child.pid ?? 0, 'SIGHUP');
      const d = await ka.waitFor(/\(KA\) Entering Down state/, 5000, fromKa2);
      expect(d.text).toMatch(/Neighbor Signaled Session Down/i);
      await ka.waitFor(/\(KA\) Entering Up state/, 8000, fromKa2);
      await lv.waitFor(TO('MASTER'), 10_000, from2);
    } finally {
      await lab.finish(lv, ['kad4']);
    }
  }, 60_000);

  it('-B/--no_bfd: no BFD sessions run, so a weight-0 track_bfd keeps the instance in FAULT', async () => {
    lab.up();
    const lv = lab.startLvsdDaemon('lvb', LVSD, ['-P', '-B']);
    const ka = lab.startKeepalived('kad3', KA);
    try {
      await lv.waitFor(TO('FAULT'), 8000);
      await new Promise((r) => setTimeout(r, 2500));
      expect(lab.statusOf('lvb').bfd).toBeUndefined();
      expect(lv.matching(/"event":"bfd\./)).toEqual([]);
      expect(lv.matching(TO('MASTER'))).toEqual([]);
      expect(ka.matching(/\(KA\) Entering Up state/)).toEqual([]);
    } finally {
      await lab.finish(lv, ['kad3']);
    }
  }, 30_000);
});
