// A flood of link events must not kill the process (netlink@0.3.0 aborts on an overrun of its
// socket; links.ts sets NETLINK_NO_ENOBUFS through lvsd's addon and watches the drop counter).
// The agent's event loop is held while hundreds of veth pairs come and go: the kernel drops
// events for it, the monitor notices, re-dumps, and ends up with exactly the kernel's links.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Lab, type Agent, startLabAgent } from './harness.js';

interface Info { resyncs: number; reopens: number; names: string[]; noEnobufs: boolean; dropped: number }

const labs: Lab[] = [];
afterAll(() => { for (const l of labs) l.cleanup(); });

function flood(lab: Lab, pairs: number, deleteEvery: number): void {
  const lines: string[] = [];
  for (let i = 0; i < pairs; i++) lines.push(`link add fa${i} type veth peer name fb${i}`);
  for (let i = 0; i < pairs; i += deleteEvery) lines.push(`link del fa${i}`);
  for (let i = 1; i < pairs; i += deleteEvery) lines.push(`link set fa${i} up`);
  const r = spawnSync('ip', ['-n', lab.ns, '-batch', '-'], { input: `${lines.join('\n')}\n`, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`ip -batch failed: ${r.stderr}`);
}

function kernelLinks(lab: Lab): string[] {
  return lab.ip('-o', 'link', 'show').split('\n').filter(Boolean).map((l) => l.split(': ')[1].split('@')[0]).sort();
}

async function settle(agent: Agent, want: string[], ms: number): Promise<Info> {
  let info = await agent.call<Info>('monitorInfo');
  for (let t = 0; t < ms && JSON.stringify([...info.names].sort()) !== JSON.stringify(want); t += 200) {
    await new Promise((r) => setTimeout(r, 200));
    info = await agent.call<Info>('monitorInfo');
  }
  return info;
}

async function floodWhileBusy(recvBufferSize: number | undefined, pairs: number): Promise<{ agent: Agent; lab: Lab; info: Info; want: string[] }> {
  const lab = new Lab('f');
  labs.push(lab);
  const agent = await startLabAgent(lab);
  await agent.call('monitor', recvBufferSize ? { options: { recvBufferSize } } : {});
  const busy = agent.call('busy', { ms: 2500 }, 20_000);
  await new Promise((r) => setTimeout(r, 200));
  flood(lab, pairs, 3);
  await busy;
  const want = kernelLinks(lab);
  const info = await settle(agent, want, 5000);
  return { agent, lab, info, want };
}

describe('LinkMonitor under a link event flood (netns)', () => {
  it('a small buffer overruns: the process lives, drops are counted, a re-dump restores the exact table, events still arrive', async () => {
    const { agent, lab, info, want } = await floodWhileBusy(4096, 300);
    expect(agent.child.exitCode).toBeNull();
    expect(agent.child.signalCode).toBeNull();
    expect(info.noEnobufs).toBe(true);
    expect(info.dropped).toBeGreaterThan(0);
    expect(info.resyncs).toBeGreaterThanOrEqual(1);
    expect(info.reopens).toBe(0);
    expect(want.length).toBe(2 + 300 * 2 - 2 * 100); // lo, n0 and the surviving pairs
    expect([...info.names].sort()).toEqual(want);
    const from = agent.events.length;
    lab.ip('link', 'add', 'after0', 'type', 'veth', 'peer', 'name', 'after1');
    await agent.waitEvent((e) => e.event === 'link' && (e.link as { name: string }).name === 'after1', 3000, from);
  }, 60_000);

  it('the default buffer (forced past rmem_max) takes 1,000 pairs without losing one', async () => {
    const { agent, info, want } = await floodWhileBusy(undefined, 1000);
    expect(agent.child.exitCode).toBeNull();
    expect(info.noEnobufs).toBe(true);
    expect([...info.names].sort()).toEqual(want);
    console.log(`flood 1000 pairs: dropped ${info.dropped}, resyncs ${info.resyncs}, links ${want.length}`);
  }, 90_000);
});
