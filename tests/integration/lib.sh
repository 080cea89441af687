# tests/integration/lib.sh — helpers for the integration tests (bash).
#
# Use, at the top of tests/integration/<feature>.sh:
#
#   #!/bin/bash
#   # Description: what this test shows, in one line.
#   . "$(dirname "$0")/lib.sh"
#   need_fuse                      # skips (exit 77) unless root + /dev/fuse
#   make_tmpdir T                  # $T, removed on exit
#   make_image IMG0 "$T/d0.img" 256M
#   attach_loop DEV0 "$IMG0"       # losetup -d on exit
#   MKFS=$(tool mkfs.argosfs)      # assign first: a missing tool stops here
#   "$MKFS" ... "$DEV0"
#   mkdir "$T/mnt"; "$(tool mount.argosfs)" "$DEV0" "$T/mnt"
#   push_umount "$T/mnt"           # fusermount3 -u / umount on exit
#
# Functions that register a cleanup take the NAME of the variable to set as
# their first argument (not $(...), whose subshell would lose the cleanup).
# Cleanups run in reverse order on exit, whatever the exit status, and the
# status is kept.  lib.sh turns on `set -euo pipefail`.
#
# Exit codes (Automake): 0 pass, 1 fail, 77 skip, 99 hard error.
#
# Environment (set by `make check`, see Makefile.am):
#   ARGOS_BUILDDIR     the build directory (tools are $ARGOS_BUILDDIR/tools/*)
#   ARGOS_SRCDIR       the source directory
#   ARGOS_INTEGRATION  0: need_root/need_loop/need_fuse skip (make distcheck)
#   ARGOS_LONG         1: long soaks and sweeps (make check-long); see is_long
#   ARGOS_KEEP         1: keep temporary directories (for debugging)

set -euo pipefail

ARGOS_TESTNAME=$(basename "$0" .sh)

# ---- results ----
skip() { echo "SKIP: $ARGOS_TESTNAME: $*" >&2; exit 77; }
fail() { echo "FAIL: $ARGOS_TESTNAME: $*" >&2; exit 1; }
hard_error() { echo "ERROR: $ARGOS_TESTNAME: $*" >&2; exit 99; }
log() { echo "# $*" >&2; }

is_long() { [ "${ARGOS_LONG:-0}" = 1 ]; }

# ---- cleanup registry ----
_argos_cleanups=()

# push_cleanup CMD [ARG...]: run CMD ARG... at exit (last pushed runs first).
push_cleanup() {
	local q
	printf -v q '%q ' "$@"
	_argos_cleanups+=("$q")
}

_argos_run_cleanups() {
	local rc=$? i
	set +e
	trap - EXIT
	for ((i = ${#_argos_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_argos_cleanups[i]}" ||
			echo "# cleanup failed: ${_argos_cleanups[i]}" >&2
	done
	_argos_cleanups=()
	exit "$rc"
}
trap _argos_run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- capabilities: each skips (exit 77) when the host lacks it ----
need_integration() {
	[ "${ARGOS_INTEGRATION:-1}" != 0 ] ||
		skip "integration tests disabled (ARGOS_INTEGRATION=0)"
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "needs the command $c"
	done
}

need_root() {
	need_integration
	[ "$(id -u)" = 0 ] || skip "needs root"
}

# need_loop: root, losetup, and a loop device that really attaches.
need_loop() {
	need_root
	need_cmd losetup truncate
	local probe dev
	probe=$(mktemp "${TMPDIR:-/tmp}/argos-loopprobe.XXXXXX") ||
		hard_error "mktemp failed"
	truncate -s 1M "$probe"
	if ! dev=$(losetup -f --show "$probe" 2>/dev/null); then
		rm -f "$probe"
		skip "no usable loop device (losetup -f --show failed)"
	fi
	losetup -d "$dev" 2>/dev/null || :
	rm -f "$probe"
}

# need_fuse: root (/dev/fuse is 0600 on our machines), /dev/fuse that opens,
# and fusermount3 for unmounting.
need_fuse() {
	need_root
	[ -c /dev/fuse ] || skip "no /dev/fuse"
	( exec 3<>/dev/fuse ) 2>/dev/null || skip "/dev/fuse does not open"
	need_cmd fusermount3
}

# ---- temporary files, images, loop devices, mounts ----

# make_tmpdir VAR: a fresh directory in $TMPDIR (default /tmp), removed at
# exit (after everything pushed later, e.g. unmounts and loop detaches).
make_tmpdir() {
	local _d
	_d=$(mktemp -d "${TMPDIR:-/tmp}/argos-$ARGOS_TESTNAME.XXXXXX") ||
		hard_error "mktemp -d failed"
	if [ "${ARGOS_KEEP:-0}" = 1 ]; then
		log "keeping $_d"
	else
		push_cleanup rm -rf "$_d"
	fi
	printf -v "$1" '%s' "$_d"
}

# make_image VAR PATH SIZE: a sparse image file (truncate -s SIZE: 64M, 1G...).
# Put it in a make_tmpdir directory so that it is removed at exit.
make_image() {
	rm -f "$2"
	truncate -s "$3" "$2" || hard_error "truncate -s $3 $2 failed"
	printf -v "$1" '%s' "$2"
}

# attach_loop VAR IMAGE: attach IMAGE to a free loop device (never a fixed
# /dev/loopN: others take numbers), detached at exit.  Call need_loop first.
attach_loop() {
	local _dev
	_dev=$(losetup -f --show "$2") || hard_error "losetup -f --show $2 failed"
	push_cleanup losetup -d "$_dev"
	printf -v "$1" '%s' "$_dev"
}

# push_umount MOUNTPOINT: unmount at exit if still mounted (FUSE mounts with
# fusermount3 -u, others with umount; lazily if busy).
push_umount() {
	push_cleanup _argos_umount "$1"
}

_argos_umount() {
	local mnt=$1 type
	type=$(findmnt -n -o FSTYPE --mountpoint "$mnt" 2>/dev/null) || return 0
	case $type in
	fuse|fuse.*)
		fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -u -z "$mnt" ;;
	*)
		umount "$mnt" 2>/dev/null || umount -l "$mnt" ;;
	esac
}

# ---- built programs ----

# builddir: the build directory (hard error when ARGOS_BUILDDIR is unset).
builddir() {
	[ -n "${ARGOS_BUILDDIR:-}" ] || hard_error "ARGOS_BUILDDIR is not set (make check sets it; by hand: ARGOS_BUILDDIR=/path/to/build)"
	printf '%s\n' "$ARGOS_BUILDDIR"
}

# tool NAME: path of the built tool tools/NAME (a libtool wrapper script in
# the build tree; run it like the program).  Hard error when it is missing.
# Assign it (MKFS=$(tool mkfs.argosfs)) so that a missing tool stops the test.
tool() {
	local b
	b=$(builddir) || exit
	[ -x "$b/tools/$1" ] || hard_error "$b/tools/$1 is not built"
	printf '%s\n' "$b/tools/$1"
}
