// lvsd's BFD (codec + session + UDP edge) against Debian's keepalived 2.2.7 BFD process between
// two namespaces this test creates: both sessions come Up, each side detects the other's loss
// (process killed, link down) within the detection time, and both come Up again; a stall of
// lvsd (SIGSTOP) past its own detection time is not taken for a loss when the peer's packets
// were waiting.
// Detection figures are printed (DETECT lines) for the report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BfdLab, KA_IP, KA_IP6, LVSD_IP, LVSD_IP6, spec } from './lab.js';
import type { Proc } from '../vrrp/harness.js';

const lab = new BfdLab();
const KA_NAMES = ['ka1', 'ka2', 'ka3', 'ka4', 'ka6', 'kap1', 'kap2', 'kat1', 'kas1'];

function kaConf(o: { minRx?: number; minTx?: number; mult?: number; passive?: boolean; ttl?: number } = {}): string {
  return `bfd_instance KA {${o.passive ? '\n  passive' : ''}${o.ttl ? `\n  ttl ${o.ttl}` : ''}
  neighbor_ip ${LVSD_IP}
  source_ip ${KA_IP}
  min_rx ${o.minRx ?? 100}
  min_tx ${o.minTx ?? 100}
  multiplier ${o.mult ?? 3}
}
`;
}

const KA_UP = /\(KA\) Entering Up state/;
const KA_DOWN = /\(KA\) Entering Down state/;
const LV_UP = /"ev":"up"/;
const LV_DOWN = /"ev":"down"/;

async function stopLvsd(p: Proc): Promise<void> {
  if (p.child.pid) process.kill(p.child.pid, 'SIGTERM');
  await p.exited(5000);
}

function atOf(p: Proc, index: number): number {
  return (JSON.parse(p.lines[index].text) as { at: number }).at;
}

