#!/bin/bash
# Description: fsck.argosfs phase 3 against the space maps: a leaked extent (a transaction ALLOC that nothing references) is found by -n (exit 4) and freed by -y (exit 1); a tree block marked free is found and marked used again by -p; a hand-made extent reference item whose count matches no references is rewritten by -y (not by -p); a malformed one is removed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"
. "$(dirname "$0")/store.bash"

need_cmd python3
store_init 3 64M

# A leak: 8 blocks of member 1 allocated by a transaction, referenced by nothing.
expect_rc 0 "$HELPER" leak "$spec" 1 8
read -r member block n <<<"$OUT"
before=$(sums "${IMGS[@]}")
expect_rc 4 "$FSCK" -n "$spec"
expect_out "^PR_3_SPACE_LEAKED: member 1: 8 blocks in 1 extents are marked used but nothing references them \(block $block\+8\) \[not fixed: run with -y to repair\]\$"
expect_out ': 1 problem found, 0 fixed, 1 left uncorrected$'
expect_unchanged "$before" "${IMGS[@]}"
expect_rc 1 "$FSCK" -y "$spec"
expect_out '^PR_3_SPACE_LEAKED: .*\[FIXED\]$'
expect_rc 0 "$FSCK" -n -f "$spec"
expect_out ': no problems found$'

# A block of the tree marked free (freed and released while still in use).
expect_rc 0 "$HELPER" free-page "$spec"
read -r member block <<<"$OUT"
expect_rc 4 "$FSCK" -n "$spec"
expect_out "^PR_3_SPACE_UNMARKED: member $member: 1 blocks in 1 extents are referenced .* but marked free \(block $block\+1\)"
expect_rc 1 "$FSCK" -p "$spec"
expect_out '^PR_3_SPACE_UNMARKED: .*\[FIXED\]$'
expect_rc 0 "$FSCK" -n "$spec"

# Extent reference counts: an item saying 2 for an extent nothing references.
expect_rc 0 "$ARGOSFS" dump-super --json "${IMGS[0]}"
data=$(json_eval '[c for c in d["copies"] if c["valid"]][0]["fields"]["data_off"] // 4096')
x=$((data + 100))
expect_rc 0 "$HELPER" extref "$spec" 0 "$x" 4 2
expect_rc 4 "$FSCK" -n "$spec"
expect_out "^PR_3_EXTREF_COUNT: extent reference item \(0, extref, $x\) counts 2 references to 4 blocks; 0 found \(the item goes\) \[not fixed: run with -y to repair\]\$"
expect_rc 4 "$FSCK" -p "$spec"
expect_out '^PR_3_EXTREF_COUNT: .*\[not fixed: needs -y\]$'
expect_rc 1 "$FSCK" -y "$spec"
expect_out '^PR_3_EXTREF_COUNT: .*\[FIXED\]$'
expect_rc 0 "$FSCK" -n "$spec"
expect_rc 0 "$ARGOSFS" dump-tree --json --items "$spec"
expect_json 'sum(1 for p in d["pages"] for i in p.get("items", []) if i["key"]["type"] == "extref")' 0

# A malformed one (a member that is not in the pool, a count of 1) goes with -y.
expect_rc 0 "$HELPER" extref "$spec" 7 "$x" 4 1
expect_rc 0 "$ARGOSFS" dump-tree --items "$spec"
expect_out "item \(7, extref, $x\) len 24 \(does not decode: .*2 or more"
expect_rc 4 "$FSCK" -n "$spec"
expect_out "^PR_3_EXTREF_BAD: extent reference item \(7, extref, $x\): "
expect_rc 1 "$FSCK" -y "$spec"
expect_rc 0 "$FSCK" -n "$spec"
