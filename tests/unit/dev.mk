# tests/unit/dev.mk — cmocka tests of the device layer.
check_PROGRAMS += tests/unit/test_dev tests/unit/test_dev_loop
TESTS += tests/unit/test_dev tests/unit/test_dev_loop
tests_unit_test_dev_SOURCES = tests/unit/test_dev.c tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_dev_CFLAGS = $(unit_cflags)
tests_unit_test_dev_LDADD = $(unit_ldadd)
tests_unit_test_dev_loop_SOURCES = tests/unit/test_dev_loop.c tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_dev_loop_CFLAGS = $(unit_cflags)
tests_unit_test_dev_loop_LDADD = $(unit_ldadd)
