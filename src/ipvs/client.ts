// IpvsKernel over generic netlink, on the `netlink` package's RawNetlinkSocket with lvsd's
// own framing (the family id too is asked of the controller that way). Plain requests
// (add/edit/delete) travel in batches: one datagram per socket holds up to `pipeline` of
// them, the kernel runs them in order, answers a failure by its sequence number (so every
// failure keeps its own errno and object) and acknowledges the batch's last request, the
// only one that asks; a socket takes its next batch only when that answer is in. Dumps run alone on a few
// sockets of their own that read 32 KiB at a time. Sockets open when first needed: a
// listing opens a few dump sockets, not the 32 a large apply may use.
// Only raw.js of the package is loaded: its index also loads the rtnetlink and nl80211
// tables (~0.5 MB of JavaScript), a cost every `lvsd ipvs` process would pay at start.
import { RawNetlinkSocket } from 'netlink/dist/raw.js';
import { Attrs } from './attrs.js';
import { attrLenAt, decodeDaemon, decodeDestAt, decodeInfo, decodeServiceAt, decodeTimeouts, findAttrAt, u16le, u32le } from './codec.js';
import {
  CmdAttr, CTRL_ATTR_FAMILY_ID, GENL_HDRLEN, IPVS_GENL_NAME, NETLINK_GENERIC, NLM_F_ACK, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN,
} from './constants.js';
import { IpvsError } from './errors.js';
import type { IpvsKernel, IpvsOpBatch } from './kernel.js';
import type { IpvsDestNests } from './listing.js';
import { encodeGenlInto, genlSize, type GenlMessage } from './message.js';
import type { IpvsOp } from './reconcile.js';
import { opRequest, requests, type IpvsRequest } from './requests.js';
import type {
  IpvsDaemon, IpvsDest, IpvsDestEntry, IpvsInfo, IpvsService, IpvsServiceEntry, IpvsTimeouts, IpvsVirtualEntry,
} from './types.js';

const RESOLVED = Promise.resolve();

export interface NetlinkIpvsOptions {
  /** per-request limit in ms (default 10 s) */
  timeoutMs?: number;
  /** sockets for plain requests, i.e. batches that may be outstanding at once (default 32) */
  sockets?: number;
  /** sockets for dumps and gets (default 4) */
  dumpSockets?: number;
  /** receive buffer per socket (default 1 MiB; dumps are flow-controlled by the kernel) */
  recvBufferSize?: number;
  /**
   * Bytes the dump sockets read per recvmsg (default 32 KiB; 0: peek each datagram's size
   * first). The kernel sizes dump datagrams after the largest read it has seen, up to
   * 32 KiB, so a large read means fewer, fuller datagrams. Plain-request sockets read
   * 512 bytes: an acknowledgement is a few dozen.
   */
  recvMessageSize?: number;
  /** Bytes the plain-request sockets read per acknowledgement (default 512). */
  ackReadSize?: number;
  /**
   * Plain requests per datagram (default 64; 1: one request at a time per socket). The
   * kernel handles the requests of a datagram in order and acknowledges each; a failure
   * does not stop the ones after it.
   */
  pipeline?: number;
}

/** Counters of what went over the sockets (for tests and benchmarks). */
export interface NetlinkIpvsCounters {
  requests: number;
  datagrams: number;
  /**
   * performance.now() when the last datagram of plain requests was sent (0: none yet). Generic
   * netlink runs a datagram's requests inside the send: the kernel holds them from then on.
   */
  sentAt: number;
  /** performance.now() when the last answer to a plain request was read (0: none yet) */
  answeredAt: number;
}

/**
 * Takes one generic-netlink reply of a request in place: its attributes are buf[off, end).
 * Replies are decoded straight from the received datagram, without per-message objects.
 */
type Collect = (buf: Buffer, off: number, end: number) => void;

interface Job {
  op: string;
  req: IpvsRequest;
  collect: Collect | undefined;
  resolve: () => void;
  reject: (e: Error) => void;
}

interface InFlight {
  job: Job;
}

