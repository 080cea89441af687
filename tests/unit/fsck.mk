# tests/unit/fsck.mk — cmocka tests of fsck phases 1-3 on image-file pools.
check_PROGRAMS += tests/unit/test_fsck
TESTS += tests/unit/test_fsck
tests_unit_test_fsck_SOURCES = tests/unit/test_fsck.c tests/unit/tpool.c tests/unit/tpool.h \
	tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_fsck_CFLAGS = $(unit_cflags)
tests_unit_test_fsck_LDADD = $(unit_ldadd)
