# tests/integration/tools.bash — helpers for the tests of the command-line
# tools (mkfs.argosfs, fsck.argosfs, argosfs).  Not a test itself (hence not
# *.sh).  Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/tools.bash"
#   tools_init                 # $MKFS $FSCK $ARGOSFS, and $T: a temp dir
#   make_images 6 64M          # $T/d0.img..d5.img in IMGS[@]
#   expect_rc 0 "$MKFS" -q "${IMGS[@]}"
#   expect_out 'healthy'       # grep -E on the stdout of the last run
#
# run/expect_rc leave the last command's exit status in RC, its stdout in
# OUT and its stderr in ERR.

# tools_init: the built tools, a temporary directory $T (removed at exit).
tools_init() {
	need_cmd truncate sha256sum
	MKFS=$(tool mkfs.argosfs)
	FSCK=$(tool fsck.argosfs)
	ARGOSFS=$(tool argosfs)
	make_tmpdir T
	# Nothing from the caller's environment steers the tools.
	unset ARGOSFS_SEARCH
}

# make_images N SIZE [NAME]: N sparse images $T/NAME0.img... (NAME default d)
# of SIZE; their paths in the array IMGS.
make_images() {
	local n=$1 size=$2 name=${3:-d} i img
	IMGS=()
	for ((i = 0; i < n; i++)); do
		make_image img "$T/$name$i.img" "$size"
		IMGS+=("$img")
	done
}

# commas PATH...: the paths joined with commas (a pool spec).
commas() {
	local IFS=,
	printf '%s\n' "$*"
}

# run CMD [ARG...]: run it, RC/OUT/ERR as above; never fails.
run() {
	RC=0
	"$@" >"$T/.out" 2>"$T/.err" || RC=$?
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
}

_show_last() {
	printf '%s\n' "--- stdout:" "$OUT" "--- stderr:" "$ERR" >&2
}

# expect_rc WANT CMD [ARG...]: run it; fail unless it exits WANT.
expect_rc() {
	local want=$1
	shift
	run "$@"
	if [ "$RC" != "$want" ]; then
		_show_last
		fail "exit status $RC, expected $want: $*"
	fi
}

# expect_out REGEX / expect_err REGEX: the last run's stdout/stderr matches.
expect_out() {
	grep -Eq -- "$1" <<<"$OUT" || { _show_last; fail "stdout does not match /$1/"; }
}
expect_err() {
	grep -Eq -- "$1" <<<"$ERR" || { _show_last; fail "stderr does not match /$1/"; }
}
expect_no_out() {
	! grep -Eq -- "$1" <<<"$OUT" || { _show_last; fail "stdout matches /$1/"; }
}

# sums FILE...: one SHA-256 line per file (to compare before/after).  With
# python3, a sum of the file's size and of its non-zero 4 KiB blocks with
# their offsets, found through SEEK_DATA: equal exactly when the contents
# are, but it reads only the allocated parts of sparse images.
sums() {
	if ! command -v python3 >/dev/null 2>&1; then
		sha256sum -- "$@"
		return
	fi
	python3 -c 'import hashlib, os, sys
zero = bytes(4096)
for path in sys.argv[1:]:
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY)
    size = os.fstat(fd).st_size
    h.update(b"size %d;" % size)
    off = 0
    while off < size:
        try:
            off = os.lseek(fd, off, os.SEEK_DATA)
        except OSError:
            break                       # ENXIO: no data after off
        end = os.lseek(fd, off, os.SEEK_HOLE)
        off -= off % 4096
        while off < end:
            buf = os.pread(fd, min(1 << 20, end - off), off)
            if not buf:
                break
            for i in range(0, len(buf), 4096):
                blk = buf[i:i + 4096]
                if blk.count(0) != len(blk):
                    h.update(b"@%d;" % (off + i))
                    h.update(blk)
            off += len(buf)
    os.close(fd)
    print(h.hexdigest(), path)' "$@"
}

# expect_unchanged BEFORE FILE...: fail unless sums FILE... equals BEFORE.
expect_unchanged() {
	local before=$1
	shift
	[ "$(sums "$@")" = "$before" ] || fail "an image changed: $*"
}

# json_eval PYTHON-EXPR: evaluate it with d = the last run's stdout parsed as
# JSON; prints the result.  Fails when stdout is not valid JSON.
json_eval() {
	need_cmd python3
	python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
print(eval(sys.argv[1]))' "$1" <<<"$OUT" || { _show_last; fail "not JSON, or no $1"; }
}

# expect_json EXPR WANT [EXPR WANT]...: with d = the last run's stdout parsed
# as JSON, str(eval(EXPR)) is WANT for every pair (one python3 run for all).
expect_json() {
	need_cmd python3
	python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
bad = 0
for expr, want in zip(sys.argv[1::2], sys.argv[2::2]):
    try:
        got = str(eval(expr))
    except Exception as e:
        got = "<%s: %s>" % (type(e).__name__, e)
    if got != want:
        print("%s is %r, expected %r" % (expr, got, want), file=sys.stderr)
        bad = 1
sys.exit(bad)' "$@" <<<"$OUT" || { _show_last; fail "the JSON output is not as expected"; }
}

# zero_range FILE OFFSET_MIB COUNT_MIB: overwrite with zeros, in place.
zero_range() {
	dd if=/dev/zero of="$1" bs=1M seek="$2" count="$3" conv=notrunc status=none
}

# pool_uuid_of IMAGE: the pool UUID that `argosfs scan IMAGE` reports.
pool_uuid_of() {
	run "$ARGOSFS" scan --json "$1"
	json_eval 'd["pools"][0]["uuid"]'
}

# hold_member VAR PATH: a background process holds PATH as another owner
# would (a block device open O_EXCL; an image file under a POSIX write lock,
# which conflicts with the engine's OFD lock); its pid in VAR, killed at
# exit.  Returns once the hold is in place.
hold_member() {
	need_cmd python3
	local ready=$T/.held.$RANDOM pid i
	python3 -c 'import fcntl, os, stat, sys, time
p = sys.argv[1]
if stat.S_ISBLK(os.stat(p).st_mode):
    fd = os.open(p, os.O_RDONLY | os.O_EXCL)
else:
    fd = os.open(p, os.O_RDWR)
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
open(sys.argv[2], "w").close()
while True:
    time.sleep(60)' "$2" "$ready" &
	pid=$!
	push_cleanup _kill_wait "$pid"
	for ((i = 0; i < 100; i++)); do
		[ -e "$ready" ] && break
		kill -0 "$pid" 2>/dev/null || hard_error "could not hold $2"
		sleep 0.05
	done
	[ -e "$ready" ] || hard_error "holding $2 timed out"
	printf -v "$1" '%s' "$pid"
}

_kill_wait() {
	kill "$1" 2>/dev/null || :
	wait "$1" 2>/dev/null || :
}
