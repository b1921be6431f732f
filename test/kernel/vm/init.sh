#!/bin/sh
# Guest /init (busybox sh): load modules, build a root from the host's (read-only 9p, made
# writable by an overlay on tmpfs so nothing ever reaches the host), run the command the host
# wrote into the results share, store its exit status there, power off.
/bin/busybox --install -s /bin
export PATH=/bin
say() { echo "lvsd-vm: $*"; }
halt_now() { sync; poweroff -f; echo o > /proc/sysrq-trigger; sleep 10; }
die() { say "FATAL: $*"; echo "init: $*" > /share/init-error 2>/dev/null; halt_now; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
say "init start $(cut -d' ' -f1 /proc/uptime)s"

while read -r mod; do
  insmod "/lib/modules/$mod" || die "insmod $mod failed"
done < /modules.load
say "modules loaded $(cut -d' ' -f1 /proc/uptime)s"

P9=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o $P9 share /share || die "mount of the results share failed"
[ -f /share/vm.env ] || die "no vm.env in the share"
. /share/vm.env
mount -t 9p -o $P9,cache=loose,ro hostroot /lower || die "mount of the host root failed"
mount -t tmpfs -o mode=755 tmpfs /upper || die "tmpfs /upper"
mkdir -p /upper/data /upper/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work /newroot \
  || die "overlay root failed"

R=/newroot
mount -t proc proc $R/proc || die "proc"
mount -t sysfs sysfs $R/sys || die "sysfs"
mount -t devtmpfs devtmpfs $R/dev || die "devtmpfs"
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts devpts $R/dev/pts
mount -t tmpfs tmpfs $R/dev/shm
# Fresh /tmp and /run hide the host's, except the host paths the run needs (a CI checkout
# may live under /tmp): those are moved back on top, still backed by the overlay.
i=0
for p in $(echo "$LVSD_VM_KEEP" | tr ':' ' '); do
  case "$p" in /tmp/*|/run/*) mkdir -p /keep/$i && mount --bind "$R$p" /keep/$i || die "keep $p"; i=$((i+1));; esac
done
mount -t tmpfs -o mode=1777 tmpfs $R/tmp || die "tmpfs /tmp"
mount -t tmpfs -o mode=755 tmpfs $R/run || die "tmpfs /run"
i=0
for p in $(echo "$LVSD_VM_KEEP" | tr ':' ' '); do
  case "$p" in /tmp/*|/run/*) mkdir -p "$R$p" && mount --move /keep/$i "$R$p" || die "keep $p"; i=$((i+1));; esac
done
mkdir -p $R/run/lock
[ -d /sys/fs/cgroup ] && mount -t cgroup2 cgroup2 $R/sys/fs/cgroup 2>/dev/null

mkdir -p "$R$LVSD_VM_SHARE" && mount --bind /share "$R$LVSD_VM_SHARE" || die "bind of the share"

# Host folders the run asked to write through (run.mjs --rw=DIR): 9p tags rw0, rw1, ...
i=0
for p in $(echo "$LVSD_VM_RW" | tr ':' ' '); do
  mkdir -p "$R$p" && mount -t 9p -o $P9 rw$i "$R$p" || die "writable share $p"
  i=$((i+1))
done

# Bound the run even if the host side is gone (run.mjs killed hard): power off at the deadline.
[ -n "$LVSD_VM_DEADLINE" ] && { sleep "$LVSD_VM_DEADLINE"; say "FATAL: deadline ${LVSD_VM_DEADLINE}s reached"; halt_now; } &

ip link set lo up
hostname lvsd-vm
say "guest command start $(cut -d' ' -f1 /proc/uptime)s"
chroot $R /bin/bash "$LVSD_VM_SHARE/run.sh"
rc=$?
say "guest command exit $rc $(cut -d' ' -f1 /proc/uptime)s"
echo "$rc" > /share/status.tmp && mv /share/status.tmp /share/status
halt_now
