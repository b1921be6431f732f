// Lost link events (what an overrun means) and LinkMonitor.resync(): a fresh dump brings the
// table back to the truth and reports what was missed. The monitor is made deaf by leaving the
// multicast group, or its event socket is closed under it (a real overrun, which used to abort
// the process inside netlink@0.3.0, is in links-flood.test.ts).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lab, Agent, startLabAgent } from './harness.js';

interface Link { ifindex: number; name: string; up: boolean; running: boolean }

const lab = new Lab('r');
let agent: Agent;

beforeAll(async () => {
  agent = await startLabAgent(lab);
  await agent.call('monitor');
});
afterAll(() => lab.cleanup());

describe('LinkMonitor resync', () => {
  it('asks for a large receive buffer (kernel doubles it, capped by rmem_max)', async () => {
    expect(await agent.call<number>('rcvbuf')).toBeGreaterThanOrEqual(200_000);
  });

  it('changes made while deaf: resync reports new, changed and removed links and nothing else', async () => {
    lab.ip('link', 'add', 'gone0', 'type', 'veth', 'peer', 'name', 'gone1');
    await agent.waitEvent((e) => e.event === 'link' && (e.link as Link).name === 'gone1', 2000);
    await agent.call('deafen', { on: true });
    lab.ip('link', 'add', 'late0', 'type', 'veth', 'peer', 'name', 'late1');
    lab.ip('link', 'del', 'gone0');
    lab.ip('link', 'set', 'dev', lab.dev, 'down');
    await new Promise((r) => setTimeout(r, 100));
    const from = agent.events.length;
    await agent.call('deafen', { on: false });
    await agent.call('resync');
    const ev = agent.events.slice(from).map((e) => `${e.event} ${(e.link as Link).name}${e.event === 'link' ? ` up=${(e.link as Link).up}` : ''}`).sort();
    expect(ev).toEqual(['link late0 up=false', 'link late1 up=false', `link ${lab.dev} up=false`, 'removed gone0', 'removed gone1'].sort());
    const again = agent.events.length;
    await agent.call('resync');
    expect(agent.events.length).toBe(again);
  });

  it('event socket closed under the monitor: it reopens, re-dumps, and hears events again', async () => {
    const from = agent.events.length;
    await agent.call('killEvents');
    lab.ip('link', 'add', 'gap0', 'type', 'veth', 'peer', 'name', 'gap1');
    await agent.waitEvent((e) => e.event === 'link' && (e.link as Link).name === 'gap0', 3000, from);
    const info = await agent.call<{ reopens: number; resyncs: number }>('monitorInfo');
    expect(info.reopens).toBe(1);
    expect(info.resyncs).toBeGreaterThanOrEqual(1);
    const later = agent.events.length;
    lab.ip('link', 'set', 'dev', 'gap0', 'up');
    await agent.waitEvent((e) => e.event === 'link' && (e.link as Link).name === 'gap0' && (e.link as Link).up, 2000, later);
  });
});
