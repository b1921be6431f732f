#!/usr/bin/env bash
# IPVS benchmark: lvsd's netlink client vs ipvsadm on the same kernel, in the test VM.
#   node test/kernel/vm/run.mjs --timeout=1500 -- bash bench/ipvs.sh [SIZES...]
# For 1,000 and 10,000 destinations (100 per service): apply from empty, list, change 10%
# of the weights, flush. lvsd runs in-process (library, what the daemon does; warmed up
# first) with its default client (up to 64 plain requests per datagram, 32 sockets):
#   - the daemon path, IpvsTableCache: reads the table once, then diffs against the rows
#     it last confirmed and takes each request's acknowledgement as confirmation;
#   - applyDesired without a cache: reads the table, applies, re-reads the touched services;
#   - the same with one request per datagram (pipeline: 1), for comparison;
# and as the `lvsd ipvs` CLI process: the real bin (dist/bundle/lvsd.cjs as scripts/bundle.mjs
# builds it, here built inside the VM into the run's folder), cold start included; ipvsadm as
# `ipvsadm -R`, `ipvsadm -L -n`, `ipvsadm -C`. The in-process list runs the CLI's own listing
# (plainListing, what `lvsd ipvs list -n` prints).
# Every lvsd result is checked against ipvsadm's view of the same table. REPS=N (default 2)
# keeps the best of N runs.
#
# Measured 2026-11-26, end of session 3, quiet machine (nothing else running; host load 0.6-1.05),
# REPS=3, two runs back to back, ms:
#  dests  operation            ipvsadm         lvsd           ratio        lvsd-cli   ratio
#   1000  apply from empty     227.6 / 230.6   90.4 / 87.0    0.40 / 0.38  975 / 921  4.28 / 3.99
#   1000  list                  69.5 / 74.4    35.6 / 27.9    0.51 / 0.37  567 / 506  8.15 / 6.81
#   1000  change 10% weights    66.1 / 65.1    13.6 / 11.4    0.21 / 0.17
#   1000  flush                 45.7 / 42.9     3.6 / 3.6     0.08 / 0.08
#  10000  apply from empty    1794.9 / 1807.5 1012.6 / 937.2  0.56 / 0.52  2793 / 2627 1.56 / 1.45
#  10000  list                 263.9 / 253.0   240.2 / 231.4  0.91 / 0.91  1079 / 990  4.09 / 3.91
#  10000  change 10% weights   259.3 / 234.1    83.4 / 98.5   0.32 / 0.42
#  10000  flush                 57.0 / 45.9      8.1 / 7.3    0.14 / 0.16
#  10% change / lvsd's full apply at 10,000: 0.082 / 0.105 (edits cost about what adds cost, so
#  this sits near 0.1 once the full apply is fast; against ipvsadm -R's restore: 0.046 / 0.054)
#
# Earlier in session 3 (REPS=3, host load 1.8, node start-up 271 ms in the VM), ms:
#  dests  operation            ipvsadm     lvsd  ratio   lvsd-cli  ratio
#   1000  apply from empty       240.4    101.3   0.42     1252.7   5.21
#   1000  list                    76.4     25.2   0.33      607.0   7.95
#   1000  change 10% weights      66.8     12.5   0.19      582.4   8.72
#   1000  flush                   47.3      3.6   0.08
#  10000  apply from empty      1960.8   1127.5   0.58     3599.1   1.84
#  10000  list                   263.6    255.1   0.97     1151.3   4.37
#  10000  change 10% weights     240.0    102.7   0.43     1168.3   4.87
#  10000  flush                   56.5      8.5   0.15
#  10% change / full apply at 10,000: lvsd 0.091 (goal < 0.1; no cache 0.600, 1 per datagram 0.126)
#  (no cache: apply 0.62 / 10% 3.04 of ipvsadm at 10,000; 1 per datagram: 0.81 / 0.83)
# A second run 30 min later (same code but restore's single parse, load 1.3 at its end but
# noisier: ipvsadm's 10,000 apply took 3,075 ms) gave list 0.43 / 1.45, 10% change / apply
# 0.099, bin list 8.2 / 6.8: in-process list at 10,000 is at par with ipvsadm, not reliably below.
# In-process lvsd meets the apply and 10% goals; list only in the quieter run. The `lvsd ipvs` process does not:
# Node's own start-up in this VM (271 ms) is already more than `ipvsadm -L -n` takes for
# 10,000 destinations (264 ms), and the listing then runs as cold code (~800 ms at 10,000
# under TCG: JIT warm-up, ~150 ms of it GC) on top of loading the bundle and the netlink
# binding (~75 ms). The bin runs `lvsd ipvs` from its own CommonJS bundle with a V8 code
# cache (it was the whole ES module command line: 1.6-1.7 s for the same list).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${LVSD_IN_VM:-}" = 1 ] || { echo "bench/ipvs.sh runs inside the VM: node test/kernel/vm/run.mjs -- bash bench/ipvs.sh" >&2; exit 2; }
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
work=$(mktemp -d "${LVSD_VM_SHARE:?}/ipvs-bench-XXXX")
ns=ipvsbench$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up

