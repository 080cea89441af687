# tests/unit/ns.mk — cmocka tests of the namespace.
check_PROGRAMS += tests/unit/test_ns
TESTS += tests/unit/test_ns
tests_unit_test_ns_SOURCES = tests/unit/test_ns.c tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_ns_CFLAGS = $(unit_cflags)
tests_unit_test_ns_LDADD = $(unit_ldadd)
# Regressions test_ns_model found, replayed as fixed cases.
check_PROGRAMS += tests/unit/test_ns_regress
TESTS += tests/unit/test_ns_regress
tests_unit_test_ns_regress_SOURCES = tests/unit/test_ns_regress.c tests/unit/tutil.c \
	tests/unit/tutil.h
tests_unit_test_ns_regress_CFLAGS = $(unit_cflags)
tests_unit_test_ns_regress_LDADD = $(unit_ldadd)
