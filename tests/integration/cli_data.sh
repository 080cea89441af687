#!/bin/bash
# Description: argosfs put, get, cat and truncate on an unmounted 4+2 image pool: byte-exact round trips for 0 B, 1 B, 3960 B (inline), 3961 B, 1 MiB+7 and 20 MiB, standard input and output, directories as targets, holes, truncate up and down against truncate(1), error cases and exit codes (1 failure, 2 usage, 1 held pool), byte-exact degraded reads with two members removed, a clear error and no data with three, fsck -n -f clean at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"

need_cmd python3 cmp
TMPDIR=${TMPDIR:-/dev/shm}
[ -w "$TMPDIR" ] || TMPDIR=/tmp
tools_init

# same LOCAL_A LOCAL_B: byte-exact, or fail naming the first difference.
same() {
	cmp -- "$1" "$2" >&2 || fail "$2 differs from $1"
}

# ---- help and usage errors ----
for c in put get cat truncate; do
	expect_rc 0 "$ARGOSFS" "$c" --help
	expect_out "^Usage: argosfs $c "
	expect_rc 0 "$ARGOSFS" "$c" -h
	expect_rc 2 "$ARGOSFS" "$c" --no-such-option
	expect_err "Try 'argosfs $c --help'"
	expect_rc 2 "$ARGOSFS" "$c"
	expect_err 'no pool given'
	expect_rc 2 "$ARGOSFS" "$c" "$T/x.img"
	expect_err 'missing operand'
done
expect_rc 2 "$ARGOSFS" put "$T/x.img" a b c
expect_err "extra operand 'c'"
expect_rc 2 "$ARGOSFS" get "$T/x.img" a b c
expect_rc 2 "$ARGOSFS" truncate "$T/x.img" /f 12Q
expect_err "invalid size '12Q'"
expect_rc 2 "$ARGOSFS" truncate "$T/x.img" /f -- -1

# ---- a 4+2 pool; local files of the sizes that matter ----
make_images 6 64M
P=$(commas "${IMGS[@]}")
expect_rc 0 "$MKFS" -q -k 4 -m 2 "${IMGS[@]}"
mkdir "$T/in" "$T/out"
SIZES="0 1 3960 3961 1048583 20971520"
for n in $SIZES; do
	head -c "$n" /dev/urandom >"$T/in/f$n"
done

# put, then get and cat: byte-exact.
for n in $SIZES; do
	expect_rc 0 "$ARGOSFS" put "$P" "$T/in/f$n" "/f$n"
	[ -z "$OUT$ERR" ] || fail "put said something: $OUT $ERR"
done
expect_rc 0 "$ARGOSFS" stat --json "$P" $(for n in $SIZES; do echo "/f$n"; done)
expect_json '[f["size"] for f in d["files"]]' "[${SIZES// /, }]" \
	'[f["type"] for f in d["files"]]' "['file', 'file', 'file', 'file', 'file', 'file']"
for n in $SIZES; do
	expect_rc 0 "$ARGOSFS" get "$P" "/f$n" "$T/out/f$n"
	same "$T/in/f$n" "$T/out/f$n"
	"$ARGOSFS" cat "$P" "/f$n" >"$T/out/c$n" || fail "cat /f$n exited $?"
	same "$T/in/f$n" "$T/out/c$n"
done
# get to standard output; cat of several files is their concatenation.
"$ARGOSFS" get "$P" /f3961 - >"$T/out/stdout" || fail "get to stdout failed"
same "$T/in/f3961" "$T/out/stdout"
"$ARGOSFS" cat "$P" /f1 /f3960 /f0 /f1048583 >"$T/out/cat" || fail "cat of several failed"
cat "$T/in/f1" "$T/in/f3960" "$T/in/f0" "$T/in/f1048583" >"$T/out/cat.want"
same "$T/out/cat.want" "$T/out/cat"
# put from standard input (mode 0644), and into a directory under LOCAL's name.
"$ARGOSFS" put "$P" - /stdin <"$T/in/f1048583" || fail "put from stdin failed"
expect_rc 0 "$ARGOSFS" mkdir "$P" /dir
expect_rc 0 "$ARGOSFS" put "$P" "$T/in/f3961" /dir
expect_rc 0 "$ARGOSFS" put "$P" "$T/in/f3960" /dir/
expect_rc 0 "$ARGOSFS" stat --json "$P" /stdin /dir/f3961 /dir/f3960
expect_json 'd["files"][0]["mode"]' 420 'd["files"][0]["size"]' 1048583 \
	'd["files"][1]["size"]' 3961 'd["files"][2]["size"]' 3960
