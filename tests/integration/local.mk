# tests/integration/local.mk — shell tests run by `make check`.
# Owned by the build engineer; test authors add one line per test below.
#
# An integration test is tests/integration/<feature>.sh, a bash script whose
# first comment line (after the #! line) is `# Description: ...`.  It sources
# lib.sh, exits 0 (pass), 1 (fail), 77 (skip: the host lacks root, loop
# devices or /dev/fuse) or 99 (hard error), and cleans up through lib.sh's
# trap registry.  cmocka programs are registered in tests/unit/*.mk instead.
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(BASH_SHELL)
AM_SH_LOG_FLAGS =

integration_tests = \
	tests/integration/exports.sh \
	tests/integration/registry.sh \
	tests/integration/tools_help.sh \
	tests/integration/pool_basic.sh \
	tests/integration/fsck_sb_repair.sh \
	tests/integration/scan_member_states.sh \
	tests/integration/mkfs_refuse.sh \
	tests/integration/mkfs_bad_input.sh \
	tests/integration/pool_spec.sh \
	tests/integration/loop_pool.sh \
	tests/integration/fsck_tree.sh \
	tests/integration/fsck_journal.sh \
	tests/integration/fsck_space.sh \
	tests/integration/store_tools.sh \
	tests/integration/import_export.sh \
	tests/integration/cli_ns.sh \
	tests/integration/cli_data.sh \
	tests/integration/pool_props.sh \
	tests/integration/compression.sh \
	tests/integration/fuse_basic.sh \
	tests/integration/fuse_crash.sh \
	tests/integration/fuse_degraded.sh \
	tests/integration/fuse_perms.sh \
	tests/integration/fuse_lifecycle.sh \
	tests/integration/fuse_posix.sh \
	tests/integration/fuse_errors.sh \
	tests/integration/fuse_cache.sh \
	tests/integration/fio_verify.sh

TESTS += $(integration_tests)
EXTRA_DIST += $(integration_tests) tests/integration/lib.sh tests/integration/tools.bash \
	tests/integration/store.bash tests/integration/fuselib.bash \
	tests/posix/ext4-differences.txt

# A test-only helper of the fsck and store tests (store_helper.c): it links
# the engine's internal library to put a pool into states no tool makes.
check_PROGRAMS += tests/integration/store_helper
tests_integration_store_helper_SOURCES = tests/integration/store_helper.c
tests_integration_store_helper_LDADD = libargos_engine.la libargos_ondisk.la

# The POSIX probe of fuse_posix.sh: the same syscall cases on ext4 and on
# ArgosFS, one line of result each (tests/posix/posix_check.c).
check_PROGRAMS += tests/posix/posix_check
tests_posix_posix_check_SOURCES = tests/posix/posix_check.c
