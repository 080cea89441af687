# engine/ns.mk — the namespace: inodes, directories, xattrs, handles.
libargos_engine_la_SOURCES += engine/itab.h engine/itab.c engine/ns.h engine/ns_util.c \
	engine/ns_read.c engine/ns_create.c engine/ns_remove.c engine/ns_rename.c \
	engine/ns_setattr.c engine/ns_xattr.c engine/ns_file.c

# File data: stripes, erasure coding, placement, faults.
libargos_engine_la_SOURCES += engine/ec.h engine/ec.c engine/place.h engine/place.c \
	engine/data.h engine/data_write.c engine/data_read.c engine/data_trunc.c \
	engine/data_commit.c engine/data_sparse.c engine/usage.c \
	engine/fault.h engine/fault.c
# Deferred small writes (DEFER items).
libargos_engine_la_SOURCES += engine/data_defer.h engine/data_defer.c

# Compression of stripe windows (lz4, zstd).
libargos_engine_la_SOURCES += engine/data_compress.h engine/data_compress.c
