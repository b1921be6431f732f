#!/usr/bin/env bash
# genhash benchmark: lvsd genhash vs keepalived genhash vs md5sum of the same
# file, bodies of 1 KB, 1 MB, 100 MB and 1 GB served over loopback by a tiny
# Node static server. Prints median wall time of RUNS runs, ratios, max RSS.
# Usage: bench/genhash.sh [RUNS]   (env SIZES="1K 1M" to pick sizes)
set -euo pipefail
RUNS=${1:-5}
SIZES=${SIZES:-"1K 1M 100M 1G"}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LVSD_JS="$ROOT/dist/src/cli/genhash.js"
KA=/usr/bin/genhash
[ -x "$KA" ] || { echo "keepalived genhash not found at $KA" >&2; exit 1; }
if [ ! -f "$LVSD_JS" ] || [ "${BUILD:-1}" = 1 ]; then
  (cd "$ROOT" && npx tsc -p tsconfig.json) || { echo "build failed" >&2; exit 1; }
fi
DIR=$(mktemp -d /tmp/lvsd-genhash-bench.XXXXXX)
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT

cat > "$DIR/server.mjs" <<'JS'
// Static files over loopback: Content-Length header, then the file in 1 MB reads.
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
const dir = process.argv[2];
const srv = net.createServer((sock) => {
  let req = '';
  sock.on('error', () => {});
  sock.on('data', (d) => {
    req += d.toString('latin1');
    if (!req.includes('\r\n\r\n')) return;
    sock.removeAllListeners('data');
    const name = path.basename(/^GET \/(\S*) /.exec(req)?.[1] ?? '');
    const file = path.join(dir, name);
    let size;
    try { size = fs.statSync(file).size; } catch { sock.end('HTTP/1.0 404 Not Found\r\n\r\n'); return; }
    sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`);
    fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(sock);
  });
});
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
JS

declare -A BYTES=([1K]=1024 [1M]=1048576 [100M]=104857600 [1G]=1073741824)
for s in $SIZES; do
  head -c "${BYTES[$s]}" /dev/urandom > "$DIR/$s"
done
node "$DIR/server.mjs" "$DIR" > "$DIR/port" &
SERVER_PID=$!
for _ in $(seq 50); do [ -s "$DIR/port" ] && break; sleep 0.1; done
PORT=$(cat "$DIR/port")
[ -n "$PORT" ] || { echo "server did not start" >&2; exit 1; }

HAVE_TIME=0; [ -x /usr/bin/time ] && HAVE_TIME=1
# run LABEL CMD... -> prints "seconds maxrss_kb" ; checks the output digest
measure() {
  local out="$DIR/out" t0 t1 rss
  if [ $HAVE_TIME = 1 ]; then
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$DIR/rss" "$@" > "$out"
    t1=$(date +%s%N)
    rss=$(tail -1 "$DIR/rss")
  else
    t0=$(date +%s%N)
    "$@" > "$out" & local pid=$! peak=0 cur
    while kill -0 $pid 2>/dev/null; do
      cur=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
      [ "${cur:-0}" -gt $peak ] && peak=$cur
      sleep 0.005
    done
    wait $pid; t1=$(date +%s%N); rss=$peak
  fi
  echo "$(( (t1 - t0) / 1000 )) $rss $(cut -c1-32 "$out")"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { awk -v u="$1" 'BEGIN {printf "%.1f", u/1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }

printf '%-6s %12s %12s %12s %9s %9s %10s %10s %10s\n' size lvsd_ms keepalived_ms md5sum_ms lvsd/ka lvsd/md5 lvsd_rssKB ka_rssKB md5_rssKB
for s in $SIZES; do
  want=$(md5sum "$DIR/$s" | cut -c1-32)
  declare -a TL=() TK=() TM=(); RL=0; RK=0; RM=0
  for _ in $(seq "$RUNS"); do
    read -r t r d < <(measure node "$LVSD_JS" -s 127.0.0.1 -p "$PORT" -u "/$s")
    [ "$d" = "$want" ] || { echo "lvsd digest mismatch for $s: $d" >&2; exit 1; }
    TL+=("$t"); [ "$r" -gt $RL ] && RL=$r
    read -r t r d < <(measure "$KA" -s 127.0.0.1 -p "$PORT" -u "/$s")
    [ "$d" = "$want" ] || { echo "keepalived digest mismatch for $s: $d" >&2; exit 1; }
    TK+=("$t"); [ "$r" -gt $RK ] && RK=$r
    read -r t r d < <(measure md5sum "$DIR/$s")
    TM+=("$t"); [ "$r" -gt $RM ] && RM=$r
  done
  L=$(printf '%s\n' "${TL[@]}" | median); K=$(printf '%s\n' "${TK[@]}" | median); M=$(printf '%s\n' "${TM[@]}" | median)
  printf '%-6s %12s %12s %12s %9s %9s %10s %10s %10s\n' "$s" "$(ms "$L")" "$(ms "$K")" "$(ms "$M")" \
    "$(ratio "$L" "$K")" "$(ratio "$L" "$M")" "$RL" "$RK" "$RM"
done
echo "median of $RUNS runs each; RSS = max over runs (KB); node $(node -v)"
