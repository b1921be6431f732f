// The start-up reload rehearsals (Daemon.rehearse) in namespaces: once the first apply is done the
// daemon reads, checks and diffs its file as a reload would and reloads VRRP and the engine with
// the running model; nothing moves (no transition, no VIP deleted), and a SIGHUP after it applies
// the file's change as usual. A file changed on disk without SIGHUP is not applied by it.
// The prepared reload: a file saved before the SIGHUP is loaded when it changes on disk, and the
// SIGHUP applies that load once it has read the file again and found it the same; a file changed
// after its preparation is loaded at the SIGHUP, as it is then.
import { writeFileSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lvsdConf } from '../vrrp/director-lab.js';
import { EDIT_REHEARSALS, REHEARSALS } from '../../../src/daemon/daemon.js';
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
    await p.waitFor(/daemon\.start /, 10_000);
    // changed on disk, no signal, before the rehearsals (1.5 s after the first IPVS apply): they
    // read it but must not apply it, nor run the SIGHUP path on it
    expect(p.matching(/reload\.rehearsal /)).toEqual([]);
    writeFileSync(d.conf, base + vs(4));
    await p.waitFor(/vip\.add .*instance=VI_1/, 12_000);
    const mon = monitorAddresses(lab, lab.d1);
    await new Promise((r) => setTimeout(r, 300)); // monitor subscribed
    const mark = p.lines.length;
    const r = await p.waitFor(/reload\.rehearsal /, 15_000);
    expect(r.text).toMatch(/ok=true/);
    await new Promise((res) => setTimeout(res, 2000));
    expect(p.matching(/reload\.rehearsal /)).toHaveLength(REHEARSALS);
    expect(p.matching(/reload\.rehearsal .*ok=true sighupPath=false/)).toHaveLength(REHEARSALS);
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

  it('prepares the reload when the file is saved; SIGHUP applies it, or the file as it is at the signal', async () => {
    const { lab } = env;
    const base = lvsdConf({ priority: 150 });
    const d = startLvsd(lab, lab.d1, base + vs(1), ['-l', '-D']);
    const p = d.proc;
    await p.waitFor(/vip\.add .*instance=VI_1/, 12_000);
    // the file as it was loaded: the rehearsal ran the SIGHUP path on it (nothing changed, nothing logged)
    // and loaded it EDIT_REHEARSALS times with a real server re-spaced, in memory: nothing read
    // from disk is that, nothing applied or told
    expect((await p.waitFor(/reload\.rehearsal /, 15_000)).text).toMatch(new RegExp(`ok=true.*sighupPath=true edits=${EDIT_REHEARSALS} `));
    await new Promise((r) => setTimeout(r, 500)); // the rehearsals are over
    expect(p.matching(/reload\.applied|vip\.del|config\.|lvs\.weight/)).toEqual([]);
    expect(statusOf(d).reloads).toBe(0);
    const mon = monitorAddresses(lab, lab.d1);
    await new Promise((r) => setTimeout(r, 300));
    const pid = Number(readFileSync(d.pidFiles[0], 'utf8').trim());

    // saved, then the signal once the daemon prepared it
    let mark = p.lines.length;
    writeFileSync(d.conf, base + vs(3));
    expect((await p.waitFor(/reload\.prepared /, 8000, mark)).text).toMatch(/ok=true/);
    expect(p.matching(/reload\.applied|lvs\.weight/, mark)).toEqual([]);
    mark = p.lines.length;
    process.kill(pid, 'SIGHUP');
    let applied = await p.waitFor(/reload\.applied /, 8000, mark);
    expect(applied.text).toMatch(/prepared=true/);
    expect(statusOf(d).virtualServers[0]?.realServers.map((x) => x.weight)).toEqual([3, 1]);

    // prepared, then changed again and signalled at once: the file as it is at the signal
    mark = p.lines.length;
    writeFileSync(d.conf, base + vs(5));
    await p.waitFor(/reload\.prepared /, 8000, mark);
    mark = p.lines.length;
    writeFileSync(d.conf, base + vs(6));
    process.kill(pid, 'SIGHUP');
    applied = await p.waitFor(/reload\.applied /, 8000, mark);
    expect(applied.text).toMatch(/prepared=false/);
    expect(statusOf(d).virtualServers[0]?.realServers.map((x) => x.weight)).toEqual([6, 1]);

    // a broken file prepared: refused at the signal with its file:line:col, the running config kept
    await new Promise((r) => setTimeout(r, 300));
    mark = p.lines.length;
    writeFileSync(d.conf, base + vs(7) + 'vrrp_instance X {\n  interface eth0\n  virtual_router_id 300\n}\n');
    expect((await p.waitFor(/reload\.prepared /, 8000, mark)).text).toMatch(/ok=false/);
    expect(p.matching(/config\.error/, mark)).toEqual([]); // told at the signal, not at the save
    mark = p.lines.length;
    process.kill(pid, 'SIGHUP');
    expect((await p.waitFor(/reload\.refused /, 8000, mark)).text).toMatch(/prepared=true/);
    expect(p.matching(/config\.error/, mark).some((l) => l.includes(`${d.conf}:`))).toBe(true);
    expect(statusOf(d).virtualServers[0]?.realServers.map((x) => x.weight)).toEqual([6, 1]);
    expect(mon.matching(/Deleted/)).toEqual([]);
    process.kill(pid, 'SIGTERM');
    expect(await d.exited).toBe(0);
  });
});
