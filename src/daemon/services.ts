// The daemon's listeners for other programs: the unix status socket (`lvsd status`) and the
// optional Prometheus endpoint. A listener that cannot start is logged; the daemon runs on.
import type { Daemon } from './daemon.js';
import type { Logger } from './log.js';
import { startMetricsServer, type MetricsServer } from './metrics.js';
import { DEFAULT_STATUS_SOCKET, startStatusServer, type StatusServer } from './status-server.js';

export class Listeners {
  private status: StatusServer | undefined;
  private metrics: MetricsServer | undefined;
  private metricsAt = '';

  constructor(private readonly d: Daemon, private readonly log: Logger) {}

  async start(statusSocket: string | undefined): Promise<void> {
    const path = statusSocket ?? DEFAULT_STATUS_SOCKET;
    if (path !== 'none') {
      try {
        this.status = await startStatusServer(path, () => this.d.snapshot());
        this.log.info({ event: 'daemon.status-socket', path }, `status socket at ${path}`);
      } catch (e) {
        this.log.error({ event: 'daemon.status-socket', path, err: e instanceof Error ? e.message : String(e) }, `status socket ${path} not started`);
      }
    }
    await this.syncMetrics();
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
