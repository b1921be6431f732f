// IpvsKernel over generic netlink. The family id is resolved through the `netlink`
// package's controller helper; requests then go over RawNetlinkSockets with lvsd's own
// framing. By default each socket carries one request at a time and a pool of sockets
// lets independent requests (e.g. many destination edits) overlap; `pipeline` optionally
// packs several plain requests into one datagram.
import { RawNetlinkSocket, createGenericNetlink, Protocol, genl } from 'netlink';
import { Attrs } from './attrs.js';
import { decodeDaemon, decodeDest, decodeInfo, decodeService, decodeTimeouts, findAttr } from './codec.js';
import { CmdAttr, IPVS_GENL_NAME, NLM_F_DUMP, NLMSG_DONE, NLMSG_ERROR } from './constants.js';
import { IpvsError } from './errors.js';
import type { IpvsKernel } from './kernel.js';
import { encodeGenl, errorCode, parseGenl, parseNetlink, type GenlMessage } from './message.js';
import { requests, type IpvsRequest } from './requests.js';
import type {
  IpvsDaemon, IpvsDest, IpvsDestEntry, IpvsInfo, IpvsService, IpvsServiceEntry, IpvsTimeouts, IpvsVirtualEntry,
} from './types.js';

export interface NetlinkIpvsOptions {
  /** per-request limit in ms (default 10 s) */
  timeoutMs?: number;
  /** sockets in the pool, i.e. requests that may be outstanding at once (default 32) */
  sockets?: number;
  /** receive buffer per socket (default 1 MiB; dumps are flow-controlled by the kernel) */
  recvBufferSize?: number;
  /**
   * Requests per datagram (default 1: one request at a time per socket). Above 1, runs of
   * queued non-dump requests are sent together in one datagram; the kernel handles them in
   * order and acknowledges each. Dumps always travel alone.
   */
  pipeline?: number;
}

interface Job {
  op: string;
  req: IpvsRequest;
  resolve: (m: GenlMessage[]) => void;
  reject: (e: Error) => void;
}

interface InFlight {
  job: Job;
  replies: GenlMessage[];
}

interface Lane {
  sock: RawNetlinkSocket;
  /** requests sent on this socket and not answered yet, by sequence number */
  inflight: Map<number, InFlight>;
  started: number;
}

const isDump = (r: IpvsRequest): boolean => (r.flags & NLM_F_DUMP) === NLM_F_DUMP;

function errnoOf(e: unknown): number {
  if (typeof e === 'object' && e !== null && 'errno' in e && typeof e.errno === 'number') return Math.abs(e.errno);
  return 0;
}

/** Generic-netlink family id of IPVS (ENOENT when ip_vs is not loaded). */
export async function resolveIpvsFamily(timeoutMs = 5000): Promise<number> {
  const g = createGenericNetlink();
  try {
    const [fam] = await g.ctrlRequest(genl.Commands.GET_FAMILY, { familyName: IPVS_GENL_NAME }, { timeout: timeoutMs });
    if (!fam || typeof fam.familyId !== 'number') throw new IpvsError('resolve', 'family IPVS', 2, 'no family id in reply');
    return fam.familyId;
  } catch (e) {
    if (e instanceof IpvsError) throw e;
    throw new IpvsError('resolve', 'generic netlink family IPVS', errnoOf(e) || 2, 'is the ip_vs module loaded?');
  } finally {
    g.socket.close();
  }
}

