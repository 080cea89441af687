# tests/integration/fuselib.bash — helpers for the FUSE tests (fuse_*.sh).
# Not a test itself.  Source it after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/fuselib.bash"
#   fuse_init                      # need_fuse; $MKFS $FSCK $MOUNT; $T
#   fuse_pool 6 96M [loop]         # 4+2 pool: IMGS[@] (and DEVS[@]), $POOL, $UUID
#   fuse_mount "$T/mnt" [-o OPTS]  # mount.argosfs $POOL; $DAEMON_PID
#   ...
#   fuse_umount "$T/mnt"           # umount, then wait for the daemon to exit
#
# Every mount made through fuse_mount is torn down at exit, whatever happens:
# the kernel connection is aborted if the daemon is dead or stuck, the mount
# is detached (fusermount3 -u, then -uz, then umount -l), the daemon gets
# SIGTERM and, if it does not exit within 30 s, SIGKILL; loop devices are
# detached and the images removed after that (lib.sh's cleanup registry runs
# in reverse order).  A test never leaves a hung mount behind.
#
# Scratch files go to $TMPDIR, /dev/shm when unset (the pools are small and
# a flush there costs nothing).

# fuse_init: capabilities, the built tools, a temporary directory $T.
# (Tests that use the argosfs tool set ARGOSFS=$(tool argosfs) themselves.)
fuse_init() {
	need_fuse
	need_cmd findmnt pgrep timeout sha256sum truncate
	: "${TMPDIR:=/dev/shm}"
	export TMPDIR
	MKFS=$(tool mkfs.argosfs)
	FSCK=$(tool fsck.argosfs)
	MOUNT=$(tool mount.argosfs)
	unset ARGOSFS_SEARCH
	make_tmpdir T
	chmod 755 "$T"    # other users reach mount points below it
}

# fuse_pool N SIZE [loop]: N images $T/dN.img of SIZE formatted k+m (4+2
# for 6); with "loop", on loop devices attached to them.  Sets IMGS, DEVS
# (the members: loop devices or the images), POOL (comma-separated), UUID.
fuse_pool() {
	local n=$1 size=$2 mode=${3:-} i img dev out
	IMGS=() DEVS=()
	for ((i = 0; i < n; i++)); do
		make_image img "$T/d$i.img" "$size"
		IMGS+=("$img")
		if [ "$mode" = loop ]; then
			attach_loop dev "$img"
			DEVS+=("$dev")
		else
			DEVS+=("$img")
		fi
	done
	out=$("$MKFS" -L "fuse-$ARGOS_TESTNAME" "${DEVS[@]}") ||
		hard_error "mkfs.argosfs ${DEVS[*]} failed"
	UUID=$(sed -n 's/^  pool UUID: *//p' <<<"$out")
	[ -n "$UUID" ] || hard_error "no pool UUID in the output of mkfs.argosfs"
	POOL=$(IFS=,; echo "${DEVS[*]}")
}

# fuse_daemon_pid MNT: pid of the mount.argosfs daemon serving MNT (empty if none).
fuse_daemon_pid() {
	pgrep -f -- "mount\\.argosfs .* $1( |\$)" | head -n 1 || :
}

# fuse_mount MNT [ARGS...]: mount.argosfs $POOL MNT ARGS...; fails the test
# when it does not exit 0.  Registers the teardown; sets DAEMON_PID.
# fuse_mount_spec SPEC MNT [ARGS...]: the same with another pool spec.
fuse_mount() {
	fuse_mount_spec "$POOL" "$@"
}

fuse_mount_spec() {
	local spec=$1 mnt=$2
	shift 2
	mkdir -p "$mnt"
	_fuse_register "$mnt"
	"$MOUNT" "$spec" "$mnt" "$@" || fail "mount.argosfs $spec $mnt $* exited $?"
	findmnt -n --mountpoint "$mnt" >/dev/null || fail "$mnt is not mounted after mount.argosfs"
	DAEMON_PID=$(fuse_daemon_pid "$mnt")
	[ -n "$DAEMON_PID" ] || fail "no mount.argosfs daemon for $mnt"
	log "mounted $mnt (daemon $DAEMON_PID)"
}

# Register the teardown of MNT once per mount point.
declare -A _fuse_registered=()
_fuse_register() {
	[ -n "${_fuse_registered[$1]:-}" ] && return 0
	_fuse_registered[$1]=1
	push_cleanup _fuse_teardown "$1"
}

