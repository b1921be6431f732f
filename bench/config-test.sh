#!/usr/bin/env bash
# `lvsd -t` vs `keepalived -t` on generated configs with 100 .. 100,000 real servers,
# side by side in one run. Prints wall time (median of RUNS) and peak RSS of each, and ratios.
# CHECK=tcp makes 5-line TCP_CHECK real servers instead of 12-line HTTP_GET ones.
# Needs root (keepalived checks interfaces, so both run in a network namespace with veth0).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
SIZES=${SIZES:-"100 1000 10000 100000"}
command -v keepalived >/dev/null || { echo "keepalived not installed (apt-get install keepalived)"; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not installed (apt-get install time)"; exit 1; }
[ -f dist/src/cli/lvsd.js ] || npx tsc -p tsconfig.json

ns=lvsd-bench-$$
work=$(mktemp -d)
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add veth0 type veth peer name veth1
ip -n "$ns" link set veth0 up

# median wall ms and max RSS KB of RUNS runs of a command; prints "ms kb"
measure() {
  local -a times=() rss=()
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -o "$work/time" -f '%e %M' ip netns exec "$ns" "$@" >/dev/null 2>&1 || true
    local t m
    read -r t m < "$work/time"
    times+=("$(awk -v t="$t" 'BEGIN{printf "%d", t*1000}')")
    rss+=("$m")
  done
  local med maxrss
  med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  maxrss=$(printf '%s\n' "${rss[@]}" | sort -n | tail -n1)
  echo "$med $maxrss"
}

printf '%-8s %12s %12s %8s %14s %14s\n' "servers" "keepalived" "lvsd" "ratio" "keepalived_RSS" "lvsd_RSS"
for n in $SIZES; do
  conf="$work/k$n.conf"
  node bench/gen-config.mjs "$n" "$conf" veth0 "${CHECK:-http}"
  # verdicts first: both must accept the generated file
  ip netns exec "$ns" keepalived -t -f "$conf" -l -n >/dev/null 2>&1 || { echo "keepalived rejects $conf"; exit 1; }
  ip netns exec "$ns" node dist/src/cli/lvsd.js -t -f "$conf" >/dev/null 2>&1 || { echo "lvsd rejects $conf"; exit 1; }
  read -r kt km < <(measure keepalived -t -f "$conf" -l -n)
  read -r lt lm < <(measure node dist/src/cli/lvsd.js -t -f "$conf")
  ratio=$(awk -v a="$lt" -v b="$kt" 'BEGIN{ if (b>0) printf "%.2f", a/b; else print "n/a" }')
  printf '%-8s %10sms %10sms %8s %12sKB %12sKB\n' "$n" "$kt" "$lt" "$ratio" "$km" "$lm"
done
