// The status socket with real unix sockets in a temp dir: permissions, stale files, and
// clients that send garbage, too much, or nothing.
import { createConnection } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_STATUS_SOCKET, MAX_REQUEST_BYTES, startStatusServer } from '../../../src/daemon/status-server.js';
import { sampleStatus } from './status-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'lvsd-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const sockPath = (): string => join(dir, `s${n++}`, 'lvsd.sock');

/** Sends raw bytes (optionally half-closing) and collects the whole reply. */
function exchange(path: string, data: string | Buffer, opts: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = createConnection(path);
    let out = '';
    const t = setTimeout(() => { c.destroy(); reject(new Error(`no reply; got ${JSON.stringify(out)}`)); }, 4000);
    c.on('connect', () => { c.write(data); if (opts.end) c.end(); });
    c.on('data', (d) => { out += d.toString(); });
    c.on('close', () => { clearTimeout(t); resolve(out); });
    c.on('error', () => undefined);
  });
}

describe('startStatusServer', () => {
  it('answers {"cmd":"status"} with the snapshot, socket mode 0600', async () => {
    const path = sockPath();
    const srv = await startStatusServer(path, sampleStatus);
    try {
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const r = JSON.parse(await exchange(path, '{"cmd":"status"}\n')) as { ok: boolean; status: { pid: number } };
      expect(r.ok).toBe(true);
      expect(r.status).toEqual(sampleStatus());
    } finally {
      await srv.close();
    }
    expect(existsSync(path)).toBe(false);
  });

  it('awaits an async snapshot and reports a failing one without dying', async () => {
    const path = sockPath();
    let fail = true;
    const srv = await startStatusServer(path, async () => {
      await new Promise((r) => setTimeout(r, 20));
      if (fail) throw new Error('boom');
      return sampleStatus();
    });
    try {
      expect(JSON.parse(await exchange(path, '{"cmd":"status"}\n'))).toEqual({ ok: false, error: 'status unavailable: boom' });
      fail = false;
      expect((JSON.parse(await exchange(path, '{"cmd":"status"}\n')) as { ok: boolean }).ok).toBe(true);
    } finally {
      await srv.close();
    }
  });

  it('bad clients get an error and the server keeps answering', async () => {
    const path = sockPath();
    const srv = await startStatusServer(path, sampleStatus);
    try {
      expect(JSON.parse(await exchange(path, 'not json\n'))).toEqual({ ok: false, error: 'request is not JSON' });
      expect(JSON.parse(await exchange(path, '{"cmd":"shutdown"}\n'))).toEqual({ ok: false, error: 'unknown cmd "shutdown"; known: "status"' });
      expect(JSON.parse(await exchange(path, '[1,2]\n'))).toEqual({ ok: false, error: 'request has no "cmd"' });
      const big = await exchange(path, Buffer.alloc(MAX_REQUEST_BYTES * 4, 0x61));
      expect(big === '' ? 'connection closed' : JSON.parse(big)).toEqual({ ok: false, error: `request longer than ${MAX_REQUEST_BYTES} bytes` });
      // no newline but a half-close: still answered
      expect((JSON.parse(await exchange(path, '{"cmd":"status"}', { end: true })) as { ok: boolean }).ok).toBe(true);
      // a client that sends half a request and vanishes
      await new Promise<void>((resolve) => {
        const c = createConnection(path, () => { c.write('{"cmd":"sta'); c.destroy(); resolve(); });
      });
      // binary junk with a newline
      expect(JSON.parse(await exchange(path, Buffer.from([0xff, 0xfe, 0x00, 0x0a]))).ok).toBe(false);
      expect((JSON.parse(await exchange(path, '{"cmd":"status"}\n')) as { ok: boolean }).ok).toBe(true);
    } finally {
      await srv.close();
    }
  });

  it('removes a stale socket file, refuses a live one and a non-socket file', async () => {
    const path = sockPath();
    const first = await startStatusServer(path, sampleStatus);
    await expect(startStatusServer(path, sampleStatus)).rejects.toThrow(/already answers/);
    await first.close();
    // a crashed daemon leaves its socket file behind: a child binds it and is SIGKILLed
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('child did not listen')), 5000);
      child.stdout?.once('data', () => { clearTimeout(t); resolve(); });
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(statSync(path).isSocket()).toBe(true);
    const again = await startStatusServer(path, sampleStatus);
    expect((JSON.parse(await exchange(path, '{"cmd":"status"}\n')) as { ok: boolean }).ok).toBe(true);
    await again.close();

    const file = join(dir, 'plain');
    writeFileSync(file, 'x');
    await expect(startStatusServer(file, sampleStatus)).rejects.toThrow(/not a socket/);
    expect(existsSync(file)).toBe(true);
  });

  it('default path', () => {
    expect(DEFAULT_STATUS_SOCKET).toBe('/run/lvsd/lvsd.sock');
  });
});
