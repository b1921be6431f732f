#!/usr/bin/env bash
# `lvsd -t` vs `keepalived -t` on generated configs with 100 .. 100,000 real servers,
# side by side in one run, interleaved. Prints wall time (median of RUNS), peak RSS and CPU time
# (user + system, median) of each, the ratios, and the load average before and after.
# CHECK=tcp makes 5-line TCP_CHECK real servers instead of 12-line HTTP_GET ones.
# Needs root (keepalived checks interfaces, so both run in a network namespace with veth0).
# node_empty: `node -e 0` in the same rounds, the part of lvsd's time that is Node's own start.
# NODE_EXTRA_CA_CERTS is unset for every command unless BENCH_KEEP_ENV=1: the workplace sets it
# to the system CA bundle, and Node parses those certificates at every start (about 30 ms of
# CPU on the 2-core bench machine) — a cost of that environment, not of lvsd on a host.
#
# Figures, 2026-11-26, session 3 (SIZES="10000 100000" RUNS=5, 2 cores shared with other work;
# wall medians, lvsd / keepalived; NODE_EXTRA_CA_CERTS unset):
#   before (92dea2a), load 1.6-1.8:  10,000: 127 / 99 ms = 1.28x   100,000: 468 / 916 ms = 0.51x, RSS 159 MB
#   after,            load 1.3-1.9:  10,000:  95 / 95 ms = 1.00x   100,000: 377 / 897 ms = 0.42x, RSS 151 MB
#   after,            load 0.2-0.6:  10,000: 118 / 100 ms = 1.18x  100,000: 399 / 934 ms = 0.43x
#   node -e 0 in the same rounds: 21-26 ms. CPU (all threads) after: 120 / 80 ms (10k), 490 / 880 ms (100k).
#   With the environment as given (NODE_EXTRA_CA_CERTS set), before: 152 / 98 ms = 1.55x and
#   481 / 920 ms = 0.52x (load 1.3); after (BENCH_KEEP_ENV=1, load 1.2-1.5): 138 / 98 ms = 1.41x
#   and 426 / 937 ms = 0.45x. Node's start alone is then ~54 ms instead of ~25.
# End of session 3, quiet machine (nothing else running, load 0.3-0.7), RUNS=7:
#   unset:  10,000: 98 / 99 ms = 0.99x (CPU 130 / 90 ms)  100,000: 388 / 930 ms = 0.42x, RSS 151 MB
#   as given: 10,000: 133 / 100 ms = 1.33x               100,000: 416 / 932 ms = 0.45x, RSS 153 MB
# Session 4 (2026-11-26, H1). lvsd is now the package bin, bin/lvsd: a sh launcher that execs node;
# for -t it drops NODE_EXTRA_CA_CERTS and adds --min-semi-space-size=16 (no scavenge at 10,000),
# and the config test loads no stream/net module. Columns: bundle = `node dist/bundle/lvsd.cjs`
# (same code, no launcher), before = e2ece46 as its bin ran (BEFORE=DIR). Other helpers' qemu VMs
# ran on the 2 cores all session, so figures swing 20-30 % between runs:
#   as given, RUNS=15, load 1.5-1.8:  10,000: ka 97, lvsd 97 ms = 1.00x (bundle 127, before 133 = 1.37x),
#                                     CPU 120 / 90 ms, RSS 64 MB, node -e 0: 53 ms
#   unset,    RUNS=15, load 1.9-2.2:  10,000: ka 97, lvsd 96 ms = 0.99x (bundle 97, before 101),
#                                     CPU 120 / 80 ms, RSS 64 MB, node -e 0: 22 ms
#   RUNS=5, 100,000: as given, load 2.5-3.7: 1156 / 503 ms = 0.44x (bundle 768, before 686), RSS 144 MB;
#                    unset, load 3.6-3.2: 926 / 354 ms = 0.38x (bundle 383, before 385), RSS 144 MB
#   as given, RUNS=9, load 2.0-2.3:   10,000: 100 / 125 = 1.25x (before 164)  100,000: 928 / 375 = 0.40x (before 400), RSS 146 MB
#   as given, RUNS=7, load 8.0-5.9:   10,000: 203 / 220 = 1.08x (before 317)  100,000: 893 / 348 = 0.39x (before 398), RSS 144 MB
#   unset,    RUNS=7, load 2.8-2.7:   10,000:  98 /  99 = 1.01x (before 104)  100,000: 926 / 366 = 0.40x (before 407), RSS 145 MB
#   unset,    RUNS=9, load 3.0-3.6:   10,000:  98 / 128 = 1.31x (before 138)  100,000: 941 / 457 = 0.49x (before 486)
# Interleaved A/B of the single changes (no netns): the young-generation flag takes the 10,000
# config test itself (timed in process, medians of 12, load ~5) from 103 to 92 ms, the whole
# process not measurably (load ~1, 25 runs: 121.6 / 118.8 ms), 100,000 from 439 to 426 ms (CPU
# 488 -> 451); loading no stream/net: CPU -3 ms; the launcher as given: ~30 ms (node -e 0 is 50 ms
# with the CA bundle, 19 without). Tried and dropped (no difference beyond noise): V8 flags
# --always-sparkplug, --no-lazy-feedback-allocation, --interrupt-budget, --maglev,
# --single-threaded (lower CPU under load, slower when a core is free), block objects from a
# generated constructor instead of Object.assign of the defaults.
# Session 5 (2026-11-26, H2): reloads reuse unchanged real_server blocks (config/load.ts); -t must
# not pay for it. BEFORE = 2871b91 (before that work), bundle columns, as given, RUNS=15 / 11:
#   keeping blocks in every load (28f5138), load 1.0-1.2: 10,000: 138 vs before 130 ms; 100,000:
#   462 vs 407 ms (RSS 154 MB): too dear, so only a process that reloads keeps them
#   final (9437ebf, -t keeps none), load 3.2-3.8: 10,000: 130 vs 133 ms (lvsd 95 / ka 99 = 0.96x);
#   100,000: 536 vs 501 ms (lvsd 439 / ka 942 = 0.47x, RSS 145 MB: the gap is this run's load);
#   loadConfig in-process, 9 fresh processes each on the 100,000 file, interleaved, load 1.8-2.0:
#   before 414, after 412 ms (medians): no cost left
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
env_note="environment as given"
if [ -z "${BENCH_KEEP_ENV:-}" ] && [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  unset NODE_EXTRA_CA_CERTS
  env_note="NODE_EXTRA_CA_CERTS unset (BENCH_KEEP_ENV=1 keeps it)"
fi
SIZES=${SIZES:-"100 1000 10000 100000"}
command -v keepalived >/dev/null || { echo "keepalived not installed (apt-get install keepalived)"; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not installed (apt-get install time)"; exit 1; }
# lvsd as installed: the bin of package.json (bin/lvsd, a sh launcher that execs node on the
# bundle of scripts/bundle.mjs, rebuilt here so it is current), run as a program as `npx lvsd` runs
# it. bundle: `node dist/bundle/lvsd.cjs` in the same rounds, the command line without the launcher.
node scripts/bundle.mjs
lvsd_bin=./$(node -p "require('./package.json').bin.lvsd")
bundle=dist/bundle/lvsd.cjs
# BEFORE=DIR: an older checkout (built, with its node_modules) whose bin `node DIR/dist/bundle/lvsd.cjs`
# runs in the same rounds too, column "before" (for before/after figures under the same load)
before=${BEFORE:+$BEFORE/dist/bundle/lvsd.cjs}

ns=lvsd-bench-$$
work=$(mktemp -d)
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add veth0 type veth peer name veth1
ip -n "$ns" link set veth0 up

# One run of a command: wall ms (from the shell's nanosecond clock; /usr/bin/time's %e is only
# 10 ms fine), max RSS KB and CPU ms (user + system, all threads, 10 ms fine) from /usr/bin/time.
# Prints "ms kb cpu_ms".
run_once() {
  local t0 t1 m u s
  t0=$(date +%s%N)
  /usr/bin/time -o "$work/time" -f '%M %U %S' ip netns exec "$ns" "$@" >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  read -r m u s < "$work/time"
  echo "$(( (t1 - t0) / 1000000 )) $m $(awk -v u="$u" -v s="$s" 'BEGIN{printf "%d", (u+s)*1000}')"
}
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# keepalived and lvsd alternate, RUNS times each, so both see the same machine load; prints
# "keepalived_ms keepalived_kb lvsd_ms lvsd_kb keepalived_cpu lvsd_cpu node_empty_ms bundle_ms before_ms" (medians, max RSS)
measure_pair() {
  local conf=$1 kt=() km=() kc=() lt=() lm=() lc=() et=() bt=() ot=() t m c
  for _ in $(seq "$RUNS"); do
    read -r t m c < <(run_once keepalived -t -f "$conf" -l -n); kt+=("$t"); km+=("$m"); kc+=("$c")
    read -r t m c < <(run_once "$lvsd_bin" -t -f "$conf"); lt+=("$t"); lm+=("$m"); lc+=("$c")
    read -r t m c < <(run_once node -e 0); et+=("$t")
    read -r t m c < <(run_once node "$bundle" -t -f "$conf"); bt+=("$t")
    if [ -n "$before" ]; then read -r t m c < <(run_once node "$before" -t -f "$conf"); ot+=("$t"); else ot+=(0); fi
  done
  echo "$(printf '%s\n' "${kt[@]}" | median) $(printf '%s\n' "${km[@]}" | sort -n | tail -n1) $(printf '%s\n' "${lt[@]}" | median) $(printf '%s\n' "${lm[@]}" | sort -n | tail -n1) $(printf '%s\n' "${kc[@]}" | median) $(printf '%s\n' "${lc[@]}" | median) $(printf '%s\n' "${et[@]}" | median) $(printf '%s\n' "${bt[@]}" | median) $(printf '%s\n' "${ot[@]}" | median)"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $env_note"
printf '%-8s %12s %12s %8s %14s %14s %10s %10s %9s %11s %9s %9s\n' "servers" "keepalived" "lvsd" "ratio" "keepalived_RSS" "lvsd_RSS" "ka_cpu" "lvsd_cpu" "cpu_ratio" "node_empty" "bundle" "before"
for n in $SIZES; do
  conf="$work/k$n.conf"
  node bench/gen-config.mjs "$n" "$conf" veth0 "${CHECK:-http}"
  # verdicts first: both must accept the generated file
  ip netns exec "$ns" keepalived -t -f "$conf" -l -n >/dev/null 2>&1 || { echo "keepalived rejects $conf"; exit 1; }
  ip netns exec "$ns" "$lvsd_bin" -t -f "$conf" >/dev/null 2>&1 || { echo "lvsd rejects $conf"; exit 1; }
  read -r kt km lt lm kc lc et bt ot < <(measure_pair "$conf")
  ratio=$(awk -v a="$lt" -v b="$kt" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "n/a" }')
  cratio=$(awk -v a="$lc" -v b="$kc" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "n/a" }')
  printf '%-8s %10sms %10sms %8s %12sKB %12sKB %8sms %8sms %9s %9sms %7sms %7sms\n' "$n" "$kt" "$lt" "$ratio" "$km" "$lm" "$kc" "$lc" "$cratio" "$et" "$bt" "$ot"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
