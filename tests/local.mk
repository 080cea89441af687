# tests/local.mk — unit (cmocka) and integration tests.
UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(ISAL_CFLAGS)
UNIT_LDADD = libargos_engine.la libargos_ondisk.la $(CMOCKA_LIBS)

include tests/unit/ondisk.mk
include tests/unit/dev.mk
