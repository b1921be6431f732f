// Link state from rtnetlink events: one socket subscribed to RTNLGRP_LINK pushes every
// change (no polling), a second one dumps the initial table. Used by track_interface and to
// learn an interface's MAC address for gratuitous ARP.
import { EventEmitter } from 'node:events';
import { createNetlink, Protocol, rt, type NetlinkSocket, type NetlinkMessage } from 'netlink';
import { RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK } from './rtnl/constants.js';

const RTNLGRP_LINK = 1;
import { RtnlSocket } from './rtnl/socket.js';

export interface LinkState {
  ifindex: number;
  name: string;
  up: boolean;
  /** IFF_RUNNING: up with carrier (operationally usable). */
  running: boolean;
  mac?: Buffer;
}

export interface LinkEvents {
  /** A link appeared or its name, up, running or MAC changed. */
  change: (link: LinkState, previous: LinkState | undefined) => void;
  removed: (link: LinkState) => void;
  error: (err: Error) => void;
}

export class LinkMonitor extends EventEmitter {
  private readonly links = new Map<number, LinkState>();
  private readonly events: NetlinkSocket;
  private readonly touched = new Set<number>();
  /** Link messages that could not be parsed (counted, not thrown). */
  invalid = 0;

  private constructor() {
    super();
    this.events = createNetlink(Protocol.ROUTE);
    this.events.on('message', (msgs) => {
      for (const m of msgs) this.onEvent(m);
    });
    this.events.on('error', (err) => this.emit('error', err));
    this.events.addMembership(RTNLGRP_LINK);
  }

  /** Subscribes, then dumps: events that arrive during the dump win over its older view. */
  static async open(): Promise<LinkMonitor> {
    const mon = new LinkMonitor();
    const dump = new RtnlSocket();
    try {
      const msgs = await dump.dump(RTM_GETLINK, Buffer.alloc(16), 'dump links');
      for (const m of msgs) {
        if (m.kind !== 'link') continue;
        const s = toState(m);
        if (s && !mon.touched.has(s.ifindex)) mon.links.set(s.ifindex, s);
      }
    } catch (e) {
      mon.close();
      throw e;
    } finally {
      dump.close();
    }
    return mon;
  }

  get(ifindex: number): LinkState | undefined {
    return this.links.get(ifindex);
  }

  byName(name: string): LinkState | undefined {
    for (const l of this.links.values()) if (l.name === name) return l;
    return undefined;
  }

  all(): LinkState[] {
    return [...this.links.values()];
  }

  close(): void {
    this.events.close();
  }

  override on<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): this {
    return super.on(event, listener);
  }

  private onEvent(raw: NetlinkMessage): void {
    if (raw.type !== RTM_NEWLINK && raw.type !== RTM_DELLINK) return;
    let m: rt.Message;
    try {
      m = rt.parseMessage(raw.type, raw.data);
    } catch {
      this.invalid++; // a message the parser cannot read must not stop the monitor
      return;
    }
    if (m.kind !== 'link') return;
    const s = toState(m);
    if (!s) return;
    this.touched.add(s.ifindex);
    const prev = this.links.get(s.ifindex);
    if (raw.type === RTM_DELLINK) {
      this.links.delete(s.ifindex);
      if (prev) this.emit('removed', prev);
      return;
    }
    this.links.set(s.ifindex, s);
    if (!prev || prev.name !== s.name || prev.up !== s.up || prev.running !== s.running || !sameMac(prev.mac, s.mac)) {
      this.emit('change', s, prev);
    }
  }
}

function toState(m: rt.LinkMessage): LinkState | undefined {
  const ifindex = m.data.index;
  const name = m.attrs.ifname;
  if (!ifindex || name === undefined) return undefined;
  const flags = m.data.flags ?? {};
  const s: LinkState = { ifindex, name, up: Boolean(flags.up), running: Boolean(flags.running) };
  if (m.attrs.address) s.mac = Buffer.from(m.attrs.address);
  return s;
}

function sameMac(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.equals(b));
}
