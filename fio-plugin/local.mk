# fio-plugin/local.mk — the fio ioengine (a shared object fio loads with
# --ioengine=external:<path>), built only with configure --with-fio-src=DIR,
# DIR being a configured fio source tree of the same version as the installed
# fio (Debian 12: fio 3.33; `apt-get source fio`, then ./configure in it).
# `scripts/bootstrap --fio-src` does all that (tree in build-deps/fio-3.33)
# and configures with it.  The template below was checked: it builds a .so
# that fio 3.33 loads (ops version 31).
# Owned by the build engineer; the plugin author fills in the sources (below).
#
# FIO_CFLAGS carries -D_GNU_SOURCE -include DIR/config-host.h -IDIR.
# Template:
#
#   if FIO_PLUGIN
#   pkglib_LTLIBRARIES = fio-plugin/argosfs-fio.la
#   fio_plugin_argosfs_fio_la_SOURCES = fio-plugin/argosfs_fio.c
#   fio_plugin_argosfs_fio_la_CFLAGS = $(AM_CFLAGS) $(FIO_CFLAGS)
#   fio_plugin_argosfs_fio_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared
#   fio_plugin_argosfs_fio_la_LIBADD = libargosfs.la
#   endif
#
# (installed as $(pkglibdir)/argosfs-fio.so; in the build tree it is
# fio-plugin/.libs/argosfs-fio.so)

# ---- the plugin (fio-plugin/argosfs_fio.c; docs/fio.md) ----
# fio is not instrumented, so the plugin is built without sanitizers: in a
# --enable-sanitizers build it links a private copy of the engine compiled
# without them (libargos_fioengine.la), otherwise the engine's convenience
# library.  Its own warning flags: fio's headers do not pass ours.  Only
# get_ioengine is exported (argosfs-fio.map).
EXTRA_DIST += fio-plugin/argosfs_fio.c fio-plugin/argosfs-fio.map fio-plugin/examples
if FIO_PLUGIN
pkglib_LTLIBRARIES = fio-plugin/argosfs-fio.la
fio_plugin_argosfs_fio_la_SOURCES = fio-plugin/argosfs_fio.c
fio_plugin_argosfs_fio_la_CFLAGS = -std=gnu11 -pthread $(FIO_CFLAGS) -Wall -Wextra \
	-Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers
fio_plugin_argosfs_fio_la_LDFLAGS = -module -avoid-version -shared -Wl,-Bsymbolic \
	-Wl,--version-script=$(srcdir)/fio-plugin/argosfs-fio.map
EXTRA_fio_plugin_argosfs_fio_la_DEPENDENCIES = fio-plugin/argosfs-fio.map
if SANITIZERS
noinst_LTLIBRARIES += fio-plugin/libargos_fioengine.la
fio_plugin_libargos_fioengine_la_SOURCES = $(libargos_engine_la_SOURCES) \
	$(libargos_ondisk_la_SOURCES)
fio_plugin_libargos_fioengine_la_CFLAGS = -std=gnu11 -pthread $(WARN_CFLAGS) $(ISAL_CFLAGS) \
	$(BLKID_CFLAGS) $(SODIUM_CFLAGS) $(URING_CFLAGS) $(ZSTD_CFLAGS) $(LZ4_CFLAGS)
fio_plugin_libargos_fioengine_la_LIBADD = $(ISAL_LIBS) $(BLKID_LIBS) $(SODIUM_LIBS) \
	$(URING_LIBS) $(AIO_LIBS) $(ZSTD_LIBS) $(LZ4_LIBS) -lpthread -lm
fio_plugin_argosfs_fio_la_LIBADD = fio-plugin/libargos_fioengine.la
else
fio_plugin_argosfs_fio_la_LIBADD = libargos_engine.la
endif
endif
