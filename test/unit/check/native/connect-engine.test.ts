import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectEngine, loadProbeAddon, type EngineOwner } from '../../../../src/check/native/connect-engine.js';
import { blackholePort, closedPort, stopChild, tcpServer, type Running } from '../servers.js';

const ECONNREFUSED = 111;
const EADDRNOTAVAIL = 99;
const addon = loadProbeAddon();
const sa = (addr: string, port: number) => addon.sockaddr(addr, port);
const openFds = () => readdirSync('/proc/self/fd').length;
/** after earlier tests' in-process server sockets had time to close */
const settledFds = async () => (await sleep(50), openFds());

/** an owner that records its one report */
function owner(): EngineOwner & { done: Promise<number>; calls: number } {
  let resolve!: (s: number) => void;
  const o = {
    calls: 0,
    done: new Promise<number>((r) => (resolve = r)),
    engineEvent(kind: number, status: number) {
      o.calls++;
      expect(kind).toBe(0); // R_DONE: connect only
      resolve(status);
    },
  };
  return o;
}

/** connect and wait for the report (the engine's own at-once result included) */
async function attempt(e: ConnectEngine, addr: Buffer, bind: Buffer | null = null): Promise<number> {
  const o = owner();
  e.connect(o, addr, bind, 0);
  const s = await o.done;
  expect(o.calls).toBe(1);
  return s;
}

/**
 * A server in a child process that accepts and closes: the descriptors of this process then
 * change only with the engine's sockets (an in-process server's accepted sockets come and go).
 */
async function childAcceptor(host: string): Promise<Running> {
  const py = spawn('python3', ['-c', [
    'import os,socket,sys,threading',
    `s=socket.socket(socket.AF_INET6 if ":" in ${JSON.stringify(host)} else socket.AF_INET); s.bind((${JSON.stringify(host)},0)); s.listen(4096)`,
    'threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()',
    'print(s.getsockname()[1], flush=True)',
    'while True:',
    '  c,_=s.accept(); c.close()',
  ].join('\n')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('python acceptor did not start')), 5000);
    py.stdout.once('data', (d: Buffer) => {
      clearTimeout(t);
      resolve(Number(d.toString().trim()));
    });
  });
  return { port, close: () => stopChild(py) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('native connect engine (lvsd_probe) on loopback', () => {
  let up: Running & { server: net.Server };
  let child: Running;
  let hole: Running;
  let engine: ConnectEngine;
  beforeAll(async () => {
    up = await tcpServer(() => {});
    child = await childAcceptor('127.0.0.1');
    hole = await blackholePort();
  });
  afterAll(async () => {
    await up?.close();
    await child?.close();
    await hole?.close();
  });
  afterEach(() => engine?.close());

  it('a listening server: status 0', async () => {
    engine = new ConnectEngine();
    expect(await attempt(engine, sa('127.0.0.1', child.port))).toBe(0);
    expect(engine.inFlight()).toBe(0);
  });

  it('a closed port: -ECONNREFUSED', async () => {
    engine = new ConnectEngine();
    expect(await attempt(engine, sa('127.0.0.1', await closedPort()))).toBe(-ECONNREFUSED);
  });

  it('an unanswered connect waits; cancel closes it and nothing is reported', async () => {
    engine = new ConnectEngine();
    const before = await settledFds();
    const o = owner();
    const slot = engine.connect(o, sa('127.0.0.1', hole.port), null, 0);
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(engine.inFlight()).toBe(1);
    expect(openFds()).toBe(before + 1);
    await sleep(100);
    expect(o.calls).toBe(0);
    engine.cancel(slot);
    expect(engine.inFlight()).toBe(0);
    expect(openFds()).toBe(before);
    await sleep(100);
    expect(o.calls).toBe(0);
  });

  it('binds the source address and port', async () => {
    engine = new ConnectEngine();
    const seen: string[] = [];
    up.server.on('connection', (s) => seen.push(`${s.remoteAddress}:${s.remotePort}`));
    const port = await closedPort();
    expect(await attempt(engine, sa('127.0.0.1', up.port), sa('127.0.0.2', port))).toBe(0);
    await sleep(50);
    expect(seen).toContain(`127.0.0.2:${port}`);
    // a source address the host does not have fails at once
    expect(await attempt(engine, sa('127.0.0.1', up.port), sa('192.0.2.77', 0))).toBe(-EADDRNOTAVAIL);
  });

  it('IPv6 ::1, and a bind of the other family is refused', async () => {
    engine = new ConnectEngine();
    const s6 = await tcpServer(() => {}, '::1');
    try {
      expect(await attempt(engine, sa('::1', s6.port))).toBe(0);
      expect(await attempt(engine, sa('::1', s6.port), sa('::1', 0))).toBe(0);
      expect(await attempt(engine, sa('::1', await closedPort()))).toBe(-ECONNREFUSED);
      expect(() => engine.connect(owner(), sa('::1', s6.port), sa('127.0.0.1', 0), 0)).toThrow(TypeError);
    } finally {
      await s6.close();
    }
  });

  it('many concurrent connects complete in few batches; slots are reused; no fd leaks', async () => {
    const calls: number[] = [];
    const native = loadProbeAddon();
    const counting = { ...native, create: (cb: (n: number) => void, cap: number) => native.create((n) => (calls.push(n), cb(n)), cap) };
    engine = new ConnectEngine(counting);
    const before = await settledFds();
    const target = sa('127.0.0.1', child.port);
    for (let round = 0; round < 3; round++) {
      const owners = Array.from({ length: 300 }, () => owner());
      for (const o of owners) engine.connect(o, target, null, 0);
      const statuses = await Promise.all(owners.map((o) => o.done));
      expect(statuses.every((s) => s === 0)).toBe(true);
      expect(owners.every((o) => o.calls === 1)).toBe(true);
    }
    expect(engine.slotsMade()).toBeLessThanOrEqual(300);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(900);
    expect(calls.length).toBeLessThan(900 / 2);
    expect(engine.inFlight()).toBe(0);
    expect(openFds()).toBe(before);
  });

  it('close() ends what is in flight: sockets closed, nothing reported', async () => {
    engine = new ConnectEngine();
    const before = await settledFds();
    const owners = Array.from({ length: 5 }, () => owner());
    for (const o of owners) expect(engine.connect(o, sa('127.0.0.1', hole.port), null, 0)).toBeGreaterThanOrEqual(0);
    expect(openFds()).toBe(before + 5);
    engine.close();
    expect(openFds()).toBe(before - 1); // the engine's epoll fd too
    await sleep(50);
    expect(owners.every((o) => o.calls === 0)).toBe(true);
  });

  it('sockaddr: IPv4, IPv6 with a scope, and refusals', () => {
    const v4 = sa('10.1.2.3', 8080);
    expect(v4.length).toBe(16);
    expect(v4.readUInt16LE(0)).toBe(2); // AF_INET
    expect(v4.readUInt16BE(2)).toBe(8080);
    expect([...v4.subarray(4, 8)]).toEqual([10, 1, 2, 3]);
    const v6 = sa('fe80::1%lo', 80);
    expect(v6.length).toBe(28);
    expect(v6.readUInt16LE(0)).toBe(10); // AF_INET6
    expect(v6.readUInt32LE(24)).toBe(1); // lo's ifindex
    expect(sa('fe80::1%7', 80).readUInt32LE(24)).toBe(7);
    expect(() => sa('not-an-ip', 80)).toThrow(TypeError);
    expect(() => sa('fe80::1%no-such-if', 80)).toThrow(TypeError);
    expect(() => sa('10.0.0.1', 70000)).toThrow(TypeError);
  });
});