# _fuse_abort MNT: abort the kernel side of MNT's FUSE connection (every
# request fails with ENOTCONN; nothing can hang on it any more).
_fuse_abort() {
	local mm minor
	mm=$(findmnt -n -o MAJ:MIN --mountpoint "$1" 2>/dev/null) || return 0
	minor=${mm#*:}
	[ -w "/sys/fs/fuse/connections/$minor/abort" ] &&
		echo 1 >"/sys/fs/fuse/connections/$minor/abort" 2>/dev/null || :
}

# _fuse_detach MNT: unmount MNT whatever state it is in.
_fuse_detach() {
	local mnt=$1
	findmnt -n --mountpoint "$mnt" >/dev/null 2>&1 || return 0
	timeout 20 fusermount3 -u "$mnt" 2>/dev/null && return 0
	_fuse_abort "$mnt"
	timeout 10 fusermount3 -uz "$mnt" 2>/dev/null && return 0
	umount -l "$mnt"
}

# fuse_wait_exit PID [SECONDS]: wait for PID to exit (default 30 s); 1 if it did not.
fuse_wait_exit() {
	local pid=$1 i
	for ((i = 0; i < ${2:-30} * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

_fuse_teardown() {
	local mnt=$1 pid
	cd / || :    # a test that failed inside the mount must not keep it busy
	pid=$(fuse_daemon_pid "$mnt")
	if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then pid=""; fi
	[ -z "$pid" ] && _fuse_abort "$mnt"
	_fuse_detach "$mnt"
	[ -n "$pid" ] || return 0
	fuse_wait_exit "$pid" 30 && return 0
	echo "# daemon $pid of $mnt still running 30 s after unmount: SIGTERM" >&2
	kill -TERM "$pid" 2>/dev/null
	fuse_wait_exit "$pid" 10 && return 0
	echo "# daemon $pid: SIGKILL" >&2
	kill -KILL "$pid" 2>/dev/null
	fuse_wait_exit "$pid" 10
}

# fuse_umount MNT: umount(8) it (as a user would) and wait for its daemon to
# finish (last checkpoint, clean flag, members released).  Use
# fuse_umount_nowait to test that tools wait for the daemon themselves.
fuse_umount() {
	local pid
	pid=$(fuse_daemon_pid "$1")
	fuse_umount_nowait "$1"
	[ -z "$pid" ] || fuse_wait_exit "$pid" 60 || fail "daemon $pid did not exit after umount $1"
}

fuse_umount_nowait() {
	umount "$1" || fail "umount $1 failed"
	! findmnt -n --mountpoint "$1" >/dev/null || fail "$1 still mounted after umount"
}

# fuse_manifest DIR: one line per object under DIR (sorted): path, type,
# mode, owner, size, links, symlink target, mtime, device numbers, sha256 of
# regular files, and the user.* xattrs — what must survive a remount.
fuse_manifest() {
	(
		cd "$1" || exit 1
		find . -printf '%p %y %m %U:%G %s %n %l %T@\n' | LC_ALL=C sort
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
		find . \( -type b -o -type c \) -exec stat -c '%n dev %t:%T' {} + | LC_ALL=C sort
		if command -v getfattr >/dev/null; then
			getfattr -R -h -d -m '^user\.' . 2>/dev/null
		fi
	)
}

# fuse_tree_src: a small real tree to copy (a part of /usr/share/doc, some
# hundreds of files with symlinks), in $SRC.
fuse_tree_src() {
	local d
	SRC=""
	for d in /usr/share/doc; do
		[ -d "$d" ] && SRC=$d
	done
	[ -n "$SRC" ] || skip "no /usr/share/doc to copy"
	mkdir -p "$T/src"
	# [ab]*: about 200 files, 3 MB, with symlinks; fast enough under load.
	cp -a "$SRC"/[ab]* "$T/src/" 2>/dev/null || :
	cp -a "$SRC"/util-linux "$T/src/" 2>/dev/null || :
	SRC=$T/src
	[ "$(find "$SRC" -type f | wc -l)" -gt 20 ] || skip "too little in /usr/share/doc to copy"
}

# fuse_expect_errno CMD...: run CMD; fail unless it fails.  Its stderr is
# in $ERRTXT.
fuse_expect_fail() {
	if ERRTXT=$("$@" 2>&1); then
		fail "expected to fail: $*"
	fi
}

# fuse_kill_quiet PID...: SIGTERM, silent when they are gone (for cleanups).
fuse_kill_quiet() {
	kill "$@" 2>/dev/null || :
}
