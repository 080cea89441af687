#!/bin/bash
# Description: POSIX conformance against ext4: tests/posix/posix_check runs the same syscall cases (open flags, setuid/setgid clearing as root and as a user, link/unlink/rename corner cases incl. RENAME_NOREPLACE/EXCHANGE, mkdir/rmdir, symlink, truncate, mkfifo/mknod, utimensat NOW/OMIT, NAME_MAX/PATH_MAX, xattrs) on an ext4 loop mount and on an ArgosFS mount (-o allow_other); the outputs must be identical but for the cases listed in tests/posix/ext4-differences.txt.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fuselib.bash"

need_loop
need_cmd mkfs.ext4 mount umount diff
fuse_init
CHECK=$(builddir)/tests/posix/posix_check
[ -x "$CHECK" ] || hard_error "$CHECK is not built"
ALLOW=${ARGOS_SRCDIR:-$(dirname "$0")/../..}/tests/posix/ext4-differences.txt
[ -f "$ALLOW" ] || hard_error "no $ALLOW"

# ext4 on a loop device (4 KiB blocks, as a real disk would have).
make_image EXT4 "$T/ext4.img" 128M
mkfs.ext4 -q -F -b 4096 "$EXT4" || hard_error "mkfs.ext4 failed"
mkdir "$T/ext4"
push_umount "$T/ext4"
mount -o loop "$EXT4" "$T/ext4" || skip "cannot mount ext4 on a loop device"
"$CHECK" "$T/ext4" >"$T/ext4.out" 2>&1 || { cat "$T/ext4.out" >&2; hard_error "posix_check on ext4 exited $?"; }
umount "$T/ext4"

fuse_pool 6 64M
fuse_mount "$T/mnt" -o allow_other
"$CHECK" "$T/mnt" >"$T/argos.out" 2>&1 || { cat "$T/argos.out" >&2; fail "posix_check on ArgosFS exited $?"; }
# The tree it left is consistent after a remount, as fsck sees it.
fuse_umount "$T/mnt"
"$FSCK" -n -f "$POOL" >"$T/fsck.out" 2>&1 || { cat "$T/fsck.out" >&2; fail "fsck -n -f after posix_check"; }

# Drop the allowed cases (and the value lines under them) from both.
filter() {
	awk -v allow="$ALLOW" '
		BEGIN { while ((getline l < allow) > 0) if (l !~ /^#/ && l != "") ok[l] = 1 }
		/^[^ ]/ { name = $0; sub(/: .*/, "", name); skip = (name in ok) }
		!skip' "$1"
}
log "$(wc -l <"$T/ext4.out") lines of results; allowed differences:"
diff "$T/ext4.out" "$T/argos.out" | sed 's/^/#   /' >&2 || :
if ! diff -u <(filter "$T/ext4.out") <(filter "$T/argos.out") >&2; then
	fail "ArgosFS answers differently from ext4 (- ext4, + ArgosFS)"
fi
log "ok"
