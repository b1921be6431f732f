// The one rtnetlink edge: request/ACK and dumps over a NETLINK_ROUTE socket from the
// `netlink` package. Kernel refusals become RtnlError with the errno kept (the package's own
// check throws a plain Error with only the name), so callers can treat EEXIST and friends.
import { constants as os } from 'node:os';
import { createNetlink, Protocol, rt, type NetlinkSocket, type NetlinkMessage } from 'netlink';
import { NLMSG_ERROR } from './constants.js';
import type { RtnlRequest } from './request.js';

const NLM_F_DUMP = 0x300;
const DEFAULT_TIMEOUT_MS = 2000;

export class RtnlError extends Error {
  readonly errno: number;
  readonly code: string;
  constructor(what: string, errno: number) {
    const code = Object.entries(os.errno).find(([, n]) => n === errno)?.[0] ?? `E${errno}`;
    super(`${what}: ${code}`);
    this.name = 'RtnlError';
    this.errno = errno;
    this.code = code;
  }
}

export class RtnlSocket {
  private readonly nl: NetlinkSocket;
  private closed = false;

  constructor() {
    this.nl = createNetlink(Protocol.ROUTE);
  }

  /** Sends one request and waits for its ACK (returns []) or its reply messages. */
  async request(req: RtnlRequest, what: string, timeout = DEFAULT_TIMEOUT_MS): Promise<rt.Message[]> {
    return this.exchange(req.type, req.flags, req.body, what, timeout);
  }

  /**
   * A request that may find its work done already: false when the kernel refuses with one of
   * `already` (EEXIST on an add, ESRCH/ENOENT/EADDRNOTAVAIL on a remove), true when it acted.
   */
  async settle(req: RtnlRequest, what: string, already: readonly number[]): Promise<boolean> {
    try {
      await this.request(req, what);
      return true;
    } catch (e) {
      if (e instanceof RtnlError && already.includes(e.errno)) return false;
      throw e;
    }
  }

  /** A dump (NLM_F_DUMP) of one message type. */
  async dump(type: number, header: Buffer, what: string, timeout = DEFAULT_TIMEOUT_MS): Promise<rt.Message[]> {
    return this.exchange(type, NLM_F_DUMP, header, what, timeout);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.nl.close();
  }

  private async exchange(type: number, flags: number, data: Buffer, what: string, timeout: number): Promise<rt.Message[]> {
    if (this.closed) throw new Error(`${what}: rtnetlink socket closed`);
    const [msgs] = await this.nl.request(type, data, { flags, timeout, checkError: false });
    const out: rt.Message[] = [];
    for (const m of msgs) {
      if (m.type === NLMSG_ERROR) {
        const errno = -errnoOf(m);
        if (errno !== 0) throw new RtnlError(what, errno);
        continue;
      }
      out.push(rt.parseMessage(m.type, m.data));
    }
    return out;
  }
}

function errnoOf(m: NetlinkMessage): number {
  if (m.data.length < 4) throw new Error('short netlink error message');
  return m.data.readInt32LE(0);
}
