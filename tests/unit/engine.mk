# tests/unit/engine.mk — cmocka tests of engine pieces (pool, layout, crash safety).
engine_unit_tests = tests/unit/test_sb_crash tests/unit/test_layout tests/unit/test_node \
	tests/unit/test_tree tests/unit/test_store tests/unit/test_evict
check_PROGRAMS += $(engine_unit_tests)
TESTS += $(engine_unit_tests)
tests_unit_test_sb_crash_SOURCES = tests/unit/test_sb_crash.c tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_sb_crash_CFLAGS = $(unit_cflags)
tests_unit_test_sb_crash_LDADD = $(unit_ldadd)
tests_unit_test_layout_SOURCES = tests/unit/test_layout.c
tests_unit_test_layout_CFLAGS = $(unit_cflags)
tests_unit_test_layout_LDADD = $(unit_ldadd)
tests_unit_test_node_SOURCES = tests/unit/test_node.c
tests_unit_test_node_CFLAGS = $(unit_cflags)
tests_unit_test_node_LDADD = $(unit_ldadd)
tests_unit_test_tree_SOURCES = tests/unit/test_tree.c
tests_unit_test_tree_CFLAGS = $(unit_cflags)
tests_unit_test_tree_LDADD = $(unit_ldadd)
tests_unit_test_store_SOURCES = tests/unit/test_store.c tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_store_CFLAGS = $(unit_cflags)
tests_unit_test_store_LDADD = $(unit_ldadd)
tests_unit_test_evict_SOURCES = tests/unit/test_evict.c tests/unit/tpool.c tests/unit/tpool.h \
	tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_evict_CFLAGS = $(unit_cflags)
tests_unit_test_evict_LDADD = $(unit_ldadd)
# Allocator, journal and extent reference counts (metadata store issue).
check_PROGRAMS += tests/unit/test_alloc
TESTS += tests/unit/test_alloc
tests_unit_test_alloc_SOURCES = tests/unit/test_alloc.c
tests_unit_test_alloc_CFLAGS = $(unit_cflags)
tests_unit_test_alloc_LDADD = $(unit_ldadd)
check_PROGRAMS += tests/unit/test_journal
TESTS += tests/unit/test_journal
tests_unit_test_journal_SOURCES = tests/unit/test_journal.c tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_journal_CFLAGS = $(unit_cflags)
tests_unit_test_journal_LDADD = $(unit_ldadd)
check_PROGRAMS += tests/unit/test_extref
TESTS += tests/unit/test_extref
tests_unit_test_extref_SOURCES = tests/unit/test_extref.c tests/unit/tpool.c tests/unit/tpool.h \
	tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_extref_CFLAGS = $(unit_cflags)
tests_unit_test_extref_LDADD = $(unit_ldadd)
