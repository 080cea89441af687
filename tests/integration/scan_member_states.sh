#!/bin/bash
# Description: argosfs scan and fsck.argosfs name a zeroed member missing (pool degraded, then failed), a member of another pool foreign, and a copied member image a duplicate.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"

need_cmd python3
tools_init
make_images 6 64M
expect_rc 0 "$MKFS" -q -L states "${IMGS[@]}"
uuid=$(pool_uuid_of "${IMGS[0]}")

# ---- foreign: a member of another pool listed instead of member 5 ----
mkdir "$T/other"
make_image other "$T/other/o0.img" 64M
expect_rc 0 "$MKFS" -q -L other "$other"
ouuid=$(pool_uuid_of "$other")
set -- "${IMGS[@]:0:5}" "$other"
# scan shows every pool found: ours degraded (member 5 missing), and the other.
expect_rc 0 "$ARGOSFS" scan "$@"
expect_out "^pool $uuid  label \"states\"  degraded"
expect_out '^    5    missing +-'
expect_out "^pool $ouuid  label \"other\"  healthy"
expect_rc 0 "$ARGOSFS" scan --json "$@"
expect_json \
	'[(p["uuid"], p["health"]) for p in d["pools"]]' "[('$uuid', 'degraded'), ('$ouuid', 'healthy')]" \
	'[(m["index"], m["status"]) for m in d["pools"][0]["members"] if m["status"] != "online"]' "[(5, 'missing')]"
# fsck checks one pool: the other pool's member is foreign to it.
expect_rc 4 "$FSCK" -n "$(commas "$@")"
expect_out "^PR_0_PATH_FOREIGN: $other: member of another pool $ouuid \(label \"other\"\)"
expect_out '^PR_0_MEMBER_MISSING: member 5 '

# ---- duplicate: a copy of member 0 listed with the pool ----
cp --sparse=always "${IMGS[0]}" "$T/other/copy.img"
expect_rc 0 "$ARGOSFS" scan --json "${IMGS[@]}" "$T/other/copy.img"
expect_json \
	'd["pools"][0]["health"]' healthy \
	'[(m["path"], m["status"]) for m in d["pools"][0]["members"] if m["status"] != "online"]' "[('$T/other/copy.img', 'duplicate')]" \
	'[m["index"] for m in d["pools"][0]["members"] if m["status"] == "duplicate"]' '[0]'
expect_rc 0 "$ARGOSFS" scan "${IMGS[@]}" "$T/other/copy.img"
expect_out "^    0    duplicate +$T/other/copy.img  \(same member UUID as ${IMGS[0]}"
expect_rc 4 "$FSCK" -n "$(commas "${IMGS[@]}" "$T/other/copy.img")"
expect_out "^PR_0_PATH_DUPLICATE: $T/other/copy.img: "
rm -f "$T/other/copy.img"

# ---- missing: member 5 zeroed completely ----
truncate -s 0 "${IMGS[5]}"
truncate -s 64M "${IMGS[5]}"
expect_rc 0 "$ARGOSFS" scan --search "$T"
expect_out "^pool $uuid  label \"states\"  degraded"
expect_out '^    5    missing +-  \(not found among the devices given\)'
expect_rc 0 "$ARGOSFS" scan --json --search "$T"
expect_json \
	'[p["uuid"] for p in d["pools"]]' "['$uuid']" \
	'[(m["index"], m["status"]) for m in d["pools"][0]["members"] if m["status"] != "online"]' "[(5, 'missing')]"
expect_rc 0 "$ARGOSFS" scan "${IMGS[@]}"
expect_out "^    -    not-argosfs +${IMGS[5]}  \(holds no ArgosFS superblock\)"
expect_rc 4 "$FSCK" -n "$(commas "${IMGS[@]}")"
expect_out '^PR_0_MEMBER_MISSING: member 5 .*\[not fixed: fsck cannot repair this\]$'
expect_out "^PR_0_PATH_NOT_ARGOS: ${IMGS[5]}: holds no ArgosFS superblock"
# -y cannot bring a member back: still uncorrected, nothing written.
before=$(sums "${IMGS[@]}")
expect_rc 4 "$FSCK" -y "$(commas "${IMGS[@]:0:5}")"
expect_unchanged "$before" "${IMGS[@]}"

# ---- three of six gone: more than m=2, the pool has failed ----
truncate -s 0 "${IMGS[3]}" "${IMGS[4]}"
truncate -s 64M "${IMGS[3]}" "${IMGS[4]}"
expect_rc 0 "$ARGOSFS" scan --json "${IMGS[@]}"
expect_json 'd["pools"][0]["health"]' failed
expect_rc 4 "$FSCK" -n "$(commas "${IMGS[@]:0:3}")"
expect_out '^PR_0_POOL_FAILED: 3 member\(s\) missing'
