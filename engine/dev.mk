# engine/dev.mk — device layer sources.
libargos_engine_la_SOURCES += engine/dev.h
libargos_engine_la_SOURCES += engine/dev_int.h engine/dev_open.c engine/dev_loop.c \
	engine/dev_req.c engine/dev_batch.c engine/dev_io.c engine/dev_psync.c \
	engine/dev_direct.c engine/dev_uring.c engine/dev_aio.c
