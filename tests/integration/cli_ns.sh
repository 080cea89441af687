#!/bin/bash
# Description: argosfs ls, stat, mkdir, mknod, symlink, ln, rename, chmod, chown, rm, rmdir, setfattr and getfattr on an unmounted image pool: success and error cases with their exit codes (1 failure, 2 usage, 1 for a held pool), --json parsed, odd names (spaces, newlines, bytes >= 0x80), symlink, hard link and xattr round trips, rm -r of a tree, read-only commands change nothing, fsck -n -f clean at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"

need_cmd python3
TMPDIR=${TMPDIR:-/dev/shm}
[ -w "$TMPDIR" ] || TMPDIR=/tmp
tools_init

NSCMDS="ls stat mkdir mknod symlink ln rename chmod chown rm rmdir setfattr getfattr"

# ---- help and usage errors (no pool needed) ----
expect_rc 0 "$ARGOSFS" help
helplist=$OUT
for c in $NSCMDS; do
	grep -Eq "^  $c " <<<"$helplist" || fail "argosfs help does not list $c"
	expect_rc 0 "$ARGOSFS" "$c" --help
	expect_out "^Usage: argosfs $c "
	expect_out '^Exit status: 0 success, 1 '
	expect_rc 2 "$ARGOSFS" "$c" --no-such-option
	expect_err "Try 'argosfs $c --help'"
	[ -z "$OUT" ] || fail "$c: output on a usage error: $OUT"
	expect_rc 2 "$ARGOSFS" "$c"
	expect_err 'no pool given|give either -n'
done
expect_rc 0 "$ARGOSFS" help chmod
expect_out "^Usage: argosfs chmod "
for c in mkdir mknod symlink ln rename chmod chown rm rmdir setfattr getfattr stat; do
	expect_rc 2 "$ARGOSFS" "$c" "$T/x.img"
	expect_err 'missing operand|no pool given|-n NAME|needs'
done
expect_rc 2 "$ARGOSFS" symlink "$T/x.img" a b c
expect_err "extra operand 'c'"
expect_rc 2 "$ARGOSFS" rename "$T/x.img" a b c
expect_rc 2 "$ARGOSFS" ln "$T/x.img" a b c
expect_rc 2 "$ARGOSFS" rename --noreplace --exchange "$T/x.img" a b
expect_rc 2 "$ARGOSFS" mknod "$T/x.img" /n z
expect_err "invalid type 'z'"
expect_rc 2 "$ARGOSFS" mknod "$T/x.img" /n c
expect_err 'MAJOR and MINOR'
expect_rc 2 "$ARGOSFS" mknod "$T/x.img" /n p 1 2
expect_rc 2 "$ARGOSFS" chmod "$T/x.img" /a 99z
expect_err "invalid mode"
expect_rc 2 "$ARGOSFS" mkdir -m 8888 "$T/x.img" /a
expect_rc 2 "$ARGOSFS" chown "$T/x.img" /a no-such-user-argos
expect_err 'invalid user'
expect_rc 2 "$ARGOSFS" setfattr "$T/x.img" /a
expect_rc 2 "$ARGOSFS" ls 'UUID=not-a-uuid'
# A pool that does not exist: failure, not usage.
expect_rc 1 "$ARGOSFS" ls "$T/missing.img"
expect_err 'while opening the pool'
expect_rc 1 "$ARGOSFS" mkdir "$T/missing.img" /a

# ---- a pool ----
make_images 4 64M
P=$(commas "${IMGS[@]}")
expect_rc 0 "$MKFS" -q -L clins "${IMGS[@]}"

# A fresh pool lists nothing; the root's attributes in JSON.
expect_rc 0 "$ARGOSFS" ls "$P"
[ -z "$OUT" ] || fail "a fresh pool lists: $OUT"
expect_rc 0 "$ARGOSFS" ls -d --json "$P" /
expect_json 'd["schema_version"]' 1 'd["paths"][0]["path"]' / \
	'd["paths"][0]["entries"]' None 'd["paths"][0]["entry"]["ino"]' 1 \
	'd["paths"][0]["entry"]["type"]' dir 'd["paths"][0]["entry"]["mode"]' 493
