// The daemon's listeners for other programs: the unix status socket (`lvsd status`) and the
// optional Prometheus endpoint, started and moved (SIGHUP) where the configuration says. A
// listener that cannot start is logged; the daemon runs on.
import type { Daemon } from './daemon.js';
import type { Logger } from './log.js';
import { startMetricsServer, type MetricsServer } from './metrics.js';
import { DEFAULT_STATUS_SOCKET, startStatusServer, type StatusServer } from './status-server.js';

/** Where the status socket listens: --status-socket, else global_defs lvsd_status_socket, else the default. */
export function statusSocketPath(cli: string | undefined, globalDefs: Record<string, unknown> | undefined): string {
  if (cli !== undefined) return cli;
  const v = globalDefs?.lvsd_status_socket;
  return typeof v === 'string' && v !== '' ? v : DEFAULT_STATUS_SOCKET;
}

/** What the listeners need of the running daemon. */
export type ListenedDaemon = Pick<Daemon, 'snapshot' | 'metricsAt' | 'metrics' | 'model'>;

export class Listeners {
  private status: StatusServer | undefined;
  private statusAt = 'none';
  private metrics: MetricsServer | undefined;
  private metricsAt = '';
  private cliSocket: string | undefined;

  constructor(private readonly d: ListenedDaemon, private readonly log: Logger) {}

  async start(statusSocket: string | undefined): Promise<void> {
    this.cliSocket = statusSocket;
    await this.sync();
  }

  /** After a reload: moves the status socket and the metrics endpoint where the configuration now says. */
  async sync(): Promise<void> {
    await this.syncStatus();
    await this.syncMetrics();
  }

  /**
   * Starts, moves or stops the status socket. A move opens the new socket first and closes the
   * old one only then, so a path that cannot be used leaves the running socket in place.
   */
  async syncStatus(): Promise<void> {
    const path = statusSocketPath(this.cliSocket, this.d.model.global_defs);
    if (path === this.statusAt) return;
    let next: StatusServer | undefined;
    if (path !== 'none') {
      try {
        next = await startStatusServer(path, () => this.d.snapshot());
      } catch (e) {
        this.log.error({ event: 'daemon.status-socket', path, err: e instanceof Error ? e.message : String(e) }, `status socket ${path} not started`);
        return;
      }
    }
    const old = this.status;
    const oldAt = this.statusAt;
    this.status = next;
    this.statusAt = path;
    await old?.close().catch(() => {});
    if (next) this.log.info({ event: 'daemon.status-socket', path, ...(old ? { from: oldAt } : {}) }, `status socket at ${path}`);
    else if (old) this.log.info({ event: 'daemon.status-socket', path: 'none', from: oldAt }, 'status socket closed');
  }

  /** Starts, moves or stops the metrics endpoint to match the configuration (after a reload too). */
  async syncMetrics(): Promise<void> {
    const at = this.d.metricsAt();
    const key = at ? `${at.host}:${at.port}` : '';
    if (key === this.metricsAt) return;
    await this.metrics?.close().catch(() => {});
    this.metrics = undefined;
    this.metricsAt = '';
    if (!at) return;
    try {
      this.metrics = await startMetricsServer(at, this.d.metrics, () => this.d.snapshot());
      this.metricsAt = key;
      this.log.info({ event: 'daemon.metrics', host: at.host, port: this.metrics.port }, `metrics at http://${key}/metrics`);
    } catch (e) {
      this.log.error({ event: 'daemon.metrics', host: at.host, port: at.port, err: e instanceof Error ? e.message : String(e) }, `metrics endpoint ${key} not started`);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.status?.close(), this.metrics?.close()].map((p) => p?.catch(() => {})));
  }
}
