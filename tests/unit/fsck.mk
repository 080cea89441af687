# tests/unit/fsck.mk — cmocka tests of fsck on image-file pools.
check_PROGRAMS += tests/unit/test_fsck
TESTS += tests/unit/test_fsck
tests_unit_test_fsck_SOURCES = tests/unit/test_fsck.c tests/unit/tpool.c tests/unit/tpool.h \
	tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_fsck_CFLAGS = $(unit_cflags)
tests_unit_test_fsck_LDADD = $(unit_ldadd)

# fsck phases 4-5: the namespace and the data scrub (tfsck.c: running fsck).
check_PROGRAMS += tests/unit/test_fsck_ns tests/unit/test_fsck_data
TESTS += tests/unit/test_fsck_ns tests/unit/test_fsck_data
tests_unit_test_fsck_ns_SOURCES = tests/unit/test_fsck_ns.c tests/unit/tfsck.c \
	tests/unit/tfsck.h tests/unit/tpool.c tests/unit/tpool.h tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_fsck_ns_CFLAGS = $(unit_cflags)
tests_unit_test_fsck_ns_LDADD = $(unit_ldadd)
tests_unit_test_fsck_data_SOURCES = tests/unit/test_fsck_data.c tests/unit/tfsck.c \
	tests/unit/tfsck.h tests/unit/tpool.c tests/unit/tpool.h tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_fsck_data_CFLAGS = $(unit_cflags)
tests_unit_test_fsck_data_LDADD = $(unit_ldadd)