expect_rc 0 "$ARGOSFS" ls -a "$P"
expect_out '^\.$'
expect_out '^\.\.$'

# ---- mkdir ----
expect_rc 0 "$ARGOSFS" mkdir "$P" /a /a/b
expect_rc 0 "$ARGOSFS" mkdir -p "$P" /x/y/z /a
expect_rc 0 "$ARGOSFS" mkdir -m 700 "$P" /priv
expect_rc 1 "$ARGOSFS" mkdir "$P" /a
expect_err '^argosfs mkdir: /a: File exists$'
expect_rc 1 "$ARGOSFS" mkdir "$P" /nope/q /made-anyway
expect_err '^argosfs mkdir: /nope/q: No such file or directory$'
expect_rc 0 "$ARGOSFS" stat --json "$P" /made-anyway /priv /x/y/z
expect_json 'len(d["files"])' 3 'd["files"][1]["mode"]' 448 'd["files"][1]["type"]' dir \
	'd["files"][2]["path"]' /x/y/z 'd["files"][0]["mode_string"]' drwxr-xr-x
expect_rc 0 "$ARGOSFS" ls "$P" /
[ "$OUT" = "$(printf '%s\n' a made-anyway priv x)" ] || fail "ls /: $OUT"

# ---- missing paths and operands that fail ----
expect_rc 1 "$ARGOSFS" ls "$P" /nope
expect_err '^argosfs ls: /nope: No such file or directory$'
expect_rc 1 "$ARGOSFS" stat "$P" /nope /a
expect_out 'File: /a$'
expect_err '/nope: No such file or directory'
expect_rc 1 "$ARGOSFS" stat --json "$P" /nope /a
expect_json 'len(d["files"])' 1 'd["files"][0]["path"]' /a
expect_rc 1 "$ARGOSFS" ls "$P" /a/b/c/d
expect_rc 1 "$ARGOSFS" chmod "$P" /nope 755
expect_rc 1 "$ARGOSFS" chown "$P" /nope 0:0
expect_rc 1 "$ARGOSFS" rmdir "$P" /nope
expect_rc 1 "$ARGOSFS" rename "$P" /nope /other
expect_rc 1 "$ARGOSFS" ln "$P" /nope /other
expect_rc 1 "$ARGOSFS" getfattr "$P" /nope
expect_rc 1 "$ARGOSFS" setfattr "$P" /nope -n user.a -v b

# ---- mknod: every type ----
expect_rc 0 "$ARGOSFS" mknod "$P" /fifo p
expect_rc 0 "$ARGOSFS" mknod "$P" /sock s
expect_rc 0 "$ARGOSFS" mknod -m 600 "$P" /file f
expect_rc 0 "$ARGOSFS" mknod "$P" /cdev c 1 3
expect_rc 0 "$ARGOSFS" mknod "$P" /udev u 4 64
expect_rc 0 "$ARGOSFS" mknod -m 0640 "$P" /bdev b 259 65536
expect_rc 1 "$ARGOSFS" mknod "$P" /fifo p
expect_err 'File exists'
expect_rc 0 "$ARGOSFS" stat --json "$P" /fifo /sock /file /cdev /udev /bdev
expect_json '[f["type"] for f in d["files"]]' \
	"['fifo', 'socket', 'file', 'chardev', 'chardev', 'blockdev']" \
	'[f["mode"] for f in d["files"]]' '[420, 420, 384, 420, 420, 416]' \
	'd["files"][3]["rdev"]' "{'major': 1, 'minor': 3}" \
	'd["files"][5]["rdev"]' "{'major': 259, 'minor': 65536}" \
	'd["files"][2]["rdev"]' None 'd["files"][2]["size"]' 0
expect_rc 0 "$ARGOSFS" ls -l "$P" /cdev /bdev /fifo
expect_out '^crw-r--r-- 1 .* 1, +3 .* /cdev$'
expect_out '^brw-r----- 1 .* 259, +65536 .* /bdev$'
expect_out '^prw-r--r-- '

