#!/bin/bash
# Description: every tests/integration/*.sh is registered in tests/integration/local.mk and starts with a Description line.
. "$(dirname "$0")/lib.sh"

dir=$(dirname "$0")
registered=" ${ARGOS_INTEGRATION_TESTS:-} "
[ -n "${ARGOS_INTEGRATION_TESTS:-}" ] ||
	hard_error "ARGOS_INTEGRATION_TESTS is not set (make check sets it)"

errors=0
for f in "$dir"/*.sh; do
	b=$(basename "$f")
	[ "$b" = lib.sh ] && continue
	case $registered in
	*" tests/integration/$b "*) ;;
	*)	echo "tests/integration/$b is not in integration_tests (tests/integration/local.mk)" >&2
		errors=$((errors + 1)) ;;
	esac
	# First comment line after an optional #! line.
	first=$(awk '!/^#!/ { print; exit }' "$f")
	case $first in
	"# Description: "?*) ;;
	*)	echo "tests/integration/$b: the first line (after #!) must be '# Description: ...'" >&2
		errors=$((errors + 1)) ;;
	esac
done
[ "$errors" = 0 ] || fail "$errors problem(s)"
