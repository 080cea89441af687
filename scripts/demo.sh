#!/bin/bash
# scripts/demo.sh — the ArgosFS demo, on image files in a temporary directory.
# Run it through `scripts/bootstrap --demo` (installs what is missing, builds,
# and runs this with ARGOS_BUILDDIR set).
#
# What it shows today: six image files formatted as a 4+2 pool, the pool found
# by scanning, its superblocks, a member's front superblocks destroyed and
# repaired by fsck, a member lost and the pool reported degraded, and a
# metadata checkpoint written through the engine.  (Mounting and files come
# with the FUSE adapter.)
set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${ARGOS_BUILDDIR:-$srcdir/build}
[ -f "$builddir/Makefile" ] ||
	{ echo "demo.sh: $builddir is not configured; run scripts/bootstrap --demo" >&2; exit 1; }
make -C "$builddir" -s --no-print-directory >/dev/null

mkfs="$builddir/tools/mkfs.argosfs"
fsck="$builddir/tools/fsck.argosfs"
argosfs="$builddir/tools/argosfs"
export LD_LIBRARY_PATH="$builddir/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

dir=$(mktemp -d "${TMPDIR:-/tmp}/argosfs-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
runrc() { local rc=0; printf '$ %s\n' "$*"; "$@" || rc=$?; echo "(exit code $rc)"; }

step "Six 64 MiB image files"
imgs=()
for i in 0 1 2 3 4 5; do
	truncate -s 64M "$dir/disk$i.img"
	imgs+=("$dir/disk$i.img")
done
ls -l "$dir"
pool=$(IFS=,; echo "${imgs[*]}")

step "Format them as one 4+2 pool (any two may fail)"
run "$mkfs" -L demo "${imgs[@]}"

step "Find the pool by scanning the directory"
run "$argosfs" scan --search "$dir"

step "The superblocks of one member (four copies: slots A/B, front/back)"
"$argosfs" dump-super "$dir/disk0.img" | sed -n 1,24p

step "Write a checkpoint through the engine (opens the pool, commits, closes)"
if "$argosfs" --help 2>&1 | grep -q checkpoint; then
	run "$argosfs" checkpoint "$pool"
else
	echo "(argosfs checkpoint is not built yet)"
fi

step "Check the pool: clean"
runrc "$fsck" -n "$pool"

step "Destroy the first MiB of disk2 (both front superblock copies)"
run dd if=/dev/zero of="$dir/disk2.img" bs=1M count=1 conv=notrunc status=none
runrc "$fsck" -n "$pool"

step "Repair: the damaged copies are rewritten from the member's back copies"
runrc "$fsck" -y "$pool"
runrc "$fsck" -n "$pool"

step "Lose a member entirely: the pool is degraded but still assembles"
run dd if=/dev/zero of="$dir/disk5.img" bs=1M count=64 conv=notrunc status=none
run "$argosfs" scan --search "$dir"
runrc "$fsck" -n "$pool"

step "Done"
echo "Mounting, files and the repair of lost members arrive with the FUSE and data issues."
