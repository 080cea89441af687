#!/bin/bash
# Description: libargosfs.so exports only argos_* symbols (none at all is fine) under the ARGOSFS_* version node.
. "$(dirname "$0")/lib.sh"

need_cmd nm objdump
LIB=$(builddir)/.libs/libargosfs.so
[ -e "$LIB" ] || hard_error "$LIB is not built"

# nm -D lists the version nodes themselves as absolute symbols (type A).
bad=$(nm -D --defined-only "$LIB" | awk '$2 != "A" && $3 !~ /^argos_/ { print $3 }')
if [ -n "$bad" ]; then
	echo "symbols exported by libargosfs.so that are not argos_*:" >&2
	printf '  %s\n' $bad >&2
	fail "export only argos_* (engine/libargosfs.map); make everything else static or non-argos_"
fi

# The version script really was applied: the ARGOSFS_0.1 node is defined.
objdump -p "$LIB" | grep -q 'ARGOSFS_0\.1' ||
	fail "no ARGOSFS_0.1 version definition: was -Wl,--version-script dropped?"

n=$(nm -D --defined-only "$LIB" | awk '$2 != "A"' | wc -l)
log "libargosfs.so exports $n argos_* symbols"
