# fuse/local.mk — the FUSE low-level operations over the public API, a
# convenience library linked into tools/mount.argosfs (see tools/local.mk).
# fuse/ code includes only engine/argosfs.h from the engine.
noinst_LTLIBRARIES += libargos_fuse.la
libargos_fuse_la_SOURCES = fuse/afuse.c fuse/afuse.h fuse/rbuf.c fuse/rbuf.h
libargos_fuse_la_CFLAGS = $(AM_CFLAGS) $(FUSE3_CFLAGS)
libargos_fuse_la_LIBADD = $(FUSE3_LIBS)
