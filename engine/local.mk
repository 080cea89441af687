# engine/local.mk — the engine: a convenience library (used by unit tests)
# and the public shared library libargosfs (exports argos_* only).
noinst_LTLIBRARIES += libargos_engine.la
libargos_engine_la_SOURCES =
libargos_engine_la_CFLAGS = $(AM_CFLAGS) $(ISAL_CFLAGS) $(BLKID_CFLAGS) $(SODIUM_CFLAGS) \
	$(URING_CFLAGS) $(ZSTD_CFLAGS) $(LZ4_CFLAGS)
libargos_engine_la_LIBADD = libargos_ondisk.la $(ISAL_LIBS) $(BLKID_LIBS) $(SODIUM_LIBS) \
	$(URING_LIBS) $(AIO_LIBS) $(ZSTD_LIBS) $(LZ4_LIBS) -lpthread -lm

include engine/dev.mk
include engine/core.mk
include engine/ns.mk

# ==== public shared library libargosfs — owned by the build engineer ========
# Keep this section at the END of the file; add engine sources above it.
# libargosfs.so is the engine plus the format library; engine/libargosfs.map
# exports argos_* only (tests/integration/exports.sh checks it).  When the API
# changes incompatibly, bump -version-info and add a new node to the map.
# libargos_ondisk.la comes in through libargos_engine_la_LIBADD (libtool puts
# a convenience library's convenience LIBADD inside it; naming it here again
# would define every ad_* symbol twice).
lib_LTLIBRARIES += libargosfs.la
libargosfs_la_SOURCES =
libargosfs_la_LIBADD = libargos_engine.la
libargosfs_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 \
	-Wl,--version-script=$(srcdir)/engine/libargosfs.map
EXTRA_libargosfs_la_DEPENDENCIES = engine/libargosfs.map
EXTRA_DIST += engine/libargosfs.map
# ==== end of libargosfs ======================================================
