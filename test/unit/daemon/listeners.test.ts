// The daemon's listeners follow the configuration across reloads: a changed
// global_defs lvsd_status_socket moves the status socket (the old path is gone, the new one
// answers); a path that cannot be used keeps the running socket; --status-socket wins.
import { createConnection } from 'node:net';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../src/config/model.js';
import { createLogger } from '../../../src/daemon/log.js';
import { Metrics } from '../../../src/daemon/metrics.js';
import { Listeners, statusSocketPath, type ListenedDaemon } from '../../../src/daemon/services.js';
import { DEFAULT_STATUS_SOCKET } from '../../../src/daemon/status-server.js';
import { sampleStatus } from './status-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-listeners-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ask(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = createConnection(path);
    let out = '';
    const t = setTimeout(() => { c.destroy(); reject(new Error('no reply')); }, 4000);
    c.on('connect', () => c.write('{"cmd":"status"}\n'));
    c.on('data', (d) => { out += d.toString(); });
    c.on('close', () => { clearTimeout(t); resolve(out); });
    c.on('error', (e) => { clearTimeout(t); reject(e); });
  });
}

/** A daemon whose model the test swaps, as a reload does. */
function daemonAt(socket: string | undefined): ListenedDaemon & { model: Model } {
  const d = {
    model: { global_defs: socket === undefined ? {} : { lvsd_status_socket: socket } } as Model,
    metrics: new Metrics(),
    snapshot: async () => sampleStatus(),
    metricsAt: () => undefined,
  };
  return d;
}

function logs(): { log: ReturnType<typeof createLogger>; recs: Array<Record<string, unknown>> } {
  const recs: Array<Record<string, unknown>> = [];
  const out = new Writable({ write(chunk: Buffer, _e, cb) { for (const l of chunk.toString().split('\n')) if (l) recs.push(JSON.parse(l) as Record<string, unknown>); cb(); } });
  return { log: createLogger({ out }), recs };
}

describe('Listeners', () => {
  it('SIGHUP with a new lvsd_status_socket moves the socket; an unusable path keeps the old one', async () => {
    const a = join(dir, 'a', 'lvsd.sock');
    const b = join(dir, 'b', 'lvsd.sock');
    const d = daemonAt(a);
    const { log, recs } = logs();
    const l = new Listeners(d, log);
    try {
      await l.start(undefined);
      expect(JSON.parse(await ask(a))).toMatchObject({ ok: true });
      d.model = { global_defs: { lvsd_status_socket: b } } as Model;
      await l.sync();
      expect(existsSync(a)).toBe(false);
      expect(JSON.parse(await ask(b))).toMatchObject({ ok: true });
      expect(recs.filter((r) => r.event === 'daemon.status-socket').at(-1)).toMatchObject({ path: b, from: a });
      // a regular file is in the way: the move is refused and b keeps answering
      const blocked = join(dir, 'file');
      writeFileSync(blocked, 'not a socket');
      d.model = { global_defs: { lvsd_status_socket: blocked } } as Model;
      await l.sync();
      expect(JSON.parse(await ask(b))).toMatchObject({ ok: true });
      expect(recs.filter((r) => r.event === 'daemon.status-socket').at(-1)).toMatchObject({ path: blocked, level: 50 });
      // 'none' turns it off
      d.model = { global_defs: { lvsd_status_socket: 'none' } } as Model;
      await l.sync();
      expect(existsSync(b)).toBe(false);
    } finally {
      await l.close();
    }
  });

  it('--status-socket wins over the configuration; without either, the default path', () => {
    expect(statusSocketPath('/x.sock', { lvsd_status_socket: '/y.sock' })).toBe('/x.sock');
    expect(statusSocketPath(undefined, { lvsd_status_socket: '/y.sock' })).toBe('/y.sock');
    expect(statusSocketPath(undefined, {})).toBe(DEFAULT_STATUS_SOCKET);
  });
});
