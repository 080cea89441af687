#!/bin/bash
# Description: mkfs.argosfs rejects bad input (missing paths, too few members, k/m/chunk out of range, small members, a path twice, a directory, bad UUID or label) with a clear message and exit 1, writing nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"

tools_init
make_images 6 64M
make_image small "$T/small.img" 16M
mkdir "$T/dir"
all=("${IMGS[@]}" "$small")
before=$(sums "${all[@]}")

# refused MESSAGE-REGEX ARG...: mkfs.argosfs ARG... exits 1 saying so.
refused() {
	local re=$1
	shift
	expect_rc 1 "$MKFS" "$@"
	expect_err "^mkfs.argosfs: .*$re"
	[ -z "$OUT" ] || fail "mkfs.argosfs $* printed a result: $OUT"
}

refused "$T/nope.img: No such file or directory" "${IMGS[@]:0:5}" "$T/nope.img"
refused '4\+2 needs at least 6 members, 3 given' -k 4 -m 2 "${IMGS[@]:0:3}"
refused 'm=4: at most 3 parity chunks' -m 4 "${IMGS[@]}"
refused '-k 0: k must be a number of data chunks, at least 1' -k 0 "${IMGS[@]}"
refused 'k=40: data chunks per stripe must be 1\.\.32' -k 40 "${IMGS[@]}"
refused '-k x: ' -k x "${IMGS[@]}"
refused '-m -1: ' -m -1 "${IMGS[@]}"
refused "$small is 16 MiB; members must be at least 32 MiB" "${IMGS[@]:0:5}" "$small"
refused 'are the same device' "${IMGS[@]:0:5}" "${IMGS[0]}"
refused 'are the same device' "${IMGS[@]:0:5}" "$T/./d0.img"
refused "$T/dir: is a directory" "${IMGS[@]:0:5}" "$T/dir"
refused '-U not-a-uuid: not a UUID' -U not-a-uuid "${IMGS[@]}"
refused '-U 00000000-0000-0000-0000-000000000000: the nil UUID' \
	-U 00000000-0000-0000-0000-000000000000 "${IMGS[@]}"
refused '-U 0b5e7a4e-6f1d-4c43-9a0e-3c2f1d9b8a7: not a UUID' \
	-U 0b5e7a4e-6f1d-4c43-9a0e-3c2f1d9b8a7 "${IMGS[@]}"
refused 'chunk size 3000: must be a power of two' -c 3000 "${IMGS[@]}"
refused 'chunk size 2097152: ' -c 2M "${IMGS[@]}"
refused '-c 12Q: not a chunk size' -c 12Q "${IMGS[@]}"
refused '-c 99999999999G: not a chunk size' -c 99999999999G "${IMGS[@]}"
refused "label must not contain ','" -L a,b "${IMGS[@]}"
refused 'label longer than 63 bytes' -L "$(printf 'x%.0s' {1..64})" "${IMGS[@]}"
refused 'no members given' -k 1
expect_err "Try 'mkfs.argosfs --help'"
expect_unchanged "$before" "${all[@]}"

# The same checks with -n.
refused 'm=4: ' -n -m 4 "${IMGS[@]}"
refused "$small is 16 MiB" -n "$small"
expect_unchanged "$before" "${all[@]}"

# Accepted spellings: sizes with suffixes, an explicit UUID.
expect_rc 0 "$MKFS" -n -c 64KiB -U 0B5E7A4E-6F1D-4C43-9A0E-3C2F1D9B8A77 "${IMGS[@]}"
expect_out '^  chunk size: +64 KiB \(65536 bytes\)'
expect_out '^  pool UUID: +0b5e7a4e-6f1d-4c43-9a0e-3c2f1d9b8a77$'
expect_rc 0 "$MKFS" -n -c 128k "${IMGS[@]}"
expect_out '^  chunk size: +128 KiB'
# Defaults by member count: 1 → 1+0, 3 → 2+1, 6 → 4+2.
expect_rc 0 "$MKFS" -n "${IMGS[0]}"
expect_out '^  geometry: +1\+0 '
expect_rc 0 "$MKFS" -n "${IMGS[@]:0:3}"
expect_out '^  geometry: +2\+1 '
expect_rc 0 "$MKFS" -n -m 0 "${IMGS[@]:0:2}"
expect_out '^  geometry: +2\+0 '
expect_unchanged "$before" "${all[@]}"