interface Lane {
  sock: RawNetlinkSocket;
  /** dump lanes take dumps and gets; the others plain requests */
  dump: boolean;
  /** requests sent on this socket and not answered yet, by sequence number */
  inflight: Map<number, InFlight>;
  /** sequence number of the request that closes the batch in flight (plain sockets) */
  lastSeq: number;
  started: number;
  /**
   * The datagram buffer, kept for the lane's next datagram: a fresh one per datagram was an
   * ArrayBuffer outside the pool each time (a batch of 64 destinations is ~9 KB), which cost a
   * reload's apply milliseconds under emulation. Reused only once every request it carried
   * is answered (the kernel read it: netlink runs a request inside the send); dropped when the
   * lane fails or times out instead.
   */
  buf: Buffer | undefined;
}

/**
 * Read size of the plain-request sockets: one read per acknowledgement (no size peek).
 * An ACK is 36 bytes; an error acknowledgement echoes the request, and if one were ever
 * longer its header still carries the sequence number and errno (see onTruncated).
 */
const ACK_READ_SIZE = 512;

/** A lane's first datagram buffer: a batch of 64 destination requests fits. */
const SEND_BUF_MIN = 16 * 1024;

function errnoOf(e: unknown): number {
  if (typeof e === 'object' && e !== null && 'errno' in e && typeof e.errno === 'number') return Math.abs(e.errno);
  return 0;
}

export class NetlinkIpvs implements IpvsKernel, IpvsDestNests, IpvsOpBatch {
  private readonly lanes: Lane[] = [];
  /** open sockets for plain requests and for dumps, and at most how many of each */
  private readonly laneCount = [0, 0];
  private readonly laneMax: [number, number];
  /** the IPVS family id, once the controller has named it */
  private family = 0;
  /** waiting plain requests and waiting dumps */
  private readonly queues: [Job[], Job[]] = [[], []];
  private readonly heads = [0, 0];
  private seq = Math.floor(Math.random() * 0x3fffffff);
  private busy = 0;
  private watchdog: NodeJS.Timeout | undefined;
  /** the watchdog will fire (made or refreshed, not fired since) */
  private watchdogArmed = false;
  /** the watchdog keeps the process alive (requests outstanding) */
  private watchdogHeld = false;
  private pumpQueued = false;
  private closed = false;
  readonly counters: NetlinkIpvsCounters = { requests: 0, datagrams: 0, sentAt: 0, answeredAt: 0 };

  private constructor(
    private readonly timeoutMs: number,
    sockets: number,
    dumpSockets: number,
    private readonly recvBufferSize: number,
    private readonly pipeline: number,
    private readonly recvMessageSize: number,
    private readonly ackReadSize: number,
  ) {
    this.laneMax = [sockets, dumpSockets];
  }

  /** A new socket for plain requests (q 0) or dumps (q 1). */
  private openLane(q: number): Lane {
    const dump = q === 1;
    const readSize = dump ? this.recvMessageSize : this.ackReadSize;
    const sock = new RawNetlinkSocket(NETLINK_GENERIC, {
      recvBufferSize: this.recvBufferSize, sendBufferSize: 256 * 1024,
      ...(readSize > 0 ? { messagePeeking: false, msgBufferSize: readSize } : {}),
    });
    const lane: Lane = { sock, dump, inflight: new Map(), lastSeq: -1, started: 0, buf: undefined };
    sock.on('message', (buf) => this.onData(lane, buf));
    sock.on('truncatedMessage', (buf, info) => this.onTruncated(lane, buf, info.truncated ?? 0, readSize));
    sock.on('error', (err) => this.failLane(lane, (f) => new IpvsError(f.job.op, f.job.req.what, errnoOf(err) || 5, err.message)));
    // The watchdog timer keeps the process alive while requests are outstanding.
    sock.unref();
    this.lanes.push(lane);
    this.laneCount[q]++;
    return lane;
  }

  static async open(opts: NetlinkIpvsOptions = {}): Promise<NetlinkIpvs> {
    const k = new NetlinkIpvs(
      opts.timeoutMs ?? 10_000, Math.max(1, opts.sockets ?? 32), Math.max(1, opts.dumpSockets ?? 4),
      opts.recvBufferSize ?? 1024 * 1024, Math.max(1, opts.pipeline ?? 64), opts.recvMessageSize ?? 32 * 1024,
      Math.max(NLMSG_HDRLEN + 4, opts.ackReadSize ?? ACK_READ_SIZE),
    );
    try {
      k.family = await k.resolveFamily(IPVS_GENL_NAME);
    } catch (e) {
      k.close();
      if (e instanceof IpvsError && e.errno === 2) throw new IpvsError('resolve', `generic netlink family ${IPVS_GENL_NAME}`, 2, 'is the ip_vs module loaded?');
      throw e;
    }
    return k;
  }

