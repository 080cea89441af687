# fio-plugin/local.mk — the fio ioengine (a shared object fio loads with
# --ioengine=external:<path>), built only with configure --with-fio-src=DIR,
# DIR being a configured fio source tree of the same version as the installed
# fio (Debian 12: fio 3.33; `apt-get source fio`, then ./configure in it).
# `scripts/bootstrap --fio-src` does all that (tree in build-deps/fio-3.33)
# and configures with it.  The template below was checked: it builds a .so
# that fio 3.33 loads (ops version 31).
# Owned by the build engineer; the plugin author fills in the sources.
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
