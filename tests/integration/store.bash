# tests/integration/store.bash — helpers for the tests of fsck's store phases
# (fsck_*.sh).  Not a test itself.  Source it after lib.sh and tools.bash:
#
#   store_init 3 64M     # tools_init; $HELPER; 3 images formatted: IMGS, $spec
#   "$HELPER" fill "$spec" 300 400
#
# $HELPER is tests/integration/store_helper, a test-only program that puts a
# pool's metadata store into states no tool makes (see store_helper.c).

# store_init N SIZE: the tools, $HELPER, and a pool of N images of SIZE.
store_init() {
	tools_init
	HELPER=$(builddir)/tests/integration/store_helper
	[ -x "$HELPER" ] || hard_error "$HELPER is not built"
	make_images "$1" "$2"
	spec=$(commas "${IMGS[@]}")
	expect_rc 0 "$MKFS" -q "${IMGS[@]}"
}
