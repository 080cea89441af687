#!/bin/bash
# Description: pool properties through argosfs set-io-mode and set-atime on an unmounted 2+1 image pool: shown as "(default)" until set, set and shown again after a reopen (aliases canonicalised), bad values refused with exit 2 before the pool is touched, --help lists the values, fsck -n -f clean afterwards (damaged property items: tests/unit/test_fsck_ns).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"

TMPDIR=${TMPDIR:-/dev/shm}
[ -w "$TMPDIR" ] || TMPDIR=/tmp
tools_init

make_images 3 32M
P=$(commas "${IMGS[@]}")
expect_rc 0 "$MKFS" -q -k 2 -m 1 "${IMGS[@]}"

# ---- help and usage errors ----
expect_rc 0 "$ARGOSFS" set-atime --help
expect_out '^Usage: argosfs set-atime '
expect_out 'strictatime'
expect_rc 0 "$ARGOSFS" set-io-mode --help
expect_out 'uring'
expect_rc 2 "$ARGOSFS" set-atime "$P" sometimes
expect_err 'sometimes: not a value of atime \(relatime, noatime, strictatime\)'
expect_rc 2 "$ARGOSFS" set-io-mode "$P" fast
expect_err 'fast: not a value of io'
expect_rc 2 "$ARGOSFS" set-atime
expect_err 'no pool given'

# ---- defaults, set, shown after reopen ----
expect_rc 0 "$ARGOSFS" set-atime "$P"
expect_out "^$P: atime relatime \(default\)$"
expect_rc 0 "$ARGOSFS" set-io-mode "$P"
expect_out "^$P: io psync \(default\)$"
expect_rc 0 "$ARGOSFS" set-atime "$P" noatime
expect_out "^$P: atime noatime \(from the next open\)$"
expect_rc 0 "$ARGOSFS" set-io-mode "$P" libaio
expect_out "^$P: io aio \(from the next open\)$"
expect_rc 0 "$ARGOSFS" set-atime "$P"
expect_out "^$P: atime noatime$"
expect_rc 0 "$ARGOSFS" set-io-mode "$P"
expect_out "^$P: io aio$"
expect_rc 0 "$ARGOSFS" set-io-mode "$P" psync
expect_rc 0 "$ARGOSFS" set-atime "$P" strictatime
expect_rc 0 "$ARGOSFS" set-atime "$P"
expect_out "^$P: atime strictatime$"
expect_rc 0 "$FSCK" -n -f "$P"
