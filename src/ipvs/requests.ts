// Every IPVS request lvsd sends, as (command, flags, attributes). Pure, so the bytes
// can be compared with what ipvsadm sends for the same operation.
import { keepShape } from '../../grammar/shape-keeper.js';
import { addrToBytes, writeV4 } from './addr.js';
import { AttrWriter, nlaAlign } from './attrs.js';
import {
  daemonStartAttrs, daemonStopAttrs, fwdCode, serviceAttrs, serviceKeyAttrs, timeoutAttrs, TUN_FLAGS, TUN_TYPES,
} from './codec.js';
import {
  Cmd, CmdAttr, CTRL_ATTR_FAMILY_NAME, CTRL_CMD_GETFAMILY, CTRL_VERSION, DestAttr, GENL_ID_CTRL, NLA_F_NESTED, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST,
} from './constants.js';
import { describeDest, describeService, serviceRef } from './model.js';
import type { IpvsOp } from './reconcile.js';
import type { IpvsDaemon, IpvsDest, IpvsService, IpvsTimeouts } from './types.js';

export interface IpvsRequest {
  cmd: number;
  flags: number;
  attrs: Buffer;
  /** message type and genl version when not IPVS's (the controller's family lookup) */
  type?: number;
  version?: number;
  /** the object the request is about, for error messages (computed only when read) */
  readonly what: string;
}

const ACK = NLM_F_REQUEST | NLM_F_ACK;
const DUMP = NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP;

function withService(s: IpvsService): AttrWriter {
  return new AttrWriter().nest(CmdAttr.SERVICE, serviceAttrs(s));
}
// Destination commands name their service by key; thousands of them share one service
// object, so its encoding is kept per object.
const refCache = new WeakMap<IpvsService, Buffer>();
function serviceRefBytes(s: IpvsService): Buffer {
  let b = refCache.get(s);
  if (!b) {
    b = serviceAttrs(serviceRef(s)).toBuffer();
    refCache.set(s, b);
  }
  return b;
}
function nlaHeader(b: Buffer, at: number, len: number, type: number): void {
  b[at] = len & 0xff;
  b[at + 1] = len >>> 8;
  b[at + 2] = type & 0xff;
  b[at + 3] = type >>> 8;
}
function le32(b: Buffer, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}
/** A 6-byte network-order port attribute and its padding at `at` (range-checked as AttrWriter does). */
function be16Attr(b: Buffer, at: number, type: number, v: number): void {
  check16(v, 'be16', type);
  nlaHeader(b, at, 6, type);
  b[at + 4] = v >>> 8;
  b[at + 5] = v & 0xff;
  b[at + 6] = 0;
  b[at + 7] = 0;
}
/** AttrWriter's range check of a 16-bit attribute (same error). */
function check16(v: number, what: string, type: number): void {
  if (v !== (v & 0xffff)) throw new RangeError(`${what} attribute ${type}: ${v} out of range`);
}
/** The destination nest's ten attributes as destAttrs writes them: 92 bytes with their padding. */
const DEST_ATTRS_LEN = 92;
/**
 * The service-by-key nest, then the destination nest, as AttrWriter and destAttrs lay them out,
 * written into one buffer of the exact size: a restore or apply of 10,000 destinations makes
 * 10,000 of these, mostly as cold code in a fresh `lvsd ipvs` process. Same bytes, same
 * range errors (test/unit/ipvs/requests.test.ts compares both over generated destinations).
 */