describe('BFD interop with keepalived 2.2.7 (netns)', () => {
  beforeAll(async () => {
    await lab.prepare();
  });
  afterAll(() => lab.cleanup(KA_NAMES));

  it('comes Up on both sides; keepalived killed is detected by lvsd within its detection time; Up again on restart', async () => {
    lab.up();
    const lv = lab.startLvsd([spec({ name: 'LV' })]);
    let ka = lab.startKeepalived('ka1', kaConf());
    try {
      await lv.waitFor(/"ev":"started"/, 5000);
      await ka.waitFor(KA_UP, 8000);
      await lv.waitFor(LV_UP, 8000);
      // let both settle on the fast interval (Poll/Final done)
      await new Promise((r) => setTimeout(r, 1000));
      const from = lv.lines.length;
      const t0 = Date.now();
      lab.killKeepalivedBfd('ka1');
      const down = await lv.waitFor(LV_DOWN, 3000, from);
      const detected = atOf(lv, down.index) - t0;
      // detect time 3 x max(100, 100) ms = 300 ms from the last packet; the kill lands 0-100 ms after it
      const silent = lv.matching(/"silentMs"/, from)[0] ?? '';
      const silentMs = Number(/"silentMs":([\d.]+)/.exec(silent)?.[1]);
      console.log(`DETECT lvsd<-keepalived(kill): ${detected} ms after the kill; lvsd: expired after ${silentMs} ms of silence (detection time 300 ms)`);
      // libuv keeps loop time in whole ms: a timer may fire up to 1 ms early on performance.now()
      expect(silentMs).toBeGreaterThanOrEqual(299);
      expect(silentMs).toBeLessThanOrEqual(300 + 50);
      expect(down.text).toMatch(/"diag":1/);
      expect(detected).toBeGreaterThanOrEqual(300 - 100 - 20);
      expect(detected).toBeLessThanOrEqual(300 + 150);
      await ka.exited(5000);
      const from2 = lv.lines.length;
      ka = lab.startKeepalived('ka2', kaConf());
      await ka.waitFor(KA_UP, 8000);
      await lv.waitFor(LV_UP, 8000, from2);
    } finally {
      await lab.finish(lv, ['ka1', 'ka2']);
    }
  }, 40_000);

  it('keepalived detects lvsd killed (no AdminDown) within its detection time, and Up again when lvsd returns', async () => {
    lab.up();
    const ka = lab.startKeepalived('ka3', kaConf({ minRx: 200, minTx: 50, mult: 5 }));
    let lv = lab.startLvsd([spec({ name: 'LV', minRxUs: 100_000, minTxUs: 100_000, multiplier: 3 })]);
    try {
      await ka.waitFor(KA_UP, 8000);
      await lv.waitFor(LV_UP, 8000);
      await new Promise((r) => setTimeout(r, 1000));
      // tx intervals: lvsd max(100, ka's min_rx 200) = 200 ms; keepalived's detection = 3 x max(200, 100) = 600 ms
      const from = ka.lines.length;
      const t0 = Date.now();
      if (lv.child.pid) process.kill(lv.child.pid, 'SIGKILL');
      const down = await ka.waitFor(KA_DOWN, 3000, from);
      const detected = down.at - t0;
      const expired = ka.matching(/\(KA\) Expired after/, from)[0] ?? '';
      console.log(`DETECT keepalived<-lvsd(kill): ${detected} ms after the kill; keepalived: "${expired.replace(/^.*\(KA\) /, '')}" (detection time 600 ms)`);
      expect(down.text).toMatch(/Control Detection Time Expired/);
      const ms = Number(/Expired after (\d+) ms/.exec(expired)?.[1]);
      expect(ms).toBeGreaterThanOrEqual(600);
      expect(ms).toBeLessThanOrEqual(600 + 50);
      expect(detected).toBeLessThanOrEqual(600 + 250);
      const from2 = ka.lines.length;
      lv = lab.startLvsd([spec({ name: 'LV' })]);
      await ka.waitFor(KA_UP, 8000, from2);
      await lv.waitFor(LV_UP, 8000);
      // SIGTERM: lvsd sends AdminDown; keepalived goes Down saying the neighbour signalled it
      const from3 = ka.lines.length;
      await stopLvsd(lv);
      const d2 = await ka.waitFor(KA_DOWN, 2000, from3);
      expect(d2.text).toMatch(/Neighbor Signaled Session Down/i);
    } finally {
      lab.killKeepalived('ka3', 'SIGKILL');
      if (lv.child.exitCode === null && lv.child.pid) process.kill(lv.child.pid, 'SIGKILL');
      lab.down();
    }
  }, 40_000);

  it('IPv4 and IPv6 sessions side by side: both Up (hop limit 64), keepalived killed is detected on both', async () => {
    lab.up();
    const lv = lab.startLvsd([spec({ name: 'LV' }), spec({ name: 'LV6', family: 6, neighbor: KA_IP6, source: LVSD_IP6, ttl: 64 })]);
    const ka = lab.startKeepalived('ka6', `${kaConf()}bfd_instance KA6 {\n  neighbor_ip ${LVSD_IP6}\n  source_ip ${KA_IP6}\n  min_rx 100\n  min_tx 100\n  multiplier 3\n}\n`);
    try {
      await ka.waitFor(/\(KA6\) Entering Up state/, 8000);
      await ka.waitFor(KA_UP, 8000);
      await lv.waitFor(/"ev":"up","name":"LV6"/, 8000);
      await lv.waitFor(/"ev":"up","name":"LV"/, 8000);
      await new Promise((r) => setTimeout(r, 500));
      const from = lv.lines.length;
      const t0 = Date.now();
      lab.killKeepalivedBfd('ka6');
      const down = await lv.waitFor(/"ev":"down","name":"LV6"/, 3000, from);
      await lv.waitFor(/"ev":"down","name":"LV"/, 3000, from);
      const ms = atOf(lv, down.index) - t0;
      console.log(`DETECT IPv6 lvsd<-keepalived(kill): ${ms} ms (detection time 300 ms)`);
      expect(down.text).toMatch(/"diag":1/);
      expect(ms).toBeGreaterThanOrEqual(300 - 100 - 20);
      expect(ms).toBeLessThanOrEqual(300 + 150);
    } finally {
      await lab.finish(lv, ['ka6']);
    }
  }, 30_000);

  for (const passiveSide of ['lvsd', 'keepalived'] as const) {
    it(`passive ${passiveSide}: silent until the active side is heard, then Up on both`, async () => {
      lab.up();
      const name = passiveSide === 'lvsd' ? 'kap1' : 'kap2';
      const lv = lab.startLvsd([spec({ name: 'LV', passive: passiveSide === 'lvsd' })]);
      try {
        await lv.waitFor(/"ev":"started"/, 5000);
        // alone for 1.5 s: a passive lvsd has sent nothing, an active one its idle Down packets
        await new Promise((r) => setTimeout(r, 1500));
        process.kill(lv.child.pid ?? 0, 'SIGUSR2');
        const st = await lv.waitFor(/"ev":"status"/, 2000);
        const sent = (JSON.parse(st.text) as { status: Array<{ sent: number }> }).status[0].sent;
        if (passiveSide === 'lvsd') expect(sent).toBe(0);
        else expect(sent).toBeGreaterThan(0);
        const ka = lab.startKeepalived(name, kaConf({ passive: passiveSide === 'keepalived' }));
        await ka.waitFor(KA_UP, 8000);
        await lv.waitFor(LV_UP, 8000);
      } finally {
        await lab.finish(lv, [name]);
      }
    }, 30_000);
  }

  it('received TTL (IPv4): packets sent with TTL 254 are dropped with max_hops 0 (RFC 5881 GTSM), accepted with max_hops 1', async () => {
    lab.up();
    const ka = lab.startKeepalived('kat1', kaConf({ ttl: 254 }));
    let lv = lab.startLvsd([spec({ name: 'LV' })]);
    try {
      await lv.waitFor(/"ev":"started"/, 5000);
      // keepalived hears lvsd (TTL 255) and answers with TTL 254, which lvsd must refuse
      await ka.waitFor(/Detection time is/, 8000);
      await new Promise((r) => setTimeout(r, 2500));
      process.kill(lv.child.pid ?? 0, 'SIGUSR2');
      const st = JSON.parse((await lv.waitFor(/"ev":"status"/, 2000)).text) as { status: Array<{ received: number; state: string }>; drops: Record<string, number> };
      expect(st.status[0]).toMatchObject({ received: 0, state: 'Down' });
      expect(st.drops.ttl).toBeGreaterThanOrEqual(2);
      expect(lv.matching(/"ev":"warn"/)).toEqual([]);
      expect(lv.matching(LV_UP)).toEqual([]);
      await stopLvsd(lv);
      lv = lab.startLvsd([spec({ name: 'LV', maxHops: 1 })]);
      await lv.waitFor(LV_UP, 8000);
    } finally {
      await lab.finish(lv, ['kat1']);
    }
  }, 30_000);

  it('a link set down is detected on both sides, and both come Up again when it returns', async () => {
    lab.up();
    const ka = lab.startKeepalived('ka4', kaConf());
    const lv = lab.startLvsd([spec({ name: 'LV' })]);
    try {
      await ka.waitFor(KA_UP, 8000);
      await lv.waitFor(LV_UP, 8000);
      await new Promise((r) => setTimeout(r, 1000));
      const fromLv = lv.lines.length, fromKa = ka.lines.length;
      const t0 = Date.now();
      lab.link('ka', false);
      const dl = await lv.waitFor(LV_DOWN, 3000, fromLv);
      const dk = await ka.waitFor(KA_DOWN, 3000, fromKa);
      const lvMs = atOf(lv, dl.index) - t0;
      const kaExp = ka.matching(/\(KA\) Expired after/, fromKa)[0] ?? '';
      const lvSilent = /"silentMs":([\d.]+)/.exec(lv.matching(/"silentMs"/, fromLv)[0] ?? '')?.[1];
      console.log(`DETECT link down: lvsd ${lvMs} ms after 'ip link set down', expired after ${lvSilent} ms of silence; keepalived ${dk.at - t0} ms, "${kaExp.replace(/^.*\(KA\) /, '')}" (both 300 ms)`);
      expect(lvMs).toBeLessThanOrEqual(300 + 150);
      const fromLv2 = lv.lines.length, fromKa2 = ka.lines.length;
      lab.link('ka', true);
      await ka.waitFor(KA_UP, 8000, fromKa2);
      await lv.waitFor(LV_UP, 8000, fromLv2);
      // nothing refused on the way
      process.kill(lv.child.pid ?? 0, 'SIGUSR2');
      const st = await lv.waitFor(/"ev":"status"/, 2000);
      const drops = (JSON.parse(st.text) as { drops: Record<string, number> }).drops;
      expect(Object.values(drops).reduce((a, b) => a + b, 0)).toBe(0);
    } finally {
      await lab.finish(lv, ['ka4']);
    }
  }, 40_000);

  it('a stall of lvsd longer than its detection time but shorter than keepalived\'s: the packets queued meanwhile are read first, no flap', async () => {
    lab.up();
    // lvsd detects in 3 x 100 ms (keepalived's multiplier); keepalived in 6 x 100 ms (lvsd's)
    const lv = lab.startLvsd([spec({ name: 'LV', multiplier: 6 })]);
    const ka = lab.startKeepalived('kas1', kaConf());
    try {
      await lv.waitFor(/"ev":"started"/, 5000);
      await ka.waitFor(KA_UP, 8000);
      await lv.waitFor(LV_UP, 8000);
      await new Promise((r) => setTimeout(r, 1000));
      const from = lv.lines.length, fromKa = ka.lines.length;
      const pid = lv.child.pid ?? 0;
      // stopped for 400 ms: lvsd's detection timer is overdue when it runs again, keepalived's
      // packets of those 400 ms wait in the socket; keepalived (600 ms) does not expire
      process.kill(pid, 'SIGSTOP');
      const t0 = Date.now();
      while (Date.now() - t0 < 400) { /* a bounded busy wait: a timer would add the test's own jitter */ }
      process.kill(pid, 'SIGCONT');
      await new Promise((r) => setTimeout(r, 1500));
      expect(ka.matching(KA_DOWN, fromKa)).toEqual([]);
      expect(lv.matching(LV_DOWN, from)).toEqual([]);
      expect(lv.matching(/"to":"Down"/, from)).toEqual([]);
    } finally {
      await lab.finish(lv, ['kas1']);
    }
  }, 40_000);
});
