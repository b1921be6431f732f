// Numeric facts from /usr/include/linux/ip_vs.h, genetlink.h and netlink.h.

export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;

export const AF_INET = 2;
export const AF_INET6 = 10;

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_SCTP = 132;

// netlink message header
export const NLMSG_HDRLEN = 16;
export const GENL_HDRLEN = 4;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP = 0x300;
export const NLA_F_NESTED = 0x8000;
export const NLA_TYPE_MASK = 0x3fff;
export const NETLINK_GENERIC = 16;

// generic-netlink controller (genetlink.h): resolves a family name to its id
export const GENL_ID_CTRL = 0x10;
export const CTRL_VERSION = 1;
export const CTRL_CMD_GETFAMILY = 3;
export const CTRL_ATTR_FAMILY_ID = 1;
export const CTRL_ATTR_FAMILY_NAME = 2;

export enum Cmd {
  NEW_SERVICE = 1,
  SET_SERVICE = 2,
  DEL_SERVICE = 3,
  GET_SERVICE = 4,
  NEW_DEST = 5,
  SET_DEST = 6,
  DEL_DEST = 7,
  GET_DEST = 8,
  NEW_DAEMON = 9,
  DEL_DAEMON = 10,
  GET_DAEMON = 11,
  SET_CONFIG = 12,
  GET_CONFIG = 13,
  SET_INFO = 14,
  GET_INFO = 15,
  ZERO = 16,
  FLUSH = 17,
}

export enum CmdAttr {
  SERVICE = 1,
  DEST = 2,
  DAEMON = 3,
  TIMEOUT_TCP = 4,
  TIMEOUT_TCP_FIN = 5,
  TIMEOUT_UDP = 6,
}

export enum SvcAttr {
  AF = 1,
  PROTOCOL = 2,
  ADDR = 3,
  PORT = 4,
  FWMARK = 5,
  SCHED_NAME = 6,
  FLAGS = 7,
  TIMEOUT = 8,
  NETMASK = 9,
  STATS = 10,
  PE_NAME = 11,
  STATS64 = 12,
}

export enum DestAttr {
  ADDR = 1,
  PORT = 2,
  FWD_METHOD = 3,
  WEIGHT = 4,
  U_THRESH = 5,
  L_THRESH = 6,
  ACTIVE_CONNS = 7,
  INACT_CONNS = 8,
  PERSIST_CONNS = 9,
  STATS = 10,
  ADDR_FAMILY = 11,
  STATS64 = 12,
  TUN_TYPE = 13,
  TUN_PORT = 14,
  TUN_FLAGS = 15,
}

export enum DaemonAttr {
  STATE = 1,
  MCAST_IFN = 2,
  SYNC_ID = 3,
  SYNC_MAXLEN = 4,
  MCAST_GROUP = 5,
  MCAST_GROUP6 = 6,
  MCAST_PORT = 7,
  MCAST_TTL = 8,
}

export enum StatsAttr {
  CONNS = 1,
  INPKTS = 2,
  OUTPKTS = 3,
  INBYTES = 4,
  OUTBYTES = 5,
  CPS = 6,
  INPPS = 7,
  OUTPPS = 8,
  INBPS = 9,
  OUTBPS = 10,
}

export enum InfoAttr {
  VERSION = 1,
  CONN_TAB_SIZE = 2,
}

// service flags
export const SVC_F_PERSISTENT = 0x1;
export const SVC_F_HASHED = 0x2;
export const SVC_F_ONEPACKET = 0x4;
export const SVC_F_SCHED1 = 0x8;
export const SVC_F_SCHED2 = 0x10;
export const SVC_F_SCHED3 = 0x20;
export const SVC_F_SCHED_SH_FALLBACK = SVC_F_SCHED1;
export const SVC_F_SCHED_SH_PORT = SVC_F_SCHED2;
export const SVC_F_SCHED_MH_FALLBACK = SVC_F_SCHED1;
export const SVC_F_SCHED_MH_PORT = SVC_F_SCHED2;

// forwarding methods (IP_VS_CONN_F_*)
export const CONN_F_FWD_MASK = 0x7;
export const CONN_F_MASQ = 0;
export const CONN_F_LOCALNODE = 1;
export const CONN_F_TUNNEL = 2;
export const CONN_F_DROUTE = 3;
export const CONN_F_BYPASS = 4;

// tunnel types and encapsulation flags
export const TUNNEL_TYPE_IPIP = 0;
export const TUNNEL_TYPE_GUE = 1;
export const TUNNEL_TYPE_GRE = 2;
export const TUNNEL_ENCAP_FLAG_NOCSUM = 0;
export const TUNNEL_ENCAP_FLAG_CSUM = 1;
export const TUNNEL_ENCAP_FLAG_REMCSUM = 2;

// sync daemon states
export const STATE_MASTER = 1;
export const STATE_BACKUP = 2;

// ipvsadm's defaults: persistence timeout, mcast interface, scheduler
export const DEFAULT_PERSISTENT_TIMEOUT = 300;
export const DEFAULT_SCHED = 'wlc';
export const DEFAULT_MCAST_IFN = 'eth0';
