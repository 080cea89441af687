#!/bin/bash
# Description: fsck.argosfs on the journal: a pool abandoned with committed transactions is reported unclean by -n (exit 4, nothing written, checked as replayed), replayed by -y and -p (exit 1) and clean afterwards; a zeroed journal mirror is found by verify-journal (exit 1) and fsck (PR_1_JOURNAL_MIRROR_BEHIND) and repaired by -y.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"
. "$(dirname "$0")/store.bash"

need_cmd python3 dd
store_init 3 64M

# An abandoned pool: 20 synced transactions, no checkpoint, no clean flag.
expect_rc 0 "$HELPER" crash "$spec" 20
expect_rc 0 "$ARGOSFS" verify-journal --json "$spec"
expect_json 'd["clean"]' False 'd["longest_entries"] >= 1' True \
	'all(m["complete"] for m in d["mirrors"])' True \
	'sum(r["transactions"] for r in d["mirrors"][0]["records"] if r["valid"])' 20 \
	'd["mirrors"][0]["records"][-1]["valid"]' False
entries=$(json_eval 'd["longest_entries"]')

before=$(sums "${IMGS[@]}")
expect_rc 4 "$FSCK" -n "$spec"
expect_out "^PR_1_UNCLEAN: the pool was not closed cleanly: the journal holds $entries entries .* \(checked as replayed, in memory\) \[not fixed: run with -y to repair\]\$"
expect_out ': 1 problem found, 0 fixed, 1 left uncorrected$'
expect_unchanged "$before" "${IMGS[@]}"

# One journal mirror zeroed: that mirror's chain is empty.
expect_rc 0 "$ARGOSFS" dump-super --json "${IMGS[1]}"
joff=$(json_eval '[c for c in d["copies"] if c["valid"]][0]["fields"]["journal_off"]')
jlen=$(json_eval '[c for c in d["copies"] if c["valid"]][0]["fields"]["journal_len"]')
expect_rc 0 "$ARGOSFS" verify-journal --json "$spec"
expect_json '[m["member"] for m in d["mirrors"]]' '[0, 1]'   # 2+1: members 0 and 1
dd if=/dev/zero of="${IMGS[1]}" bs=4096 seek=$((joff / 4096)) count=$((jlen / 4096)) \
	conv=notrunc status=none
expect_rc 1 "$ARGOSFS" verify-journal "$spec"
expect_out '^mirror 1: member 1 .*: 0 entries, .*\(INCOMPLETE\)$'
expect_rc 1 "$ARGOSFS" verify-journal --json "$spec"
expect_json 'd["mirrors"][1]["complete"]' False 'd["mirrors"][1]["entries"]' 0 \
	'd["mirrors"][1]["records"][0]["error"]["errno"]' 42 \
	"d['longest_entries']" "$entries"

before=$(sums "${IMGS[@]}")
expect_rc 4 "$FSCK" -n "$spec"
expect_out "^PR_1_JOURNAL_MIRROR_BEHIND: ${IMGS[1]}: journal mirror of member 1 holds 0 of the $entries entries .*\[not fixed: run with -y to repair\]\$"
expect_out '^PR_1_UNCLEAN: '
expect_out ': 2 problems found, 0 fixed, 2 left uncorrected$'
expect_unchanged "$before" "${IMGS[@]}"

expect_rc 1 "$FSCK" -y "$spec"
expect_out '^PR_1_JOURNAL_MIRROR_BEHIND: .*\[FIXED\]$'
expect_out '^PR_1_UNCLEAN: .*\[FIXED\]$'
expect_rc 0 "$FSCK" -n -f "$spec"
expect_out ': no problems found$'
expect_rc 0 "$ARGOSFS" verify-journal --json "$spec"
expect_json 'd["clean"]' True 'd["longest_entries"]' 0
# The replayed transactions are in the checkpoint now.
expect_rc 0 "$ARGOSFS" dump-tree --json --items "$spec"
expect_json 'sum(1 for p in d["pages"] for i in p.get("items", []) if i["key"]["type"] == "prop")' 20

# Preen replays too.
expect_rc 0 "$HELPER" crash "$spec" 5
expect_rc 1 "$FSCK" -p "$spec"
expect_out '^PR_1_UNCLEAN: .*\[FIXED\]$'
expect_rc 0 "$FSCK" -n "$spec"