export function withServiceDest(s: IpvsService, d: IpvsDest): Buffer {
  const svc = serviceRefBytes(s);
  const svcLen = 4 + svc.length;
  const b = Buffer.allocUnsafe(nlaAlign(svcLen) + 4 + DEST_ATTRS_LEN);
  nlaHeader(b, 0, svcLen, CmdAttr.SERVICE | NLA_F_NESTED);
  svc.copy(b, 4);
  let o = nlaAlign(svcLen);
  for (let i = svcLen; i < o; i++) b[i] = 0;
  nlaHeader(b, o, 4 + DEST_ATTRS_LEN, CmdAttr.DEST | NLA_F_NESTED);
  o += 4;
  check16(d.af, 'u16', DestAttr.ADDR_FAMILY);
  nlaHeader(b, o, 6, DestAttr.ADDR_FAMILY);
  b[o + 4] = d.af & 0xff;
  b[o + 5] = d.af >>> 8;
  b[o + 6] = 0;
  b[o + 7] = 0;
  nlaHeader(b, o + 8, 20, DestAttr.ADDR);
  for (let i = o + 12; i < o + 28; i += 4) le32(b, i, 0);
  if (!writeV4(d.addr, b, o + 12)) addrToBytes(d.addr).copy(b, o + 12);
  be16Attr(b, o + 28, DestAttr.PORT, d.port);
  nlaHeader(b, o + 36, 8, DestAttr.FWD_METHOD);
  le32(b, o + 40, fwdCode(d.fwd));
  nlaHeader(b, o + 44, 8, DestAttr.WEIGHT);
  le32(b, o + 48, d.weight);
  nlaHeader(b, o + 52, 5, DestAttr.TUN_TYPE);
  le32(b, o + 56, TUN_TYPES.indexOf(d.tunType) & 0xff);
  be16Attr(b, o + 60, DestAttr.TUN_PORT, d.tunPort);
  const tunFlags = TUN_FLAGS.indexOf(d.tunFlags);
  check16(tunFlags, 'u16', DestAttr.TUN_FLAGS);
  nlaHeader(b, o + 68, 6, DestAttr.TUN_FLAGS);
  b[o + 72] = tunFlags & 0xff;
  b[o + 73] = tunFlags >>> 8;
  b[o + 74] = 0;
  b[o + 75] = 0;
  nlaHeader(b, o + 76, 8, DestAttr.U_THRESH);
  le32(b, o + 80, d.uThreshold);
  nlaHeader(b, o + 84, 8, DestAttr.L_THRESH);
  le32(b, o + 88, d.lThreshold);
  return b;
}
const svcWhat = (s: IpvsService): string => `service ${describeService(s)}`;
const destWhat = (s: IpvsService, d: IpvsDest): string =>
  `destination ${describeDest(d)} of service ${describeService(s)}`;

/**
 * A destination request: `what` on the prototype. An object literal with a getter is built by
 * a runtime call each time, a class instance is not (a reload's edits make one per change,
 * mostly as code running for the first time).
 */
class DestRequest implements IpvsRequest {
  readonly flags = ACK;
  constructor(readonly cmd: number, readonly attrs: Buffer, private readonly s: IpvsService, private readonly d: IpvsDest) {
    // (requests live for one apply: the last is kept, so their map outlives it, see shape-keeper.ts)
    keepShape('ipvs dest request', this);
  }
  get what(): string {
    return destWhat(this.s, this.d);
  }
}

