#!/bin/bash
# Description: a 4+2 pool on six loop devices mounted through FUSE: cp -a of a real tree, diff -r, tar round trip, hard links, symlinks, mkfifo, mknod, chmod/chown, xattrs, truncate, sparse dd, parallel writers, rename over existing files; sync, umount, fsck -n -f exits 0, remount, everything identical.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fuselib.bash"

need_loop
need_cmd tar diff cmp mkfifo mknod setfattr getfattr dd
fuse_init
fuse_tree_src
fuse_pool 6 64M loop
log "pool $UUID on ${DEVS[*]}"
M=$T/mnt
fuse_mount "$M"

# ---- a real tree, and tar ----
cp -a "$SRC" "$M/tree" || fail "cp -a into the mount failed"
diff -r --no-dereference "$SRC" "$M/tree" || fail "diff -r after cp -a"
tar -C "$M" -cf "$T/tree.tar" tree || fail "tar c from the mount"
mkdir "$M/untar"
tar -C "$M/untar" -xpf "$T/tree.tar" || fail "tar x into the mount"
diff -r --no-dereference "$SRC" "$M/untar/tree" || fail "diff -r after the tar round trip"
log "tree: $(find "$M/tree" | wc -l) objects copied and compared"

# ---- hard links ----
mkdir "$M/misc"
cd "$M/misc"
echo one >a
ln a b
ln b c
[ "$(stat -c %h a)" = 3 ] || fail "link count of a is $(stat -c %h a), not 3"
[ "$(stat -c %i a)" = "$(stat -c %i c)" ] || fail "hard links have different inodes"
echo two >>b
[ "$(cat c)" = "$(printf 'one\ntwo')" ] || fail "a write through one link is not seen through another"
rm a
[ "$(stat -c %h c)" = 2 ] || fail "link count after unlink: $(stat -c %h c)"

# ---- symlinks ----
ln -s c sym
ln -s /nowhere/at/all dangling
ln -s "$(head -c 1000 /dev/zero | tr '\0' x)" longtarget
[ "$(readlink sym)" = c ] || fail "readlink sym"
[ "$(cat sym)" = "$(cat c)" ] || fail "reading through a symlink"
[ "$(readlink dangling)" = /nowhere/at/all ] || fail "readlink dangling"
[ "$(readlink longtarget | wc -c)" = 1001 ] || fail "a 1000-byte symlink target"
[ -L dangling ] && [ ! -e dangling ] || fail "dangling symlink"

# ---- special files ----
mkfifo fifo
[ -p fifo ] || fail "mkfifo"
( echo through-the-fifo >fifo & )
[ "$(timeout 20 cat fifo)" = through-the-fifo ] || fail "data through a FIFO on the mount"
mknod null c 1 3
mknod blk b 7 200
[ "$(stat -c '%F %t:%T' null)" = "character special file 1:3" ] || fail "mknod c: $(stat -c '%F %t:%T' null)"
[ "$(stat -c '%F %t:%T' blk)" = "block special file 7:c8" ] || fail "mknod b: $(stat -c '%F %t:%T' blk)"
# (FUSE mounts are nodev: the node exists but does not open.)

# ---- chmod / chown ----
echo x >owned
chown 1234:5678 owned
chmod 4750 owned
[ "$(stat -c '%u:%g %a' owned)" = "1234:5678 4750" ] || fail "chown/chmod: $(stat -c '%u:%g %a' owned)"
chown 1235 owned    # root's chown of an executable clears setuid
[ "$(stat -c '%u %a' owned)" = "1235 750" ] || fail "chown kept setuid: $(stat -c '%u %a' owned)"
mkdir sgid
chown :4321 sgid
chmod 2775 sgid
mkdir sgid/sub
touch sgid/file
[ "$(stat -c '%g %a' sgid/sub)" = "4321 2755" ] || fail "setgid dir: subdir $(stat -c '%g %a' sgid/sub)"
[ "$(stat -c %g sgid/file)" = 4321 ] || fail "setgid dir: file group $(stat -c %g sgid/file)"

# ---- xattrs ----
setfattr -n user.colour -v blue c
hex=$(head -c 3000 /dev/urandom | od -An -tx1 | tr -d ' \n')
setfattr -n user.big -v "0x$hex" c
setfattr -n user.gone -v x c
setfattr -x user.gone c
[ "$(getfattr --only-values -n user.colour c)" = blue ] || fail "getfattr user.colour"
[ "$(getfattr --only-values -n user.big c | od -An -tx1 | tr -d ' \n')" = "$hex" ] || fail "a 3000-byte xattr"
getfattr -d c | grep -q user.gone && fail "removed xattr still listed"
fuse_expect_fail getfattr -n user.gone c
grep -q 'No such attribute' <<<"$ERRTXT" || fail "getfattr of a removed xattr: $ERRTXT"

