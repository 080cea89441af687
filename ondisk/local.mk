# ondisk/local.mk — the format library (pure code, no I/O).
noinst_LTLIBRARIES += libargos_ondisk.la
libargos_ondisk_la_SOURCES = \
	ondisk/ad_le.h ondisk/ad_crc.h ondisk/ad_crc.c ondisk/ad_format.h \
	ondisk/ad_priv.h ondisk/ad_util.c ondisk/ad_key.c ondisk/ad_bptr.c \
	ondisk/ad_super.c ondisk/ad_mtab.c ondisk/ad_page.c ondisk/ad_journal.c \
	ondisk/ad_spacemap.c
libargos_ondisk_la_CFLAGS = $(AM_CFLAGS) $(ISAL_CFLAGS) $(SODIUM_CFLAGS)
libargos_ondisk_la_LIBADD = $(ISAL_LIBS) $(SODIUM_LIBS)

# Item records and in-page tree editing (lead).
libargos_ondisk_la_SOURCES += ondisk/ad_items.h ondisk/ad_items.c ondisk/ad_node.c
libargos_ondisk_la_SOURCES += ondisk/ad_jops.h ondisk/ad_jops.c
libargos_ondisk_la_SOURCES += ondisk/ad_dirent.h ondisk/ad_dirent.c
libargos_ondisk_la_SOURCES += ondisk/ad_stripe.h ondisk/ad_stripe.c
libargos_ondisk_la_SOURCES += ondisk/ad_defer.h ondisk/ad_defer.c
libargos_ondisk_la_SOURCES += ondisk/ad_prop.h ondisk/ad_prop.c
