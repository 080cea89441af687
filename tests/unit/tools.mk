# tests/unit/tools.mk — cmocka tests of the tools' helpers (tools/json.c,
# tools/common.c).  They link the public library only, as the tools do.
check_PROGRAMS += tests/unit/test_tools
TESTS += tests/unit/test_tools
tests_unit_test_tools_SOURCES = tests/unit/test_tools.c \
	tools/json.h tools/json.c tools/common.h tools/common.c
tests_unit_test_tools_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_tools_LDADD = libargosfs.la $(CMOCKA_LIBS)
