#!/bin/bash
# scripts/demo.sh — the ArgosFS demo.  Run it through `scripts/bootstrap --demo`,
# which installs what is missing, builds, and runs this with ARGOS_BUILDDIR set.
#
# PLACEHOLDER: there is no filesystem to show yet, so this brings the build up
# to date and lists what has been built so far.  It will become: mkfs a pool
# on image files, mount it, copy files in, fail a member, read everything back,
# repair.
set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${ARGOS_BUILDDIR:-$srcdir/build}
[ -f "$builddir/Makefile" ] ||
	{ echo "demo.sh: $builddir is not configured; run scripts/bootstrap --demo" >&2; exit 1; }

echo "==> bringing $builddir up to date"
make -C "$builddir" -s --no-print-directory

version=$(sed -n 's/^#define PACKAGE_STRING "\(.*\)"$/\1/p' "$builddir/config.h")
echo
echo "ArgosFS demo (placeholder) — $version"
echo "   source: $srcdir"
echo "    build: $builddir"

echo
echo "Public library:"
lib=$builddir/.libs/libargosfs.so
if [ -e "$lib" ]; then
	n=$(nm -D --defined-only "$lib" | awk '$2 != "A"' | wc -l)
	echo "   $(basename "$(readlink -f "$lib")")  ($n exported argos_* symbols)"
	nm -D --defined-only "$lib" | awk '$2 != "A" { print "      " $3 }'
else
	echo "   (libargosfs.so not built)"
fi

echo
echo "Tools (installed into sbindir):"
found=no
for t in "$builddir"/tools/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	echo "   $(basename "$t")"
	found=yes
done
[ "$found" = yes ] || echo "   (none yet)"

echo
echo "Tests (make check / scripts/bootstrap --check):"
for t in "$srcdir"/tests/unit/test_*.c; do
	[ -e "$t" ] || continue
	echo "   unit: $(basename "$t" .c)"
done
for t in "$srcdir"/tests/integration/*.sh; do
	[ "$(basename "$t")" = lib.sh ] && continue
	echo "   integration: $(basename "$t" .sh) — $(sed -n 's/^# Description: //p' "$t" | head -n 1)"
done
echo
echo "The filesystem itself is not there yet; see README.md, \"What works today\"."
