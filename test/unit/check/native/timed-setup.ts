// The setup the timed engine's tests share: the addon and its sockaddrs, a connect-only target,
// loopback servers up for the whole file, and engines closed after each test.
import type net from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { loadProbeAddon } from '../../../../src/check/native/connect-engine.js';
import { TimedChecks, type TimedChecksOptions, type TimedTarget } from '../../../../src/check/native/timed-checks.js';
import { blackholePort, tcpServer, type Running } from '../servers.js';

export const addon = loadProbeAddon();
export const sa = (addr: string, port: number): Buffer => addon.sockaddr(addr, port);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** a TCP_CHECK target (requests: an HTTP_GET's) */
export function tcp(sockaddr: Buffer, timeoutUs = 1_000_000, requests: Buffer[] | null = null): TimedTarget {
  return { sockaddr, bind: null, mark: 0, timeoutUs, requests };
}

export interface LoopbackServers {
  /** accepts and keeps the connection */
  up: Running & { server: net.Server };
  /** HTTP/1.0: answers `page <path>` and closes */
  http: Running;
  /** never answers a SYN */
  hole: Running;
}

/** The file's loopback servers: started before its tests, closed after them. */
export function loopbackServers(): LoopbackServers {
  const s = {} as LoopbackServers;
  beforeAll(async () => {
    s.up = await tcpServer(() => {});
    s.hole = await blackholePort();
    s.http = await tcpServer((c) => {
      c.once('data', (d) => {
        const path = d.toString('latin1').split(' ')[1];
        c.end(`HTTP/1.0 200 OK\r\n\r\npage ${path}`);
      });
    });
  });
  afterAll(async () => {
    await s.up?.close();
    await s.hole?.close();
    await s.http?.close();
  });
  return s;
}

/** Makes timed engines that are closed after the test that made them. */
export function enginesPerTest(): (opts?: TimedChecksOptions) => TimedChecks {
  let made: TimedChecks[] = [];
  afterEach(() => {
    for (const t of made) t.close();
    made = [];
  });
  return (opts) => {
    const t = new TimedChecks(opts);
    made.push(t);
    return t;
  };
}