# Bundle lvsd's IPVS code (node_modules stay external, by absolute path).
cat > "$work/build.mjs" <<'EOF'
import { build } from 'esbuild';
import { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/package.json');
const [out] = process.argv.slice(2);
await build({
  stdin: {
    contents: `export { NetlinkIpvs } from './src/ipvs/client.js';
      export { applyDesired } from './src/ipvs/apply.js';
      export { IpvsTableCache } from './src/ipvs/cache.js';
      export { runIpvsCommand, restoreText } from './src/ipvs/cli.js';
      export { formatTable } from './src/ipvs/format.js';
      export { plainListing } from './src/ipvs/listing.js';
      export { makeService, makeDest } from './src/ipvs/model.js';`,
    resolveDir: process.cwd(), sourcefile: 'bench-entry.ts', loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'error',
  plugins: [{ name: 'abs', setup(b) { b.onResolve({ filter: /^[^./]/ }, (a) => a.path.startsWith('node:')
    ? { path: a.path, external: true } : { path: require.resolve(a.path), external: true }); } }],
});
EOF
node "$work/build.mjs" "$work/lvsd-ipvs.mjs"
# The lvsd bin as shipped (CommonJS launcher, `lvsd ipvs` bundle with its V8 code cache).
node scripts/bundle.mjs --outdir="$work/bundle"

cat > "$work/bench.mjs" <<'EOF'
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
const [work, ...sizeArgs] = process.argv.slice(2);
const L = await import(`${work}/lvsd-ipvs.mjs`);
const sizes = sizeArgs.map(Number);
const PER = 100;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sh = (cmd, args, input) => execFileSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'inherit'] });
const timeSh = (cmd, args, input) => { const t = now(); const out = sh(cmd, args, input); return [now() - t, out]; };
const timeIt = async (fn) => { const t = now(); const r = await fn(); return [now() - t, r]; };
const REPS = Number(process.env.REPS ?? 2);
const rows = [];
// Each figure is the best of REPS runs: the machine is shared, noise only ever adds time.
const row = (n, op, ipvsadm, lvsd, lvsdCli) => {
  const r = rows.find((x) => x.n === n && x.op === op);
  if (!r) { rows.push({ n, op, ipvsadm, lvsd, lvsdCli }); return; }
  const min = (a, b) => (a === null || b === null ? null : Math.min(a, b));
  r.ipvsadm = min(r.ipvsadm, ipvsadm); r.lvsd = min(r.lvsd, lvsd); r.lvsdCli = min(r.lvsdCli, lvsdCli);
};

