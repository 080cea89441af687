# tests/local.mk — unit (cmocka) and integration tests.
unit_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(ISAL_CFLAGS)
unit_ldadd = libargos_engine.la libargos_ondisk.la $(CMOCKA_LIBS)

include tests/unit/ondisk.mk
include tests/unit/dev.mk
include tests/unit/engine.mk
include tests/unit/tools.mk
include tests/crash/local.mk
include tests/unit/ns.mk
include tests/unit/fsck.mk
include tests/unit/data.mk
include bench/local.mk