  /** The family id the generic-netlink controller gives a name (ENOENT: no such family). */
  private async resolveFamily(name: string): Promise<number> {
    let id = 0;
    await this.run('resolve', requests.getFamily(name), (buf, off, end) => {
      const at = findAttrAt(buf, off, end, CTRL_ATTR_FAMILY_ID);
      if (at >= 0 && attrLenAt(buf, at) >= 2) id = buf.readUInt16LE(at);
    });
    if (!id) throw new IpvsError('resolve', `generic netlink family ${name}`, 2, 'no family id in reply');
    return id;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const err = new IpvsError('close', 'netlink socket', 9, 'socket closed');
    for (const l of this.lanes) {
      this.failLane(l, () => err);
      l.sock.close();
    }
    for (let q = 0; q < 2; q++) this.rejectQueued(q, err);
    this.pump();
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = undefined;
    this.watchdogArmed = this.watchdogHeld = false;
  }

  /** One request answered: ACK/DONE (err undefined) or an error. */
  private complete(lane: Lane, seq: number, err?: Error): void {
    const f = lane.inflight.get(seq);
    if (!f) return;
    lane.inflight.delete(seq);
    if (err) f.job.reject(err);
    else f.job.resolve();
    if (lane.inflight.size === 0) {
      this.busy--;
      this.pump();
    }
  }

  /**
   * The kernel's answer to one request. Only a batch's last plain request asks for an
   * acknowledgement; the others answer only when they fail, and the kernel runs and answers
   * a datagram's requests in order: once the last is answered, the silent ones succeeded.
   */
  private answered(lane: Lane, seq: number, err: Error | undefined): void {
    if (!lane.dump) this.counters.answeredAt = performance.now();
    if (seq !== lane.lastSeq || lane.dump) {
      this.complete(lane, seq, err);
      return;
    }
    for (const s of [...lane.inflight.keys()]) if (s !== seq) this.complete(lane, s);
    this.complete(lane, seq, err);
  }

  private failLane(lane: Lane, errFor: (f: InFlight) => Error): void {
    // a datagram the kernel may not have read yet: its buffer is not written again
    lane.buf = undefined;
    for (const seq of [...lane.inflight.keys()]) this.complete(lane, seq, errFor(lane.inflight.get(seq)!));
  }

  /**
   * A datagram longer than the read lost its tail. An error acknowledgement (it echoes the
   * request) still has its sequence number and errno up front; anything else fails what
   * was outstanding on the socket.
   */
  private onTruncated(lane: Lane, buf: Buffer, size: number, readSize: number): void {
    if (buf.length >= NLMSG_HDRLEN + 4 && buf.readUInt16LE(4) === NLMSG_ERROR) {
      const seq = buf.readUInt32LE(8);
      const f = lane.inflight.get(seq);
      const code = buf.readInt32LE(NLMSG_HDRLEN);
      if (f) this.answered(lane, seq, code < 0 ? new IpvsError(f.job.op, f.job.req.what, -code) : undefined);
      return;
    }
    this.failLane(lane, (f) => new IpvsError(f.job.op, f.job.req.what, 90, `netlink datagram of ${size} bytes exceeds the ${readSize}-byte read`));
  }

  private onData(lane: Lane, buf: Buffer): void {
    let off = 0;
    while (off + NLMSG_HDRLEN <= buf.length) {
      const len = u32le(buf, off);
      if (len < NLMSG_HDRLEN || off + len > buf.length) {
        const msg = `malformed netlink message at offset ${off}: length ${len}`;
        this.failLane(lane, (f) => new IpvsError(f.job.op, f.job.req.what, 74, msg));
        return;
      }
      const type = u16le(buf, off + 4);
      const seq = u32le(buf, off + 8);
      const f = lane.inflight.get(seq);
      // no entry: a late reply to a request that timed out or already failed
      if (f && (type === NLMSG_ERROR || type === NLMSG_DONE)) {
        // ERROR 0 is the ACK of a plain request; DONE ends a dump.
        const code = len >= NLMSG_HDRLEN + 4 ? buf.readInt32LE(off + NLMSG_HDRLEN) : 0;
        this.answered(lane, seq, code < 0 ? new IpvsError(f.job.op, f.job.req.what, -code) : undefined);
      } else if (f && type === (f.job.req.type ?? this.family) && f.job.collect) {
        try {
          if (len < NLMSG_HDRLEN + GENL_HDRLEN) throw new Error('generic netlink message shorter than its header');
          f.job.collect(buf, off + NLMSG_HDRLEN + GENL_HDRLEN, off + len);
        } catch (e) {
          this.complete(lane, seq, new IpvsError(f.job.op, f.job.req.what, 74, e instanceof Error ? e.message : String(e)));
        }
      }
      off += (len + 3) & ~3;
    }
  }

