# fuse/local.mk — the FUSE low-level operations over the public API.
# Owned by the build engineer; the FUSE author fills in the sources.
#
# The FUSE layer is a convenience library linked into tools/mount.argosfs
# (see tools/local.mk).  Template:
#
#   noinst_LTLIBRARIES += libargos_fuse.la
#   libargos_fuse_la_SOURCES = fuse/argos_fuse.c fuse/argos_fuse.h
#   libargos_fuse_la_CFLAGS = $(AM_CFLAGS) $(FUSE3_CFLAGS)
#   libargos_fuse_la_LIBADD = $(FUSE3_LIBS)
#
# fuse/ code includes only engine/argosfs.h from the engine.
