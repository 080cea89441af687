#!/bin/bash
# Description: the life of a mount: mount(8)-style options (ro, noatime, defaults, _netdev, x-*) handled or stripped, bad options exit 1, failures exit 32; fsck on a mounted pool exits 8; right after umount, fsck.argosfs and argosfs ls wait for the exiting daemon and succeed; fsck -t argosfs pool:UUID= through fsck(8); mount -t argosfs and an fstab line through mount(8), in a private mount namespace where /usr/sbin holds our mount.argosfs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fuselib.bash"

fuse_init
ARGOSFS=$(tool argosfs)
fuse_pool 6 64M
M=$T/mnt
mkdir -p "$M"

# ---- usage errors (1) and failures (32) ----
rc=0; "$MOUNT" "$POOL" "$M" -o bogus 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "unknown option: exit $rc (want 1)"
grep -q bogus "$T/err" || fail "unknown option not named: $(cat "$T/err")"
rc=0; "$MOUNT" "$POOL" 2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "missing mount point: exit $rc (want 1)"
rc=0; "$MOUNT" "$T/nothere.img" "$M" 2>"$T/err" || rc=$?
[ "$rc" = 32 ] || fail "missing member: exit $rc (want 32)"
rc=0; "$MOUNT" "$POOL" "$T/nodir" 2>/dev/null || rc=$?
[ "$rc" = 32 ] || fail "missing mount point directory: exit $rc (want 32)"
! findmnt -n --mountpoint "$M" >/dev/null || fail "a failed mount left $M mounted"
# -s: unknown options ignored; -f: fake (nothing mounted); -n, -v accepted.
"$MOUNT" "$POOL" "$M" -s -f -n -v -o bogus,defaults || fail "mount.argosfs -f -s -n -v"
! findmnt -n --mountpoint "$M" >/dev/null || fail "-f mounted"

# ---- mount(8)'s own options stripped, ro and noatime applied ----
fuse_mount "$M" -o defaults,_netdev,nofail,x-systemd.requires=foo,comment=x,noatime,ro
opts=$(findmnt -n -o OPTIONS --mountpoint "$M")
log "options: $opts"
grep -qw ro <<<"${opts//,/ }" || fail "-o ro is not in the mount's options: $opts"
grep -qw noatime <<<"${opts//,/ }" || fail "-o noatime is not in the mount's options: $opts"
grep -q 'x-systemd\|_netdev\|nofail\|comment' <<<"$opts" && fail "mount(8) options reached the kernel: $opts"
[ "$(findmnt -n -o SOURCE --mountpoint "$M")" = "pool:UUID=$UUID" ] || fail "source is not pool:UUID=$UUID"
[ "$(findmnt -n -o FSTYPE --mountpoint "$M")" = fuse.argosfs ] || fail "type is not fuse.argosfs"
fuse_expect_fail mkdir "$M/x"
grep -q 'Read-only' <<<"$ERRTXT" || fail "mkdir on a ro mount: $ERRTXT"
# A read-only mount holds no member exclusively: fsck finds it in the mount table.
rc=0; "$FSCK" -y -f "$POOL" >"$T/out" 2>&1 || rc=$?
[ "$rc" = 8 ] || { cat "$T/out" >&2; fail "fsck -y on a read-only mount: exit $rc (want 8)"; }
grep -q 'mounted on' "$T/out" || { cat "$T/out" >&2; fail "fsck on a ro mount does not say where"; }

fuse_umount "$M"

