#!/bin/bash
# Description: the errors flag and damaged space maps through mount.argosfs: with the flag set (by the store_helper hook, and by a mount that meets a metadata page with no valid mirror) a read-write mount is refused with exit 32, -o ro mounts, -o force mounts read-write, fsck -n exits 4, fsck -y clears it and a read-write mount works again; a member whose current space map slot is garbage still mounts read-write (the map is rebuilt from the tree and written back: fsck -n -f exits 0 after umount), and offline fsck -n reports it (exit 4) and fsck -y repairs it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fuselib.bash"

need_cmd dd cmp
fuse_init
ARGOSFS=$(tool argosfs)
HELPER=$(builddir)/tests/integration/store_helper
[ -x "$HELPER" ] || hard_error "$HELPER is not built"
fuse_pool 6 32M
M=$T/mnt
fuse_mount "$M"
head -c 3000000 /dev/urandom >"$T/data"
mkdir "$M/d"
cp "$T/data" "$M/d/data"
for i in $(seq 30); do echo "file $i" >"$M/d/f$i"; done
fuse_umount "$M"

# fsck_rc WANT ARGS...: run fsck.argosfs ARGS $POOL; its output in $T/fsck.out.
fsck_rc() {
	local want=$1 rc=0
	shift
	"$FSCK" "$@" "$POOL" >"$T/fsck.out" 2>&1 || rc=$?
	[ "$rc" = "$want" ] || { cat "$T/fsck.out" >&2; fail "fsck.argosfs $* exited $rc (want $want)"; }
}
# refused_rw: a read-write mount fails with 32 and says why and what to do.
refused_rw() {
	local rc=0
	"$MOUNT" "$POOL" "$M" 2>"$T/err" || rc=$?
	[ "$rc" = 32 ] || fail "read-write mount with the errors flag set: exit $rc (want 32)"
	grep -q 'errors flag' "$T/err" && grep -q 'fsck' "$T/err" ||
		fail "the refusal does not name the errors flag and fsck: $(cat "$T/err")"
	! findmnt -n --mountpoint "$M" >/dev/null || fail "the refused mount left $M mounted"
}
# newest FIELD IMAGE: FIELD of the newest superblock copy of IMAGE.
newest() {
	"$ARGOSFS" dump-super "$2" | awk -v f="$1" '
		/^copy / { g = $NF + 0 }
		$1 == f && g >= best { best = g; v = $2 }
		END { print v }'
}
errors_flag() {   # prints true or false
	newest errors "${IMGS[0]}"
}

# ---- the flag set by the test hook ----
"$HELPER" set-errors "$POOL" || hard_error "store_helper set-errors"
[ "$(errors_flag)" = true ] || fail "store_helper set-errors did not set the flag: $(errors_flag)"
refused_rw
fuse_mount "$M" -o ro
cmp "$T/data" "$M/d/data" || fail "data differs on the read-only mount"
fuse_umount "$M"
fuse_mount "$M" -o force
echo forced >"$M/forced" || fail "write on a forced read-write mount"
fuse_umount "$M"
[ "$(errors_flag)" = true ] || fail "a forced mount cleared the errors flag"
fsck_rc 4 -n
grep -q PR_0_ERRORS_FLAG "$T/fsck.out" || { cat "$T/fsck.out" >&2; fail "fsck -n does not report the errors flag"; }
fsck_rc 1 -y
fsck_rc 0 -n
[ "$(errors_flag)" = false ] || fail "fsck -y left the errors flag set"
fuse_mount "$M"
[ "$(cat "$M/forced")" = forced ] || fail "the forced mount's write is lost"
fuse_umount "$M"
log "errors flag (hook): rw refused (32), ro and force mount, fsck -n 4, fsck -y clears"

