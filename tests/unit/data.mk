# tests/unit/data.mk — cmocka tests of file data (stripes, degraded reads, repair).
check_PROGRAMS += tests/unit/test_data
TESTS += tests/unit/test_data
tests_unit_test_data_SOURCES = tests/unit/test_data.c tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_data_CFLAGS = $(unit_cflags)
tests_unit_test_data_LDADD = $(unit_ldadd)

# Holes: fallocate (punch, zero range, the default mode), SEEK_DATA/SEEK_HOLE.
check_PROGRAMS += tests/unit/test_sparse
TESTS += tests/unit/test_sparse
tests_unit_test_sparse_SOURCES = tests/unit/test_sparse.c tests/unit/tpool.c tests/unit/tpool.h \
	tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_sparse_CFLAGS = $(unit_cflags)
tests_unit_test_sparse_LDADD = $(unit_ldadd)

# The decode-table cache and the batched degraded read: every one- and
# two-member loss of 4+2 with runs of bad blocks, reads costing k chunk reads.
check_PROGRAMS += tests/unit/test_degraded
TESTS += tests/unit/test_degraded
tests_unit_test_degraded_SOURCES = tests/unit/test_degraded.c tests/unit/tpool.c \
	tests/unit/tpool.h tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_degraded_CFLAGS = $(unit_cflags)
tests_unit_test_degraded_LDADD = $(unit_ldadd)

# The data tests once per I/O backend (test_data.c built with TEST_DATA_IO):
# bit flips caught, read around and repaired, and concurrent writers with
# io=direct, uring and aio in turn, checking that each is the backend running
# (psync, the default, is test_data above); ARGOS_LONG=1 adds the rest.
check_PROGRAMS += tests/unit/test_data_io
TESTS += tests/unit/test_data_io
tests_unit_test_data_io_SOURCES = tests/unit/test_data.c tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_data_io_CFLAGS = $(unit_cflags) -DTEST_DATA_IO
tests_unit_test_data_io_LDADD = $(unit_ldadd)

# Deferred small writes: DEFER items written, read over their stripe, cut,
# folded, truncated and punched, read degraded; fsck clean after.
check_PROGRAMS += tests/unit/test_defer
TESTS += tests/unit/test_defer
tests_unit_test_defer_SOURCES = tests/unit/test_defer.c tests/unit/tpool.c tests/unit/tpool.h \
	tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_defer_CFLAGS = $(unit_cflags)
tests_unit_test_defer_LDADD = $(unit_ldadd)

# Compressed stripes: the record's unit table, the setting, lz4/zstd file
# data (round trips, one unit per 4 KiB read, degraded reads, truncation,
# property changes, df, fsck).
check_PROGRAMS += tests/unit/test_compress
TESTS += tests/unit/test_compress
tests_unit_test_compress_SOURCES = tests/unit/test_compress.c tests/unit/tpool.c \
	tests/unit/tpool.h tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_compress_CFLAGS = $(unit_cflags)
tests_unit_test_compress_LDADD = $(unit_ldadd)

# Space freed by overwrites is reused while the pool stays open (a writer
# short of space checkpoints to release pending frees instead of ENOSPC).
check_PROGRAMS += tests/unit/test_space_reuse
TESTS += tests/unit/test_space_reuse
tests_unit_test_space_reuse_SOURCES = tests/unit/test_space_reuse.c tests/unit/tpool.c \
	tests/unit/tpool.h tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_space_reuse_CFLAGS = $(unit_cflags)
tests_unit_test_space_reuse_LDADD = $(unit_ldadd)
