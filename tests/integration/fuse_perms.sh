#!/bin/bash
# Description: non-root users on a mount with -o allow_other: each creates and reads its own files (owned by it, setgid directories honoured), is refused others' files and directories as the mode bits say, cannot chown or chmod what it does not own, and a write by another user clears setuid/setgid.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fuselib.bash"

need_cmd setpriv
fuse_init
fuse_pool 6 64M
M=$T/mnt
fuse_mount "$M" -o allow_other

# Two unprivileged identities (no passwd entries needed): A and B, in
# groups of their own, B also in group 5000.
A=64001 B=64002
as_a() { setpriv --reuid=$A --regid=$A --clear-groups -- "$@"; }
as_b() { setpriv --reuid=$B --regid=$B --groups=5000 -- "$@"; }
expect_denied() {   # expect_denied WHAT CMD...: fails with EACCES or EPERM
	local what=$1
	shift
	fuse_expect_fail "$@"
	grep -qE 'Permission denied|Operation not permitted' <<<"$ERRTXT" ||
		fail "$what: expected EACCES/EPERM, got: $ERRTXT"
}

chmod 1777 "$M"
mkdir "$M/a" "$M/b"
chown $A:$A "$M/a"
chown $B:$B "$M/b"

# ---- each user's own files ----
as_a sh -c "umask 022; echo mine-a >'$M/a/own'; mkdir '$M/a/sub'; echo s >'$M/a/sub/f'" ||
	fail "user A cannot create in its own directory"
[ "$(stat -c '%u:%g %a' "$M/a/own")" = "$A:$A 644" ] || fail "A's file: $(stat -c '%u:%g %a' "$M/a/own")"
[ "$(as_a cat "$M/a/own")" = mine-a ] || fail "A cannot read its own file"
as_a chmod 600 "$M/a/own" || fail "A cannot chmod its own file"
as_b sh -c "umask 077; echo mine-b >'$M/b/secret'" || fail "user B cannot create"
[ "$(stat -c '%u:%g %a' "$M/b/secret")" = "$B:$B 600" ] || fail "B's file: $(stat -c '%u:%g %a' "$M/b/secret")"

# ---- others' files, as the mode bits say ----
expect_denied "B reads A's 0600 file" as_b cat "$M/a/own"
expect_denied "B writes into A's 0755 directory" as_b touch "$M/a/intruder"
expect_denied "B removes A's file" as_b rm -f "$M/a/own"
expect_denied "A reads B's 0600 file" as_a cat "$M/b/secret"
as_a chmod 644 "$M/a/own"
[ "$(as_b cat "$M/a/own")" = mine-a ] || fail "B cannot read A's 0644 file"
expect_denied "B writes A's 0644 file" as_b sh -c "echo x >>'$M/a/own'"
as_a chmod 700 "$M/a"
expect_denied "B lists A's 0700 directory" as_b ls "$M/a"
expect_denied "B reaches into A's 0700 directory" as_b cat "$M/a/sub/f"
as_a chmod 755 "$M/a"
expect_denied "B chmods A's file" as_b chmod 666 "$M/a/own"
expect_denied "A gives its file away" as_a chown $B "$M/a/own"
expect_denied "A chgrps to a group it is not in" as_a chgrp 5000 "$M/a/own"
expect_denied "B sets an xattr on A's file" as_b setfattr -n user.x -v 1 "$M/a/own"

# ---- sticky /: B cannot remove or rename A's entry there ----
as_a touch "$M/a-top"
expect_denied "B removes A's file from a sticky directory" as_b rm -f "$M/a-top"
expect_denied "B renames A's file in a sticky directory" as_b mv "$M/a-top" "$M/b-top"

# ---- group access and setgid directories ----
mkdir "$M/g"
chown 0:5000 "$M/g"
chmod 2770 "$M/g"
as_b sh -c "echo g >'$M/g/f'; mkdir '$M/g/d'" || fail "B (group 5000) cannot create in the group directory"
[ "$(stat -c '%u:%g' "$M/g/f")" = "$B:5000" ] || fail "setgid directory: file owned $(stat -c '%u:%g' "$M/g/f")"
[ "$(stat -c '%g %a' "$M/g/d")" = "5000 2755" ] || fail "setgid directory: subdir $(stat -c '%g %a' "$M/g/d")"
expect_denied "A (not in group 5000) enters the group directory" as_a ls "$M/g"
as_b chgrp $B "$M/g/f" || fail "B cannot chgrp its file to its own group"

# ---- setuid/setgid cleared by another user's write and by chown ----
cp /bin/true "$M/b/suid"
chown $B:$B "$M/b/suid"
chmod 6777 "$M/b/suid"
as_a sh -c "echo >>'$M/b/suid'" || fail "A cannot write a 0777 file"
[ "$(stat -c %a "$M/b/suid")" = 777 ] || fail "a write by another user left mode $(stat -c %a "$M/b/suid")"
chmod 6755 "$M/b/suid"
as_b truncate -s 10 "$M/b/suid" || fail "B cannot truncate its file"
[ "$(stat -c %a "$M/b/suid")" = 755 ] || fail "truncate by the owner left mode $(stat -c %a "$M/b/suid")"
as_b chmod 2755 "$M/b/suid"
expect_denied "A writes B's 0755 file" as_a sh -c "echo >>'$M/b/suid'"
fuse_umount "$M"
log "ok"