# ---- symlinks ----
expect_rc 0 "$ARGOSFS" symlink "$P" a/b /lnk
expect_rc 0 "$ARGOSFS" symlink "$P" /x/y /abs
expect_rc 0 "$ARGOSFS" symlink "$P" dangling-target /dangle
expect_rc 1 "$ARGOSFS" symlink "$P" t /lnk
expect_err '/lnk: File exists'
expect_rc 0 "$ARGOSFS" stat --json "$P" /lnk /dangle
expect_json 'd["files"][0]["type"]' symlink 'd["files"][0]["target"]' a/b \
	'd["files"][0]["size"]' 3 'd["files"][1]["target"]' dangling-target
expect_rc 0 "$ARGOSFS" stat -L --json "$P" /lnk /abs
expect_json 'd["files"][0]["type"]' dir 'd["files"][1]["type"]' dir \
	'd["files"][1]["target"]' None
expect_rc 1 "$ARGOSFS" stat -L "$P" /dangle
expect_err 'No such file or directory'
expect_rc 0 "$ARGOSFS" ls -l "$P" /lnk
expect_out '^lrwxrwxrwx 1 .* 3 .* /lnk -> a/b$'
# A path through the symlink reaches what it points to.
expect_rc 0 "$ARGOSFS" mkdir "$P" /lnk/c /abs/w
expect_rc 0 "$ARGOSFS" ls "$P" /a/b /x/y
expect_out '^c$'
expect_out '^w$'
# A symlink to itself: ELOOP.
expect_rc 0 "$ARGOSFS" symlink "$P" /loop /loop
expect_rc 1 "$ARGOSFS" ls "$P" /loop/
expect_err 'Too many levels of symbolic links'
# A long target round-trips.
long=$(python3 -c 'print("/".join(["d%03d" % i for i in range(200)]))')
expect_rc 0 "$ARGOSFS" symlink "$P" "$long" /longlink
expect_rc 0 "$ARGOSFS" stat --json "$P" /longlink
[ "$(json_eval 'd["files"][0]["target"]')" = "$long" ] || fail "long symlink target changed"

# ---- hard links ----
expect_rc 0 "$ARGOSFS" ln "$P" /file /a/hard
expect_rc 0 "$ARGOSFS" ln "$P" /lnk /lnk2            # the symlink itself
expect_rc 0 "$ARGOSFS" stat --json "$P" /file /a/hard /lnk /lnk2
expect_json 'd["files"][0]["ino"] == d["files"][1]["ino"]' True \
	'[f["nlink"] for f in d["files"]]' '[2, 2, 2, 2]' \
	'd["files"][2]["ino"] == d["files"][3]["ino"]' True 'd["files"][3]["type"]' symlink
expect_rc 1 "$ARGOSFS" ln "$P" /a /adir
expect_err '/a: Operation not permitted'
expect_rc 1 "$ARGOSFS" ln "$P" /file /a/hard
expect_err 'File exists'
expect_rc 0 "$ARGOSFS" rm "$P" /file
expect_rc 0 "$ARGOSFS" stat --json "$P" /a/hard
expect_json 'd["files"][0]["nlink"]' 1 'd["files"][0]["mode"]' 384

# ---- chmod, chown ----
expect_rc 0 "$ARGOSFS" chmod "$P" /a/hard 755
expect_rc 0 "$ARGOSFS" chmod "$P" /a/hard u+s,g-x,o=r
expect_rc 0 "$ARGOSFS" chmod "$P" /priv a+rX
expect_rc 0 "$ARGOSFS" stat --json "$P" /a/hard /priv
expect_json 'oct(d["files"][0]["mode"])' 0o4744 'oct(d["files"][1]["mode"])' 0o755
expect_rc 0 "$ARGOSFS" chown "$P" /a/hard 1234:5678
expect_rc 0 "$ARGOSFS" chown "$P" /priv :99
expect_rc 0 "$ARGOSFS" stat --json "$P" /a/hard /priv
# chown clears setuid on a file, as the kernel does.
expect_json 'd["files"][0]["uid"]' 1234 'd["files"][0]["gid"]' 5678 \
	'oct(d["files"][0]["mode"])' 0o744 'd["files"][1]["uid"]' 0 'd["files"][1]["gid"]' 99