const [nodeStart] = timeSh(process.execPath, ['-e', '0']);
const k = await L.NetlinkIpvs.open();
// one plain request per datagram (the former default), for comparison
const kp = await L.NetlinkIpvs.open({ pipeline: 1 });
// Warm-up: the daemon runs lvsd's code warm; the CLI column shows the cold cost.
{
  const w = Array.from({ length: 30 }, (_, s) => ({ service: L.makeService({ addr: `10.99.${s}.1`, port: 80 }),
    dests: Array.from({ length: 100 }, (_, d) => L.makeDest({ addr: `172.31.${s}.${d + 1}`, port: 80, fwd: 'masq' })) }));
  for (const kk of [k, kp]) {
    const r = await L.applyDesired(kk, w, new Set());
    await L.applyDesired(kk, w.map((x) => ({ ...x, dests: x.dests.map((d) => ({ ...d, weight: 3 })) })), new Set(), undefined, { actual: r.table });
    L.formatTable(await kk.table(), {}, await kk.info());
    await L.plainListing(kk);
    await kk.flush();
    const c = new L.IpvsTableCache(kk);
    await c.apply(w);
    await c.apply(w.map((x) => ({ ...x, dests: x.dests.map((d) => ({ ...d, weight: 4 })) })));
    await kk.flush();
  }
}
for (const n of sizes) for (let rep = 0; rep < REPS; rep++) {
  const nsvc = Math.max(1, Math.ceil(n / PER));
  const desired = [];
  const rules = [];
  for (let s = 0; s < nsvc; s++) {
    const vip = `10.${100 + (s >> 8)}.${s & 255}.1`;
    const service = L.makeService({ addr: vip, port: 80, sched: 'wrr' });
    rules.push(`-A -t ${vip}:80 -s wrr`);
    const dests = [];
    for (let d = 0; d < PER && s * PER + d < n; d++) {
      const i = s * PER + d;
      const addr = `172.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
      dests.push(L.makeDest({ addr, port: 8080, fwd: 'masq', weight: 1 + (i % 5) }));
      rules.push(`-a -t ${vip}:80 -r ${addr}:8080 -m -w ${1 + (i % 5)}`);
    }
    desired.push({ service, dests });
  }
  const rulesText = rules.join('\n') + '\n';
  const rulesFile = `${work}/rules-${n}`;
  writeFileSync(rulesFile, rulesText);
  // every 10th destination gets a new weight
  const changed = desired.map((r) => ({ service: r.service, dests: r.dests.map((d, j) => (j % 10 === 0 ? { ...d, weight: d.weight + 10 } : d)) }));
  const editLines = changed.flatMap((r) => r.dests.filter((_, j) => j % 10 === 0)
    .map((d) => `-e -t ${r.service.addr}:80 -r ${d.addr}:8080 -m -w ${d.weight}`)).join('\n') + '\n';

  // ipvsadm
  sh('ipvsadm', ['-C']);
  const [aRestore] = timeSh('ipvsadm', ['-R'], rulesText);
  const [aList, aListText] = timeSh('ipvsadm', ['-L', '-n']);
  const [aEdit] = timeSh('ipvsadm', ['-R'], editLines);
  const aAfter = sh('ipvsadm', ['-S', '-n']);
  const [aFlush] = timeSh('ipvsadm', ['-C']);

  // lvsd in-process, the daemon path: a fresh IpvsTableCache applies from empty, list,
  // 10% of the weights, flush
  const owned = new Set();
  const cache = new L.IpvsTableCache(k);
  const [cApply, c1] = await timeIt(() => cache.apply(desired, owned));
  if (!c1.confirmed || c1.failures.length || c1.ops.length !== n + nsvc) throw new Error(`cached apply not confirmed: ${c1.ops.length} ops`);
  const [lList, lListText] = await timeIt(() => L.plainListing(k));
  if (lListText !== aListText) throw new Error('lvsd list differs from ipvsadm -L -n');
  const [cEdit, c2] = await timeIt(() => cache.apply(changed, owned));
  if (!c2.confirmed || c2.failures.length || c2.ops.length !== Math.ceil(n / 10) || c2.ops.some((o) => o.op !== 'editDest')) throw new Error('cached weight change not minimal');
  if (sh('ipvsadm', ['-S', '-n']) !== aAfter) throw new Error('lvsd weight change differs from ipvsadm');
  const [lFlush] = await timeIt(() => k.flush());

  // applyDesired without a cache: read, reconcile, apply, re-read the touched services
  const [lApply, r1] = await timeIt(() => L.applyDesired(k, desired, owned));
  if (!r1.confirmed || r1.ops.length !== n + nsvc) throw new Error(`apply not confirmed: ${r1.ops.length} ops`);
  if (sh('ipvsadm', ['-L', '-n']) !== aListText) throw new Error('applyDesired differs from ipvsadm');
  const [lEdit, r2] = await timeIt(() => L.applyDesired(k, changed, owned));
  if (!r2.confirmed || r2.ops.length !== Math.ceil(n / 10) || r2.ops.some((o) => o.op !== 'editDest')) throw new Error('weight change not minimal');
  if (sh('ipvsadm', ['-S', '-n']) !== aAfter) throw new Error('lvsd weight change differs from ipvsadm');
  await k.flush();

  // the daemon path with one request per datagram
  const pcache = new L.IpvsTableCache(kp);
  const [pApply, p1] = await timeIt(() => pcache.apply(desired, owned));
  if (!p1.confirmed || p1.failures.length || sh('ipvsadm', ['-L', '-n']) !== aListText) throw new Error('unpipelined apply differs');
  const [pEdit, p2] = await timeIt(() => pcache.apply(changed, owned));
  if (!p2.confirmed || sh('ipvsadm', ['-S', '-n']) !== aAfter) throw new Error('unpipelined weight change differs');
  if (p2.ops.length !== Math.ceil(n / 10) || p2.failures.length) throw new Error(`unpipelined weight change not minimal: ${p2.ops.length} ops, ${p2.failures.length} failed`);
  await kp.flush();

  // lvsd CLI processes (include node start-up)
  const cli = (...a) => timeSh(process.execPath, [`${work}/bundle/lvsd.cjs`, 'ipvs', ...a]);
  const [cRestore] = cli('restore', rulesFile);
  const [cList, cListText] = cli('list', '-n');
  if (cListText !== aListText) throw new Error('lvsd ipvs list differs from ipvsadm -L -n');
  writeFileSync(`${work}/edits-${n}`, editLines);
  const [cEdit2] = cli('restore', `${work}/edits-${n}`);
  sh('ipvsadm', ['-C']);

  row(n, 'apply from empty', aRestore, cApply, cRestore);
  row(n, 'list', aList, lList, cList);
  row(n, 'change 10% weights', aEdit, cEdit, cEdit2);
  row(n, 'flush', aFlush, lFlush, null);
  row(n, 'apply, no cache', aRestore, lApply, null);
  row(n, '10%, no cache', aEdit, lEdit, null);
  row(n, 'apply, 1 per dgram', aRestore, pApply, null);
  row(n, '10%, 1 per dgram', aEdit, pEdit, null);
}
for (const n of sizes) {
  const get = (op) => rows.find((x) => x.n === n && x.op === op);
  const frac = (op, full) => ({ n, op, ipvsadm: get('change 10% weights').ipvsadm / get('apply from empty').ipvsadm, lvsd: get(op).lvsd / get(full).lvsd, ratioOnly: true });
  rows.push(frac('change 10% weights', 'apply from empty'));
  rows[rows.length - 1].op = '10% change / apply';
  rows.push({ ...frac('10%, no cache', 'apply, no cache'), op: '  no cache' });
  rows.push({ ...frac('10%, 1 per dgram', 'apply, 1 per dgram'), op: '  1 per dgram' });
}
rows.sort((a, b) => a.n - b.n);
k.close();
kp.close();

const f = (x) => (x === null || x === undefined ? '-' : x.toFixed(1));
console.log(`IPVS benchmark, ${PER} destinations per service; best of ${REPS} runs, times in ms (node start-up ${nodeStart.toFixed(0)} ms in this VM; load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})`);
console.log('lvsd = in-process, warm: daemon path (IpvsTableCache: first apply reads the table, later ones diff against the cached rows; acks confirm), list = plainListing; lvsd-cli = `lvsd ipvs restore|list` process (the bin)');
console.log(`${'dests'.padStart(6)}  ${'operation'.padEnd(20)} ${'ipvsadm'.padStart(9)} ${'lvsd'.padStart(9)} ${'ratio'.padStart(6)} ${'lvsd-cli'.padStart(9)} ${'ratio'.padStart(6)}`);
for (const r of rows) {
  if (r.ratioOnly) {
    console.log(`${String(r.n).padStart(6)}  ${r.op.padEnd(20)} ${r.ipvsadm.toFixed(3).padStart(9)} ${r.lvsd.toFixed(3).padStart(9)}   (fraction of the full apply; goal for lvsd < 0.100)`);
    continue;
  }
  const ratio = r.lvsd / r.ipvsadm;
  const cratio = r.lvsdCli ? r.lvsdCli / r.ipvsadm : null;
  console.log(`${String(r.n).padStart(6)}  ${r.op.padEnd(20)} ${f(r.ipvsadm).padStart(9)} ${f(r.lvsd).padStart(9)} ${ratio.toFixed(2).padStart(6)} ${f(r.lvsdCli).padStart(9)} ${(cratio === null ? '-' : cratio.toFixed(2)).padStart(6)}`);
}
EOF
ip netns exec "$ns" node "$work/bench.mjs" "$work" "${sizes[@]}"
