#!/usr/bin/env bash
# Health-checker benchmark, lvsd side by side with keepalived on the same config, in the VM:
#   node test/kernel/vm/run.mjs --timeout=3000 -- bash bench/checkers.sh [SIZES...]
# For each size (default 200 1000 10000) and checker (TCP_CHECK, HTTP_GET), delay_loop 1: real
# servers 127.1.x.y:8080 in a fresh namespace, all answered by one small server. Checks per
# second = the namespace's TCP ActiveOpens per second (/proc/net/snmp): every check is one
# connect, the same measure for both daemons and independent of the server's speed. Each daemon
# runs WARM s, then is measured for SECS s: checks/s, CPU seconds per 60 s (utime+stime of the
# checker process), RSS. For lvsd (TCP) also: a real server that stops (listener killed ->
# refused) until it has left the IPVS table.
# lvsd rows end with the failed attempts and applies of the measured window (and the commonest
# failure reason). Env: SECS (default 20), WARM (default 5), ONLY=lvsd|keepalived, CHECKERS="TCP_CHECK HTTP_GET",
# LVSD_NODE_FLAGS (node flags for lvsd, e.g. --jitless), SERVER_NODE_FLAGS (for the test server).
#
# Measured 2026-11-26, before the checker rework (TCG VM, 2 vCPU, quiet host):
#   TCP_CHECK  200: lvsd 203/201 checks/s, 25 CPU-s/60s, 79 MB, leave 1.3 s; keepalived 203/201, 12 CPU-s
#   TCP_CHECK 1000: lvsd 1013/1001, 55 CPU-s, 95 MB, leave 4.0 s;             keepalived 1000/1001, 22 CPU-s
#   TCP_CHECK 10k:  lvsd 992/10001 (CPU-bound), 64 CPU-s, 174 MB;               keepalived 830/10001, 45 CPU-s
#   HTTP_GET   200: lvsd 198/201, 49 CPU-s;  keepalived 203/201, 12 CPU-s
#   HTTP_GET  1000: lvsd 424/1001 (CPU-bound), 79 CPU-s; keepalived 1010/1001, 41 CPU-s
# After it (libuv TCP handle, shared deadline queues, one wakeup per quantum, shared HTTP read
# buffer, timeouts decided after the I/O phase), same VM, host load 2.6-4.0, one run:
#   TCP_CHECK  200: lvsd  206/201,   22 CPU-s, 1.80 ms/check,  64 MB, leave 1.1 s; keepalived 184/201, 36 CPU-s, 3.22 ms
#   TCP_CHECK 1000: lvsd 1002/1001,  52 CPU-s, 0.87 ms/check,  79 MB, leave 2.1 s; keepalived 452/1001, 42 CPU-s, 1.53 ms
#   TCP_CHECK 10k:  lvsd  483/10001, 60 CPU-s, 2.08 ms/check, 141 MB;  keepalived 324/10001, 46 CPU-s, 2.35 ms, 12 MB
#                   (both responder-bound: lvsd saw 3% connect timeouts at 1000 and 10k)
#   HTTP_GET   200: lvsd  199/201,   39 CPU-s, 3.28 ms/check; keepalived 201/201, 26 CPU-s, 2.13 ms (load 3.5-5.8)
#   HTTP_GET  1000: lvsd  372/1001,  66 CPU-s, 2.95 ms/check; keepalived 480/1001, 49 CPU-s, 1.68 ms
# Under host load 7-15 (three VMs at once) a starved guest charges steal to whoever runs and
# neither keeps the rate: TCP 200 lvsd 2.6-3.7 ms/check vs keepalived 3.3-3.7, TCP 1000 2.6-4.7
# vs 3.8-6.6, RSS at 10k 131-133 MB; HTTP_GET 200 failed on late reads until timeouts waited
# for the I/O phase (47-82/201 with most attempts "Timeout WEB read").
# On the host (loopback, lvsd only, same run, before -> after): TCP 200 2.4 -> 1.4 CPU-s/60s,
# TCP 1000 4.1 -> 2.9 (RSS 104 -> 72 MB), TCP 10k 4,258 -> 5,973 checks/s (responder-bound) at
# 15 -> 14 CPU-s, RSS 223 -> 150 MB; HTTP_GET 1000 12.7 -> 6.0 CPU-s.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${LVSD_IN_VM:-}" = 1 ] || { echo "bench/checkers.sh runs inside the VM: node test/kernel/vm/run.mjs --timeout=3000 -- bash bench/checkers.sh" >&2; exit 2; }
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(200 1000 10000)
SECS=${SECS:-20}; WARM=${WARM:-5}; CHECKERS=${CHECKERS:-"TCP_CHECK HTTP_GET"}
work=$(mktemp -d "${LVSD_VM_SHARE:?}/checkers-bench-XXXX")
ns=ckbench$$
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ulimit -n 65536 || true

