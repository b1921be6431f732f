// Link state from rtnetlink events: one socket subscribed to RTNLGRP_LINK pushes every
// change (no polling), a second one dumps the initial table. Used by track_interface and to
// learn an interface's MAC address for gratuitous ARP.
import { EventEmitter } from 'node:events';
import { createNetlink, Protocol, rt, type NetlinkSocket, type NetlinkMessage } from 'netlink';
import { RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK } from './rtnl/constants.js';
import { RtnlSocket } from './rtnl/socket.js';

const RTNLGRP_LINK = 1;

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

export interface LinkMonitorOptions {
  /** SO_RCVBUF of the event socket; the kernel caps it at net.core.rmem_max. */
  recvBufferSize?: number;
}

// netlink@0.3.0 aborts the process (a C++ exception in its receive callback) when recvmsg
// fails, e.g. with ENOBUFS after an overrun, before any JS listener runs. A large buffer makes
// an overrun need hundreds of link changes while the event loop is stalled.
const DEFAULT_RCVBUF = 4 << 20;

export class LinkMonitor extends EventEmitter {
  private readonly links = new Map<number, LinkState>();
  private readonly events: NetlinkSocket;
  /** Links an event spoke about since the current dump started: the dump must not undo them. */
  private readonly touched = new Set<number>();
  private resyncing: Promise<void> | undefined;
  private closed = false;
  /** Link messages that could not be parsed (counted, not thrown). */
  invalid = 0;
  /** Event socket overruns (ENOBUFS) answered with a fresh dump. */
  resyncs = 0;

  private constructor(opts: LinkMonitorOptions) {
    super();
    this.events = createNetlink(Protocol.ROUTE);
    this.events.setRecvBufferSize(opts.recvBufferSize ?? DEFAULT_RCVBUF);
    this.events.on('message', (msgs) => {
      for (const m of msgs) this.onEvent(m);
    });
    this.events.on('error', (err) => {
      // The kernel dropped events for us: the only way back to the truth is a new dump
      // (reachable once the package reports recvmsg errors instead of aborting).
      if (err.code === 'ENOBUFS') {
        this.resyncs++;
        void this.resync();
      } else {
        this.fail(err);
      }
    });
    this.events.addMembership(RTNLGRP_LINK);
  }

  /** Subscribes, then dumps: events that arrive during the dump win over its older view. */
  static async open(opts: LinkMonitorOptions = {}): Promise<LinkMonitor> {
    const mon = new LinkMonitor(opts);
    try {
      await mon.load(false);
    } catch (e) {
      mon.close();
      throw e;
    }
    return mon;
  }

  /** Re-reads every link and reports what changed (also what was missed). One at a time. */
  resync(): Promise<void> {
    this.resyncing ??= this.load(true).catch((e: unknown) => this.fail(e)).finally(() => { this.resyncing = undefined; });
    return this.resyncing;
  }

  private async load(report: boolean): Promise<void> {
    this.touched.clear();
    const dump = new RtnlSocket();
    let msgs: rt.Message[];
    try {
      msgs = await dump.dump(RTM_GETLINK, Buffer.alloc(16), 'dump links');
    } finally {
      dump.close();
    }
    if (this.closed) return;
    const seen = new Set<number>();
    for (const m of msgs) {
      if (m.kind !== 'link') continue;
      const s = toState(m);
      if (!s) continue;
      seen.add(s.ifindex);
      if (!this.touched.has(s.ifindex)) this.apply(s, report);
    }
    for (const [ifindex, l] of [...this.links]) {
      if (seen.has(ifindex) || this.touched.has(ifindex)) continue;
      this.links.delete(ifindex);
      if (report) this.emit('removed', l);
    }
  }

  private fail(e: unknown): void {
    // An 'error' event without a listener would throw; a monitor must never take the daemon down.
    if (this.listenerCount('error') > 0) this.emit('error', e instanceof Error ? e : new Error(String(e)));
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
    if (this.closed) return;
    this.closed = true;
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
    if (raw.type === RTM_DELLINK) {
      const prev = this.links.get(s.ifindex);
      this.links.delete(s.ifindex);
      if (prev) this.emit('removed', prev);
      return;
    }
    this.apply(s, true);
  }

  private apply(s: LinkState, report: boolean): void {
    const prev = this.links.get(s.ifindex);
    this.links.set(s.ifindex, s);
    if (report && (!prev || prev.name !== s.name || prev.up !== s.up || prev.running !== s.running || !sameMac(prev.mac, s.mac))) {
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
