#!/bin/bash
# Description: fsck.argosfs resolves pool:UUID=, UUID=, pool:LABEL= and LABEL= through --search DIR and ARGOSFS_SEARCH; unknown pools exit 8, malformed specs 16, an ambiguous label 8.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"

tools_init
mkdir "$T/pool" "$T/twin" "$T/empty"
uuid=7d3c1a52-93b4-4e0f-8a61-2f5b9c0e4d18
label=spec-$RANDOM$RANDOM     # unique, in case block devices hold pools
IMGS=()
for i in 0 1 2; do
	make_image img "$T/pool/m$i.img" 64M
	IMGS+=("$img")
done
expect_rc 0 "$MKFS" -q -U "$uuid" -L "$label" "${IMGS[@]}"

for spec in "pool:UUID=$uuid" "UUID=$uuid" "pool:LABEL=$label" "LABEL=$label"; do
	expect_rc 0 "$FSCK" -n -f --search "$T/empty" --search "$T/pool" "$spec"
	expect_out "^$spec: no problems found\$"
done
# The environment works as --search does; --search and it add up.
ARGOSFS_SEARCH="$T/empty:$T/pool" expect_rc 0 "$FSCK" -n "pool:LABEL=$label"
ARGOSFS_SEARCH="$T/empty" expect_rc 0 "$FSCK" -n -f --search "$T/pool" "pool:UUID=$uuid"
# -v names the members found.
expect_rc 0 "$FSCK" -n -v --search "$T/pool" "pool:UUID=$uuid"
for img in "${IMGS[@]}"; do
	expect_out "^  $img\$"
done

# Repair through a UUID spec.
zero_range "${IMGS[1]}" 0 1
expect_rc 4 "$FSCK" -n --search "$T/pool" "pool:UUID=$uuid"
expect_rc 1 "$FSCK" -y --search "$T/pool" "pool:UUID=$uuid"
expect_rc 0 "$FSCK" -n -f --search "$T/pool" "pool:UUID=$uuid"

# Not found: exit 8 and a hint about --search.
expect_rc 8 "$FSCK" -n "pool:UUID=$uuid"
expect_err "^fsck.argosfs: pool:UUID=$uuid: no ArgosFS member with UUID=$uuid found \(image files need --search DIR\)"
expect_rc 8 "$FSCK" -n --search "$T/empty" "LABEL=$label-not"
expect_rc 8 "$FSCK" -n --search "$T/no-such-dir" "LABEL=$label"
expect_err "cannot search $T/no-such-dir"
expect_rc 8 "$FSCK" -n "$T/pool/none.img"

# Malformed: usage error.
expect_rc 16 "$FSCK" -n "pool:UUID=not-a-uuid"
expect_err '"not-a-uuid" is not a UUID'
expect_rc 16 "$FSCK" -n "${IMGS[0]},,${IMGS[1]}"
expect_err 'empty member path'

# A label two pools carry is ambiguous: exit 8, use the UUID.
make_image twin "$T/twin/t0.img" 64M
expect_rc 0 "$MKFS" -q -L "$label" "$twin"
expect_rc 8 "$FSCK" -n --search "$T/pool" --search "$T/twin" "pool:LABEL=$label"
expect_err "LABEL=$label matches more than one pool; use UUID="
expect_rc 0 "$FSCK" -n -f --search "$T/pool" --search "$T/twin" "pool:UUID=$uuid"
