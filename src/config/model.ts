// The typed model: what the parser built from the schema (keyword names as fields, keepalived's
// defaults filled in, timers in microseconds), seen through the types the rest of lvsd reads.
// Only the fields lvsd acts on are spelled out; every other keyword is still there by name.
import type { RawObject } from '../../grammar/parser.js';
import type { IpAddr, IpPrefix } from '../../grammar/schema/values.js';

export interface ScriptRef {
  [field: string]: unknown;
}

export interface VirtualIp extends IpPrefix {
  dev?: string;
  brd?: string;
  scope?: number | string;
  label?: string;
  [field: string]: unknown;
}

export interface VrrpInstance {
  name: string;
  state?: 'MASTER' | 'BACKUP';
  interface?: string;
  virtual_router_id?: number;
  priority: number;
  /** microseconds */
  advert_int: number;
  nopreempt?: boolean;
  /** microseconds */
  preempt_delay: number;
  version?: number;
  unicast_src_ip?: IpAddr;
  unicast_peer?: Array<IpAddr & Record<string, unknown>>;
  virtual_ipaddress?: VirtualIp[];
  virtual_ipaddress_excluded?: VirtualIp[];
  track_interface?: Array<Record<string, unknown>>;
  track_script?: Array<Record<string, unknown>>;
  authentication?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface ServerAddress {
  addr: string;
  family: 4 | 6;
  port: number;
}

export interface Checker {
  /** microseconds */
  connect_timeout?: number;
  retry?: number;
  /** microseconds */
  delay_before_retry?: number;
  connect_port?: number;
  [field: string]: unknown;
}

export interface RealServer {
  addr: IpAddr;
  port?: number;
  weight: number;
  inhibit_on_failure?: boolean;
  TCP_CHECK?: Checker[];
  HTTP_GET?: Checker[];
  SSL_GET?: Checker[];
  MISC_CHECK?: Checker[];
  [field: string]: unknown;
}

export type VirtualServerId =
  | ({ kind: 'ip' } & ServerAddress)
  | { kind: 'fwmark'; fwmark: number }
  | { kind: 'group'; group: string };

export type VirtualServer = VirtualServerId & {
  protocol?: string;
  lvs_sched?: string;
  lvs_method?: { method: 'NAT' | 'DR' | 'TUN'; [field: string]: unknown };
  /** microseconds */
  delay_loop: number;
  persistence_timeout?: number;
  quorum: number;
  hysteresis: number;
  sorry_server?: ServerAddress;
  real_server?: RealServer[];
  [field: string]: unknown;
};

export interface Model {
  global_defs?: Record<string, unknown>;
  vrrp_instance?: VrrpInstance[];
  vrrp_sync_group?: Array<Record<string, unknown>>;
  vrrp_script?: Array<Record<string, unknown>>;
  virtual_server?: VirtualServer[];
  virtual_server_group?: Array<Record<string, unknown>>;
  [keyword: string]: unknown;
}

export function toModel(root: RawObject): Model {
  return root as Model;
}
