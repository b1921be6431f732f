// The start-up reload rehearsals (Daemon.rehearse) in namespaces: once the first apply is done the
// daemon reads, checks and diffs its file as a reload would and reloads VRRP and the engine with
// the running model; nothing moves (no transition, no VIP deleted), and a SIGHUP after it applies
// the file's change as usual. A file changed on disk without SIGHUP is not applied by it.
import { writeFileSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lvsdConf } from '../vrrp/director-lab.js';
import { REHEARSALS } from '../../../src/daemon/daemon.js';
import { monitorAddresses, startLvsd, statusOf, useDaemonLab } from './lab.js';

const vs = (w: number): string => `virtual_server 10.88.0.200 80 {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  delay_loop 30
  real_server 10.88.0.1 8080 {
    weight ${w}
    TCP_CHECK {
      connect_timeout 1
    }
  }
  real_server 10.88.0.2 8080 {
    weight 1
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
`;

describe('lvsd reload rehearsal (netns)', () => {
  const env = useDaemonLab();

  it('rehearses after start without moving anything; the file is applied only at SIGHUP', async () => {
    const { lab } = env;
    const base = lvsdConf({ priority: 150 });
    const d = startLvsd(lab, lab.d1, base + vs(1), ['-l', '-D']);
    const p = d.proc;
    await p.waitFor(/vip\.add .*instance=VI_1/, 12_000);
    const mon = monitorAddresses(lab, lab.d1);
    await new Promise((r) => setTimeout(r, 300)); // monitor subscribed
    const mark = p.lines.length;
    // changed on disk, no signal: the rehearsal reads it but must not apply it
    writeFileSync(d.conf, base + vs(4));
    const r = await p.waitFor(/reload\.rehearsal /, 15_000);
    expect(r.text).toMatch(/ok=true/);
    await new Promise((res) => setTimeout(res, 2000));
    expect(p.matching(/reload\.rehearsal /)).toHaveLength(REHEARSALS);
    expect(p.matching(/reload\.rehearsal .*ok=true/)).toHaveLength(REHEARSALS);
    expect(p.matching(/vrrp\.transition|vip\.del|reload\.applied|lvs\.weight/, mark)).toEqual([]);
    expect(mon.matching(/Deleted/)).toEqual([]);
    let st = statusOf(d);
    expect(st.reloads).toBe(0);
    expect(st.virtualServers[0]?.realServers.map((x) => x.weight)).toEqual([1, 1]);

    const pid = Number(readFileSync(d.pidFiles[0], 'utf8').trim());
    const m2 = p.lines.length;
    process.kill(pid, 'SIGHUP');
    const applied = await p.waitFor(/reload\.applied /, 8000, m2);
    expect(applied.text).toMatch(/rsKept=2/);
    st = statusOf(d);
    expect(st.reloads).toBe(1);
    expect(st.virtualServers[0]?.realServers.map((x) => x.weight)).toEqual([4, 1]);
    // no more rehearsals after the reload
    await new Promise((res) => setTimeout(res, 2000));
    expect(p.matching(/reload\.rehearsal /)).toHaveLength(REHEARSALS);
    expect(mon.matching(/Deleted/)).toEqual([]);
    process.kill(pid, 'SIGTERM');
    expect(await d.exited).toBe(0);
  });
});
