#!/bin/bash
# Description: argosfs verify-journal, checkpoint, dump-tree and crash-points: help and usage errors, their output (text and --json) on a fresh pool, checkpoint generations, a checkpoint refused on a busy pool, and one stopped by a crash point that fsck then replays.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"

need_cmd python3
tools_init

for c in verify-journal checkpoint dump-tree crash-points; do
	expect_rc 0 "$ARGOSFS" "$c" --help
	expect_out "^Usage: argosfs $c"
	expect_rc 2 "$ARGOSFS" "$c" --no-such-option
	expect_err 'Try .* --help'
	expect_rc 0 "$ARGOSFS" help
	expect_out "^  $c "
done
expect_rc 2 "$ARGOSFS" verify-journal
expect_err 'no pool given'
expect_rc 2 "$ARGOSFS" dump-tree a.img b.img
expect_rc 2 "$ARGOSFS" checkpoint --json a.img
expect_err -- '--json: not an option of this command'
expect_rc 2 "$ARGOSFS" crash-points extra
expect_rc 2 "$ARGOSFS" dump-tree 'UUID=not-a-uuid'

# crash-points: every name the engine arms, one per line.
expect_rc 0 "$ARGOSFS" crash-points
expect_out '^after-journal-commit$'
expect_out '^after-superblocks$'
[ "$(grep -c . <<<"$OUT")" -ge 10 ] || fail "fewer crash points than expected: $OUT"

make_images 4 64M
spec=$(commas "${IMGS[@]}")
expect_rc 0 "$MKFS" -q -L tools "${IMGS[@]}"     # 2+2: three mirrors
uuid=$(pool_uuid_of "${IMGS[0]}")

# A pool with no match.
expect_rc 1 "$ARGOSFS" dump-tree "$T/missing.img"
expect_err 'while reading the tree'

# verify-journal on a fresh pool: three empty, complete mirrors.
expect_rc 0 "$ARGOSFS" verify-journal "$spec"
expect_out '^mirror 0: member 0 .*: 0 entries, .*\(complete\)$'
expect_out '^longest chain: mirror 0 \(member 0\), 0 entries$'
expect_rc 0 "$ARGOSFS" verify-journal --json --search "$T" "UUID=$uuid"
expect_json 'd["schema_version"]' 1 'd["pool_uuid"]' "$uuid" 'd["clean"]' True \
	'len(d["mirrors"])' 3 'd["head"]' "{'offset': 0, 'seq': 1}" \
	'[r["valid"] for r in d["mirrors"][0]["records"]]' '[False]' \
	'd["mirrors"][0]["records"][0]["error"]["message"]' 'no ArgosFS structure found'

# dump-tree: one leaf with the pool record and the root directory.
expect_rc 0 "$ARGOSFS" dump-tree --items "$spec"
expect_out '^page depth 0 level 0 generation 1 csum 0x[0-9a-f]{8} items 2 keys \(0, pool, 0\) \.\. \(1, inode, 0\)$'
expect_out '^  mirror 1: member 1 block [0-9]+ ok$'
expect_out '^      item \(0, pool, 0\) len 64 next_ino=2 '
expect_out '^      item \(1, inode, 0\) len 128 mode=040755 '
expect_out '^1 pages, 2 items, 0 lost pages, 0 bad mirrors$'
ARGOSFS_SEARCH=$T expect_rc 0 "$ARGOSFS" dump-tree --json --items LABEL=tools
expect_json 'd["height"]' 1 'd["clean"]' True 'len(d["pages"])' 1 \
	'd["pages"][0]["items"][0]["fields"]["next_ino"]' 2 \
	'd["pages"][0]["items"][1]["fields"]["mode"]' 040755 \
	'd["pages"][0]["items"][1]["key"]' "{'oid': 1, 'type': 'inode', 'type_id': 1, 'off': 0}" \
	'[m["valid"] for m in d["pages"][0]["mirrors"]]' '[True, True, True]'

# checkpoint: each run writes a checkpoint generation and a clean one.
expect_rc 0 "$ARGOSFS" checkpoint "$spec"
expect_out '^.*: checkpoint written: generation 3$'
expect_rc 0 "$ARGOSFS" checkpoint "$spec"
expect_out ': checkpoint written: generation 6$'
expect_rc 0 "$ARGOSFS" dump-super --json "${IMGS[2]}"
expect_json 'max(c["generation"] for c in d["copies"] if c["valid"])' 7
expect_rc 0 "$FSCK" -n "$spec"

# A busy pool is refused.
hold_member holder "${IMGS[3]}"
expect_rc 1 "$ARGOSFS" checkpoint "$spec"
expect_err 'while opening the pool'
_kill_wait "$holder"

# Stopped by a crash point after the superblocks: left unclean, fsck replays it.
ARGOSFS_CRASH_POINT=after-superblocks expect_rc 1 "$ARGOSFS" checkpoint "$spec"
expect_err 'while writing a checkpoint'
expect_rc 0 "$ARGOSFS" verify-journal --json "$spec"
expect_json 'd["clean"]' False
expect_rc 4 "$FSCK" -n "$spec"
expect_out '^PR_1_UNCLEAN: the pool was not closed cleanly: no journal entries to replay'
expect_rc 1 "$FSCK" -y "$spec"
expect_rc 0 "$FSCK" -n "$spec"
ARGOSFS_CRASH_POINT=no-such-point expect_rc 1 "$ARGOSFS" checkpoint "$spec"
expect_err 'no-such-point'
