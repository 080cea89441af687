#!/bin/bash
# Description: a 4+2 pool with two of its six members gone: mount refuses without -o degraded (exit 32), mounts with -o degraded,ro and every file reads back identical; with the members back it mounts normally and fsck -n -f exits 0; two members with their data areas overwritten: every file still reads back identical, fsck -y rebuilds the chunks and fsck -n -f then exits 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fuselib.bash"

need_cmd diff dd
fuse_init
fuse_tree_src
fuse_pool 6 48M
M=$T/mnt
fuse_mount "$M"
cp -a "$SRC" "$M/tree" || fail "cp -a"
head -c $((3 * 1024 * 1024 + 12345)) /dev/urandom >"$T/big"
cp "$T/big" "$M/big"
before=$(fuse_manifest "$M")
fuse_umount "$M"

# ---- two members gone ----
mkdir "$T/away"
mv "${IMGS[1]}" "${IMGS[4]}" "$T/away/"
four=$(IFS=,; echo "${IMGS[0]},${IMGS[2]},${IMGS[3]},${IMGS[5]}")
rc=0
"$MOUNT" "$four" "$M" 2>"$T/err" || rc=$?
[ "$rc" = 32 ] || fail "mount with two members missing, without -o degraded: exit $rc (want 32)"
grep -qi 'degraded' "$T/err" || fail "the refusal does not mention -o degraded: $(cat "$T/err")"
fuse_mount_spec "$four" "$M" -o degraded,ro
after=$(fuse_manifest "$M")
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") >&2; fail "degraded read differs"; }
diff -r --no-dereference "$SRC" "$M/tree" || fail "diff -r of the degraded mount"
cmp "$T/big" "$M/big" || fail "big file differs on the degraded mount"
fuse_expect_fail touch "$M/new"
grep -q 'Read-only' <<<"$ERRTXT" || fail "a write to the ro mount: $ERRTXT"
fuse_umount "$M"

# ---- back together: a normal mount, fsck clean ----
mv "$T/away/"* "$T/"
"$FSCK" -n -f "$POOL" >"$T/fsck.out" 2>&1 || { cat "$T/fsck.out" >&2; fail "fsck -n -f with the members back"; }
fuse_mount "$M"
[ "$(fuse_manifest "$M")" = "$before" ] || fail "the tree changed after the degraded mount"
fuse_umount "$M"

# ---- two members' data areas overwritten ----
# The whole data area of members 1 and 4 (from the data_off their
# superblock gives to the back superblock copies: data chunks and the
# metadata mirrors there) becomes garbage.
ARGOSFS=$(tool argosfs)
for i in 1 4; do
	off=$("$ARGOSFS" dump-super "${IMGS[i]}" | awk '$1 == "data_off" && !n++ { print $2 }')
	[ -n "$off" ] || hard_error "no data_off in dump-super ${IMGS[i]}"
	first=$(( (off + 1048575) / 1048576 ))
	dd if=/dev/urandom of="${IMGS[i]}" bs=1M seek=$first count=$((48 - first - 1)) conv=notrunc status=none
done
fuse_mount "$M" -o ro
after=$(fuse_manifest "$M")
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") >&2; fail "reads with two corrupt members differ"; }
cmp "$T/big" "$M/big" || fail "big file differs with two corrupt members"
fuse_umount "$M"
rc=0
"$FSCK" -y -f "$POOL" >"$T/fsck.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$T/fsck.out" >&2; fail "fsck -y -f on two corrupt members: exit $rc (want 1: corrected)"; }
log "fsck -y: $(tail -n 1 "$T/fsck.out")"
"$FSCK" -n -f "$POOL" >"$T/fsck.out" 2>&1 || { cat "$T/fsck.out" >&2; fail "fsck -n -f after fsck -y"; }
# Now the two other members can go: the repaired chunks carry the data.
mv "${IMGS[0]}" "${IMGS[5]}" "$T/away/"
fuse_mount_spec "$(IFS=,; echo "${IMGS[1]},${IMGS[2]},${IMGS[3]},${IMGS[4]}")" "$M" -o degraded,ro
[ "$(fuse_manifest "$M")" = "$before" ] || fail "after the repair, the other two members are still needed"
fuse_umount "$M"
mv "$T/away/"* "$T/"
log "ok"
