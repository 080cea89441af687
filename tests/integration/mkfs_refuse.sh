#!/bin/bash
# Description: mkfs.argosfs refuses members holding ext4, a partition table or an ArgosFS pool (exit 1, every image unchanged, each signature named) and with -f erases them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"

need_cmd mkfs.ext4 blkid
tools_init
make_images 4 64M

mkfs.ext4 -F -q "${IMGS[1]}"
blkid -p "${IMGS[1]}" | grep -q 'TYPE="ext4"' || hard_error "mkfs.ext4 left no ext4 signature"
before=$(sums "${IMGS[@]}")
expect_rc 1 "$MKFS" "${IMGS[@]}"
expect_err "^mkfs.argosfs: ${IMGS[1]} holds ext4 filesystem"
expect_err 'use -f to overwrite it'
expect_err 'nothing was written'
expect_unchanged "$before" "${IMGS[@]}"
# -n refuses the same way; -n -f says what it would erase, writes nothing.
expect_rc 1 "$MKFS" -n "${IMGS[@]}"
expect_unchanged "$before" "${IMGS[@]}"
expect_rc 0 "$MKFS" -n -f "${IMGS[@]}"
expect_err "${IMGS[1]} holds ext4 .*-f would erase it"
expect_unchanged "$before" "${IMGS[@]}"

# A partition table on another member: both signatures are named.
if command -v sfdisk >/dev/null 2>&1; then
	echo 'label: gpt' | sfdisk -q "${IMGS[2]}" >/dev/null
	before=$(sums "${IMGS[@]}")
	expect_rc 1 "$MKFS" "${IMGS[@]}"
	expect_err "${IMGS[1]} holds ext4 "
	expect_err "${IMGS[2]} holds (gpt|PMBR)"
	expect_unchanged "$before" "${IMGS[@]}"
else
	log "no sfdisk: partition-table refusal not tested"
fi

expect_rc 0 "$MKFS" -f "${IMGS[@]}"
expect_err "${IMGS[1]} holds ext4 .*erasing it"
expect_out '^Formatted 4 members'
rc=0
blkid_out=$(blkid -p "${IMGS[1]}" 2>&1) || rc=$?
case $blkid_out in
*'TYPE="ext4"'*) fail "ext4 still found after mkfs -f (blkid -p: $blkid_out)" ;;
esac
log "blkid -p after mkfs -f: exit $rc: $blkid_out"
expect_rc 0 "$ARGOSFS" scan "${IMGS[@]}"
expect_out '  healthy$'

# An ArgosFS member is refused too, and -q still prints the refusal.
before=$(sums "${IMGS[@]}")
expect_rc 1 "$MKFS" -q "${IMGS[@]:0:2}"
expect_err "${IMGS[0]} holds argosfs filesystem .*member 0 of pool"
expect_unchanged "$before" "${IMGS[@]}"
expect_rc 0 "$MKFS" -q -f -k 1 -m 1 "${IMGS[@]:0:2}"
expect_rc 0 "$ARGOSFS" scan "${IMGS[@]:0:2}"
expect_out '  geometry 1\+1,'