  /**
   * Hands waiting requests to idle sockets, opening one while fewer than the maximum are
   * open; a plain-request socket takes a batch.
   */
  private pump(): void {
    this.pumpQueued = false;
    if (!this.closed) {
      for (const lane of this.lanes) {
        if (!lane.inflight.size) this.feed(lane);
      }
      for (let q = 0; q < 2; q++) {
        while (this.heads[q] < this.queues[q].length && this.laneCount[q] < this.laneMax[q]) {
          let lane: Lane;
          try {
            lane = this.openLane(q);
          } catch (e) {
            // with no socket of this kind at all, what waits for one cannot run
            if (!this.laneCount[q]) this.rejectQueued(q, new IpvsError('socket', 'netlink socket', errnoOf(e) || 24, e instanceof Error ? e.message : String(e)));
            break;
          }
          this.feed(lane);
        }
        if (this.heads[q] >= this.queues[q].length) {
          this.queues[q].length = 0;
          this.heads[q] = 0;
        }
      }
    }
    // One watchdog timer for the client's life, re-armed rather than made again: a Timeout (and
    // its clear) per apply cost every apply an allocation and an async resource. Held (ref) only
    // while requests are outstanding; idle, it may fire once more and then stays unarmed.
    const w = this.watchdog;
    if (this.busy > 0) {
      if (w === undefined) this.watchdog = setTimeout(this.watchdogFired, Math.min(1000, this.timeoutMs));
      else if (!this.watchdogHeld) {
        w.ref();
        if (!this.watchdogArmed) w.refresh();
      }
      this.watchdogHeld = true;
      this.watchdogArmed = true;
    } else if (this.watchdogHeld && w !== undefined) {
      w.unref();
      this.watchdogHeld = false;
    }
  }

  private readonly watchdogFired = (): void => {
    this.checkTimeouts();
    if (this.busy > 0 && !this.closed) this.watchdog?.refresh();
    else this.watchdogArmed = false;
  };

  /** Gives an idle socket what waits for its kind: one dump, or a batch of plain requests. */
  private feed(lane: Lane): void {
    const q = lane.dump ? 1 : 0;
    const queue = this.queues[q];
    if (this.heads[q] >= queue.length) return;
    const take = Math.min(lane.dump ? 1 : this.pipeline, queue.length - this.heads[q]);
    this.start(lane, queue.slice(this.heads[q], this.heads[q] + take));
    this.heads[q] += take;
  }

  private rejectQueued(q: number, err: Error): void {
    const queue = this.queues[q];
    while (this.heads[q] < queue.length) queue[this.heads[q]++].reject(err);
    queue.length = 0;
    this.heads[q] = 0;
  }

