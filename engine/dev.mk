# engine/dev.mk — device layer sources.
libargos_engine_la_SOURCES += engine/dev.h