# ---- truncate, sparse files ----
head -c 300000 /dev/urandom >"$T/r300k"
cp "$T/r300k" trunc
truncate -s 100000 trunc
cmp trunc <(head -c 100000 "$T/r300k") || fail "truncate down"
truncate -s 5000000 trunc
[ "$(stat -c %s trunc)" = 5000000 ] || fail "truncate up: size"
cmp <(tail -c 4900000 trunc) <(head -c 4900000 /dev/zero) || fail "truncate up: not zeros"
head -c 65536 /dev/urandom >"$T/r64k"
# (A 16 MiB hole: a few stripes of nothing, read back as zeros; every
# further MiB is only more of the same reads.)
dd if="$T/r64k" of=sparse bs=64K seek=256 conv=notrunc status=none
dd if="$T/r64k" of="$T/sparse" bs=64K seek=256 conv=notrunc status=none
[ "$(stat -c %s sparse)" = $((257 * 65536)) ] || fail "sparse size $(stat -c %s sparse)"
cmp sparse "$T/sparse" || fail "sparse file differs"
[ "$(stat -c %b sparse)" -lt 8000 ] || fail "a 16 MiB sparse file holds $(stat -c %b sparse) blocks"

# ---- parallel writers ----
mkdir "$M/par"
head -c 700000 /dev/urandom >"$T/r1m"
for w in 1 2 3 4; do
	(
		for i in $(seq 4); do
			dd if="$T/r1m" of="$M/par/w$w-$i" bs=$((w * 7001)) status=none || exit 1
			echo "w$w $i" >>"$M/par/log-$w" || exit 1
		done
	) &
done
wait || fail "a parallel writer failed"
for f in "$M"/par/w*; do
	cmp -s "$f" "$T/r1m" || fail "parallel writer's $f differs"
done
[ "$(ls "$M/par" | wc -l)" = 20 ] || fail "parallel writers: $(ls "$M/par" | wc -l) files"

# ---- rename over existing files and directories ----
cd "$M/misc"
echo old >r-old
echo new >r-new
ln r-old r-oldlink
mv -f r-new r-old
[ "$(cat r-old)" = new ] && [ ! -e r-new ] || fail "rename over a file"
[ "$(cat r-oldlink)" = old ] && [ "$(stat -c %h r-oldlink)" = 1 ] || fail "the replaced file's other link"
mkdir d-src d-dst
echo in >d-src/f
mv -T d-src d-dst || fail "rename a directory over an empty one"
[ "$(cat d-dst/f)" = in ] || fail "renamed directory's content"
mkdir d-full d-other
touch d-full/x
fuse_expect_fail mv -T d-other d-full
grep -q 'not empty' <<<"$ERRTXT" || fail "rename over a non-empty directory: $ERRTXT"
mv "$M/tree/util-linux" "$M/untar/" && mv "$M/untar/util-linux" "$M/tree/" || fail "rename across directories"
cd /

# ---- durability across umount ----
sync
before=$(fuse_manifest "$M") || fail "manifest of the mount"
df_before=$(df -k --output=used "$M" | tail -1)
fuse_umount "$M"
"$FSCK" -n -f "$POOL" >"$T/fsck.out" 2>&1 || { cat "$T/fsck.out" >&2; fail "fsck -n -f after umount"; }
fuse_mount "$M"
after=$(fuse_manifest "$M")
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") >&2; fail "the tree changed across umount/mount"; }
diff -r --no-dereference "$SRC" "$M/tree" || fail "diff -r after remount"
cmp "$M/misc/sparse" "$T/sparse" || fail "sparse file after remount"
log "df used: $df_before KiB; after remount $(df -k --output=used "$M" | tail -1) KiB"

# ---- delete everything; the space comes back ----
rm -rf "$M/tree" "$M/untar" "$M/par" "$M/misc"
[ -z "$(ls -A "$M")" ] || fail "root not empty after rm -rf: $(ls -A "$M")"
fuse_umount "$M"
"$FSCK" -n -f "$POOL" >"$T/fsck.out" 2>&1 || { cat "$T/fsck.out" >&2; fail "fsck -n -f after rm -rf"; }
log "ok"