  /**
   * Requests queued in the same tick share datagrams: the pump runs once they are all in. A
   * microtask through a resolved promise, not queueMicrotask: that one wraps each callback in an
   * AsyncResource (async context saved and restored), a reload's first send under emulation
   * spent several ms in it (a throw in pump() still ends the process, as an unhandled rejection).
   */
  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    void RESOLVED.then(this.pumpLater);
  }

  private readonly pumpLater = (): void => this.pump();

  /** Sends the jobs as one datagram, written straight into one buffer. */
  private start(lane: Lane, jobs: Job[]): void {
    let total = 0;
    for (const job of jobs) total += genlSize(job.req.attrs.length);
    if (lane.buf === undefined || lane.buf.length < total) lane.buf = Buffer.allocUnsafe(Math.max(total, SEND_BUF_MIN));
    const bytes = lane.buf.length === total ? lane.buf : lane.buf.subarray(0, total);
    const seqs: number[] = [];
    let off = 0;
    const last = jobs.length - 1;
    for (let i = 0; i <= last; i++) {
      const job = jobs[i];
      this.seq = (this.seq + 1) >>> 0 || 1;
      const r = job.req;
      lane.inflight.set(this.seq, { job });
      seqs.push(this.seq);
      // Plain requests before a batch's last one go without NLM_F_ACK: the kernel then
      // answers them only on failure (see answered), one datagram fewer to read for each.
      const flags = lane.dump || i === last ? r.flags : r.flags & ~NLM_F_ACK;
      off = encodeGenlInto({ family: r.type ?? this.family, cmd: r.cmd, version: r.version, flags, seq: this.seq, pid: 0, attrs: r.attrs }, bytes, off);
    }
    lane.lastSeq = this.seq;
    lane.started = Date.now();
    this.busy++;
    this.counters.requests += jobs.length;
    this.counters.datagrams++;
    lane.sock.send(bytes, { port: 0 }, (err) => {
      if (!err) return;
      if (lane.buf === bytes || lane.buf?.buffer === bytes.buffer) lane.buf = undefined;
      for (const seq of seqs) {
        const f = lane.inflight.get(seq);
        if (f) this.complete(lane, seq, new IpvsError(f.job.op, f.job.req.what, errnoOf(err) || 5, err.message));
      }
    });
    if (!lane.dump) this.counters.sentAt = performance.now();
  }

  private checkTimeouts(): void {
    const now = Date.now();
    for (const lane of this.lanes) {
      if (lane.inflight.size && now - lane.started > this.timeoutMs) {
        this.failLane(lane, (f) => new IpvsError(f.job.op, f.job.req.what, 110, `no answer in ${this.timeoutMs} ms`));
      }
    }
  }

  /** Queues one request; it runs on the first idle socket. */
  private run(op: string, req: IpvsRequest, collect?: Collect): Promise<void> {
    if (this.closed) return Promise.reject(new IpvsError(op, req.what, 9, 'socket closed'));
    return new Promise<void>((resolve, reject) => {
      // Gets have replies to read, like dumps: they go to the dump sockets.
      this.queues[collect ? 1 : 0].push({ op, req, collect, resolve, reject });
      this.schedulePump();
    });
  }

  /** Queues every operation's request at once; they share datagrams like any plain requests. */
  runOps(ops: readonly IpvsOp[], failed: (op: IpvsOp, error: Error) => void): Promise<void> {
    if (!ops.length) return Promise.resolve();
    if (this.closed) {
      for (const o of ops) failed(o, new IpvsError(o.op, opRequest(o).what, 9, 'socket closed'));
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.queueOps(ops, failed, resolve);
      this.schedulePump();
    });
  }

  /**
   * runOps's requests onto the plain queue. The loop is the method's last statement: the first
   * apply (every server) may make it hot enough for V8 to compile it on-stack, and code after
   * such a loop that had not run yet would deoptimise every later call that enters it.
   */
  private queueOps(ops: readonly IpvsOp[], failed: (op: IpvsOp, error: Error) => void, resolve: () => void): void {
    let left = ops.length;
    const done = (): void => {
      if (--left === 0) resolve();
    };
    const queue = this.queues[0];
    for (const o of ops) {
      queue.push({ op: o.op, req: opRequest(o), collect: undefined, resolve: done, reject: (e) => { failed(o, e); done(); } });
    }
  }

  /** A request whose few replies are wanted as messages (info, get, small dumps). */
  private async replies(op: string, req: IpvsRequest): Promise<GenlMessage[]> {
    const out: GenlMessage[] = [];
    await this.run(op, req, (buf, off, end) => {
      out.push({ cmd: buf[off - GENL_HDRLEN], version: buf[off - GENL_HDRLEN + 1], attrs: buf.subarray(off, end) });
    });
    return out;
  }

  /** Each reply's top-level nest of `type`, decoded in place. */
  private async nests<T>(op: string, req: IpvsRequest, type: number, what: string, decode: (buf: Buffer, off: number, end: number) => T): Promise<T[]> {
    const out: T[] = [];
    await this.run(op, req, (buf, off, end) => {
      const at = findAttrAt(buf, off, end, type);
      if (at < 0) throw new Error(`reply without ${what} attribute`);
      out.push(decode(buf, at, at + attrLenAt(buf, at)));
    });
    return out;
  }

  private static nest(m: GenlMessage, type: number, what: string): Buffer {
    const at = findAttrAt(m.attrs, 0, m.attrs.length, type);
    if (at < 0) throw new Error(`reply without ${what} attribute`);
    return m.attrs.subarray(at, at + attrLenAt(m.attrs, at));
  }

  async info(): Promise<IpvsInfo> {
    const [m] = await this.replies('info', requests.getInfo());
    if (!m) throw new IpvsError('info', 'IPVS info', 61, 'empty reply');
    return decodeInfo(Attrs.parse(m.attrs));
  }
  async services(): Promise<IpvsServiceEntry[]> {
    return this.nests('listServices', requests.dumpServices(), CmdAttr.SERVICE, 'service', decodeServiceAt);
  }
  async service(key: IpvsService): Promise<IpvsServiceEntry> {
    const req = requests.getService(key);
    const [s] = await this.nests('getService', req, CmdAttr.SERVICE, 'service', decodeServiceAt);
    if (!s) throw new IpvsError('getService', req.what, 3, 'empty reply');
    return s;
  }
  async dests(s: IpvsService): Promise<IpvsDestEntry[]> {
    const out: IpvsDestEntry[] = [];
    await this.eachDestNest(s, (buf, off, end) => out.push(decodeDestAt(buf, off, end, s.af)));
    return out;
  }
  async eachDestNest(s: IpvsService, fn: (buf: Buffer, off: number, end: number) => void): Promise<void> {
    await this.run('listDests', requests.dumpDests(s), (buf, off, end) => {
      const at = findAttrAt(buf, off, end, CmdAttr.DEST);
      if (at < 0) throw new Error('reply without dest attribute');
      fn(buf, at, at + attrLenAt(buf, at));
    });
  }
  async table(): Promise<IpvsVirtualEntry[]> {
    const services = await this.services();
    // One dump per service; they overlap across the socket pool.
    const dests = await Promise.all(services.map((s) => this.dests(s)));
    return services.map((service, i) => ({ service, dests: dests[i] }));
  }
  async addService(s: IpvsService): Promise<void> {
    await this.run('addService', requests.newService(s));
  }
  async editService(s: IpvsService): Promise<void> {
    await this.run('editService', requests.setService(s));
  }
  async deleteService(s: IpvsService): Promise<void> {
    await this.run('deleteService', requests.delService(s));
  }
  async addDest(s: IpvsService, d: IpvsDest): Promise<void> {
    await this.run('addDest', requests.newDest(s, d));
  }
  async editDest(s: IpvsService, d: IpvsDest): Promise<void> {
    await this.run('editDest', requests.setDest(s, d));
  }
  async deleteDest(s: IpvsService, d: IpvsDest): Promise<void> {
    await this.run('deleteDest', requests.delDest(s, d));
  }
  async flush(): Promise<void> {
    await this.run('flush', requests.flush());
  }
  async zero(s?: IpvsService): Promise<void> {
    await this.run('zero', requests.zero(s));
  }
  async timeouts(): Promise<IpvsTimeouts> {
    const [m] = await this.replies('getTimeouts', requests.getTimeouts());
    if (!m) throw new IpvsError('getTimeouts', 'timeouts', 61, 'empty reply');
    return decodeTimeouts(Attrs.parse(m.attrs));
  }
  async setTimeouts(t: IpvsTimeouts): Promise<void> {
    await this.run('setTimeouts', requests.setTimeouts(t));
  }
  async daemons(): Promise<IpvsDaemon[]> {
    const ms = await this.replies('listDaemons', requests.dumpDaemons());
    const out: IpvsDaemon[] = [];
    for (const m of ms) {
      const d = decodeDaemon(Attrs.parse(NetlinkIpvs.nest(m, CmdAttr.DAEMON, 'daemon')));
      if (d) out.push(d);
    }
    return out;
  }
  async startDaemon(d: IpvsDaemon): Promise<void> {
    await this.run('startDaemon', requests.startDaemon(d));
  }
  async stopDaemon(d: Pick<IpvsDaemon, 'state' | 'mcastIfn' | 'syncId'>): Promise<void> {
    await this.run('stopDaemon', requests.stopDaemon(d));
  }
}