# ---- write, umount, and at once fsck / argosfs ls (they wait for the daemon) ----
fuse_mount "$M"
mkdir "$M/dir"
head -c 3000000 /dev/urandom >"$T/data"
cp "$T/data" "$M/dir/data"
for i in $(seq 40); do echo "$i" >"$M/dir/f$i"; done
# A mounted pool (read-write): fsck exits 8, a second mount fails.
rc=0; "$FSCK" -n "$POOL" >"$T/out" 2>&1 || rc=$?
[ "$rc" = 8 ] || { cat "$T/out" >&2; fail "fsck on a mounted pool: exit $rc (want 8)"; }
rc=0; "$FSCK" -y "pool:UUID=$UUID" --search "$T" >"$T/out" 2>&1 || rc=$?
[ "$rc" = 8 ] || { cat "$T/out" >&2; fail "fsck -y pool:UUID= on a mounted pool: exit $rc (want 8)"; }
mkdir "$T/mnt2"
rc=0; "$MOUNT" "$POOL" "$T/mnt2" 2>"$T/err" || rc=$?
[ "$rc" = 32 ] || fail "a second mount of the pool: exit $rc (want 32)"
pid=$DAEMON_PID
fuse_umount_nowait "$M"
alive=$(kill -0 "$pid" 2>/dev/null && echo "still running" || echo gone)
SECONDS=0
"$FSCK" -n -f "$POOL" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "fsck right after umount"; }
log "fsck right after umount (daemon $alive): ok in ${SECONDS}s"
fuse_mount "$M"
pid=$DAEMON_PID
fuse_umount_nowait "$M"
"$ARGOSFS" ls "$POOL" /dir >"$T/ls" 2>"$T/err" || { cat "$T/err" >&2; fail "argosfs ls right after umount"; }
grep -q data "$T/ls" || fail "argosfs ls does not list data: $(cat "$T/ls")"
"$ARGOSFS" get "$POOL" /dir/data "$T/data.back" 2>"$T/err" ||
	"$ARGOSFS" cat "$POOL" /dir/data >"$T/data.back" 2>"$T/err" || { cat "$T/err" >&2; fail "argosfs get"; }
cmp "$T/data" "$T/data.back" || fail "data read offline after umount differs"
fuse_wait_exit "$pid" 30 || fail "daemon $pid still running"

# ---- fsck(8) finds fsck.argosfs (fsck searches $PATH after /sbin/fs.d, /sbin/fs) ----
if command -v fsck >/dev/null; then
	PATH=$(dirname "$FSCK"):$PATH fsck -t argosfs "pool:UUID=$UUID" -- -n --search "$T" >"$T/out" 2>&1 ||
		{ cat "$T/out" >&2; fail "fsck -t argosfs pool:UUID=$UUID"; }
	log "fsck -t argosfs: $(tail -n 1 "$T/out")"
fi

# ---- mount(8) and fstab ----
# mount(8) runs /sbin/mount.argosfs (/sbin is /usr/sbin on Debian 12).  In a
# private mount namespace (the system is not changed), /usr/sbin is replaced
# by a directory of links to the real programs plus our mount.argosfs, and
# /etc/fstab by a file holding our line; the namespace dies with its last
# process.
if command -v unshare >/dev/null && [ -d /usr/sbin ]; then
	mkdir "$T/realsbin" "$T/sbin"
	ls /usr/sbin | sed "s|^|$T/realsbin/|" | xargs -d '\n' ln -s -t "$T/sbin"   # one ln, not 180
	ln -sf "$MOUNT" "$T/sbin/mount.argosfs"
	echo "pool:UUID=$UUID $M argosfs defaults,x-systemd.automount,search=$T 0 0" >"$T/fstab"
	unshare -m --propagation private bash -c "
		set -e
		mount --bind /usr/sbin '$T/realsbin'
		mount --bind '$T/sbin' /usr/sbin
		mount -t argosfs -o search='$T' 'pool:UUID=$UUID' '$M'
		findmnt -n --mountpoint '$M'
		test -f '$M/dir/f1'
		umount '$M'
		mount --bind '$T/fstab' /etc/fstab
		for i in \$(seq 300); do mount '$M' 2>/dev/null && break; sleep 0.1; done
		findmnt -n --mountpoint '$M'
		test -f '$M/dir/f1'
		umount '$M'
	" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "mount -t argosfs / fstab (in a private namespace)"; }
	log "mount -t argosfs and the fstab line: ok"
	for p in $(pgrep -f "mount\\.argosfs .* $M( |\$)"); do fuse_wait_exit "$p" 30; done
else
	log "mount -t argosfs and fstab not tested: no unshare"
fi
"$FSCK" -n -f "$POOL" >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "final fsck"; }
log "ok"