# chown -h changes the symlink, not its target.
expect_rc 0 "$ARGOSFS" chown -h "$P" /lnk 77:77
expect_rc 0 "$ARGOSFS" stat --json "$P" /lnk /a/b
expect_json 'd["files"][0]["uid"]' 77 'd["files"][1]["uid"]' 0

# ---- rename ----
expect_rc 0 "$ARGOSFS" mknod "$P" /r1 f
expect_rc 0 "$ARGOSFS" mknod "$P" /r2 p
expect_rc 0 "$ARGOSFS" rename "$P" /r1 /a/r1moved
expect_rc 1 "$ARGOSFS" stat "$P" /r1
expect_rc 1 "$ARGOSFS" rename --noreplace "$P" /a/r1moved /r2
expect_err 'File exists'
expect_rc 0 "$ARGOSFS" rename --exchange "$P" /a/r1moved /r2
expect_rc 0 "$ARGOSFS" stat --json "$P" /r2 /a/r1moved
expect_json 'd["files"][0]["type"]' file 'd["files"][1]["type"]' fifo
expect_rc 0 "$ARGOSFS" rename "$P" /r2 /a/r1moved            # replaces the FIFO
expect_rc 0 "$ARGOSFS" stat --json "$P" /a/r1moved
expect_json 'd["files"][0]["type"]' file
expect_rc 1 "$ARGOSFS" rename "$P" /priv /x                  # /x is not empty
expect_err 'Directory not empty'
expect_rc 1 "$ARGOSFS" rename "$P" /x /x/y/inside
expect_err 'Invalid argument'
expect_rc 1 "$ARGOSFS" rename "$P" /a/r1moved /x             # file over a directory
expect_err 'Is a directory'
expect_rc 1 "$ARGOSFS" rename --exchange "$P" /a/r1moved /nope

# ---- odd names: spaces, a newline, bytes >= 0x80 (not UTF-8), UTF-8 ----
sp='/with space'
nl=$'/new\nline'
hi=$'/\xff\xfe\x80'
u8=$'/caf\xc3\xa9'
expect_rc 0 "$ARGOSFS" mkdir "$P" "$sp" "$nl"
expect_rc 0 "$ARGOSFS" mknod "$P" "$hi" f
expect_rc 0 "$ARGOSFS" symlink "$P" "$hi" "$u8"
expect_rc 0 "$ARGOSFS" ls -d "$P" "$sp" "$nl" "$hi" "$u8"     # sorted bytewise
[ "$(printf '%s\n' "$OUT" | od -An -c | tr -s ' ')" = \
  "$(printf '%s\n' "$u8" "$nl" "$sp" "$hi" | od -An -c | tr -s ' ')" ] ||
	fail "ls -d of odd names: $(printf '%s' "$OUT" | od -c)"
expect_rc 0 "$ARGOSFS" stat -L --json "$P" "$u8"
expect_json 'd["files"][0]["type"]' file 'd["files"][0]["path"]' '/café'
expect_rc 0 "$ARGOSFS" ls --json "$P" /
# Names that are not UTF-8 show U+FFFD in JSON (argosfs(8)); the others exactly.
expect_json '"new\nline" in [e["name"] for e in d["paths"][0]["entries"]]' True \
	'"with space" in [e["name"] for e in d["paths"][0]["entries"]]' True \
	'"\ufffd\ufffd\ufffd" in [e["name"] for e in d["paths"][0]["entries"]]' True
