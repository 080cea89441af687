#!/bin/bash
# Description: mount.argosfs with long kernel cache timeouts (-o entry_timeout=,attr_timeout=,negative_timeout=; long by default): bad values are refused with exit 1; with every name and attribute cached, stat after chmod, hard links, unlink and rename over another name, mkdir/rmdir/rename of directories, xattrs, appends, a read and a readdir under strictatime, and of a file unlinked while open shows the right mode, nlink, size, ctime and atime — the same as after a remount; the same for a file written and appended under -o writeback_cache (data and size after a remount).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fuselib.bash"

need_cmd setfattr dd stat find
fuse_init
fuse_pool 6 64M
M=$T/mnt
mkdir -p "$M"

# ---- bad values: usage errors, nothing mounted ----
_fuse_register "$M"   # torn down at exit should one of them mount after all
for bad in entry_timeout=abc attr_timeout=-1 negative_timeout= entry_timeout=nan \
	attr_timeout=1e12 entry_timeout=5s negative_timeout=inf; do
	rc=0
	"$MOUNT" "$POOL" "$M" -o "$bad" 2>"$T/err" || rc=$?
	[ "$rc" = 1 ] || fail "-o $bad: exit $rc, not 1 (usage error)"
	grep -q "${bad%%=*}=.*expected seconds" "$T/err" ||
		fail "-o $bad: no clear message: $(cat "$T/err")"
	! findmnt -n --mountpoint "$M" >/dev/null || fail "-o $bad mounted"
done
"$MOUNT" -h | grep -q "entry_timeout=S" || fail "mount.argosfs -h does not mention entry_timeout"

fuse_mount "$M" -o entry_timeout=3600,attr_timeout=3600,negative_timeout=1800.5,strictatime
cd "$M"

# What the kernel shows: file type and mode (hex), links, size, owner.
st() { stat -c '%f %h %s %u:%g' "$@"; }
ctime() { stat -c %z "$1"; }
expect() {   # expect WHAT NAME 'mode nlink size owner'
	local got
	got=$(st "$2") || fail "$1: stat $2 failed"
	[ "$got" = "$3" ] || fail "$1: stat $2 shows '$got', expected '$3'"
}
touches() {  # touches NAME CMD...: CMD (which keeps NAME) must move NAME's ctime
	local name=$1 c0
	shift
	c0=$(ctime "$name")
	sleep 0.02
	"$@" || fail "$* failed"
	[ "$(ctime "$name")" != "$c0" ] || fail "$*: ctime of $name did not move"
}
# Every change below is made after the names involved were stat'ed (cached).

# ---- chmod ----
echo data >a
expect create a "81a4 1 5 0:0"
touches a chmod 600 a
expect chmod a "8180 1 5 0:0"

# ---- a hard link, then unlink of the other name ----
touches a ln a b
expect "ln a b" a "8180 2 5 0:0"
expect "ln a b" b "8180 2 5 0:0"
touches a rm b
expect "rm b" a "8180 1 5 0:0"
! stat b >/dev/null 2>&1 || fail "rm b: b still there"

# ---- rename over a name that has another link ----
ln a a2
echo other >c
expect "ln a a2" a2 "8180 2 5 0:0"
st c >/dev/null
touches a2 mv c a   # a2: the replaced inode
expect "mv c a" a2 "8180 1 5 0:0"
expect "mv c a" a "81a4 1 6 0:0"
[ "$(cat a)" = other ] || fail "mv c a: a has the old content"
! stat c >/dev/null 2>&1 || fail "mv c a: c still there"

# ---- a negative entry, then the name created ----
! stat nope >/dev/null 2>&1 || fail "nope exists"
echo now >nope
expect "create after a negative lookup" nope "81a4 1 4 0:0"

