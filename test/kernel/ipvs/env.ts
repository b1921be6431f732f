// A fresh namespace with its own IPVS table, an lvsd agent inside it, and ipvsadm.
import { createNetns, type Netns } from '../vm/netns.js';
import { Agent } from './agent-host.js';
import type { NetlinkIpvsOptions } from '../../../src/ipvs/client.js';

export interface IpvsEnv {
  ns: Netns;
  lvsd: Agent;
  /** ipvsadm inside the namespace; throws on a non-zero exit */
  ipvsadm(...args: string[]): string;
}

/** `client`: options for lvsd's client in the agent (its defaults when not given). */
export async function withIpvs<T>(fn: (env: IpvsEnv) => Promise<T>, client: NetlinkIpvsOptions = {}): Promise<T> {
  const ns = createNetns('ipvs');
  let lvsd: Agent | undefined;
  try {
    lvsd = await Agent.start(ns.name, client);
    return await fn({ ns, lvsd, ipvsadm: (...args) => ns.exec('ipvsadm', args) });
  } finally {
    lvsd?.stop();
    ns.destroy();
  }
}