expect_rc 0 "$ARGOSFS" rename "$P" "$sp" "$sp 2"
expect_rc 0 "$ARGOSFS" rename "$P" "$nl" "$nl"$'\xc0'
expect_rc 0 "$ARGOSFS" setfattr "$P" "$hi" -n 'user.odd name' -v $'0x00ff0a'
expect_rc 0 "$ARGOSFS" getfattr --json -n 'user.odd name' "$P" "$hi"
expect_json 'd["files"][0]["xattrs"][0]["value_base64"]' AP8K 'd["files"][0]["xattrs"][0]["size"]' 3
expect_rc 0 "$ARGOSFS" rm "$P" "$hi" "$u8"
expect_rc 0 "$ARGOSFS" rmdir "$P" "$sp 2" "$nl"$'\xc0'
# Names of 255 bytes are fine, 256 are not.
n255=$(printf 'n%.0s' {1..255})
expect_rc 0 "$ARGOSFS" mknod "$P" "/$n255" f
expect_rc 1 "$ARGOSFS" mknod "$P" "/${n255}x" f
expect_err 'File name too long'
expect_rc 0 "$ARGOSFS" rm "$P" "/$n255"

# ---- xattrs ----
expect_rc 0 "$ARGOSFS" setfattr "$P" /a/hard -n user.text -v hello
expect_rc 0 "$ARGOSFS" setfattr "$P" /a/hard -n user.hex -v 0xdeadbeef00
expect_rc 0 "$ARGOSFS" setfattr "$P" /a/hard -n user.b64 -v 0sAAECAwQ=
expect_rc 0 "$ARGOSFS" setfattr "$P" /a/hard -n user.empty
expect_rc 0 "$ARGOSFS" setfattr "$P" /a/hard -n trusted.t -v x
expect_rc 0 "$ARGOSFS" getfattr "$P" /a/hard
[ "$OUT" = "$(printf '%s\n' '# file: /a/hard' user.b64 user.empty user.hex user.text)" ] ||
	fail "getfattr names: $OUT"
expect_rc 0 "$ARGOSFS" getfattr -d -m - "$P" /a/hard
expect_out '^trusted\.t="x"$'
expect_out '^user\.text="hello"$'
expect_out '^user\.b64=0sAAECAwQ=$'
expect_rc 0 "$ARGOSFS" getfattr -n user.hex -e hex "$P" /a/hard
expect_out '^user\.hex=0xdeadbeef00$'
expect_rc 0 "$ARGOSFS" getfattr -n user.text --only-values "$P" /a/hard
[ "$OUT" = hello ] || fail "--only-values: $OUT"
expect_rc 0 "$ARGOSFS" getfattr -d --json "$P" /a/hard
expect_json 'd["schema_version"]' 1 'd["files"][0]["path"]' /a/hard \
	'[x["name"] for x in d["files"][0]["xattrs"]]' "['user.b64', 'user.empty', 'user.hex', 'user.text']" \
	'[x["value_base64"] for x in d["files"][0]["xattrs"]]' "['AAECAwQ=', '', '3q2+7wA=', 'aGVsbG8=']" \
	'd["files"][0]["xattrs"][3]["value_text"]' hello 'd["files"][0]["xattrs"][0]["value_text"]' None
# A 64 KiB value round-trips; a larger one is refused.
big=$(head -c 65536 /dev/urandom | base64 -w0)
expect_rc 0 "$ARGOSFS" setfattr "$P" /a/hard -n user.big -v "0s$big"
expect_rc 0 "$ARGOSFS" getfattr -n user.big -e base64 "$P" /a/hard
[ "$OUT" = "$(printf '# file: /a/hard\nuser.big=0s%s' "$big")" ] ||
	fail "the 64 KiB value did not round-trip"
expect_rc 1 "$ARGOSFS" setfattr "$P" /a/hard -n user.big -v "0s$(head -c 65537 /dev/zero | base64 -w0)"
expect_rc 1 "$ARGOSFS" getfattr -n user.none "$P" /a/hard
expect_err 'user.none: No such attribute'
expect_rc 1 "$ARGOSFS" setfattr "$P" /a/hard -n bogus.ns -v 1
expect_err 'Operation not supported'
expect_rc 1 "$ARGOSFS" setfattr "$P" /a/hard -n system.posix_acl_access -v 0x02
expect_err 'Operation not supported'
expect_rc 0 "$ARGOSFS" setfattr "$P" /a/hard -x user.text
expect_rc 1 "$ARGOSFS" setfattr "$P" /a/hard -x user.text
expect_err 'No such attribute'
# Through a symlink (followed), and on the symlink itself with -h.
expect_rc 0 "$ARGOSFS" setfattr "$P" /lnk -n user.via -v link
expect_rc 0 "$ARGOSFS" getfattr -n user.via --only-values "$P" /a/b
[ "$OUT" = link ] || fail "xattr set through a symlink: $OUT"
expect_rc 0 "$ARGOSFS" setfattr -h "$P" /lnk -n trusted.own -v self
expect_rc 0 "$ARGOSFS" getfattr -h -n trusted.own --only-values "$P" /lnk
[ "$OUT" = self ] || fail "xattr on a symlink: $OUT"
expect_rc 1 "$ARGOSFS" getfattr -n trusted.own "$P" /a/b

