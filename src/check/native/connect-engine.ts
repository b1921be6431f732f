// The TCP connect engine of lvsd's own addon (probe.c, build/Release/lvsd_probe.node): the
// one edge TCP_CHECK's connects go through. A check costs its system calls and one slot here;
// Node's per-connection handle machinery (a TCPWrap and a connect request per attempt, a
// callback per completion, a handle close) cost more than the check itself under emulation.
// Completions come in batches: one call per readiness of the engine's epoll fd, whatever the
// number of connects that finished, each read as a record (slot, kind, a, b) from a shared
// array. HTTP_GET's plain exchange uses it too: the request is written and the response read
// in C; response chunks come as (offset, length) in the engine's data buffer, valid during
// the batch's call only.
import { addonLoader } from '../../net/native-addon.js';
import { SlotTable } from './slot-table.js';
import type { NativeTimedEngine } from './timed-checks.js';

/** result kinds (probe.c's R_*) */
export const R_DONE = 0; // connect only: a = 0 or -errno
export const R_FAIL = 1; // exchange failed: a = -errno, b = phase (P_*)
export const R_CONNECTED = 2; // exchange connected, the request waits for room
export const R_SENT = 3; // exchange's request written
export const R_DATA = 4; // response bytes: a = offset in data, b = length
export const R_EOF = 5; // the response ended
/** phases of R_FAIL */
export const P_CONNECT = 0;
export const P_SEND = 1;
export const P_READ = 2;
/** R_FAIL / R_DONE reported by connect() itself: socket, bind or connect failed within the call */
export const P_AT_ONCE = 3;

/** What both kinds of engine object (probe.c make_engine) have. */
export interface NativeBatchEngine {
  /** (slot, kind, a, b) records of the batch being reported */
  readonly results: Int32Array;
  /** response chunks of the batch being reported */
  readonly data: Buffer;
  /** attempts in flight */
  inFlight(): number;
  close(): void;
}

export interface NativeConnectEngine extends NativeBatchEngine {
  /**
   * 0: in flight; 1: connected at once (closed; connect only); < 0: -errno, failed at once.
   * With a request: an exchange (write it once connected, read the response).
   */
  connect(slot: number, sockaddr: Buffer, bind: Buffer | null, mark: number, request?: Buffer | null): number;
  cancel(slot: number): void;
}

export interface ProbeAddon {
  create(onBatch: (count: number) => void, capacity: number): NativeConnectEngine;
  /** the timed engine (timed-checks.ts) */
  createTimed(
    onBatch: (count: number) => void,
    capacity: number,
    quantumUs: number,
    maxInFlight: number,
    latencyBoundsUs: Float64Array,
  ): NativeTimedEngine;
  /** struct sockaddr_in/in6 of an IP literal (IPv6 may carry %scope); throws otherwise */
  sockaddr(addr: string, port: number): Buffer;
}

const loader = addonLoader<ProbeAddon>('lvsd_probe.node', 'LVSD_PROBE_ADDON');
export const findProbeAddon = loader.find;
export const loadProbeAddon = loader.load;

/**
 * Who waits for an attempt: told each result of it (R_* kind, a, b; see above), never after
 * R_DONE, R_FAIL or R_EOF, nor after it cancelled the attempt. `data`: the engine's chunk buffer.
 */
export interface EngineOwner {
  engineEvent(kind: number, a: number, b: number, data: Buffer): void;
}

/** Results per batch at most; more ready connects are taken on the next loop turn. */
const BATCH = 1536;

export class ConnectEngine {
  private readonly native: NativeConnectEngine;
  private readonly results: Int32Array;
  /** owner of each slot in flight */
  private readonly slots = new SlotTable<EngineOwner>();

  constructor(addon: ProbeAddon = loadProbeAddon(), capacity = BATCH) {
    this.native = addon.create((n) => this.batch(n), capacity);
    this.results = this.native.results;
  }

  /**
   * Starts a connect for `owner` (with `request`: an exchange): the slot it waits in (cancel()
   * it on timeout), or -1 when it ended within the call (owner told R_DONE or R_FAIL with
   * b = P_AT_ONCE then).
   */
  connect(owner: EngineOwner, sockaddr: Buffer, bind: Buffer | null, mark: number, request: Buffer | null = null): number {
    const slot = this.slots.next();
    const r = this.native.connect(slot, sockaddr, bind, mark, request);
    if (r !== 0) {
      owner.engineEvent(request === null ? R_DONE : R_FAIL, r === 1 ? 0 : r, P_AT_ONCE, this.native.data);
      return -1;
    }
    this.slots.set(slot, owner);
    return slot;
  }

  /** Ends the attempt in `slot` unreported (its socket is closed). */
  cancel(slot: number): void {
    if (this.slots.get(slot) === undefined) return;
    this.native.cancel(slot);
    this.slots.release(slot);
  }

  /** attempts in flight (the addon's count) */
  inFlight(): number {
    return this.native.inFlight();
  }

  /** slots ever handed out (tests: slots are reused) */
  slotsMade(): number {
    return this.slots.made();
  }

  close(): void {
    this.native.close();
    this.slots.clear();
  }

  private batch(n: number): void {
    this.slots.reportBatch(this.report, n);
  }

  private readonly report = (n: number): void => {
    const res = this.results;
    const data = this.native.data;
    for (let k = 0, i = 0; k < n; k++, i += 4) {
      const slot = res[i];
      const owner = this.slots.get(slot);
      if (owner === undefined) continue; // cancelled earlier in this batch
      const kind = res[i + 1];
      if (kind === R_DONE || kind === R_FAIL || kind === R_EOF) this.slots.release(slot);
      owner.engineEvent(kind, res[i + 2], res[i + 3], data);
    }
  };
}

let shared: ConnectEngine | undefined;

/** The process-wide engine the probes share (made on first use). */
export function connectEngine(): ConnectEngine {
  return (shared ??= new ConnectEngine());
}
