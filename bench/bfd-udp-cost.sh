#!/usr/bin/env bash
# What the IPv4 TTL check costs: lvsd reads IPv4 BFD through an IPPROTO_UDP raw socket, which
# sees every UDP datagram delivered to the host. This sends N datagrams to another UDP port of
# the lvsd namespace while a BFD session runs and reports the BFD driver's CPU time for them.
#   sudo flock /tmp/lvsd-bench.lock bash bench/bfd-udp-cost.sh
# Measured 2026-11-26, session 3 (08:0x UTC, 2 shared cores), before the raw socket became
# conditional (max_hops 255 on every IPv4 instance now means no raw socket and no such cost):
#   load average before: 1.51 1.76 2.22
#   idle (5 s, BFD session only): 40 ms CPU
#   200000 UDP datagrams to port 9999 in .985083458 s: BFD driver 650 ms CPU (incl. 1 s idle)
#   BFD transitions during the run (want none after the first Up): 0 down, 1 up
#   load average after: 1.28 1.71 2.20
#   i.e. about 3 us of lvsd CPU per foreign UDP datagram (~65% of a core at 200k datagrams/s);
#   the BFD session stayed Up through it.
# Env: N (200000).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200000}
A=bfdcostA$$; B=bfdcostB$$; D=$(mktemp -d)
cleanup() { [ -n "${DRV:-}" ] && kill "$DRV" 2>/dev/null || true; [ -n "${DRVB:-}" ] && kill "$DRVB" 2>/dev/null || true; [ -n "${SINK:-}" ] && kill "$SINK" 2>/dev/null || true; ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true; rm -rf "$D"; }
trap cleanup EXIT
ip netns add $A; ip netns add $B
ip link add bca0 netns $A type veth peer name bcb0 netns $B
ip -n $A addr add 10.82.0.1/24 dev bca0; ip -n $B addr add 10.82.0.2/24 dev bcb0
ip -n $A link set bca0 up; ip -n $B link set bcb0 up
npx esbuild test/netns/bfd/driver.ts --bundle --platform=node --format=esm --target=node20 --external:raw-socket --outfile="$D/driver.mjs" --log-level=error
SPEC='[{"name":"LV","family":4,"neighbor":"10.82.0.2","source":"10.82.0.1","minRxUs":100000,"minTxUs":100000,"idleTxUs":1000000,"multiplier":3,"passive":false,"ttl":255,"maxHops":0,"weight":0,"reverse":false,"toVrrp":true,"toChecker":true}]'
SPEC_B='[{"name":"PEER","family":4,"neighbor":"10.82.0.1","source":"10.82.0.2","minRxUs":100000,"minTxUs":100000,"idleTxUs":1000000,"multiplier":3,"passive":false,"ttl":255,"maxHops":0,"weight":0,"reverse":false,"toVrrp":true,"toChecker":true}]'
NODE_PATH=$PWD/node_modules ip netns exec $A node "$D/driver.mjs" "$SPEC" > "$D/out" 2>&1 & DRV=$!
NODE_PATH=$PWD/node_modules ip netns exec $B node "$D/driver.mjs" "$SPEC_B" > "$D/outB" 2>&1 & DRVB=$!
sleep 4
grep -q '"ev":"up"' "$D/out" || { echo "BFD session did not come Up"; exit 1; }
# a port nobody listens on gets ICMP unreachable; give it a sink so the kernel delivers normally
ip netns exec $A python3 -c "import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('0.0.0.0',9999)); s.setblocking(False); t=time.time()+60
while time.time()<t:
  try: s.recv(100)
  except BlockingIOError: time.sleep(0.001)" & SINK=$!
sleep 0.5
ticks() { awk '{print $14+$15}' /proc/$DRV/stat; }
HZ=$(getconf CLK_TCK)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(ticks); sleep 5; t1=$(ticks)
echo "idle (5 s, BFD session only): $(( (t1 - t0) * 1000 / HZ )) ms CPU"
t0=$(ticks); s0=$(date +%s.%N)
ip netns exec $B python3 -c "
import socket
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
m=b'x'*64
for i in range($N): s.sendto(m,('10.82.0.1',9999))
"
s1=$(date +%s.%N); sleep 1; t1=$(ticks)
echo "$N UDP datagrams to port 9999 in $(echo "$s1 - $s0" | bc) s: BFD driver $(( (t1 - t0) * 1000 / HZ )) ms CPU (incl. 1 s idle)"
echo "BFD transitions during the run (want none after the first Up): $(grep -c '"ev":"down"' "$D/out" || true) down, $(grep -c '"ev":"up"' "$D/out" || true) up"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill $SINK 2>/dev/null || true
