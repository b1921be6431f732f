// The daemon's writer of IPVS settings outside the table: the connection-sync daemons
// (lvs_sync_daemon) and the connection timeouts (lvs_timeouts). It keeps what it wants, brings
// the kernel there (retrying with backoff, logging `ipvs.syncd` / `ipvs.timeouts` with the
// errno) and undoes its changes at stop. It opens IPVS only when a setting asks for it.
import type { IpvsKernel } from '../ipvs/kernel.js';
import type { IpvsDaemon, IpvsTimeouts } from '../ipvs/types.js';
import { errFields, isIpvsErrno } from './ipvs-errors.js';
import type { Backoff } from './backoff.js';
import type { Logger } from './log.js';
import { RetryingTask } from './retrying-task.js';
import {
  syncDaemonSteps, timeoutsToWrite, wantedDaemons, type SyncDaemonConfig, type SyncRole, type TimeoutsConfig,
} from './ipvs-sync-plan.js';

export type SettingsKernel = Pick<IpvsKernel, 'daemons' | 'startDaemon' | 'stopDaemon' | 'timeouts' | 'setTimeouts'>;

export interface IpvsSettingsOptions {
  log: Logger;
  open: () => Promise<SettingsKernel>;
  backoff?: Backoff;
}

const describe = (d: IpvsDaemon): string => `${d.state} sync daemon on ${d.mcastIfn} id ${d.syncId}`;

export class IpvsSettings {
  private k: SettingsKernel | undefined;
  private sync: SyncDaemonConfig | undefined;
  private role: SyncRole = 'none';
  private timeouts: TimeoutsConfig | undefined;
  /** daemons lvsd started and believes running; undefined until the kernel's were read */
  private running: IpvsDaemon[] | undefined;
  /** the kernel's timeouts before lvsd first changed them */
  private original: IpvsTimeouts | undefined;
  /** last timeouts written (to skip writing the same again) */
  private written: string | undefined;
  private readonly task: RetryingTask;
  /** attempts running (a kick while one runs makes another) */
  private attempting = 0;
  /** the last attempt brought the kernel to what is wanted */
  private lastOk = false;

  constructor(private readonly o: IpvsSettingsOptions) {
    this.task = new RetryingTask({
      attempt: () => this.attempt(),
      backoff: o.backoff,
      onRetry: (ms, failures) => o.log.warn({ event: 'ipvs.settings', retryInMs: ms, failures }, `ipvs settings: retrying in ${ms} ms`),
    });
  }

  /** The sync daemons wanted now; resolves when the kernel has them (or the attempt failed). */
  setSync(config: SyncDaemonConfig | undefined, role: SyncRole): Promise<void> {
    this.sync = config;
    this.role = config ? role : 'none';
    return this.task.kick();
  }

  setTimeouts(t: TimeoutsConfig | undefined): Promise<void> {
    this.timeouts = t;
    return this.task.kick();
  }

  /** Stops the daemons lvsd runs and restores the timeouts it changed. */
  async stop(): Promise<void> {
    this.sync = undefined;
    this.role = 'none';
    this.timeouts = undefined;
    await this.task.kick();
    await this.task.close();
  }

  settled(): Promise<void> {
    return this.task.settled();
  }

  private async kernel(): Promise<SettingsKernel | undefined> {
    const needed = this.role !== 'none' || this.timeouts !== undefined || (this.running?.length ?? 0) > 0 || this.original !== undefined;
    if (!needed) return undefined;
    this.k ??= await this.o.open();
    return this.k;
  }

  /**
   * The kernel holds what is wanted: no attempt running, none failed since (no retry pending).
   * Asking for the same settings again would change nothing (a reload whose configuration left
   * them alone may skip it).
   */
  get current(): boolean {
    return this.attempting === 0 && this.lastOk;
  }

  private async attempt(): Promise<boolean> {
    this.attempting++;
    this.lastOk = false;
    let ok = false;
    try {
      ok = await this.attemptOnce();
    } finally {
      this.attempting--;
      this.lastOk = ok;
    }
    return ok;
  }

  private async attemptOnce(): Promise<boolean> {
    let k: SettingsKernel | undefined;
    try {
      k = await this.kernel();
    } catch (e) {
      this.o.log.error({ event: 'ipvs.settings', ...errFields(e) }, `ipvs: cannot open IPVS for its settings: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    if (!k) return true;
    const a = await this.syncDaemons(k);
    const b = await this.applyTimeouts(k);
    return a && b;
  }

  private async syncDaemons(k: SettingsKernel): Promise<boolean> {
    const log = this.o.log;
    const wanted = wantedDaemons(this.sync, this.role);
    const exact = this.running !== undefined;
    try {
      this.running ??= await k.daemons();
    } catch (e) {
      log.error({ event: 'ipvs.syncd', op: 'list', ...errFields(e) }, 'ipvs: reading the sync daemons failed');
      return false;
    }
    const steps = syncDaemonSteps(this.running, wanted, exact);
    let ok = true;
    for (const d of steps.stop) {
      try {
        await k.stopDaemon(d);
        log.info({ event: 'ipvs.syncd', op: 'stop', state: d.state, ifname: d.mcastIfn, syncId: d.syncId }, `ipvs: ${describe(d)} stopped`);
      } catch (e) {
        // a daemon that is not running any more (stopped by hand) is as good as stopped
        if (!isIpvsErrno(e, 'ESRCH')) {
          log.error({ event: 'ipvs.syncd', op: 'stop', state: d.state, ...errFields(e) }, `ipvs: stopping the ${describe(d)} failed`);
          ok = false;
          continue;
        }
      }
      this.running = this.running.filter((r) => r !== d);
    }
    for (const d of steps.start) {
      if (this.running.some((r) => r.state === d.state)) continue; // its stop failed: try again later
      try {
        await k.startDaemon(d);
        this.running = [...this.running, d];
        log.info({ event: 'ipvs.syncd', op: 'start', state: d.state, ifname: d.mcastIfn, syncId: d.syncId }, `ipvs: ${describe(d)} started`);
      } catch (e) {
        log.error({ event: 'ipvs.syncd', op: 'start', state: d.state, ...errFields(e) }, `ipvs: starting the ${describe(d)} failed`);
        ok = false;
      }
    }
    return ok && this.running.length === wanted.length;
  }

  private async applyTimeouts(k: SettingsKernel): Promise<boolean> {
    if (this.timeouts === undefined && this.original === undefined) return true;
    try {
      this.original ??= await k.timeouts();
      const t = timeoutsToWrite(this.timeouts, this.original);
      const key = `${t.tcp}/${t.tcpFin}/${t.udp}`;
      if (key !== this.written) {
        await k.setTimeouts(t);
        this.written = key;
        this.o.log.info({ event: 'ipvs.timeouts', tcp: t.tcp, tcpfin: t.tcpFin, udp: t.udp }, `ipvs: timeouts tcp ${t.tcp} tcpfin ${t.tcpFin} udp ${t.udp}`);
      }
      if (this.timeouts === undefined) {
        // back to the kernel's own values: nothing of lvsd's is left to undo
        this.original = undefined;
        this.written = undefined;
      }
      return true;
    } catch (e) {
      this.o.log.error({ event: 'ipvs.timeouts', ...errFields(e) }, 'ipvs: setting the timeouts failed');
      return false;
    }
  }
}