expect_rc 0 "$ARGOSFS" get "$P" /stdin "$T/out/stdin"
same "$T/in/f1048583" "$T/out/stdin"
# get into a local directory under PATH's base name, with PATH's mode.
chmod 640 "$T/in/f3960"
expect_rc 0 "$ARGOSFS" put "$P" "$T/in/f3960" /dir/mode640
expect_rc 0 "$ARGOSFS" get "$P" /dir/mode640 "$T/out"
same "$T/in/f3960" "$T/out/mode640"
[ "$(stat -c %a "$T/out/mode640")" = 640 ] || fail "get did not keep the mode: $(stat -c %a "$T/out/mode640")"
# put over an existing file: truncated, new content, old mode kept (cp).
expect_rc 0 "$ARGOSFS" chmod "$P" /f20971520 600
expect_rc 0 "$ARGOSFS" put "$P" "$T/in/f3961" /f20971520
expect_rc 0 "$ARGOSFS" get "$P" /f20971520 "$T/out/over"
same "$T/in/f3961" "$T/out/over"
expect_rc 0 "$ARGOSFS" stat --json "$P" /f20971520
expect_json 'd["files"][0]["mode"]' 384 'd["files"][0]["size"]' 3961
expect_rc 0 "$ARGOSFS" put "$P" "$T/in/f20971520" /f20971520
# put through a symlink writes its target.
expect_rc 0 "$ARGOSFS" symlink "$P" f1 /tof1
expect_rc 0 "$ARGOSFS" put "$P" "$T/in/f3961" /tof1
n=$("$ARGOSFS" cat "$P" /f1 | wc -c)
[ "$n" = 3961 ] || fail "put through a symlink did not write its target ($n bytes)"
expect_rc 0 "$ARGOSFS" put "$P" "$T/in/f1" /tof1

# Holes: zeros in, zeros out, fewer blocks than the size.
python3 -c 'import os, sys
with open(sys.argv[1], "wb") as f:
    f.write(os.urandom(5000)); f.write(bytes(3 << 20)); f.write(os.urandom(70000)); f.write(bytes(1 << 20))' \
	"$T/in/holes"
expect_rc 0 "$ARGOSFS" put "$P" "$T/in/holes" /holes
expect_rc 0 "$ARGOSFS" get "$P" /holes "$T/out/holes"
same "$T/in/holes" "$T/out/holes"
expect_rc 0 "$ARGOSFS" stat --json "$P" /holes
expect_json 'd["files"][0]["size"]' "$(stat -c %s "$T/in/holes")" \
	'd["files"][0]["blocks"] * 512 < 3 << 20' True

# Odd names (space, newline, bytes >= 0x80) in and out.
odd=$'/odd name\n\xff\xe9'
expect_rc 0 "$ARGOSFS" put "$P" "$T/in/f1048583" "$odd"
expect_rc 0 "$ARGOSFS" get "$P" "$odd" "$T/out/odd"
same "$T/in/f1048583" "$T/out/odd"

# ---- errors ----
expect_rc 1 "$ARGOSFS" put "$P" "$T/in/no-such-file" /x
expect_err "no-such-file: No such file or directory"
expect_rc 1 "$ARGOSFS" put "$P" "$T/in" /x
expect_err 'Is a directory'
expect_rc 1 "$ARGOSFS" put "$P" "$T/in/f1" /nope/x
expect_err '^argosfs put: /nope/x: No such file or directory$'
expect_rc 1 "$ARGOSFS" put "$P" - /dir <"$T/in/f1"
expect_err 'Is a directory'
expect_rc 1 "$ARGOSFS" put "$P" "$T/in/f1" /f1/x
expect_err 'Not a directory'
expect_rc 1 "$ARGOSFS" get "$P" /nope "$T/out/nope"
expect_err '^argosfs get: /nope: No such file or directory$'
[ ! -e "$T/out/nope" ] || fail "get of a missing file created the local file"
expect_rc 1 "$ARGOSFS" get "$P" /dir "$T/out/d"
expect_err 'Is a directory'
[ ! -e "$T/out/d" ] || fail "get of a directory created the local file"
expect_rc 0 "$ARGOSFS" mknod "$P" /fifo p
expect_rc 1 "$ARGOSFS" get "$P" /fifo "$T/out/fifo"
expect_err '/fifo: Invalid argument'
expect_rc 1 "$ARGOSFS" get "$P" /f1 "$T/no-such-dir/x"
expect_err 'no-such-dir/x: No such file or directory'
run "$ARGOSFS" cat "$P" /f1 /nope /f3960
[ "$RC" = 1 ] || fail "cat with a missing operand exited $RC"
"$ARGOSFS" cat "$P" /f1 /nope /f3960 2>/dev/null >"$T/out/cat2" || :
cat "$T/in/f1" "$T/in/f3960" >"$T/out/cat2.want"
same "$T/out/cat2.want" "$T/out/cat2"
expect_rc 1 "$ARGOSFS" cat "$P" /dir
expect_err '/dir: Is a directory'

