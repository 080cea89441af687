#!/bin/bash
# scripts/demo.sh — the ArgosFS demo, on image files in a temporary directory.
# Run it through `scripts/bootstrap --demo` (installs what is missing, builds,
# and runs this with ARGOS_BUILDDIR set).  Needs root (FUSE mounts here need
# /dev/fuse, which is mode 0600 on Debian).
#
# What it shows: six image files formatted as one 4+2 pool, mounted through
# FUSE, a real tree (/usr/share/doc) copied in; two members taken away and
# the pool mounted degraded: every file reads back identical; the members
# back, then the data areas of two members overwritten with garbage: every
# file still identical, fsck.argosfs -y rebuilds the damaged chunks, fsck -n
# then finds nothing, and the pool reads back identical with the two other
# members gone.  Everything is unmounted and removed at the end, whatever
# happens (trap).
set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${ARGOS_BUILDDIR:-$srcdir/build}
[ -f "$builddir/Makefile" ] ||
	{ echo "demo.sh: $builddir is not configured; run scripts/bootstrap --demo" >&2; exit 1; }
make -C "$builddir" -s --no-print-directory >/dev/null
[ "$(id -u)" = 0 ] || { echo "demo.sh: run it as root (FUSE mounts need /dev/fuse)" >&2; exit 1; }
[ -c /dev/fuse ] || { echo "demo.sh: no /dev/fuse" >&2; exit 1; }

mkfs="$builddir/tools/mkfs.argosfs"
fsck="$builddir/tools/fsck.argosfs"
mount="$builddir/tools/mount.argosfs"
argosfs="$builddir/tools/argosfs"
tree=${ARGOS_DEMO_TREE:-/usr/share/doc}

base=/dev/shm
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
dir=$(mktemp -d "$base/argosfs-demo.XXXXXX")
mnt=$dir/mnt
mkdir "$mnt"

cleanup() {
	local pid
	set +e
	cd /
	pid=$(pgrep -f -- "mount\\.argosfs .* $mnt( |\$)" | head -n 1)
	if findmnt -n --mountpoint "$mnt" >/dev/null 2>&1; then
		fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" 2>/dev/null || umount -l "$mnt"
	fi
	if [ -n "$pid" ]; then
		for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
runrc() { local rc=0; printf '$ %s\n' "$*"; "$@" || rc=$?; echo "(exit code $rc)"; return 0; }
# fsck -y names every repair (thousands with the whole tree in): show the
# first few and the summary; the full list stays in $dir/fsck.log.
fsck_repair() {
	local rc=0 n
	printf '$ %s -y -f %s\n' "$fsck" "$pool"
	"$fsck" -y -f "$pool" >"$dir/fsck.log" 2>&1 || rc=$?
	n=$(wc -l <"$dir/fsck.log")
	if [ "$n" -le 6 ]; then
		cat "$dir/fsck.log"
	else
		head -n 5 "$dir/fsck.log"
		echo "... ($((n - 6)) more lines)"
		tail -n 1 "$dir/fsck.log"
	fi
	echo "(exit code $rc)"
}
# umount, then wait for the daemon's last checkpoint (fsck would wait too).
unmount() {
	local pid
	pid=$(pgrep -f -- "mount\\.argosfs .* $mnt( |\$)" | head -n 1)
	run umount "$mnt"
	[ -z "$pid" ] || while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

step "Six 256 MiB image files (sparse, in $dir)"
imgs=()
for i in 0 1 2 3 4 5; do
	truncate -s 256M "$dir/disk$i.img"
	imgs+=("$dir/disk$i.img")
done
ls -ls "$dir"/*.img
pool=$(IFS=,; echo "${imgs[*]}")

step "Format them as one 4+2 pool (any two members may fail)"
run "$mkfs" -L demo "${imgs[@]}"
uuid=$("$argosfs" scan --search "$dir" | sed -n 's/^pool \([0-9a-f-]*\) .*/\1/p' | head -n 1)

step "Mount it through FUSE (mount.argosfs pool:UUID=... DIR, as fstab would)"
run "$mount" -o search="$dir" "pool:UUID=$uuid" "$mnt"
run findmnt "$mnt"
run df -h "$mnt"

step "Copy a real tree in: $tree"
SECONDS=0
run cp -a "$tree" "$mnt/tree"
echo "($(find "$mnt/tree" | wc -l) files and directories, $(du -sh "$mnt/tree" | cut -f1), ${SECONDS}s)"
run diff -r --no-dereference "$tree" "$mnt/tree"
echo "identical"
run df -h "$mnt"
unmount
runrc "$fsck" -n -f "$pool"

step "Fail two members: disk1 and disk4 are gone"
mkdir "$dir/away"
run mv "$dir/disk1.img" "$dir/disk4.img" "$dir/away/"
run "$argosfs" scan --search "$dir"
four="$dir/disk0.img,$dir/disk2.img,$dir/disk3.img,$dir/disk5.img"
echo "A plain mount refuses a pool with members missing:"
runrc "$mount" "$four" "$mnt"
run "$mount" -o degraded,ro "$four" "$mnt"
step "Every file reads back identical with two of six members gone"
SECONDS=0
run diff -r --no-dereference "$tree" "$mnt/tree"
echo "identical (${SECONDS}s)"
unmount

step "The members come back; the pool is healthy again"
run mv "$dir/away/disk1.img" "$dir/away/disk4.img" "$dir/"
run "$argosfs" scan --search "$dir"

step "Now corrupt two members in place: random bytes over their whole data areas"
for i in 1 4; do
	# From the member's data_off (its superblock says where) to 1 MiB before
	# its end (the back superblock copies).
	off=$("$argosfs" dump-super "$dir/disk$i.img" | awk '$1 == "data_off" && !n++ { print $2 }')
	first=$(( (off + 1048575) / 1048576 ))
	run dd if=/dev/urandom of="$dir/disk$i.img" bs=1M seek=$first count=$((256 - first - 1)) conv=notrunc status=none
done
run "$mount" -o ro "$pool" "$mnt"
echo "Reads detect the bad chunks by their checksums and rebuild the data from parity:"
run diff -r --no-dereference "$tree" "$mnt/tree"
echo "identical"
unmount

step "Repair: fsck.argosfs -y rebuilds every damaged chunk onto new extents"
fsck_repair
runrc "$fsck" -n -f "$pool"

step "Proof: the repaired members now carry the data — take the two others away"
run mv "$dir/disk0.img" "$dir/disk5.img" "$dir/away/"
run "$mount" -o degraded,ro "$dir/disk1.img,$dir/disk2.img,$dir/disk3.img,$dir/disk4.img" "$mnt"
run diff -r --no-dereference "$tree" "$mnt/tree"
echo "identical"
unmount
run mv "$dir/away/disk0.img" "$dir/away/disk5.img" "$dir/"
runrc "$fsck" -n -f "$pool"

step "Done: unmounted; $dir is removed on exit"
