#!/usr/bin/env node
// VRRP codec throughput: encode and validate packets/s for the advert kinds keepalived
// sends. Bundles src/vrrp with esbuild (a vitest dependency) so it runs without a build.
// Usage: node bench/vrrp-codec.mjs [seconds-per-case, default 1]
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'lvsd-bench-'));
const seconds = Number(process.argv[2] ?? 1);
try {
  const entry = join(dir, 'entry.ts');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(entry, `export * from '${join(root, 'src/vrrp/packet.ts')}';\nexport * from '${join(root, 'src/vrrp/validate.ts')}';\n`);
  const outfile = join(dir, 'codec.mjs');
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'error' });
  const c = await import(pathToFileURL(outfile).href);

  const vips = ['192.0.2.10', '192.0.2.11'];
  const base = { vrid: 51, priority: 100, advertIntervalMs: 1000, addresses: vips };
  const rx = (over) => ({ family: 4, version: 2, vrid: 51, auth: c.NO_AUTH, advertIntervalMs: 1000, addresses: vips,
    unicast: false, unicastChecksum: 'auto', ahLastSeq: 0, ...over });
  const ah = { type: 'ah', key: c.authKey('secret') };
  const pass = { type: 'pass', key: c.authKey('secret') };
  const cases = [
    ['v2 none', { ...base, version: 2 }, {}, rx({})],
    ['v2 PASS', { ...base, version: 2 }, { auth: pass }, rx({ auth: pass })],
    ['v2 AH', { ...base, version: 2 }, { auth: ah, ahSeq: 1 }, rx({ auth: ah })],
    ['v3 IPv4', { ...base, version: 3 }, {}, rx({ version: 3 })],
  ];

  function rate(fn) {
    for (let i = 0; i < 20000; i++) fn(); // warm up
    let n = 0;
    const t0 = process.hrtime.bigint();
    const end = t0 + BigInt(Math.round(seconds * 1e9));
    let now = t0;
    while (now < end) {
      for (let i = 0; i < 1000; i++) fn();
      n += 1000;
      now = process.hrtime.bigint();
    }
    return n / (Number(now - t0) / 1e9);
  }
  const fmt = (x) => `${(x / 1000).toFixed(0).padStart(6)} k/s`;
  console.log(`node ${process.version}, ${seconds} s per measurement`);
  console.log('case        encode      validate');
  for (const [name, advert, opts, expect] of cases) {
    const o = { src: '192.0.2.1', dst: c.VRRP_MCAST4, id: 1, ...opts };
    const pkt = c.encodeIpv4(advert, o);
    const check = c.validateIpv4(pkt, expect);
    if (!check.ok) throw new Error(`${name}: ${check.reason}`);
    const enc = rate(() => c.encodeIpv4(advert, o));
    const dec = rate(() => c.validateIpv4(pkt, expect));
    console.log(`${name.padEnd(10)} ${fmt(enc)}  ${fmt(dec)}`);
  }
  const a6 = { ...base, version: 3, addresses: ['2001:db8::10', '2001:db8::11'] };
  const p6 = c.encodeIpv6(a6, { src: 'fe80::1', dst: c.VRRP_MCAST6 });
  const x6 = { ...rx({ version: 3 }), family: 6, addresses: a6.addresses };
  const r6 = { payload: p6, src: 'fe80::1', dst: c.VRRP_MCAST6, hopLimit: 255 };
  if (!c.validateIpv6(r6, x6).ok) throw new Error('v3 IPv6 does not validate');
  console.log(`${'v3 IPv6'.padEnd(10)} ${fmt(rate(() => c.encodeIpv6(a6, { src: 'fe80::1', dst: c.VRRP_MCAST6 })))}  ${fmt(rate(() => c.validateIpv6(r6, x6)))}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
