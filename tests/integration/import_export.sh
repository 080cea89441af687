#!/bin/bash
# Description: import-tree of a real tree (part of /usr/share/doc plus
# generated special files, hard links, xattrs, odd names with a newline and
# 0xff bytes, setuid/sticky modes, owners, a sparse file) into a 2+1 pool,
# then export-tree back out: `diff -r` and a comparison of every entry's
# lstat (mode, uid, gid, mtime, atime of files, nlink, rdev, size), xattrs and
# symlink targets find them identical; the sparse file stays sparse both
# ways; `argosfs df` adds up; fsck.argosfs -n -f exits 0.  Bad usage exits 2,
# an entry that cannot be copied exits 1 and the rest is copied.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"
need_root
need_cmd python3 diff setfattr mkfifo
tools_init

make_images 3 256M
POOL=$(commas "${IMGS[@]}")
expect_rc 0 "$MKFS" -q "${IMGS[@]}"

SRC=$T/src
mkdir "$SRC"
# A real tree: a few packages' docs (bounded, to stay fast).
n=0
for d in /usr/share/doc/*/; do
	[ -d "$d" ] || continue
	cp -a "$d" "$SRC/" 2>/dev/null || true
	n=$((n + 1))
	[ "$n" -lt 40 ] || break
done
mkdir -p "$SRC/gen/sub/deeper"
printf 'hello\n' >"$SRC/gen/plain"
ln "$SRC/gen/plain" "$SRC/gen/hardlink"
ln "$SRC/gen/plain" "$SRC/gen/sub/hardlink2"
ln -s ../plain "$SRC/gen/sub/rel-symlink"
ln -s /nonexistent/target "$SRC/gen/dangling"
mkfifo "$SRC/gen/fifo"
mknod "$SRC/gen/chardev" c 1 3
mknod "$SRC/gen/blockdev" b 7 200
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$SRC/gen/socket"
printf 'odd\n' >"$SRC/gen/$(printf 'new\nline')"
printf 'ff\n' >"$SRC/gen/$(printf 'byte\377\376name')"
printf 'sp\n' >"$SRC/gen/ spaces and *? "
touch "$SRC/gen/setuid" "$SRC/gen/setgid"
chmod 4755 "$SRC/gen/setuid"
chmod 2710 "$SRC/gen/setgid"
mkdir "$SRC/gen/sticky" && chmod 1777 "$SRC/gen/sticky"
mkdir "$SRC/gen/setgid-dir" && chmod 2750 "$SRC/gen/setgid-dir"
chown 1234:5678 "$SRC/gen/plain"
chown -h 42:43 "$SRC/gen/dangling"
chown 7:8 "$SRC/gen/fifo"
setfattr -n user.comment -v 'a value' "$SRC/gen/plain"
setfattr -n user.bin -v 0x00ff10 "$SRC/gen/sub/deeper"
setfattr -n trusted.secret -v 'root only' "$SRC/gen/setuid"
# A sparse file: data, a 40 MiB hole, data, a hole at the end.
SP=$SRC/gen/sparse
head -c 100000 /dev/urandom >"$SP"
head -c 70000 /dev/urandom | dd of="$SP" bs=1M seek=40 oflag=seek_bytes conv=notrunc status=none 2>/dev/null ||
	head -c 70000 /dev/urandom | dd of="$SP" bs=1 seek=41943040 conv=notrunc status=none
truncate -s 50M "$SP"
touch -d '2001-02-03 04:05:06.123456789' "$SRC/gen/plain"
touch -h -d '1999-12-31 23:59:59' "$SRC/gen/dangling"
touch -a -d '2010-01-01 00:00:00.5' "$SRC/gen/sub/rel-symlink" 2>/dev/null || true
touch -d '2005-05-05 05:05:05' "$SRC/gen/sub/deeper" "$SRC/gen"

expect_rc 0 "$ARGOSFS" import-tree "$POOL" "$SRC" /imported
[ -z "$ERR" ] || fail "import said: $ERR"
expect_rc 0 "$ARGOSFS" export-tree "$POOL" "$T/out" /imported
[ -z "$ERR" ] || fail "export said: $ERR"

cat >"$T/cmp.py" <<'PY'
import os, stat, sys
a, b = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2])
bad, n = [], 0
def xattrs(p):
    try:
        return {k: os.getxattr(p, k, follow_symlinks=False)
                for k in os.listxattr(p, follow_symlinks=False) if not k.startswith("system.")}
    except OSError:
        return {}
def walk(rel):
    global n
    pa, pb = os.path.join(a, rel), os.path.join(b, rel)
    sa, sb = os.lstat(pa), os.lstat(pb)
    n += 1
    keys = ["st_mode", "st_uid", "st_gid", "st_mtime_ns", "st_nlink", "st_rdev"]
    if not stat.S_ISDIR(sa.st_mode):
        keys += ["st_size"]
    if stat.S_ISREG(sa.st_mode):
        keys += ["st_atime_ns"]
    for k in keys:
        if getattr(sa, k) != getattr(sb, k):
            bad.append("%r: %s %r != %r" % (rel, k, getattr(sa, k), getattr(sb, k)))
    if xattrs(pa) != xattrs(pb):
        bad.append("%r: xattrs %r != %r" % (rel, xattrs(pa), xattrs(pb)))
    if stat.S_ISLNK(sa.st_mode) and os.readlink(pa) != os.readlink(pb):
        bad.append("%r: symlink target differs" % rel)
    if stat.S_ISDIR(sa.st_mode):
        ea, eb = sorted(os.listdir(pa)), sorted(os.listdir(pb))
        if ea != eb:
            bad.append("%r: entries %r != %r" % (rel, ea, eb))
        for e in ea:
            if e in eb:
                walk(os.path.join(rel, e))
walk(b"")
for x in bad[:30]:
    print(x)
print("%d entries compared, %d differences" % (n, len(bad)), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
# Before diff -r, which reads the files and may move their atimes.
python3 "$T/cmp.py" "$SRC" "$T/out" >"$T/cmp.txt" 2>"$T/cmp.err" || {
	cat "$T/cmp.txt" >&2
	fail "lstat/xattr comparison: $(cat "$T/cmp.err")"
}
log "$(cat "$T/cmp.err")"
# diff -r compares contents; it cannot compare special files and says so
# ("File A is a fifo while file B is a fifo"): only such lines may remain.
diff -r --no-dereference "$SRC" "$T/out" >"$T/diff.txt" 2>&1 || true
if grep -Ev '^File .* is a (.*) while file .* is a \1$' "$T/diff.txt" >"$T/diff.bad"; then
	fail "diff -r: $(head -20 "$T/diff.bad")"
fi


# Holes stayed holes both ways: 50 MiB apparent, well under 1 MiB stored.
blocks=$(stat -c %b "$T/out/gen/sparse")
[ "$blocks" -lt 2048 ] || fail "exported sparse file takes $blocks blocks"
expect_rc 0 "$ARGOSFS" stat --json "$POOL" /imported/gen/sparse
python3 -c 'import json,sys; a=json.loads(sys.argv[1])["files"][0]; sys.exit(0 if a["blocks"] < 4096 else 1)' "$OUT" ||
	fail "imported sparse file is not sparse: $OUT"

# df: the numbers add up and name every member.
expect_rc 0 "$ARGOSFS" df --json "$POOL"
python3 - "$OUT" <<'PY' || fail "df --json: $OUT"
import json, sys
d = json.loads(sys.argv[1])
assert d["k"] == 2 and d["m"] == 1
assert d["raw_bytes"] >= d["data_area_bytes"] > d["usable_bytes"] > 0
assert d["used_bytes"] + d["free_bytes"] == d["data_area_bytes"]
assert d["stripe_bytes"] > 0 and d["file_bytes"] > 0 and d["inline_bytes"] > 0
c = d["compression"]   # mkfs default: none, so nothing compressed or saved
assert c["implemented"] is True and c["algorithm"] == "none"
assert c["saved_bytes"] == 0 and c["stripes"] == 0 and c["logical_bytes"] == c["stored_bytes"] == 0
assert len(d["members"]) == 3 and all(m["state"] == "online" for m in d["members"])
assert sum(m["used_bytes"] for m in d["members"]) == d["used_bytes"]
PY
expect_rc 0 "$ARGOSFS" df "$POOL"
expect_out 'Usable:'

# Errors: usage 2; an entry that exists already fails alone (exit 1), the
# rest of the tree is still copied.
expect_rc 2 "$ARGOSFS" import-tree "$POOL"
expect_rc 2 "$ARGOSFS" export-tree "$POOL"
mkdir "$T/src2" && echo one >"$T/src2/a" && echo two >"$T/src2/b"
expect_rc 0 "$ARGOSFS" import-tree -q "$POOL" "$T/src2" /two
echo three >"$T/src2/c"
expect_rc 1 "$ARGOSFS" import-tree -q "$POOL" "$T/src2" /two
grep -q 'File exists' <<<"$ERR" || fail "no 'File exists' for the existing entries: $ERR"
expect_rc 0 "$ARGOSFS" cat "$POOL" /two/c
[ "$OUT" = three ] || fail "the new entry was not copied: $OUT"

expect_rc 0 "$FSCK" -n -f "$POOL"
