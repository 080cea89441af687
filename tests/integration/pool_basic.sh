#!/bin/bash
# Description: mkfs.argosfs formats six images as 4+2; argosfs scan (--search, paths, --json) shows one healthy pool of six online members; dump-super shows its copies; fsck.argosfs -n finds nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"

need_cmd python3
tools_init
make_images 6 64M
spec=$(commas "${IMGS[@]}")

# -n: what would be done, nothing written.
before=$(sums "${IMGS[@]}")
expect_rc 0 "$MKFS" -n -L basic "${IMGS[@]}"
expect_out '^Would format 6 members'
expect_unchanged "$before" "${IMGS[@]}"

expect_rc 0 "$MKFS" -L basic "${IMGS[@]}"
expect_out '^Formatted 6 members'
expect_out '^  pool UUID: +[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
expect_out '^  geometry: +4\+2 '
expect_out '^  chunk size: +256 KiB \(262144 bytes\)'
expect_out '^  journal size: +[0-9.]+ [KMG]iB \([0-9]+ bytes\) per member'
expect_out '^  raw capacity: +384 MiB \(402653184 bytes\)'
expect_out '^  usable capacity: +[0-9.]+ [KMG]iB \([0-9]+ bytes\)'
uuid=$(sed -n 's/^  pool UUID: *//p' <<<"$OUT")
log "pool $uuid"

# check_scan: the last run shows the pool healthy with six online members.
check_scan() {
	expect_out "^pool $uuid  label \"basic\"  healthy"
	expect_out '^  geometry 4\+2, chunk 256 KiB'
	[ "$(grep -cE '^    [0-5] +online +/' <<<"$OUT")" = 6 ] ||
		{ printf '%s\n' "$OUT" >&2; fail "not six online members"; }
}
expect_rc 0 "$ARGOSFS" scan --search "$T"
check_scan
expect_rc 0 "$ARGOSFS" scan "${IMGS[@]}"
check_scan
ARGOSFS_SEARCH=$T expect_rc 0 "$ARGOSFS" scan "${IMGS[0]}"
check_scan

expect_rc 0 "$ARGOSFS" scan --json --search "$T"
expect_json \
	'd["schema_version"]' 1 \
	'len(d["pools"])' 1 \
	'd["pools"][0]["uuid"]' "$uuid" \
	'd["pools"][0]["label"]' basic \
	'd["pools"][0]["health"]' healthy \
	'(d["pools"][0]["k"], d["pools"][0]["m"], d["pools"][0]["chunk_size"])' '(4, 2, 262144)' \
	'len(d["pools"][0]["members"])' 6 \
	'[m["index"] for m in d["pools"][0]["members"]]' '[0, 1, 2, 3, 4, 5]' \
	'all(m["status"] == "online" for m in d["pools"][0]["members"])' True \
	"sorted(m['path'] for m in d['pools'][0]['members']) == ['$T/d%d.img' % i for i in range(6)]" True \
	'd["pools"][0]["mounted"]' None \
	'd["other"]' '[]'

# fsck: clean, so (as e2fsck) only the quick phases unless -f.
expect_rc 0 "$FSCK" -n "$spec"
expect_out ': clean \(use -f to check it anyway\)$'
expect_rc 0 "$FSCK" -n -f "$spec"
expect_out ': no problems found$'
expect_rc 0 "$FSCK" "$spec"
expect_err 'no -n, -y or -p given: checking only'
expect_rc 0 "$FSCK" -f -v -C 0 -t argosfs -p "$spec"
expect_out '^superblocks: 1/1$'
expect_rc 0 "$FSCK" -a -C 1 "$spec"
expect_out "^superblocks 1 1 $spec\$"

# dump-super: the four copies, the fields of the valid ones.
expect_rc 0 "$ARGOSFS" dump-super "${IMGS[3]}"
expect_out 'superblock copies valid$'
expect_out '^copy A front'
expect_out '^copy B back'
expect_out "^    pool_uuid +$uuid\$"
expect_rc 0 "$ARGOSFS" dump-super --json "${IMGS[3]}"
expect_json \
	'len(d["copies"])' 4 \
	'[(c["slot"], c["position"]) for c in d["copies"]]' "[('A', 'front'), ('A', 'back'), ('B', 'front'), ('B', 'back')]" \
	'd["valid_copies"] >= 2' True \
	'd["valid_copies"] == sum(c["valid"] for c in d["copies"])' True \
	'{c["fields"]["pool_uuid"] for c in d["copies"] if c["valid"]}' "{'$uuid'}" \
	'{(c["fields"]["member_index"], c["fields"]["k"], c["fields"]["m"]) for c in d["copies"] if c["valid"]}' '{(3, 4, 2)}' \
	'all(c["error"]["reason"] for c in d["copies"] if not c["valid"])' True

# Nothing there: scan and dump-super exit 1.
mkdir "$T/empty"
make_image empty "$T/empty/e.img" 64M
expect_rc 1 "$ARGOSFS" scan "$empty"
expect_out "^    -    not-argosfs $empty"
expect_err 'no ArgosFS pool found'
expect_rc 1 "$ARGOSFS" scan --search "$T/empty"
expect_rc 1 "$ARGOSFS" scan --search "$T/no-such-dir"
expect_rc 1 "$ARGOSFS" dump-super "$empty"
expect_out '0 of 4 superblock copies valid'
expect_rc 1 "$ARGOSFS" dump-super "$T/no-such.img"
expect_err "^argosfs dump-super: $T/no-such.img: No such file or directory"

# A member image locked by another process: fsck exits 8 and checks nothing.
hold_member holder "${IMGS[1]}"
expect_rc 8 "$FSCK" -n "$spec"
expect_err "${IMGS[1]}: it is locked by another ArgosFS process"
expect_err "^fsck.argosfs: $spec: the pool is in use"
expect_rc 0 "$ARGOSFS" scan "${IMGS[@]}"
_kill_wait "$holder"
expect_rc 0 "$FSCK" -n "$spec"
