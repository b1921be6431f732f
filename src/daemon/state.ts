// What the running daemon knows about itself, as one plain snapshot: `lvsd status`, the
// Prometheus endpoint and the SIGUSR1/SIGUSR2/JSON dumps all render this one shape, so they
// can never disagree. Pure data (JSON-serialisable), no methods.
import type { DropCounts } from '../vrrp/drop-reasons.js';
import type { VrrpState } from '../vrrp/types.js';
import type { InstanceStats } from '../vrrp/instance.js';
import type { BfdInstanceStatus } from '../bfd/runtime.js';
import type { BfdDropReason } from '../bfd/packet.js';

/** An instance's state and, from InstanceStats, its counters since start. */
export interface VrrpInstanceStatus extends InstanceStats {
  name: string;
  interface: string;
  vrid: number;
  family: 4 | 6;
  version: 2 | 3;
  state: VrrpState;
  /** configured priority */
  basePriority: number;
  /** priority after tracker weights (what adverts carry) */
  priority: number;
  /** address of the current master (ours when MASTER); null when unknown */
  masterAddress: string | null;
  /** configured VIPs, as "addr/prefix" (plus " dev X" when not on the instance's interface) */
  vips: string[];
  /** whether the VIPs are installed right now */
  vipsInstalled: boolean;
  syncGroup?: string;
  drops: DropCounts;
  // Optional detail for the keepalived-format dumps (SIGUSR1 / JSON); absent means
  // "not known", and the dumps then print keepalived's default for that key.
  /** configured advert interval in ms */
  advertIntervalMs?: number;
  /** advert interval the master announces (v3), ms */
  masterAdvertIntervalMs?: number;
  /** priority carried by the master's last advert (0 when we are master or none seen) */
  masterPriority?: number;
  /** state the instance is heading for (keepalived's "wantstate") */
  wantState?: VrrpState;
  /** times MASTER was left (keepalived's release_master) */
  releasedMaster?: number;
  accept?: boolean;
  preempt?: boolean;
  preemptDelayMs?: number;
  authType?: 'none' | 'PASS' | 'AH';
  /** source address adverts are sent from */
  sourceAddress?: string | null;
  unicastPeers?: string[];
  /** virtual_ipaddress_excluded, same form as vips */
  excludedVips?: string[];
  trackInterfaces?: string[];
  trackScripts?: string[];
  /** gratuitous ARP settings (keepalived's garp_* keywords), seconds and counts */
  garp?: GarpSettings;
  promoteSecondaries?: boolean;
}

export interface GarpSettings {
  delayS: number;
  repeat: number;
  refreshS: number;
  refreshRepeat: number;
  lowerPrioDelayS: number;
  lowerPrioRepeat: number;
}

export type RealServerState = 'up' | 'down';

export interface LastCheck {
  checker: string;
  ok: boolean;
  reason: string;
  /** ms since the epoch */
  at: number;
  latencyMs: number;
}

export interface IpvsCounters {
  conns: number;
  inPkts: number;
  outPkts: number;
  inBytes: number;
  outBytes: number;
  activeConns: number;
  inactiveConns: number;
}

export interface RealServerStatus {
  /** "addr:port" as in keepalived's logs */
  name: string;
  address: string;
  port: number;
  state: RealServerState;
  /** configured weight */
  weight: number;
  /** weight in the kernel now (0 when inhibited); null when not in the table */
  kernelWeight: number | null;
  forwarding: string;
  lastCheck: LastCheck | null;
  /** up/down transitions since start */
  transitions: number;
  counters: IpvsCounters | null;
  inhibitOnFailure?: boolean;
}

export interface VirtualServerStatus {
  /** as keepalived names it: "10.0.0.1:80", "FWM 1", "group NAME" */
  name: string;
  protocol: string;
  scheduler: string;
  quorumUp: boolean;
  sorryActive: boolean;
  realServers: RealServerStatus[];
  sorryServer?: RealServerStatus;
  // Optional detail for the keepalived-format check dump.
  delayLoopMs?: number;
  /** default forwarding method of the virtual server: NAT, DR or TUN */
  forwarding?: string;
  quorum?: number;
  hysteresis?: number;
  persistenceTimeout?: number;
}

export interface DaemonStatus {
  pid: number;
  version: string;
  configFile: string;
  /** ms since the epoch */
  startedAt: number;
  reloads: number;
  lastReload: { at: number; ok: boolean; message: string } | null;
  /** which parts run in this process (keepalived's -P / -C) */
  vrrpEnabled: boolean;
  checkersEnabled: boolean;
  vrrp: VrrpInstanceStatus[];
  virtualServers: VirtualServerStatus[];
  /** global_defs router_id */
  routerId?: string;
  /** global_defs lvsd_metrics_listen, when the Prometheus endpoint is on */
  metricsListen?: { host: string; port: number } | null;
  /** bfd_instance sessions (absent without any) */
  bfd?: BfdInstanceStatus[];
  /** with sessions: every BFD packet refused, by reason, from neighbours and unknown senders alike */
  bfdRefused?: Record<BfdDropReason, number>;
}
