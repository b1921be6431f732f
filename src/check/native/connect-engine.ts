// The TCP connect engine of lvsd's own addon (probe.c, build/Release/lvsd_probe.node): the
// one edge TCP_CHECK's connects go through. A check costs its system calls and one slot here;
// Node's per-connection handle machinery (a TCPWrap and a connect request per attempt, a
// callback per completion, a handle close) cost more than the check itself under emulation.
// Completions come in batches: one call per readiness of the engine's epoll fd, whatever the
// number of connects that finished, each read as a (slot, status) pair from a shared array.
import { addonLoader } from '../../net/native-addon.js';

export interface NativeConnectEngine {
  /** (slot, status) pairs of the batch being reported: status 0 or -errno */
  readonly results: Int32Array;
  /** 0: in flight; 1: connected at once (closed); < 0: -errno, failed at once */
  connect(slot: number, sockaddr: Buffer, bind: Buffer | null, mark: number): number;
  cancel(slot: number): void;
  inFlight(): number;
  close(): void;
}

export interface ProbeAddon {
  create(onBatch: (count: number) => void, capacity: number): NativeConnectEngine;
  /** struct sockaddr_in/in6 of an IP literal (IPv6 may carry %scope); throws otherwise */
  sockaddr(addr: string, port: number): Buffer;
}

const loader = addonLoader<ProbeAddon>('lvsd_probe.node', 'LVSD_PROBE_ADDON');
export const findProbeAddon = loader.find;
export const loadProbeAddon = loader.load;

/** Who waits for a connect: told once, with 0 or -errno (not when its attempt was cancelled). */
export interface ConnectOwner {
  connectDone(status: number): void;
}

/** Results per batch at most; more ready connects are taken on the next loop turn. */
const BATCH = 1024;

export class ConnectEngine {
  private readonly native: NativeConnectEngine;
  private readonly results: Int32Array;
  /** owner of each slot in flight */
  private owners: Array<ConnectOwner | undefined> = [];
  /** slots free for reuse (a stack) */
  private free: number[] = [];

  constructor(addon: ProbeAddon = loadProbeAddon(), capacity = BATCH) {
    this.native = addon.create((n) => this.batch(n), capacity);
    this.results = this.native.results;
  }

  /**
   * Starts a connect for `owner`: the slot it waits in (cancel() it on timeout), or -1 when it
   * ended within the call (owner.connectDone has been called then).
   */
  connect(owner: ConnectOwner, sockaddr: Buffer, bind: Buffer | null, mark: number): number {
    const slot = this.free.length > 0 ? (this.free.pop() as number) : this.owners.length;
    let r: number;
    try {
      r = this.native.connect(slot, sockaddr, bind, mark);
    } catch (e) {
      if (slot < this.owners.length) this.free.push(slot);
      throw e;
    }
    if (r !== 0) {
      if (slot < this.owners.length) this.free.push(slot);
      owner.connectDone(r === 1 ? 0 : r);
      return -1;
    }
    if (slot === this.owners.length) this.owners.push(owner);
    else this.owners[slot] = owner;
    return slot;
  }

  /** Ends the attempt in `slot` unreported (its socket is closed). */
  cancel(slot: number): void {
    if (this.owners[slot] === undefined) return;
    this.native.cancel(slot);
    this.release(slot);
  }

  /** attempts in flight (the addon's count) */
  inFlight(): number {
    return this.native.inFlight();
  }

  /** slots ever handed out (tests: slots are reused) */
  slotsMade(): number {
    return this.owners.length;
  }

  close(): void {
    this.native.close();
    this.owners = [];
    this.free = [];
  }

  private release(slot: number): void {
    this.owners[slot] = undefined;
    this.free.push(slot);
  }

  private batch(n: number): void {
    const res = this.results;
    for (let k = 0; k < n; k++) {
      const slot = res[2 * k];
      const owner = this.owners[slot];
      if (owner === undefined) continue;
      this.release(slot);
      owner.connectDone(res[2 * k + 1]);
    }
  }
}

let shared: ConnectEngine | undefined;

/** The process-wide engine the probes share (made on first use). */
export function connectEngine(): ConnectEngine {
  return (shared ??= new ConnectEngine());
}
