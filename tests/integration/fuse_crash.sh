#!/bin/bash
# Description: kill -9 of the mount.argosfs daemon during a write workload: the pool remounts after journal replay (and says so), every file fsynced before the kill is intact, and after umount fsck -n -f exits 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fuselib.bash"

need_cmd dd
fuse_init
fuse_pool 6 64M
M=$T/mnt
fuse_mount "$M"
mkdir "$M/w"

# The workload: files of varied sizes (inline, partial and several stripes),
# each written and fsynced (dd conv=fsync), then recorded with its checksum
# in $T/done — only once fsync returned.  Plus unsynced noise.
head -c $((3 * 1024 * 1024)) /dev/urandom >"$T/rand"
(
	set +e
	i=0
	while :; do
		i=$((i + 1))
		size=$(( (i * 7919) % (1536 * 1024) + 1 ))
		head -c "$size" "$T/rand" | tail -c "$((size - (i % 97)))" >"$T/cur" || exit 0
		dd if="$T/cur" of="$M/w/f$i" bs=128K conv=fsync status=none 2>/dev/null || exit 0
		echo "$(sha256sum <"$T/cur" | cut -c1-64) w/f$i" >>"$T/done"
		echo "noise $i" >>"$M/w/noise" 2>/dev/null || exit 0
		mkdir "$M/w/dir$i" 2>/dev/null || exit 0
	done
) &
writer=$!
push_cleanup fuse_kill_quiet "$writer"

# Let it run until a number of files are durable, then kill the daemon.
for ((t = 0; t < 600; t++)); do
	[ -f "$T/done" ] && [ "$(wc -l <"$T/done")" -ge 8 ] && break
	kill -0 "$writer" 2>/dev/null || fail "the writer stopped early"
	sleep 0.1
done
[ -f "$T/done" ] || fail "nothing was written within 60 s"
kill -9 "$DAEMON_PID"
fuse_wait_exit "$DAEMON_PID" 20 || fail "daemon survived kill -9"
wait "$writer" 2>/dev/null || :
n=$(wc -l <"$T/done")
log "killed the daemon after $n fsynced files"

# The dead mount: detach it (the kernel connection is gone).
_fuse_abort "$M"
fusermount3 -uz "$M" 2>/dev/null || umount -l "$M"

# Remount: journal replay, said on stderr.
"$MOUNT" "$POOL" "$M" 2>"$T/mount.err" || { cat "$T/mount.err" >&2; fail "remount after kill -9"; }
DAEMON_PID=$(fuse_daemon_pid "$M")
grep -q 'not cleanly unmounted' "$T/mount.err" || { cat "$T/mount.err" >&2; fail "remount did not report the unclean shutdown"; }
log "$(cat "$T/mount.err")"
(cd "$M" && sha256sum -c --quiet "$T/done") || fail "fsynced files lost or damaged after the crash"
# The pool is writable and consistent after replay.
echo after >"$M/w/after"
ls "$M/w" >/dev/null
fuse_umount "$M"
"$FSCK" -n -f "$POOL" >"$T/fsck.out" 2>&1 || { cat "$T/fsck.out" >&2; fail "fsck -n -f after the crash and a clean umount"; }
log "all $n fsynced files intact; fsck clean"
