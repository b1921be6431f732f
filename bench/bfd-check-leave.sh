#!/usr/bin/env bash
# BFD_CHECK leave time against real IPVS, lvsd and keepalived 2.2.7 as the director in the same
# VM runs: test/kernel/bfd-check.test.ts ROUNDS times (one VM boot each). Per round, three
# cycles: keepalived's BFD process in each of two real-server namespaces is SIGKILLed (no
# AdminDown), and the director must take RS1 out and RS2 to weight 0 (inhibit_on_failure).
# Detection time 3 x 100 ms = 300 ms. Figures (ms from the kill):
#   lvsd ipvsadm      `ipvsadm -L -n` (polled every 50 ms; each poll starts ipvsadm under TCG)
#   lvsd BFD Down     lvsd's bfd.transition log time (can be < 300: the peer's last packet left
#                     up to one tx interval before the kill)
#   lvsd apply        lvsd's ipvs.apply log time, written after the kernel's read-back
#   keepalived ipvsadm  the same poll with keepalived as the director (the reference)
#   sudo flock /tmp/lvsd-bench.lock bash bench/bfd-check-leave.sh    (npx tsc -p . first)
#
# Figures: see the end of this header (filled in by hand from a run).
# Env: ROUNDS (3).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$ROUNDS"); do
  node test/kernel/vm/run.mjs test/kernel/bfd-check.test.ts 2>&1 | grep -E '^(KA-)?LEAVE cycle|^FLAPS|Tests ' | tee -a "$out" || true
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "RESULTS ($ROUNDS rounds x 3 cycles x 2 real servers; min / median / max ms)"
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
const pick = (re) => lines.map((l) => re.exec(l)).filter(Boolean).map((m) => Number(m[1])).sort((a, b) => a - b);
const show = (name, xs) => console.log(`  ${name.padEnd(22)} ${xs.length ? `${xs[0]} / ${xs[xs.length >> 1]} / ${xs[xs.length - 1]}  (n=${xs.length})` : "-"}`);
show("lvsd ipvsadm", pick(/^LEAVE cycle.*kill -> ipvsadm (\d+) ms/));
show("lvsd BFD Down", pick(/^LEAVE cycle.*kill -> BFD Down (\d+) ms/));
show("lvsd apply", pick(/^LEAVE cycle \d+ RS1.*kill -> last apply (\d+) ms/));
show("keepalived ipvsadm", pick(/^KA-LEAVE cycle.*kill -> ipvsadm (\d+) ms/));
' "$out"
