#!/bin/bash
# Description: fsck.argosfs on damaged metadata tree pages: one mirror of a leaf corrupted (its address from dump-tree --json) gives exit 4 with -n (nothing written), -y rewrites it from the good mirror (exit 1), then -n is clean; every mirror of a leaf corrupted is reported lost and left uncorrected (exit 4), and dump-tree shows it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"
. "$(dirname "$0")/store.bash"

need_cmd python3 dd
store_init 3 64M    # 2+1: every page has two mirrors
expect_rc 0 "$HELPER" fill "$spec" 300 400   # a tree of two levels

# leaf_mirror WHICH MIRROR: "member block" of a mirror of the first/last leaf.
leaf_mirror() {
	json_eval "[('%d %d' % (p['mirrors'][$2]['member'], p['mirrors'][$2]['block'])) for p in d['pages'] if p['level'] == 0][$1]"
}
# smash MEMBER BLOCK: overwrite that 4 KiB block of the member's image.
smash() {
	dd if=/dev/urandom of="${IMGS[$1]}" bs=4096 seek="$2" count=1 conv=notrunc status=none
}
block_sum() {
	dd if="${IMGS[$1]}" bs=4096 skip="$2" count=1 status=none | sha256sum
}

expect_rc 0 "$ARGOSFS" dump-tree --json "$spec"
expect_json 'd["height"]' 2 'd["summary"]["lost_pages"]' 0 'd["summary"]["bad_mirrors"]' 0 \
	'all(len(p["mirrors"]) == 2 for p in d["pages"])' True
read -r m0 b0 <<<"$(leaf_mirror 0 0)"
read -r m1 b1 <<<"$(leaf_mirror 0 1)"
log "first leaf: member $m0 block $b0, member $m1 block $b1"

# One mirror damaged.
smash "$m1" "$b1"
expect_rc 0 "$ARGOSFS" dump-tree --json "$spec"
expect_json 'd["summary"]["bad_mirrors"]' 1 'd["summary"]["lost_pages"]' 0
before=$(sums "${IMGS[@]}")
expect_rc 4 "$FSCK" -n "$spec"
expect_out "^PR_2_PAGE_MIRROR_BAD: page at member $m0 block $b0 \(level 0, .*mirror 1 at member $m1 block $b1: .*\[not fixed: run with -y to repair\]\$"
expect_out ': 1 problem found, 0 fixed, 1 left uncorrected$'
expect_unchanged "$before" "${IMGS[@]}"
expect_rc 1 "$FSCK" -y "$spec"
expect_out '^PR_2_PAGE_MIRROR_BAD: .*\[FIXED\]$'
[ "$(block_sum "$m0" "$b0")" = "$(block_sum "$m1" "$b1")" ] ||
	fail "the repaired mirror does not hold the good mirror's bytes"
expect_rc 0 "$FSCK" -n -f "$spec"
expect_out ': no problems found$'

# Preen repairs a damaged mirror too (it rewrites the page's own bytes).
smash "$m0" "$b0"
expect_rc 1 "$FSCK" -p "$spec"
expect_out '^PR_2_PAGE_MIRROR_BAD: .*mirror 0 at .*\[FIXED\]$'
expect_rc 0 "$FSCK" -n "$spec"

# Every mirror of the last leaf damaged: lost, nothing can repair it.
expect_rc 0 "$ARGOSFS" dump-tree --json "$spec"
read -r m0 b0 <<<"$(leaf_mirror -1 0)"
read -r m1 b1 <<<"$(leaf_mirror -1 1)"
smash "$m0" "$b0"
smash "$m1" "$b1"
expect_rc 1 "$ARGOSFS" dump-tree "$spec"
expect_out 'LOST: no valid mirror'
expect_out ' 1 lost pages, '
expect_rc 4 "$FSCK" -n "$spec"
expect_out "^PR_2_PAGE_LOST: page at member $m0 block $b0 .*no valid mirror .*\[not fixed: fsck cannot repair this\]\$"
expect_no_out 'PR_3_'
expect_no_out 'PR_2_(POOLREC|ROOT)_MISSING'
expect_rc 4 "$FSCK" -y "$spec"
expect_out ': 1 problem found, 0 fixed, 1 left uncorrected$'
