// Link state from rtnetlink events: one socket subscribed to RTNLGRP_LINK pushes every
// change (no polling), a second one dumps the initial table. Used by track_interface and to
// learn an interface's MAC address for gratuitous ARP.
import { EventEmitter } from 'node:events';
import { createNetlink, Protocol, rt, type NetlinkSocket, type NetlinkMessage } from 'netlink';
import { RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK } from './rtnl/constants.js';
import { RtnlSocket } from './rtnl/socket.js';
import { fdOfInode, netlinkSocket } from './netlink-fd.js';
import { load as loadAddon } from './packet-socket.js';

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

// netlink@0.3.0 aborts the process when its event socket reports an error through poll: an
// overrun makes the kernel set the socket error (ENOBUFS), poll reports POLLERR, and the
// package builds its error with a NULL syscall name and throws from C++. So the monitor finds
// the package's descriptor (netlink-fd.ts) and, through lvsd's addon, sets NETLINK_NO_ENOBUFS
// (the kernel then never sets that error) and SO_RCVBUFFORCE (past net.core.rmem_max). Lost
// events are then noticed from the socket's drop counter in /proc/self/net/netlink, checked
// every second, and answered with a fresh dump. Without the addon the old behaviour stays:
// 'error' events lead to a dump, a dead socket is reopened.
const DEFAULT_RCVBUF = 4 << 20;
const REOPEN_DELAY_MS = 100;
const DROP_CHECK_MS = 1000;
const NETLINK_ROUTE = 0;
const SOL_SOCKET = 1;
const SO_RCVBUFFORCE = 33;
const SOL_NETLINK = 270;
const NETLINK_NO_ENOBUFS = 5;

export class LinkMonitor extends EventEmitter {
  private readonly links = new Map<number, LinkState>();
  private events!: NetlinkSocket;
  /** Links an event spoke about since the current dump started: the dump must not undo them. */
  private readonly touched = new Set<number>();
  private resyncing: Promise<void> | undefined;
  private resyncAgain = false;
  private closed = false;
  private reopenTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly retired = new WeakSet<NetlinkSocket>();
  /** Link messages that could not be parsed (counted, not thrown). */
  invalid = 0;
  /** Fresh dumps after events may have been lost (overrun, or the event socket reopened). */
  resyncs = 0;
  /** Event sockets opened again after the previous one died. */
  reopens = 0;
  /** Whether the current event socket has NETLINK_NO_ENOBUFS (overruns cannot abort the process). */
  noEnobufs = false;
  /** Events the kernel dropped for us (the socket's drop counter), summed over event sockets. */
  dropped = 0;
  private dropWatch: ReturnType<typeof setInterval> | undefined;

  private constructor(private readonly opts: LinkMonitorOptions) {
    super();
    this.openEvents();
  }

  private openEvents(): void {
    const sock = createNetlink(Protocol.ROUTE);
    this.events = sock;
    sock.setRecvBufferSize(this.opts.recvBufferSize ?? DEFAULT_RCVBUF);
    sock.on('message', (msgs) => {
      for (const m of msgs) this.onEvent(m);
    });
    sock.on('error', (err) => {
      // The kernel dropped events for us: the only way back to the truth is a new dump.
      if (err.code === 'ENOBUFS') return this.lost();
      // Any other error stops the package's poller: this socket will say nothing more.
      this.fail(err);
      this.retire(sock);
    });
    sock.on('close', () => this.retire(sock));
    sock.addMembership(RTNLGRP_LINK);
    this.harden(sock);
  }

  /** NETLINK_NO_ENOBUFS and a forced buffer on the package's socket; then watch its drop counter. */
  private harden(sock: NetlinkSocket): void {
    if (this.dropWatch) clearInterval(this.dropWatch);
    this.dropWatch = undefined;
    this.noEnobufs = false;
    let port: number;
    let fd: number | undefined;
    let drops: number;
    try {
      port = sock.address().port;
      const info = netlinkSocket(NETLINK_ROUTE, port);
      if (!info) return;
      fd = fdOfInode(info.inode);
      if (fd === undefined) return;
      const addon = loadAddon();
      addon.setIntOption(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, 1);
      if (this.opts.recvBufferSize === undefined) addon.setIntOption(fd, SOL_SOCKET, SO_RCVBUFFORCE, DEFAULT_RCVBUF);
      drops = info.drops;
    } catch (e) {
      this.fail(e); // no addon (or no /proc): overruns stay fatal inside the package
      return;
    }
    this.noEnobufs = true;
    this.dropWatch = setInterval(() => {
      let now: number | undefined;
      try {
        now = netlinkSocket(NETLINK_ROUTE, port)?.drops;
      } catch {
        now = undefined;
      }
      if (now === undefined || now <= drops) return;
      this.dropped += now - drops;
      drops = now;
      this.lost();
    }, DROP_CHECK_MS);
    this.dropWatch.unref();
  }

  /** Drops a dead event socket (once) and opens a new one shortly. */
  private retire(sock: NetlinkSocket): void {
    if (this.closed || this.retired.has(sock)) return;
    this.retired.add(sock);
    this.reopens++;
    try {
      sock.close();
    } catch {
      // already closed by the package
    }
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.closed || this.reopenTimer) return;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      if (this.closed) return;
      try {
        this.openEvents();
        this.lost();
      } catch (e) {
        this.fail(e);
        this.scheduleReopen();
      }
    }, REOPEN_DELAY_MS);
  }

  private lost(): void {
    this.resyncs++;
    void this.resync();
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

  /**
   * Re-reads every link and reports what changed (also what was missed). One dump at a time;
   * a loss noticed while one runs may postdate its view, so another follows (bounded).
   */
  resync(): Promise<void> {
    if (this.resyncing) {
      this.resyncAgain = true;
      return this.resyncing;
    }
    this.resyncing = (async () => {
      for (let round = 0; round < 10 && !this.closed; round++) {
        this.resyncAgain = false;
        try {
          await this.load(true);
          // Events handled during the dump may be older than it (still queued when it began)
          // or newer; only a dump with no event beside it is the whole truth.
          if (this.touched.size > 0) this.resyncAgain = true;
        } catch (e) {
          this.fail(e);
        }
        if (!this.resyncAgain) break;
      }
    })().finally(() => { this.resyncing = undefined; });
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
    if (this.dropWatch) clearInterval(this.dropWatch);
    this.dropWatch = undefined;
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
    if (!this.retired.has(this.events)) this.events.close();
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
