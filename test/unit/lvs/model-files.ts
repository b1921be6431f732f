// What the engine tests share to get a model and a real server: configs written to a folder of
// the test file's own (removed after it) and loaded as the daemon loads them, and a loopback
// server that can be stopped and started again on the same port, and the ending of what a test
// started (engines, timed engines) after it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import type { Model } from '../../../src/config/model.js';
import { closedPort } from '../check/servers.js';

/** `(text) => model`: the text written to a fresh file and loaded (it must load without error) */
export function textModels(prefix: string): (text: string) => Model {
  const dir = mkdtempSync(join(tmpdir(), `lvsd-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (text) => {
    const path = join(dir, `c${Math.random().toString(36).slice(2)}.conf`);
    writeFileSync(path, text);
    const r = loadConfig(path);
    expect(r.ok, JSON.stringify(r.diagnostics)).toBe(true);
    return r.model;
  };
}

/** a server on 127.0.8.1 that can be stopped and started again on the same port */
export async function toggler(onConn: (s: net.Socket) => void = (s) => s.destroy()) {
  let srv: net.Server | null = null;
  const port = await closedPort();
  const start = () =>
    new Promise<void>((r) => {
      srv = net.createServer(onConn);
      srv.listen(port, '127.0.8.1', () => r());
    });
  const stop = () => new Promise<void>((r) => (srv ? srv.close(() => r()) : r()));
  await start();
  return { port, start, stop };
}

type Endable = { stop(): void } | { close(): void };

/** `ended(x)`: x is stopped (or closed) after the test, the last made first */
export function endedAfterEach(): <T extends Endable>(x: T) => T {
  const made: Endable[] = [];
  afterEach(() => {
    for (const x of made.splice(0).reverse()) {
      if ('stop' in x) x.stop();
      else x.close();
    }
  });
  return (x) => {
    made.push(x);
    return x;
  };
}
