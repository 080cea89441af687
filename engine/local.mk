# engine/local.mk — the engine: a convenience library (used by unit tests)
# and the public shared library libargosfs (exports argos_* only).
noinst_LTLIBRARIES += libargos_engine.la
libargos_engine_la_SOURCES =
libargos_engine_la_CFLAGS = $(AM_CFLAGS) $(ISAL_CFLAGS) $(BLKID_CFLAGS) $(SODIUM_CFLAGS) \
	$(URING_CFLAGS) $(ZSTD_CFLAGS) $(LZ4_CFLAGS)
libargos_engine_la_LIBADD = libargos_ondisk.la $(ISAL_LIBS) $(BLKID_LIBS) $(SODIUM_LIBS) \
	$(URING_LIBS) $(AIO_LIBS) $(ZSTD_LIBS) $(LZ4_LIBS) -lpthread

include engine/dev.mk