# ---- the flag set by real damage: every mirror of a tree page garbage ----
# Enough files for a tree of several leaves; the last leaf (the newest
# inodes, not the root directory's) loses every mirror.
fuse_mount "$M"
mkdir "$M/many"
(cd "$M/many" && for i in $(seq 400); do echo "$i" >"n$i"; done) || fail "creating 400 files"
fuse_umount "$M"
"$ARGOSFS" dump-tree --json "$POOL" >"$T/tree.json" 2>"$T/err" || { cat "$T/err" >&2; hard_error "argosfs dump-tree"; }
mirrors=$(python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
pages = t["pages"] if isinstance(t, dict) else t
leaf = [p for p in pages if p.get("level") == 0][-1]
print(" ".join("%d:%d" % (m["member"], m["block"]) for m in leaf["mirrors"]))
' "$T/tree.json") || hard_error "no page mirrors in argosfs dump-tree --json"
[ -n "$mirrors" ] || hard_error "no page mirrors in argosfs dump-tree --json"
for mb in $mirrors; do
	dd if=/dev/urandom of="${IMGS[${mb%%:*}]}" bs=4096 seek="${mb#*:}" count=1 conv=notrunc status=none
done
fuse_mount "$M"
# Walk everything: something reads the page that is gone (EIO), the daemon
# records the errors flag (within its commit interval) and umount keeps it.
find "$M" -type f -exec cat {} + >/dev/null 2>&1 || :
ls -lR "$M" >/dev/null 2>&1 || :
fuse_umount "$M"
[ "$(errors_flag)" = true ] || fail "a mount that met a lost tree page did not set the errors flag"
refused_rw
fsck_rc 4 -n
log "errors flag (a lost tree page): set by the mount, rw refused"
# Back to a healthy pool for the space map part: a fresh mkfs.
for img in "${IMGS[@]}"; do truncate -s 0 "$img"; truncate -s 32M "$img"; done
"$MKFS" -L fuse-errors-2 "${IMGS[@]}" >/dev/null || hard_error "mkfs.argosfs again"
fuse_mount "$M"
mkdir "$M/d"
cp "$T/data" "$M/d/data"
for i in $(seq 30); do echo "file $i" >"$M/d/f$i"; done
fuse_umount "$M"

# ---- a damaged space map ----
# smash_map I: garbage over member I's current space map slot (its header
# and first blocks).
smash_map() {
	local i=$1 off len slot
	off=$(newest spacemap_off "${IMGS[i]}")
	len=$(newest spacemap_len "${IMGS[i]}")
	slot=$(newest spacemap_slot "${IMGS[i]}")
	[ -n "$off" ] && [ -n "$len" ] && [ -n "$slot" ] || hard_error "no space map fields in dump-super ${IMGS[i]}"
	dd if=/dev/urandom of="${IMGS[i]}" bs=4096 seek=$(( (off + slot * (len / 2)) / 4096 )) count=2 \
		conv=notrunc status=none
}
smash_map 2
fsck_rc 4 -n
grep -q PR_1_SPACEMAP_BAD "$T/fsck.out" || { cat "$T/fsck.out" >&2; fail "fsck -n does not report the damaged space map"; }
# A read-write mount rebuilds it, says so, and writes it back.
mkdir -p "$M"
"$MOUNT" "$POOL" "$M" 2>"$T/err" || { cat "$T/err" >&2; fail "mount with a damaged space map"; }
_fuse_register "$M"
grep -q 'space map' "$T/err" || fail "the mount does not report the rebuilt space map: $(cat "$T/err")"
cmp "$T/data" "$M/d/data" || fail "data differs after the space map rebuild"
for i in $(seq 20); do cp "$T/data" "$M/d/copy$i" || fail "write after the rebuild"; done
rm "$M/d/copy1"*
fuse_umount "$M"
fsck_rc 0 -n -f
log "damaged space map: mounted read-write, rebuilt, written back; fsck -n -f clean"
# Offline: fsck -y repairs it; a read-only mount works meanwhile.
smash_map 4
fuse_mount "$M" -o ro
cmp "$T/data" "$M/d/copy5" || fail "data differs on a ro mount with a damaged space map"
fuse_umount "$M"
fsck_rc 4 -n
fsck_rc 1 -y
grep -q PR_1_SPACEMAP_BAD "$T/fsck.out" || { cat "$T/fsck.out" >&2; fail "fsck -y does not report the damaged space map"; }
fsck_rc 0 -n -f
log "ok"
