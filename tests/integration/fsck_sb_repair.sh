#!/bin/bash
# Description: fsck.argosfs on a member whose front superblocks were zeroed: -n reports it (exit 4) and changes no byte, -y repairs it (exit 1), then -n is clean (exit 0); -p repairs a damaged back copy.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"

tools_init
make_images 6 64M
spec=$(commas "${IMGS[@]}")
expect_rc 0 "$MKFS" -q "${IMGS[@]}"
[ -z "$OUT" ] || fail "mkfs -q printed: $OUT"

# The first MiB of member 2 holds its front copies.
zero_range "${IMGS[2]}" 0 1
expect_rc 0 "$ARGOSFS" dump-super "${IMGS[2]}"
expect_out '^copy A front .*: invalid: '
expect_out '^copy B front .*: invalid: '

before=$(sums "${IMGS[@]}")
expect_rc 4 "$FSCK" -n "$spec"
expect_out "^PR_0_SB_COPY_DAMAGED: ${IMGS[2]}: front .*\[not fixed: run with -y to repair\]\$"
expect_out ': 1 problem found, 0 fixed, 1 left uncorrected$'
expect_unchanged "$before" "${IMGS[@]}"

# scan still calls the pool healthy (the member is online), and says why.
expect_rc 0 "$ARGOSFS" scan "${IMGS[@]}"
expect_out '  healthy$'
expect_out "^    2 +online +${IMGS[2]}  \(online; 1 of 2 superblock copies"

expect_rc 1 "$FSCK" -y "$spec"
expect_out "^PR_0_SB_COPY_DAMAGED: ${IMGS[2]}: front .*\[FIXED\]\$"
expect_out ': 1 problem found, 1 fixed, 0 left uncorrected$'
expect_rc 0 "$FSCK" -n -f "$spec"
expect_out ': no problems found$'

# Preen repairs damaged copies too: the last MiB of member 4 holds its back copies.
zero_range "${IMGS[4]}" 63 1
expect_rc 4 "$FSCK" -n "$spec"
expect_out "^PR_0_SB_COPY_DAMAGED: ${IMGS[4]}: back "
expect_rc 1 "$FSCK" -p "$spec"
expect_out '\[FIXED\]$'
expect_rc 0 "$FSCK" -a "$spec"

# Two members damaged at once, both repaired in one run.
zero_range "${IMGS[0]}" 0 1
zero_range "${IMGS[5]}" 63 1
expect_rc 1 "$FSCK" -y "$spec"
expect_out ': 2 problems found, 2 fixed, 0 left uncorrected$'
expect_rc 0 "$FSCK" -n "$spec"
