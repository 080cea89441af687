# tests/crash/local.mk — crash tests (docs/testing.md): crashsweep replays a
# recorded workload into every crash state it can build (make check: --quick;
# make check-long, ARGOS_LONG=1: --full); crashpoints runs every named crash
# point in a child process and checks what the parent reopens.
crash_cflags = $(AM_CFLAGS) $(ISAL_CFLAGS) -I$(top_srcdir)/tests/unit
crash_ldadd = libargos_engine.la libargos_ondisk.la
crash_tests = tests/crash/crashsweep tests/crash/crashpoints tests/crash/datasweep
check_PROGRAMS += $(crash_tests)
TESTS += $(crash_tests)
tests_crash_crashsweep_SOURCES = tests/crash/crashsweep.c tests/crash/crashlib.c \
	tests/crash/crashlib.h tests/unit/tutil.c tests/unit/tutil.h
tests_crash_crashsweep_CFLAGS = $(crash_cflags)
tests_crash_crashsweep_LDADD = $(crash_ldadd)
tests_crash_crashpoints_SOURCES = tests/crash/crashpoints.c tests/crash/crashlib.c \
	tests/crash/crashlib.h tests/unit/tutil.c tests/unit/tutil.h
tests_crash_crashpoints_CFLAGS = $(crash_cflags)
tests_crash_crashpoints_LDADD = $(crash_ldadd)
# datasweep: the same replay over a workload of file data (fsynced contents
# intact at every cut; docs/testing.md).
tests_crash_datasweep_SOURCES = tests/crash/datasweep.c tests/crash/crashlib.c \
	tests/crash/crashlib.h tests/unit/tutil.c tests/unit/tutil.h
tests_crash_datasweep_CFLAGS = $(crash_cflags)
tests_crash_datasweep_LDADD = $(crash_ldadd)
# The recorder's own cmocka test (it reads logs with crashlib's reader).
check_PROGRAMS += tests/unit/test_record
TESTS += tests/unit/test_record
tests_unit_test_record_SOURCES = tests/unit/test_record.c tests/crash/crashlib.c \
	tests/crash/crashlib.h tests/unit/tutil.c tests/unit/tutil.h
tests_unit_test_record_CFLAGS = $(crash_cflags) $(CMOCKA_CFLAGS) -I$(top_srcdir)/tests/crash
tests_unit_test_record_LDADD = $(crash_ldadd) $(CMOCKA_LIBS)
