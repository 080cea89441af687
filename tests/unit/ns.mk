# tests/unit/ns.mk — cmocka tests of the namespace.
check_PROGRAMS += tests/unit/test_ns
TESTS += tests/unit/test_ns
tests_unit_test_ns_SOURCES = tests/unit/test_ns.c tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_ns_CFLAGS = $(unit_cflags)
tests_unit_test_ns_LDADD = $(unit_ldadd)
# Regressions test_ns_model found, replayed as fixed cases.
check_PROGRAMS += tests/unit/test_ns_regress
TESTS += tests/unit/test_ns_regress
tests_unit_test_ns_regress_SOURCES = tests/unit/test_ns_regress.c tests/unit/tpool.c \
	tests/unit/tpool.h tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_ns_regress_CFLAGS = $(unit_cflags)
tests_unit_test_ns_regress_LDADD = $(unit_ldadd)
# The namespace against a model, at random (ARGOS_SEED, ARGOS_LONG).
check_PROGRAMS += tests/unit/test_ns_model
TESTS += tests/unit/test_ns_model
tests_unit_test_ns_model_SOURCES = tests/unit/test_ns_model.c tests/unit/nsmodel.c \
	tests/unit/nsmodel.h tests/unit/nsmcheck.c tests/unit/nsmcheck.h tests/unit/nsmrun.c \
	tests/unit/nsmrun.h tests/unit/tpool.c tests/unit/tpool.h tests/unit/tutil.c \
	tests/unit/tutil.h
tests_unit_test_ns_model_CFLAGS = $(unit_cflags)
tests_unit_test_ns_model_LDADD = $(unit_ldadd)