export const requests = {
  /** the generic-netlink controller's lookup of a family id by name */
  getFamily: (name: string): IpvsRequest => ({
    cmd: CTRL_CMD_GETFAMILY, flags: ACK, type: GENL_ID_CTRL, version: CTRL_VERSION,
    attrs: new AttrWriter().str(CTRL_ATTR_FAMILY_NAME, name).toBuffer(), get what() { return `generic netlink family ${name}`; },
  }),
  newService: (s: IpvsService): IpvsRequest => ({ cmd: Cmd.NEW_SERVICE, flags: ACK, attrs: withService(s).toBuffer(), get what() { return svcWhat(s); } }),
  setService: (s: IpvsService): IpvsRequest => ({ cmd: Cmd.SET_SERVICE, flags: ACK, attrs: withService(s).toBuffer(), get what() { return svcWhat(s); } }),
  delService: (s: IpvsService): IpvsRequest => ({ cmd: Cmd.DEL_SERVICE, flags: ACK, attrs: withService(serviceRef(s)).toBuffer(), get what() { return svcWhat(s); } }),
  getService: (s: IpvsService): IpvsRequest => ({ cmd: Cmd.GET_SERVICE, flags: ACK, attrs: withService(serviceRef(s)).toBuffer(), get what() { return svcWhat(s); } }),
  dumpServices: (): IpvsRequest => ({ cmd: Cmd.GET_SERVICE, flags: DUMP, attrs: Buffer.alloc(0), get what() { return 'service table'; } }),
  newDest: (s: IpvsService, d: IpvsDest): IpvsRequest => new DestRequest(Cmd.NEW_DEST, withServiceDest(s, d), s, d),
  setDest: (s: IpvsService, d: IpvsDest): IpvsRequest => new DestRequest(Cmd.SET_DEST, withServiceDest(s, d), s, d),
  delDest: (s: IpvsService, d: IpvsDest): IpvsRequest => new DestRequest(Cmd.DEL_DEST, withServiceDest(s, d), s, d),
  dumpDests: (s: IpvsService): IpvsRequest => ({
    cmd: Cmd.GET_DEST, flags: DUMP,
    attrs: new AttrWriter().nest(CmdAttr.SERVICE, serviceKeyAttrs(s)).toBuffer(),
    get what() { return `destinations of service ${describeService(s)}`; },
  }),
  startDaemon: (d: IpvsDaemon): IpvsRequest => ({
    cmd: Cmd.NEW_DAEMON, flags: ACK,
    attrs: new AttrWriter().nest(CmdAttr.DAEMON, daemonStartAttrs(d)).toBuffer(),
    get what() { return `${d.state} sync daemon`; },
  }),
  stopDaemon: (d: Pick<IpvsDaemon, 'state' | 'mcastIfn' | 'syncId'>): IpvsRequest => ({
    cmd: Cmd.DEL_DAEMON, flags: ACK,
    attrs: new AttrWriter().nest(CmdAttr.DAEMON, daemonStopAttrs(d)).toBuffer(),
    get what() { return `${d.state} sync daemon`; },
  }),
  dumpDaemons: (): IpvsRequest => ({ cmd: Cmd.GET_DAEMON, flags: DUMP, attrs: Buffer.alloc(0), get what() { return 'sync daemons'; } }),
  setTimeouts: (t: IpvsTimeouts): IpvsRequest => ({ cmd: Cmd.SET_CONFIG, flags: ACK, attrs: timeoutAttrs(t).toBuffer(), get what() { return 'timeouts'; } }),
  getTimeouts: (): IpvsRequest => ({ cmd: Cmd.GET_CONFIG, flags: ACK, attrs: Buffer.alloc(0), get what() { return 'timeouts'; } }),
  getInfo: (): IpvsRequest => ({ cmd: Cmd.GET_INFO, flags: ACK, attrs: Buffer.alloc(0), get what() { return 'IPVS info'; } }),
  zero: (s?: IpvsService): IpvsRequest => ({
    cmd: Cmd.ZERO, flags: ACK, attrs: s ? withService(serviceRef(s)).toBuffer() : Buffer.alloc(0),
    get what() { return s ? `counters of ${svcWhat(s)}` : 'all counters'; },
  }),
  flush: (): IpvsRequest => ({ cmd: Cmd.FLUSH, flags: ACK, attrs: Buffer.alloc(0), get what() { return 'service table'; } }),
};

/** The request that carries out one of reconcile's operations. */
export function opRequest(o: IpvsOp): IpvsRequest {
  switch (o.op) {
    case 'addService': return requests.newService(o.service);
    case 'editService': return requests.setService(o.service);
    case 'deleteService': return requests.delService(o.service);
    case 'addDest': return requests.newDest(o.service, o.dest);
    case 'editDest': return requests.setDest(o.service, o.dest);
    case 'deleteDest': return requests.delDest(o.service, o.dest);
  }
}