cat > "$work/build.mjs" <<'EOF'
import { build } from 'esbuild';
import { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/package.json');
await build({
  stdin: {
    contents: `export { NetlinkIpvs } from './src/ipvs/client.js';
      export { applyDesired, executeOps } from './src/ipvs/apply.js';
      export { reconcile } from './src/ipvs/reconcile.js';
      export { serviceKey } from './src/ipvs/model.js';
      export { loadConfig } from './src/config/load.js';
      export { LvsEngine } from './src/lvs/engine.js';`,
    resolveDir: process.cwd(), sourcefile: 'bench-entry.ts', loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: process.argv[2], logLevel: 'error',
  plugins: [{ name: 'abs', setup(b) { b.onResolve({ filter: /^[^./]/ }, (a) => a.path.startsWith('node:')
    ? { path: a.path, external: true } : { path: require.resolve(a.path), external: true }); } }],
});
EOF
node "$work/build.mjs" "$work/lvsd.mjs"

# Counting server: every connection is a check; HTTP requests get a small fixed page.
cat > "$work/server.mjs" <<'EOF'
import net from 'node:net';
const [port, host, countFile] = process.argv.slice(2);
let count = 0;
const page = 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok';
const srv = net.createServer((s) => { count++; s.on('error', () => {}); s.on('data', () => s.end(page)); s.on('end', () => s.end()); });
srv.listen({ port: Number(port), host, backlog: 4096 }, () => console.log('ready'));
process.on('SIGUSR1', () => { import('node:fs').then((fs) => fs.writeFileSync(countFile, String(count))); });
EOF

# lvsd: the engine with the real IPVS reconciler, measuring itself.
cat > "$work/run-lvsd.mjs" <<EOF
import { LvsEngine, loadConfig, NetlinkIpvs, applyDesired, executeOps, reconcile, serviceKey } from '$work/lvsd.mjs';
const [conf, warm, secs, probeAddr] = process.argv.slice(2);
const { model, ok, diagnostics } = loadConfig(conf);
if (!ok) { console.error(JSON.stringify(diagnostics.slice(0, 5))); process.exit(2); }
const k = await NetlinkIpvs.open();
const owned = new Set();
let gone = null;
// First apply against the kernel's table; later ones diff against what was applied, so a
// change costs its own operations, not a dump of the whole table.
let applied = null;
// failed attempts and applies during the measurement: a starved run shows up as failures
let fails = 0, applies = 0, measuring = false;
const reasons = new Map();
const engine = new LvsEngine({ model, onCheck: (e) => {
  if (!measuring || e.result.ok) return;
  fails++;
  reasons.set(e.result.reason, (reasons.get(e.result.reason) ?? 0) + 1);
}, apply: async (rows) => {
  if (measuring) applies++;
  for (const r of rows) owned.add(serviceKey(r.service));
  if (applied === null) await applyDesired(k, rows, owned);
  else await executeOps(k, reconcile(rows, applied, owned));
  applied = rows;
  if (gone === null && probeAddr && !rows.some((r) => r.dests.some((d) => d.addr === probeAddr))) gone = performance.now();
} });
await engine.start();
await new Promise((r) => setTimeout(r, Number(warm) * 1000));
const c0 = process.cpuUsage(); const t0 = performance.now(); let maxRss = 0;
const iv = setInterval(() => { maxRss = Math.max(maxRss, process.memoryUsage().rss); }, 500);
process.stdout.write('measuring\n');
measuring = true;
await new Promise((r) => setTimeout(r, Number(secs) * 1000));
const c = process.cpuUsage(c0); const dt = (performance.now() - t0) / 1000;
clearInterval(iv);
measuring = false;
const out = { cpuPer60: ((c.user + c.system) / 1e6) * 60 / dt, rssMB: Math.max(maxRss, process.memoryUsage().rss) / 2 ** 20, seconds: dt, fails, applies,
  topFail: [...reasons].sort((a, b) => b[1] - a[1])[0]?.join(' x') ?? '' };
if (probeAddr) {
  // the probe server is killed by the script on this line; time until the table lost it
  process.stdout.write('kill-probe\n');
  const tk = await new Promise((r) => process.stdin.once('data', () => r(performance.now())));
  for (let i = 0; i < 100 && gone === null; i++) await new Promise((r) => setTimeout(r, 50));
  out.leaveMs = gone === null ? null : Math.round(gone - tk);
}
process.stdout.write(JSON.stringify(out) + '\n');
engine.stop(); k.close(); process.exit(0);
EOF

gen_conf() { # N CHECKER -> keepalived.conf on stdout
  local n=$1 checker=$2
  echo 'global_defs {'; echo '  enable_script_security'; echo '}'
  echo 'virtual_server 10.99.0.1 80 {'
  echo '  delay_loop 1'; echo '  lvs_sched wlc'; echo '  lvs_method NAT'; echo '  protocol TCP'
  node -e '
    const [n, checker] = [Number(process.argv[1]), process.argv[2]];
    const body = checker === "HTTP_GET"
      ? "    HTTP_GET {\n      url {\n        path /\n        digest 444bcb3a3fcf8389296c49467f27e1d6\n      }\n      connect_timeout 1\n    }\n"
      : "    TCP_CHECK {\n      connect_timeout 1\n    }\n";
    let out = "";
    for (let i = 0; i < n; i++) out += `  real_server 127.1.${(i / 250) | 0}.${(i % 250) + 1} 8080 {\n${body}  }\n`;
    out += `  real_server 127.2.0.1 8081 {\n${body}  }\n`;
    process.stdout.write(out);' "$n" "$checker"
  echo '}'
}

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

start_server() { # port host -> pid
  # shellcheck disable=SC2086
  ip netns exec "$ns" node ${SERVER_NODE_FLAGS:-} "$work/server.mjs" "$1" "$2" "$work/count.$1" > "$work/server.$1.log" 2>&1 &
  local p=$!; pids+=("$p")
  for _ in $(seq 100); do grep -q ready "$work/server.$1.log" 2>/dev/null && break; sleep 0.1; done
  echo "$p"
}
active_opens() { ip netns exec "$ns" awk '/^Tcp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp; }

# Next line of lvsd's output matching a glob (other output is passed to stderr).
until_line() {
  local l
  while read -r l <&"$lvout"; do
    # shellcheck disable=SC2053
    if [[ $l == $1 ]]; then printf '%s' "$l"; return 0; fi
    printf 'lvsd: %s\n' "$l" >&2
  done
  echo "lvsd output ended:" >&2; cat "$work/lvsd.err" >&2
  return 1
}

hz=$(getconf CLK_TCK)
printf '%-10s %-7s %-10s %12s %10s %9s %9s %9s %s\n' checker size daemon 'checks/s' 'CPU-s/60s' 'ms/check' 'RSS MB' 'leave ms' 'loadavg(VM)'
for checker in $CHECKERS; do
  for n in "${sizes[@]}"; do
    conf="$work/$checker-$n.conf"
    gen_conf "$n" "$checker" > "$conf"
    expected=$((n + 1))
    for daemon in lvsd keepalived; do
      [ -z "${ONLY:-}" ] || [ "$ONLY" = "$daemon" ] || continue
      ip netns exec "$ns" ipvsadm -C
      srv=$(start_server 8080 0.0.0.0)
      probe=$(start_server 8081 127.2.0.1)
      leave=-
      if [ "$daemon" = lvsd ]; then
        # shellcheck disable=SC2086
        coproc LV { ip netns exec "$ns" node ${LVSD_NODE_FLAGS:-} "$work/run-lvsd.mjs" "$conf" "$WARM" "$SECS" "$([ "$checker" = TCP_CHECK ] && echo 127.2.0.1)" 2>"$work/lvsd.err"; }
        lvpid=$LV_PID; pids+=("$lvpid")
        # own copies: bash closes LV's descriptors as soon as the coprocess exits
        exec {lvout}<&"${LV[0]}" {lvin}>&"${LV[1]}"
        until_line measuring >/dev/null
        c0=$(active_opens)
        sleep "$SECS"
        c1=$(active_opens)
        if [ "$checker" = TCP_CHECK ]; then
          until_line kill-probe >/dev/null
          kill -9 "$probe"; echo go >&"$lvin"
        fi
        result=$(until_line '{*')
        wait "$lvpid" 2>/dev/null || true
        exec {lvout}<&- {lvin}>&-
        cpu=$(node -e 'const r=JSON.parse(process.argv[1]);process.stdout.write(r.cpuPer60.toFixed(1))' "$result")
        rss=$(node -e 'const r=JSON.parse(process.argv[1]);process.stdout.write(r.rssMB.toFixed(1))' "$result")
        leave=$(node -e 'const r=JSON.parse(process.argv[1]);process.stdout.write(String(r.leaveMs ?? "-"))' "$result")
        notes=$(node -e 'const r=JSON.parse(process.argv[1]);process.stdout.write(`fails=${r.fails} applies=${r.applies}${r.topFail ? ` (${r.topFail})` : ""}`)' "$result")
      else
        ip netns exec "$ns" keepalived -C -n -l -G -f "$conf" -p "$work/ka.pid" -c "$work/kc.pid" > "$work/ka-$checker-$n.log" 2>&1 &
        kapid=$!; pids+=("$kapid")
        for _ in $(seq 100); do [ -s "$work/kc.pid" ] && break; sleep 0.1; done
        kc=$(cat "$work/kc.pid")
        sleep "$WARM"
        t0=$(cpu_ticks "$kc"); c0=$(active_opens)
        sleep "$SECS"
        t1=$(cpu_ticks "$kc"); c1=$(active_opens)
        rss=$(rss_mb "$kc")
        cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$SECS" 'BEGIN { printf "%.1f", (b-a)/hz*60/s }')
        kill -TERM "$kapid"; for _ in $(seq 100); do kill -0 "$kapid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$kapid" 2>/dev/null || true; rm -f "$work/ka.pid" "$work/kc.pid"
      fi
      [ "$daemon" = lvsd ] || notes=
      rate=$(awk -v a="$c0" -v b="$c1" -v s="$SECS" 'BEGIN { printf "%.0f", (b-a)/s }')
      # CPU per check: comparable even when a starved VM keeps neither daemon at the full rate
      per=$(awk -v c="$cpu" -v r="$rate" 'BEGIN { if (r > 0) printf "%.2f", c * 1000 / 60 / r; else print "-" }')
      printf '%-10s %-7s %-10s %7s/%-5s %10s %9s %9s %9s %s\n' "$checker" "$n" "$daemon" "$rate" "$expected" "$cpu" "$per" "$rss" "$leave" "$(cut -d' ' -f1-3 /proc/loadavg) ${notes:-}"
      kill -9 "$srv" "$probe" 2>/dev/null || true
      sleep 0.5
    done
  done
done
