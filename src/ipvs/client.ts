// IpvsKernel over generic netlink. The family id is resolved through the `netlink`
// package's controller helper; requests then go over a RawNetlinkSocket with lvsd's
// own framing, strictly one outstanding request per socket.
import { RawNetlinkSocket, createGenericNetlink, Protocol, genl } from 'netlink';
import { Attrs } from './attrs.js';
import { decodeDaemon, decodeDest, decodeInfo, decodeService, decodeTimeouts } from './codec.js';
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
  /** socket receive buffer for large dumps (default 4 MiB) */
  recvBufferSize?: number;
}

interface Pending {
  seq: number;
  dump: boolean;
  op: string;
  what: string;
  replies: GenlMessage[];
  resolve: (m: GenlMessage[]) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

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
    const errno = errnoOf(e) || 2;
    throw new IpvsError('resolve', 'generic netlink family IPVS', errno, 'is the ip_vs module loaded?');
  } finally {
    g.socket.close();
  }
}

export class NetlinkIpvs implements IpvsKernel {
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private pending: Pending | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly sock: RawNetlinkSocket,
    private readonly family: number,
    private readonly timeoutMs: number,
  ) {
    sock.on('message', (buf) => this.onData(buf));
    sock.on('error', (err) => this.failPending(new IpvsError('socket', 'netlink socket', errnoOf(err) || 5, err.message)));
    sock.unref();
  }

  static async open(opts: NetlinkIpvsOptions = {}): Promise<NetlinkIpvs> {
    const family = await resolveIpvsFamily();
    const sock = new RawNetlinkSocket(Protocol.GENERIC, {
      recvBufferSize: opts.recvBufferSize ?? 4 * 1024 * 1024,
      sendBufferSize: 1024 * 1024,
    });
    return new NetlinkIpvs(sock, family, opts.timeoutMs ?? 10_000);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failPending(new IpvsError('close', 'netlink socket', 9, 'socket closed'));
    this.sock.close();
  }

  private failPending(e: Error): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    this.sock.unref();
    p.reject(e);
  }

  private finish(p: Pending, err?: Error): void {
    this.pending = undefined;
    clearTimeout(p.timer);
    this.sock.unref();
    if (err) p.reject(err);
    else p.resolve(p.replies);
  }

  private onData(buf: Buffer): void {
    let msgs;
    try {
      msgs = parseNetlink(buf);
    } catch (e) {
      this.failPending(new IpvsError('receive', 'netlink reply', 74, e instanceof Error ? e.message : String(e)));
      return;
    }
    for (const m of msgs) {
      const p = this.pending;
      if (!p || m.seq !== p.seq) continue; // a late reply to a request that timed out
      if (m.type === NLMSG_ERROR) {
        const code = errorCode(m);
        this.finish(p, code < 0 ? new IpvsError(p.op, p.what, -code) : undefined);
      } else if (m.type === NLMSG_DONE) {
        const code = errorCode(m);
        this.finish(p, code < 0 ? new IpvsError(p.op, p.what, -code) : undefined);
      } else if (m.type === this.family) {
        try {
          p.replies.push(parseGenl(m));
        } catch (e) {
          this.finish(p, new IpvsError(p.op, p.what, 74, e instanceof Error ? e.message : String(e)));
        }
        // A non-dump reply is followed by the ACK we asked for; a dump ends with DONE.
      }
    }
  }

  /** Sends one request and waits for its whole answer; requests queue behind each other. */
  private run(op: string, r: IpvsRequest): Promise<GenlMessage[]> {
    const next = this.tail.then(() => this.exchange(op, r));
    this.tail = next.catch(() => undefined);
    return next;
  }

  private exchange(op: string, r: IpvsRequest): Promise<GenlMessage[]> {
    if (this.closed) return Promise.reject(new IpvsError(op, r.what, 9, 'socket closed'));
    return new Promise<GenlMessage[]>((resolve, reject) => {
      this.seq = (this.seq + 1) >>> 0 || 1;
      const seq = this.seq;
      const timer = setTimeout(() => {
        if (this.pending?.seq === seq) this.failPending(new IpvsError(op, r.what, 110, `no answer in ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending = {
        seq, dump: (r.flags & NLM_F_DUMP) === NLM_F_DUMP, op, what: r.what, replies: [], resolve, reject, timer,
      };
      this.sock.ref();
      const bytes = encodeGenl({ family: this.family, cmd: r.cmd, flags: r.flags, seq, pid: 0, attrs: r.attrs });
      this.sock.send(bytes, { port: 0 }, (err) => {
        if (err && this.pending?.seq === seq) this.failPending(new IpvsError(op, r.what, errnoOf(err) || 5, err.message));
      });
    });
  }

  private static nest(m: GenlMessage, type: number, what: string): Attrs {
    return Attrs.parse(m.attrs).nested(type, what);
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
    const out: IpvsVirtualEntry[] = [];
    for (const service of await this.services()) out.push({ service, dests: await this.dests(service) });
    return out;
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
      const d = decodeDaemon(NetlinkIpvs.nest(m, CmdAttr.DAEMON, 'daemon'));
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