export class NetlinkIpvs implements IpvsKernel {
  private readonly lanes: Lane[] = [];
  private readonly queue: Job[] = [];
  private qHead = 0;
  private seq = Math.floor(Math.random() * 0x3fffffff);
  private busy = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly family: number,
    private readonly timeoutMs: number,
    sockets: number,
    recvBufferSize: number,
    private readonly pipeline: number,
  ) {
    for (let i = 0; i < sockets; i++) {
      const sock = new RawNetlinkSocket(Protocol.GENERIC, { recvBufferSize, sendBufferSize: 256 * 1024 });
      const lane: Lane = { sock, inflight: new Map(), started: 0 };
      sock.on('message', (buf) => this.onData(lane, buf));
      sock.on('error', (err) => this.failLane(lane, (f) => new IpvsError(f.job.op, f.job.req.what, errnoOf(err) || 5, err.message)));
      // The watchdog timer keeps the process alive while requests are outstanding.
      sock.unref();
      this.lanes.push(lane);
    }
  }

  static async open(opts: NetlinkIpvsOptions = {}): Promise<NetlinkIpvs> {
    const family = await resolveIpvsFamily();
    return new NetlinkIpvs(
      family, opts.timeoutMs ?? 10_000, Math.max(1, opts.sockets ?? 32), opts.recvBufferSize ?? 1024 * 1024,
      Math.max(1, opts.pipeline ?? 1),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const err = new IpvsError('close', 'netlink socket', 9, 'socket closed');
    for (const l of this.lanes) {
      this.failLane(l, () => err);
      l.sock.close();
    }
    while (this.qHead < this.queue.length) this.queue[this.qHead++].reject(err);
    this.queue.length = 0;
    this.qHead = 0;
    this.pump();
  }

  /** One request answered: ACK/DONE (err undefined) or an error. */
  private complete(lane: Lane, seq: number, err?: Error): void {
    const f = lane.inflight.get(seq);
    if (!f) return;
    lane.inflight.delete(seq);
    if (err) f.job.reject(err);
    else f.job.resolve(f.replies);
    if (lane.inflight.size === 0) {
      this.busy--;
      this.pump();
    }
  }

  private failLane(lane: Lane, errFor: (f: InFlight) => Error): void {
    for (const seq of [...lane.inflight.keys()]) this.complete(lane, seq, errFor(lane.inflight.get(seq)!));
  }

  private onData(lane: Lane, buf: Buffer): void {
    let msgs;
    try {
      msgs = parseNetlink(buf);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.failLane(lane, (f) => new IpvsError(f.job.op, f.job.req.what, 74, msg));
      return;
    }
    for (const m of msgs) {
      const f = lane.inflight.get(m.seq);
      if (!f) continue; // a late reply to a request that timed out
      if (m.type === NLMSG_ERROR || m.type === NLMSG_DONE) {
        // ERROR 0 is the ACK of a plain request; DONE ends a dump.
        const code = errorCode(m);
        this.complete(lane, m.seq, code < 0 ? new IpvsError(f.job.op, f.job.req.what, -code) : undefined);
      } else if (m.type === this.family) {
        try {
          f.replies.push(parseGenl(m));
        } catch (e) {
          this.complete(lane, m.seq, new IpvsError(f.job.op, f.job.req.what, 74, e instanceof Error ? e.message : String(e)));
        }
      }
    }
  }

  private pump(): void {
    if (!this.closed) {
      for (const lane of this.lanes) {
        if (this.qHead >= this.queue.length) break;
        if (lane.inflight.size) continue;
        const batch = [this.queue[this.qHead++]];
        if (!isDump(batch[0].req)) {
          while (batch.length < this.pipeline && this.qHead < this.queue.length && !isDump(this.queue[this.qHead].req)) {
            batch.push(this.queue[this.qHead++]);
          }
        }
        this.start(lane, batch);
      }
      if (this.qHead >= this.queue.length) {
        this.queue.length = 0;
        this.qHead = 0;
      }
    }
    if (this.busy > 0 && !this.watchdog) {
      this.watchdog = setInterval(() => this.checkTimeouts(), Math.min(1000, this.timeoutMs));
    } else if (this.busy === 0 && this.watchdog) {
      clearInterval(this.watchdog);
      this.watchdog = undefined;
    }
  }

  private start(lane: Lane, jobs: Job[]): void {
    const bytes: Buffer[] = [];
    const seqs: number[] = [];
    for (const job of jobs) {
      this.seq = (this.seq + 1) >>> 0 || 1;
      const r = job.req;
      lane.inflight.set(this.seq, { job, replies: [] });
      seqs.push(this.seq);
      bytes.push(encodeGenl({ family: this.family, cmd: r.cmd, flags: r.flags, seq: this.seq, pid: 0, attrs: r.attrs }));
    }
    lane.started = Date.now();
    this.busy++;
    lane.sock.send(bytes.length === 1 ? bytes[0] : Buffer.concat(bytes), { port: 0 }, (err) => {
      if (!err) return;
      for (const seq of seqs) {
        const f = lane.inflight.get(seq);
        if (f) this.complete(lane, seq, new IpvsError(f.job.op, f.job.req.what, errnoOf(err) || 5, err.message));
      }
    });
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
  private run(op: string, req: IpvsRequest): Promise<GenlMessage[]> {
    if (this.closed) return Promise.reject(new IpvsError(op, req.what, 9, 'socket closed'));
    return new Promise<GenlMessage[]>((resolve, reject) => {
      this.queue.push({ op, req, resolve, reject });
      this.pump();
    });
  }

  private static nest(m: GenlMessage, type: number, what: string): Buffer {
    const b = findAttr(m.attrs, type);
    if (!b) throw new Error(`reply without ${what} attribute`);
    return b;
  }

  async info(): Promise<IpvsInfo> {
    const [m] = await this.run('info', requests.getInfo());
    if (!m) throw new IpvsError('info', 'IPVS info', 61, 'empty reply');
    return decodeInfo(Attrs.parse(m.attrs));
  }
  async services(): Promise<IpvsServiceEntry[]> {
    const ms = await this.run('listServices', requests.dumpServices());
    return ms.map((m) => decodeService(NetlinkIpvs.nest(m, CmdAttr.SERVICE, 'service')));
  }
  async service(key: IpvsService): Promise<IpvsServiceEntry> {
    const [m] = await this.run('getService', requests.getService(key));
    if (!m) throw new IpvsError('getService', requests.getService(key).what, 3, 'empty reply');
    return decodeService(NetlinkIpvs.nest(m, CmdAttr.SERVICE, 'service'));
  }
  async dests(s: IpvsService): Promise<IpvsDestEntry[]> {
    const ms = await this.run('listDests', requests.dumpDests(s));
    return ms.map((m) => decodeDest(NetlinkIpvs.nest(m, CmdAttr.DEST, 'dest'), s.af));
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
    const [m] = await this.run('getTimeouts', requests.getTimeouts());
    if (!m) throw new IpvsError('getTimeouts', 'timeouts', 61, 'empty reply');
    return decodeTimeouts(Attrs.parse(m.attrs));
  }
  async setTimeouts(t: IpvsTimeouts): Promise<void> {
    await this.run('setTimeouts', requests.setTimeouts(t));
  }
  async daemons(): Promise<IpvsDaemon[]> {
    const ms = await this.run('listDaemons', requests.dumpDaemons());
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
