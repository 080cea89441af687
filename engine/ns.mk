# engine/ns.mk — the namespace: inodes, directories, xattrs, handles.
libargos_engine_la_SOURCES += engine/itab.h engine/itab.c engine/ns.h engine/ns_util.c \
	engine/ns_read.c engine/ns_create.c engine/ns_remove.c engine/ns_rename.c \
	engine/ns_setattr.c engine/ns_xattr.c engine/ns_file.c