# ---- rm and rmdir ----
expect_rc 1 "$ARGOSFS" rm "$P" /x
expect_err '/x: Is a directory'
expect_rc 1 "$ARGOSFS" rmdir "$P" /x
expect_err 'Directory not empty'
expect_rc 1 "$ARGOSFS" rmdir "$P" /fifo
expect_err 'Not a directory'
expect_rc 1 "$ARGOSFS" rm "$P" /nope
expect_rc 0 "$ARGOSFS" rm -f "$P" /nope /fifo
expect_rc 1 "$ARGOSFS" rm -r "$P" /
expect_rc 0 "$ARGOSFS" rm "$P" /lnk2 /dangle /loop             # symlinks, not targets
expect_rc 0 "$ARGOSFS" stat "$P" /a/b
# A tree: directories, files, links, xattrs, removed with rm -r.
expect_rc 0 "$ARGOSFS" mkdir -p "$P" /tree/d1/d2/d3 /tree/e
for i in 1 2 3 4 5; do
	expect_rc 0 "$ARGOSFS" mknod "$P" "/tree/d1/f$i" f
	[ "$i" -gt 2 ] || expect_rc 0 "$ARGOSFS" mknod "$P" "/tree/d1/d2/g$i" p
done
expect_rc 0 "$ARGOSFS" ln "$P" /tree/d1/f1 /a/keeper
expect_rc 0 "$ARGOSFS" symlink "$P" ../.. /tree/d1/d2/d3/up
expect_rc 0 "$ARGOSFS" setfattr "$P" /tree/d1/f2 -n user.x -v y
expect_rc 0 "$ARGOSFS" rm -r "$P" /tree
expect_rc 1 "$ARGOSFS" stat "$P" /tree
expect_rc 0 "$ARGOSFS" stat --json "$P" /a/keeper
expect_json 'd["files"][0]["nlink"]' 1
expect_rc 0 "$ARGOSFS" rmdir "$P" /made-anyway
expect_rc 0 "$ARGOSFS" ls -a --json "$P" /
expect_json '"tree" in [e["name"] for e in d["paths"][0]["entries"]]' False \
	'[e["name"] for e in d["paths"][0]["entries"]][:2]' "['.', '..']"

# ---- read-only commands change nothing ----
before=$(sums "${IMGS[@]}")
expect_rc 0 "$ARGOSFS" ls -la "$P" / /a /x
expect_rc 0 "$ARGOSFS" stat "$P" /a /a/hard /lnk
expect_rc 0 "$ARGOSFS" getfattr -d "$P" /a/hard
expect_unchanged "$before" "${IMGS[@]}"

# ---- a held (mounted) pool is refused, and nothing is written ----
hold_member holder "${IMGS[2]}"
for c in "mkdir $P /held" "ls $P" "stat $P /a" "rm $P /a/keeper" "getfattr $P /a/hard"; do
	# shellcheck disable=SC2086
	expect_rc 1 "$ARGOSFS" $c
	expect_err 'in use \(mounted\?\)'
done
_kill_wait "$holder"
expect_unchanged "$before" "${IMGS[@]}"

# ---- UUID= and LABEL= work too; fsck finds nothing ----
expect_rc 0 "$ARGOSFS" ls --search "$T" LABEL=clins /a
expect_out '^hard$'
expect_rc 0 "$FSCK" -n -f "$P"