# ---- directories: link counts of parents ----
top=$(stat -c %h .)
mkdir d
[ "$(stat -c %h .)" = $((top + 1)) ] || fail "mkdir d: nlink of the root $(stat -c %h .)"
mkdir d/e
expect "mkdir d/e" d "41ed 3 $(stat -c %s d) 0:0"
mv d/e e
expect "mv d/e e" d "41ed 2 $(stat -c %s d) 0:0"
[ "$(stat -c %h .)" = $((top + 2)) ] || fail "mv d/e e: nlink of the root $(stat -c %h .)"
c0=$(ctime e)
sleep 0.02
mv e d/e2
[ "$(ctime d/e2)" != "$c0" ] || fail "mv e d/e2: ctime of the moved directory did not move"
rmdir d/e2
expect "rmdir d/e2" d "41ed 2 $(stat -c %s d) 0:0"
[ "$(stat -c %h .)" = $((top + 1)) ] || fail "rmdir: nlink of the root $(stat -c %h .)"

# ---- exchange ----
if mv --help 2>&1 | grep -q -- --exchange; then
	echo x1 >x1
	mkdir x2
	c0=$(ctime x1)
	sleep 0.02
	mv --exchange x1 x2
	[ -d x1 ] && [ -f x2 ] || fail "mv --exchange: types not swapped"
	[ "$(ctime x2)" != "$c0" ] || fail "mv --exchange: ctime of the moved file did not move"
fi

# ---- xattrs ----
touches a2 setfattr -n user.k -v v a2
touches a2 setfattr -x user.k a2

# ---- appends: size and blocks ----
head -c 100000 /dev/urandom >>a2
sync
expect append a2 "8180 1 100005 0:0"
[ "$(stat -c %b a2)" -gt 0 ] || fail "append: a2 has no blocks"

# ---- atime written by the daemon (strictatime): a read and a readdir ----
touch -a -d @978307200 a2 d
[ "$(stat -c %X a2)" = 978307200 ] || fail "touch -a: atime of a2 $(stat -c %X a2)"
dd if=a2 iflag=nocache count=0 status=none   # drop a2's cached pages: the read reaches the daemon
cat a2 >/dev/null
[ "$(stat -c %X a2)" -gt 978307200 ] || fail "read under strictatime: atime of a2 still $(stat -c %X a2)"
ls d >/dev/null
[ "$(stat -c %X d)" -gt 978307200 ] || fail "readdir under strictatime: atime of d still $(stat -c %X d)"

# ---- unlinked while open ----
exec 3<a2
rm a2
[ "$(stat -L -c %h /proc/self/fd/3)" = 0 ] || fail "rm of an open file: nlink $(stat -L -c %h /proc/self/fd/3)"
exec 3<&-

# ---- what the kernel showed is what the daemon has ----
manifest() {   # (not the atimes of directories: find's own readdirs move them)
	{
		find . -type d -printf '%p %y %m %U:%G %s %n %T@\n'
		find . ! -type d -printf '%p %y %m %U:%G %s %n %A@ %T@\n'
	} | LC_ALL=C sort
}
sync
manifest >"$T/before"
cd /
fuse_umount "$M"
fuse_mount "$M"   # the defaults: long timeouts too
(cd "$M" && manifest) >"$T/after"
diff "$T/before" "$T/after" || fail "the kernel's cached view differs from the pool after a remount"
fuse_umount "$M"

# ---- -o writeback_cache (not the default): the kernel keeps written data
# and the size in its page cache and sends them later; what it showed must
# be what the pool has after a remount ----
fuse_mount "$M" -o writeback_cache
cd "$M"
dd if=/dev/urandom of=wb bs=1k count=300 status=none || fail "writeback_cache: dd failed"
echo more >>wb
expect "writeback_cache append" wb "81a4 1 307205 0:0"
dd if=/dev/zero of=wb bs=1k count=1 seek=100 conv=notrunc status=none
sum=$(sha256sum <wb)
sync
manifest >"$T/before"
cd /
fuse_umount "$M"
fuse_mount "$M"
(cd "$M" && manifest) >"$T/after"
diff "$T/before" "$T/after" || fail "writeback_cache: the cached view differs from the pool after a remount"
[ "$(sha256sum <"$M/wb")" = "$sum" ] || fail "writeback_cache: the data differs after a remount"
fuse_umount "$M"
"$MOUNT" -h | grep -q "no_writeback_cache" || fail "mount.argosfs -h does not mention no_writeback_cache"
log "fuse_cache: ok"
