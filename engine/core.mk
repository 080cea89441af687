# engine/core.mk — pool assembly, mkfs, scan, fsck and their helpers.
libargos_engine_la_SOURCES += engine/argosfs.h \
	engine/elog.h engine/elog.c engine/info.c \
	engine/layout.h engine/layout.c \
	engine/spacemap.h engine/spacemap.c \
	engine/member.h engine/member.c \
	engine/assemble.h engine/assemble.c \
	engine/discover.h engine/discover.c \
	engine/blkprobe.h engine/blkprobe.c \
	engine/sbwrite.h engine/sbwrite.c \
	engine/mkfs.c engine/spec.c engine/scan.c engine/superinfo.c \
	engine/fsck.h engine/fsck.c engine/fsck_super.c engine/fsck_state.c \
	engine/pgbuf.h engine/pgbuf.c engine/pcache.h engine/pcache.c engine/tree.h engine/tree.c \
	engine/alloc.h engine/alloc.c \
	engine/crash.h engine/crash.c engine/journal.h engine/journal.c \
	engine/store.h engine/store.c engine/ckpt.c engine/pool.h engine/pool.c engine/pool_io.c \
	engine/pool_errors.c engine/sm_rebuild.c \
	engine/record.h engine/record.c

# fsck phases 1-3 (journal, tree, allocator) and the read-only views of the
# store (argosfs verify-journal, dump-tree).
libargos_engine_la_SOURCES += engine/fsck_refs.h engine/fsck_refs.c engine/fsck_journal.c \
	engine/fsck_tree.c engine/fsck_alloc.c engine/treewalk.h engine/treewalk.c \
	engine/jverify.c engine/treeinfo.c

# fsck phases 4-5: the namespace and the data scrub.
libargos_engine_la_SOURCES += engine/fsck_ns.h engine/fsck_ns.c engine/fsck_nsfix.c \
	engine/fsck_data.h engine/fsck_data.c engine/fsck_datafix.c

# Extent reference counts (EXTREF items).
libargos_engine_la_SOURCES += engine/extref.h engine/extref.c

# What an open does when a member is held by another process (holder.c).
libargos_engine_la_SOURCES += engine/holder.h engine/holder.c

# Pool properties (property items: io, atime).
libargos_engine_la_SOURCES += engine/pool_prop.c
