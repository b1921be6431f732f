// Every IPVS request lvsd sends, as (command, flags, attributes). Pure, so the bytes
// can be compared with what ipvsadm sends for the same operation.
import { AttrWriter } from './attrs.js';
import {
  daemonStartAttrs, daemonStopAttrs, destAttrs, serviceAttrs, serviceKeyAttrs, timeoutAttrs,
} from './codec.js';
import {
  Cmd, CmdAttr, CTRL_ATTR_FAMILY_NAME, CTRL_CMD_GETFAMILY, CTRL_VERSION, GENL_ID_CTRL, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST,
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
function withServiceDest(s: IpvsService, d: IpvsDest): Buffer {
  const w = new AttrWriter().nest(CmdAttr.SERVICE, serviceRefBytes(s));
  const nest = w.begin(CmdAttr.DEST);
  destAttrs(d, w);
  // The writer is not used again, so its bytes can be handed out without a copy.
  return w.end(nest).view();
}
const svcWhat = (s: IpvsService): string => `service ${describeService(s)}`;
const destWhat = (s: IpvsService, d: IpvsDest): string =>
  `destination ${describeDest(d)} of service ${describeService(s)}`;

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
  newDest: (s: IpvsService, d: IpvsDest): IpvsRequest => ({ cmd: Cmd.NEW_DEST, flags: ACK, attrs: withServiceDest(s, d), get what() { return destWhat(s, d); } }),
  setDest: (s: IpvsService, d: IpvsDest): IpvsRequest => ({ cmd: Cmd.SET_DEST, flags: ACK, attrs: withServiceDest(s, d), get what() { return destWhat(s, d); } }),
  delDest: (s: IpvsService, d: IpvsDest): IpvsRequest => ({ cmd: Cmd.DEL_DEST, flags: ACK, attrs: withServiceDest(s, d), get what() { return destWhat(s, d); } }),
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
