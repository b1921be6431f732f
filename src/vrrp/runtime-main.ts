// A minimal process around VrrpRuntime: `node dist/src/vrrp/runtime-main.js FILE` runs the
// VRRP instances of a keepalived.conf until SIGTERM/SIGINT (graceful stop), SIGHUP reloads.
// JSON log lines on stdout. Stands in for `lvsd` until the daemon issue wires everything.
// SIGUSR2 logs `vrrp.status` (VrrpRuntime.status()); the runtime's events are logged as
// `vrrp.event` lines (advert events only with LVSD_ADVERT_EVENTS=1: one per packet) and
// counted by name since start in the status line (`emitted`).
import { loadConfig } from '../config/load.js';
import { diffModels } from '../config/diff.js';
import { createLogger } from '../daemon/log.js';
import { VrrpRuntime } from './runtime.js';
import type { VrrpEvent } from './events.js';

async function main(): Promise<number> {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: runtime-main CONFIG\n');
    return 2;
  }
  const log = createLogger({ out: process.stdout, detail: process.env.LVSD_DEBUG === '1' });
  const loaded = loadConfig(file);
  for (const d of loaded.diagnostics) if (d.level === 'error') log.error({ event: 'config.error' }, d.message);
  if (!loaded.ok) return 1;
  let model = loaded.model;
  const logAdverts = process.env.LVSD_ADVERT_EVENTS === '1';
  const onEvent = (ev: VrrpEvent): void => {
    if (ev.name !== 'advert' || logAdverts) log.info({ event: 'vrrp.event', name: ev.name, ...ev.data }, ev.name);
  };
  const rt = await VrrpRuntime.start(model, { log, onEvent });
  // Counted through the emitter (what the daemon's metrics do), reported with the status.
  const emitted = { transition: 0, advert: 0, drop: 0, vips: 0 };
  for (const n of Object.keys(emitted) as Array<keyof typeof emitted>) rt.on(n, () => { emitted[n]++; });
  process.on('SIGUSR2', () => log.info({ event: 'vrrp.status', instances: rt.status(), emitted, unknownVrid: rt.unknownVridPackets() }, 'VRRP status'));
  log.info({ event: 'daemon.start', instances: rt.instances.size }, 'VRRP runtime started');
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await rt.stop();
    log.info({ event: 'daemon.stop' }, 'VRRP runtime stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => { void stop(); });
  process.on('SIGINT', () => { void stop(); });
  process.on('SIGHUP', () => {
    const next = loadConfig(file);
    if (!next.ok) {
      log.warn({ event: 'reload.refused' }, 'reload refused: the new configuration has errors');
      return;
    }
    const diff = diffModels(model, next.model);
    model = next.model;
    void rt.applyDiff(diff, next.model).then((r) => log.info({ event: 'reload.applied', ...r }, 'reload applied'));
  });
  return -1;
}

main().then((code) => { if (code >= 0) process.exit(code); }, (e: unknown) => {
  process.stderr.write(`runtime-main: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
