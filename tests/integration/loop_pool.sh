#!/bin/bash
# Description: a pool on loop devices: scan without arguments finds it among the block devices, a loop device and its backing image count as one member, and a member held exclusively makes fsck exit 8 and mkfs refuse.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"

need_loop
need_cmd python3
tools_init
make_images 6 64M
DEVS=()
for img in "${IMGS[@]}"; do
	attach_loop dev "$img"
	DEVS+=("$dev")
done
log "loop devices: ${DEVS[*]}"
label=loop-$RANDOM$RANDOM
expect_rc 0 "$MKFS" -L "$label" "${DEVS[@]}"
uuid=$(sed -n 's/^  pool UUID: *//p' <<<"$OUT")

# No argument: every block device.  Other pools may exist on this host: pick ours.
expect_rc 0 "$ARGOSFS" scan --json
pool="[p for p in d['pools'] if p['uuid'] == '$uuid'][0]"
expect_json \
	"$pool['health']" healthy \
	"$pool['label']" "$label" \
	"sorted(m['path'] for m in $pool['members']) == sorted('${DEVS[*]}'.split())" True
expect_rc 0 "$ARGOSFS" scan
expect_out "^pool $uuid  label \"$label\"  healthy"

# The images are the same members (found through --search, or listed).
expect_rc 0 "$ARGOSFS" scan --json --search "$T"
expect_json \
	"$pool['health']" healthy \
	"len($pool['members'])" 6
# A loop device listed with its own backing image: one member, no duplicate.
expect_rc 0 "$ARGOSFS" scan --json "${DEVS[@]}" "${IMGS[0]}"
expect_json \
	'len(d["pools"])' 1 \
	'd["pools"][0]["health"]' healthy \
	'[m["status"] for m in d["pools"][0]["members"]]' "['online', 'online', 'online', 'online', 'online', 'online']" \
	'd["other"]' '[]'
# fsck too: the image is the loop device's member, not a second owner.
expect_rc 0 "$FSCK" -n "$(commas "${DEVS[@]}" "${IMGS[0]}")"

expect_rc 0 "$FSCK" -n "$(commas "${DEVS[@]}")"
expect_rc 0 "$FSCK" -n "pool:UUID=$uuid"
expect_rc 0 "$FSCK" -n "pool:LABEL=$label"

# A member held by another process: fsck exits 8, mkfs refuses, scan still works.
hold_member holder "${DEVS[3]}"
expect_rc 8 "$FSCK" -n "$(commas "${DEVS[@]}")"
expect_err "${DEVS[3]}: is in use"
expect_err 'the pool is in use'
expect_rc 8 "$FSCK" -y "pool:UUID=$uuid"
before=$(sums "${IMGS[@]}")
expect_rc 1 "$MKFS" -f "${DEVS[@]}"
expect_err "${DEVS[3]}: is in use"
expect_unchanged "$before" "${IMGS[@]}"
expect_rc 0 "$ARGOSFS" scan "${DEVS[@]}"
_kill_wait "$holder"

# The backing image of a member, locked by another process: the same.
hold_member holder "${IMGS[2]}"
expect_rc 8 "$FSCK" -n "$(commas "${DEVS[@]}")"
expect_err 'locked by another'
_kill_wait "$holder"
expect_rc 0 "$FSCK" -n "$(commas "${DEVS[@]}")"
