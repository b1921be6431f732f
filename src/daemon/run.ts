// The long-running daemon: load the configuration, write pid files, start VRRP and the
// checkers in this one process, and serve signals until SIGTERM/SIGINT. lvsd never forks:
// -n/--dont-fork is accepted and changes nothing (run it under systemd Type=simple).
import { loadConfig, type LoadOptions } from '../config/load.js';
import { recordInputs } from '../../grammar/observed-fs.js';
import { useTextAddon } from './text-reader.js';
import { systemView } from '../config/system.js';
import type { Options } from './args.js';
import { logDiagnostics } from './config-log.js';
import { Daemon } from './daemon.js';
import { createLogger, EV, type Logger } from './log.js';
import { AlreadyRunning, pidFilePaths, removePidFiles, writePidFiles } from './pidfiles.js';
import { SignalQueue } from './signal-queue.js';
import { createSyslogStream, FACILITY, parseLogFacility, type SyslogStream } from './syslog.js';
import { Listeners } from './services.js';
import { writeDumps, type DumpSignal } from './dump-files.js';
import { JSON_DUMP_SIGNAL } from './dumps.js';

/** keepalived's -P / -C: either flag alone limits the process to that subsystem; both run both. */
export function subsystems(o: Pick<Options, 'vrrpOnly' | 'checkOnly'>): { vrrp: boolean; checkers: boolean } {
  return { vrrp: o.vrrpOnly || !o.checkOnly, checkers: o.checkOnly || !o.vrrpOnly };
}

function guardProcess(log: Logger): void {
  // A bug in one handler must not take the VIPs down with the process: log it and go on.
  process.on('uncaughtException', (e) => log.error({ event: 'daemon.error', err: e.stack ?? e.message }, `unexpected error: ${e.message}`));
  process.on('unhandledRejection', (e) => log.error({ event: 'daemon.error', err: e instanceof Error ? e.stack ?? e.message : String(e) }, 'unhandled rejection'));
}

/** keepalived logs to syslog unless -G/--no-syslog; -l adds the console. A missing addon or socket only costs the syslog copy. */
function openSyslog(o: Options): { stream?: SyslogStream; warning?: string } {
  if (o.noSyslog) return {};
  const facility = parseLogFacility(o.logFacility);
  try {
    const stream = createSyslogStream(facility ?? FACILITY.daemon, 'lvsd');
    return facility === null ? { stream, warning: `Invalid log facility '${o.logFacility ?? ''}': using daemon` } : { stream };
  } catch (e) {
    return { warning: `syslog not available: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** keepalived flags lvsd accepts but that change nothing here, with the reason. */
export function inertOptions(o: Options): string[] {
  const out: string[] = [];
  if (o.namespace !== undefined) out.push(`-s/--namespace ${o.namespace}: not supported; start lvsd with 'ip netns exec ${o.namespace} lvsd ...'`);
  if (o.dontReleaseVrrp) out.push('-V/--dont-release-vrrp: not supported; VIPs are released at stop');
  if (o.releaseVips) out.push('-X/--release-vips: ignored; VIPs are always released at stop');
  if (o.dontRespawn) out.push('-R/--dont-respawn: ignored; lvsd has no child processes to respawn');
  if (o.addressMonitoring) out.push('-a/--address-monitoring: ignored');
  if (o.coreDump) out.push('-m/-M core dumps: ignored; use the service manager or ulimit');
  return out;
}

export async function runDaemon(o: Options): Promise<number> {
  if (o.umask !== undefined) {
    if (!/^[0-7]{1,4}$/.test(o.umask)) {
      process.stderr.write(`lvsd: invalid umask ${o.umask}\n`);
      return 2;
    }
    process.umask(parseInt(o.umask, 8));
  }
  const syslog = openSyslog(o);
  const log = createLogger({ console: o.logConsole, detail: o.logDetail, ...(syslog.stream ? { also: syslog.stream } : {}) });
  if (syslog.warning) log.warn({ event: 'daemon.syslog' }, syslog.warning);
  for (const w of inertOptions(o)) log.warn({ event: 'daemon.option' }, w);
  const load: LoadOptions = { configId: o.configId, allConfig: o.allConfig, system: systemView() };
  useTextAddon();
  // the daemon reloads: its first load keeps what the next one may reuse (config/load.ts)
  // and notes what it read: a SIGHUP (or the start-up rehearsal) that finds those inputs as they
  // were takes this load again (daemon/reload.ts)
  const { value: first, inputs: firstInputs } = recordInputs(() => loadConfig(o.useFile, { ...load, keepBlocks: true }));
  logDiagnostics(log, first.diagnostics);
  if (!first.ok) {
    log.error({ event: EV.configError, file: o.useFile }, `not starting: ${o.useFile} has errors`);
    return first.exitCode || 1;
  }
  const sub = subsystems(o);
  const pidFiles = pidFilePaths(o, sub.vrrp, sub.checkers);
  try {
    writePidFiles(pidFiles);
  } catch (e) {
    if (!(e instanceof AlreadyRunning)) throw e;
    log.error({ event: 'daemon.running' }, e.message);
    return 1;
  }
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({
      file: o.useFile, load, log, vrrp: sub.vrrp, checkers: sub.checkers, bfd: !o.noBfd, keepIpvs: o.dontReleaseIpvs,
      ...(o.metricsListen !== undefined ? { metricsListen: o.metricsListen } : {}),
    }, first, firstInputs);
  } catch (e) {
    log.error({ event: 'daemon.error', err: e instanceof Error ? e.message : String(e) }, 'lvsd could not start');
    removePidFiles(pidFiles);
    return 1;
  }
  guardProcess(log);
  const listeners = new Listeners(daemon, log);
  await listeners.start(o.statusSocket);
  const queue = new SignalQueue((name, e) => log.error({ event: 'daemon.error', signal: name, err: e instanceof Error ? e.message : String(e) }, `${name} handling failed`));
  return new Promise<number>((resolve) => {
    const stop = (sig: string): void => {
      void queue.push(sig, async () => {
        log.info({ event: 'daemon.signal', signal: sig }, `${sig}: stopping`);
        await listeners.close();
        await daemon.stop();
        removePidFiles(pidFiles);
        resolve(0);
      }, true);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      // both clocks: performance.timeOrigin is not the wall clock's reading of performance.now()'s zero to the ms
      const seen = { at: performance.now(), wall: Date.now() };
      void queue.push('SIGHUP', async () => {
        log.info({ event: 'daemon.signal', signal: 'SIGHUP' }, 'SIGHUP: reloading');
        await daemon.reload(seen);
        await listeners.sync();
      });
    });
    const dump = (sig: NodeJS.Signals, kind: DumpSignal): void => {
      process.on(sig, () => {
        void queue.push(sig, async () => writeDumps(kind, await daemon.snapshot(), log));
      });
    };
    dump('SIGUSR1', 'data');
    dump('SIGUSR2', 'stats');
    dump(JSON_DUMP_SIGNAL, 'json');
  });
}