# ---- truncate: up, down, create, -c, against truncate(1) on a copy ----
cp "$T/in/f1048583" "$T/in/tr"
expect_rc 0 "$ARGOSFS" put "$P" "$T/in/tr" /tr
for size in 1048583 2000000 1048576 1000000 300000 5000 3961 3960 100 8000 0 4096 3M 1K; do
	expect_rc 0 "$ARGOSFS" truncate "$P" /tr "$size"
	truncate -s "$size" "$T/in/tr"
	expect_rc 0 "$ARGOSFS" get "$P" /tr "$T/out/tr"
	same "$T/in/tr" "$T/out/tr"
done
expect_rc 0 "$ARGOSFS" truncate "$P" /new 10K
expect_rc 0 "$ARGOSFS" stat --json "$P" /new
expect_json 'd["files"][0]["size"]' 10240 'd["files"][0]["mode"]' 420 'd["files"][0]["type"]' file
expect_rc 0 "$ARGOSFS" cat "$P" /new
"$ARGOSFS" cat "$P" /new | cmp - <(head -c 10240 /dev/zero) || fail "a new truncated file is not zeros"
expect_rc 0 "$ARGOSFS" truncate -c "$P" /not-made 5
expect_rc 1 "$ARGOSFS" stat "$P" /not-made
expect_rc 1 "$ARGOSFS" truncate "$P" /dir 5
expect_err 'Is a directory'
expect_rc 1 "$ARGOSFS" truncate "$P" /nope/x 5
expect_err 'No such file or directory'
expect_rc 1 "$ARGOSFS" truncate "$P" /fifo 5
expect_rc 0 "$ARGOSFS" truncate "$P" /tof1 3      # through the symlink
expect_rc 0 "$ARGOSFS" stat --json "$P" /f1 /tof1
expect_json 'd["files"][0]["size"]' 3 'd["files"][1]["type"]' symlink
expect_rc 0 "$ARGOSFS" truncate "$P" /f1 1
expect_rc 0 "$FSCK" -n -f "$P"

# ---- a held (mounted) pool ----
before=$(sums "${IMGS[@]}")
hold_member holder "${IMGS[0]}"
expect_rc 1 "$ARGOSFS" put "$P" "$T/in/f1" /held
expect_err 'in use \(mounted\?\)'
expect_rc 1 "$ARGOSFS" get "$P" /f1 "$T/out/held"
expect_err 'in use \(mounted\?\)'
[ ! -e "$T/out/held" ] || fail "get from a held pool created the local file"
expect_rc 1 "$ARGOSFS" truncate "$P" /f1 0
_kill_wait "$holder"
expect_unchanged "$before" "${IMGS[@]}"

# ---- two members gone: degraded reads are byte-exact ----
mkdir "$T/aside"
mv "${IMGS[1]}" "${IMGS[4]}" "$T/aside/"
expect_rc 1 "$ARGOSFS" get "$P" /f1048583 "$T/out/deg"
expect_err 'degraded'
[ ! -e "$T/out/deg" ] || fail "get from a degraded pool without --degraded created the local file"
for n in $SIZES; do
	[ "$n" = 20971520 ] && src=f20971520 || src=f$n
	expect_rc 0 "$ARGOSFS" get --degraded "$P" "/f$n" "$T/out/deg$n"
	expect_err 'DEGRADED: 4 of 6 members'
	same "$T/in/$src" "$T/out/deg$n"
done
"$ARGOSFS" cat --degraded "$P" /holes /dir/f3961 2>/dev/null >"$T/out/degcat" ||
	fail "degraded cat failed"
cat "$T/in/holes" "$T/in/f3961" >"$T/out/degcat.want"
same "$T/out/degcat.want" "$T/out/degcat"

# ---- three gone: a clear error, exit 1, no data ----
mv "${IMGS[0]}" "$T/aside/"
expect_rc 1 "$ARGOSFS" get --degraded "$P" /f1048583 "$T/out/three"
expect_err 'too many members unavailable for 4\+2'
[ ! -e "$T/out/three" ] || fail "get with three members gone created the local file"
expect_rc 1 "$ARGOSFS" get --degraded "$P" /f1048583 -
[ -z "$OUT" ] || fail "get - with three members gone wrote data"
expect_rc 1 "$ARGOSFS" cat --degraded "$P" /f1 /f20971520
expect_err 'too many members unavailable'
[ -z "$OUT" ] || fail "cat with three members gone wrote data"

# ---- all back: the read-only degraded opens changed nothing; fsck clean ----
mv "$T/aside/"* "$T/"
expect_unchanged "$before" "${IMGS[@]}"
expect_rc 0 "$ARGOSFS" get "$P" /f20971520 "$T/out/back"
same "$T/in/f20971520" "$T/out/back"
expect_rc 0 "$FSCK" -n -f "$P"
