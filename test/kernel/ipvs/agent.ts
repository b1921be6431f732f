// Runs inside a network namespace (`ip netns exec NS node agent.mjs`) and serves lvsd's
// real IPVS client over JSON lines on stdin/stdout, so each kernel test can drive the IPVS
// table of its own namespace. Bundled by agent-host.ts at test start.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { NetlinkIpvs, type NetlinkIpvsOptions } from '../../../src/ipvs/client.js';
import { applyDesired } from '../../../src/ipvs/apply.js';
import { IpvsTableCache } from '../../../src/ipvs/cache.js';
import { runIpvsCommand } from '../../../src/ipvs/cli.js';
import type { TableRow } from '../../../src/ipvs/reconcile.js';

interface Call { id: number; method: string; args: unknown[] }

const reply = (o: unknown): void => {
  process.stdout.write(`${JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}\n`);
};

async function main(): Promise<void> {
  const k = await NetlinkIpvs.open(JSON.parse(process.env.LVSD_IPVS_CLIENT ?? '{}') as NetlinkIpvsOptions);
  let cache: IpvsTableCache | undefined;
  const logs: Array<{ level: string; obj: object; msg?: string }> = [];
  const logger = {
    info: (obj: object, msg?: string) => logs.push({ level: 'info', obj, msg }),
    error: (obj: object, msg?: string) => logs.push({ level: 'error', obj, msg }),
  };
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const c = JSON.parse(line) as Call;
    try {
      let result: unknown;
      if (c.method === 'cli') {
        let text = '';
        const out = new Writable({ write(chunk: Buffer, _e, cb) { text += chunk.toString(); cb(); } });
        const status = await runIpvsCommand(c.args[0] as string[], out, k);
        result = { status, stdout: text };
      } else if (c.method === 'applyDesired') {
        logs.length = 0;
        const owned = new Set(c.args[1] as string[]);
        const r = await applyDesired(k, c.args[0] as TableRow[], owned, logger);
        result = { ...r, failures: r.failures.map((f) => ({ op: f.op, error: f.error.message })), logs };
      } else if (c.method === 'cacheApply') {
        // The daemon's path: one IpvsTableCache for the agent's life.
        logs.length = 0;
        cache ??= new IpvsTableCache(k, logger);
        const r = await cache.apply(c.args[0] as TableRow[], new Set(c.args[1] as string[]));
        result = { ...r, failures: r.failures.map((f) => ({ op: f.op, error: f.error.message })), logs };
      } else if (c.method === 'batch') {
        // Calls issued in the same tick, so the client can pack them into shared datagrams;
        // reports each outcome and how many datagrams carried them.
        const calls = c.args[0] as Array<[string, ...unknown[]]>;
        const before = { ...k.counters };
        const settled = await Promise.allSettled(calls.map(([m, ...a]) =>
          (k as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>)[m].apply(k, a)));
        result = {
          outcomes: settled.map((x) => (x.status === 'fulfilled' ? 'ok' : (x.reason as { code?: string }).code ?? String(x.reason))),
          requests: k.counters.requests - before.requests, datagrams: k.counters.datagrams - before.datagrams,
        };
      } else if (c.method === 'timed') {
        // Runs a method N times in a row and reports the elapsed time (for the benchmark).
        const [method, argsList] = c.args as [string, unknown[][]];
        const fn = (k as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method];
        const t0 = process.hrtime.bigint();
        for (const a of argsList) await fn.apply(k, a);
        result = { ms: Number(process.hrtime.bigint() - t0) / 1e6 };
      } else {
        const fn = (k as unknown as Record<string, unknown>)[c.method];
        if (typeof fn !== 'function') throw new Error(`no method ${c.method}`);
        result = await (fn as (...a: unknown[]) => Promise<unknown>).apply(k, c.args);
      }
      reply({ id: c.id, result: result ?? null });
    } catch (e) {
      const err = e as { message?: string; errno?: number; code?: string };
      reply({ id: c.id, error: { message: err.message ?? String(e), errno: err.errno, code: err.code } });
    }
  }
  k.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`agent: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
