#!/usr/bin/env bash
# genhash benchmark: lvsd genhash vs keepalived genhash vs md5sum of the same
# file, bodies of 1 KB, 1 MB, 100 MB and 1 GB served over loopback by a tiny
# Node static server. Prints median wall time of RUNS runs, ratios, max RSS.
# CPU time (user+sys) is printed too: on a loaded machine wall time mostly
# measures the scheduler, CPU time still compares the programs.
# Needs python3 (for getrusage of each run). PRIO=rt runs the server and every
# measured command under SCHED_FIFO (chrt -f 10, root only): on a machine busy
# with other work this approximates an idle machine's wall times.
# Usage: bench/genhash.sh [RUNS]   (env SIZES="1K 1M" to pick sizes, BUILD=0 to skip tsc)
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
    // No Nagle: otherwise the body waits behind the header for the client's delayed ACK (~40 ms).
    sock.setNoDelay(true);
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
RUN=()
[ "${PRIO:-}" = rt ] && RUN=(chrt -f 10)
"${RUN[@]}" node "$DIR/server.mjs" "$DIR" > "$DIR/port" &
SERVER_PID=$!
for _ in $(seq 50); do [ -s "$DIR/port" ] && break; sleep 0.1; done
PORT=$(cat "$DIR/port")
[ -n "$PORT" ] || { echo "server did not start" >&2; exit 1; }

# measure CMD... -> prints "wall_us maxrss_kb digest cpu_us" (getrusage of the child, microseconds)
measure() {
  python3 - "$DIR/out" "$@" <<'PY'
import os, shutil, sys, time
out = sys.argv[1]
argv = sys.argv[2:]
rss_file = out + ".rss"
# /usr/bin/time (a small forked process) reports the child's own peak RSS;
# wait4 gives CPU time to the microsecond (time's own share is ~1 ms).
timer = shutil.which("time", path="/usr/bin")
if timer:
    argv = [timer, "-f", "%M", "-o", rss_file] + argv
exe = shutil.which(argv[0]) or argv[0]
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
t0 = time.monotonic_ns()
pid = os.posix_spawn(exe, argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, fd, 1)])
_, _, ru = os.wait4(pid, 0)
wall = (time.monotonic_ns() - t0) // 1000
os.close(fd)
rss = ru.ru_maxrss
if timer:
    with open(rss_file) as f:
        rss = int(f.read().split()[-1])
with open(out, "rb") as f:
    digest = f.read(32).decode("latin1") or "-"
print(wall, rss, digest, int((ru.ru_utime + ru.ru_stime) * 1e6))
PY
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { awk -v u="$1" 'BEGIN {printf "%.1f", u/1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a/b; else print "-"}'; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs${PRIO:+, priority $PRIO}"
# Node's own start-up, the floor under any Node program's time.
declare -a TB=() CB=()
for _ in $(seq "$RUNS"); do
  read -r t r d c < <(measure "${RUN[@]}" node -e 0)
  TB+=("$t"); CB+=("$c")
done
echo "node -e 0 (start-up floor): wall $(ms "$(printf '%s\n' "${TB[@]}" | median)") ms, cpu $(ms "$(printf '%s\n' "${CB[@]}" | median)") ms"
printf '%-5s | %8s %8s %8s %7s %7s | %8s %8s %8s %7s | %8s %8s %8s\n' size lvsd ka md5sum l/ka l/md5 \
  lvsd ka md5sum l/ka lvsd ka md5sum
printf '%-5s | %41s | %35s | %26s\n' '' 'wall ms (median)' 'cpu ms user+sys (median)' 'max RSS KB'
for s in $SIZES; do
  want=$(md5sum "$DIR/$s" | cut -c1-32)
  declare -a TL=() TK=() TM=() CL=() CK=() CM=(); RL=0; RK=0; RM=0
  for _ in $(seq "$RUNS"); do
    read -r t r d c < <(measure "${RUN[@]}" node "$LVSD_JS" -s 127.0.0.1 -p "$PORT" -u "/$s")
    [ "$d" = "$want" ] || { echo "lvsd digest mismatch for $s: $d" >&2; exit 1; }
    TL+=("$t"); CL+=("$c"); [ "$r" -gt $RL ] && RL=$r
    read -r t r d c < <(measure "${RUN[@]}" "$KA" -s 127.0.0.1 -p "$PORT" -u "/$s")
    [ "$d" = "$want" ] || { echo "keepalived digest mismatch for $s: $d" >&2; exit 1; }
    TK+=("$t"); CK+=("$c"); [ "$r" -gt $RK ] && RK=$r
    read -r t r d c < <(measure "${RUN[@]}" md5sum "$DIR/$s")
    TM+=("$t"); CM+=("$c"); [ "$r" -gt $RM ] && RM=$r
  done
  med() { printf '%s\n' "$@" | median; }
  L=$(med "${TL[@]}"); K=$(med "${TK[@]}"); M=$(med "${TM[@]}")
  cL=$(med "${CL[@]}"); cK=$(med "${CK[@]}"); cM=$(med "${CM[@]}")
  printf '%-5s | %8s %8s %8s %7s %7s | %8s %8s %8s %7s | %8s %8s %8s\n' "$s" \
    "$(ms "$L")" "$(ms "$K")" "$(ms "$M")" "$(ratio "$L" "$K")" "$(ratio "$L" "$M")" \
    "$(ms "$cL")" "$(ms "$cK")" "$(ms "$cM")" "$(ratio "$cL" "$cK")" "$RL" "$RK" "$RM"
done
echo "median of $RUNS runs each, the three tools interleaved; RSS = max over runs; node $(node -v)"
