# tests/unit/ondisk.mk — cmocka tests of ondisk/.
ondisk_tests = tests/unit/test_ad_misc tests/unit/test_ad_super tests/unit/test_ad_page \
	tests/unit/test_ad_journal tests/unit/test_ad_spacemap tests/unit/test_ad_defer
check_PROGRAMS += $(ondisk_tests)
TESTS += $(ondisk_tests)

tests_unit_test_ad_misc_SOURCES = tests/unit/test_ad_misc.c tests/unit/ad_test.h
tests_unit_test_ad_misc_CFLAGS = $(unit_cflags)
tests_unit_test_ad_misc_LDADD = libargos_ondisk.la $(CMOCKA_LIBS)

tests_unit_test_ad_super_SOURCES = tests/unit/test_ad_super.c tests/unit/ad_test.h
tests_unit_test_ad_super_CFLAGS = $(unit_cflags)
tests_unit_test_ad_super_LDADD = libargos_ondisk.la $(CMOCKA_LIBS)

tests_unit_test_ad_page_SOURCES = tests/unit/test_ad_page.c tests/unit/ad_test.h
tests_unit_test_ad_page_CFLAGS = $(unit_cflags)
tests_unit_test_ad_page_LDADD = libargos_ondisk.la $(CMOCKA_LIBS)

tests_unit_test_ad_journal_SOURCES = tests/unit/test_ad_journal.c tests/unit/ad_test.h
tests_unit_test_ad_journal_CFLAGS = $(unit_cflags)
tests_unit_test_ad_journal_LDADD = libargos_ondisk.la $(CMOCKA_LIBS)

tests_unit_test_ad_spacemap_SOURCES = tests/unit/test_ad_spacemap.c tests/unit/ad_test.h
tests_unit_test_ad_spacemap_CFLAGS = $(unit_cflags)
tests_unit_test_ad_spacemap_LDADD = libargos_ondisk.la $(CMOCKA_LIBS)

tests_unit_test_ad_defer_SOURCES = tests/unit/test_ad_defer.c tests/unit/ad_test.h
tests_unit_test_ad_defer_CFLAGS = $(unit_cflags)
tests_unit_test_ad_defer_LDADD = libargos_ondisk.la $(CMOCKA_LIBS)

# The format document, checked against the code (its tables must match).
check_PROGRAMS += tests/unit/test_ad_doc
TESTS += tests/unit/test_ad_doc
EXTRA_DIST += docs/ondisk-format.md
tests_unit_test_ad_doc_SOURCES = tests/unit/test_ad_doc.c tests/unit/ad_test.h
tests_unit_test_ad_doc_CPPFLAGS = $(AM_CPPFLAGS) -DAD_DOC_PATH='"$(abs_top_srcdir)/docs/ondisk-format.md"'
tests_unit_test_ad_doc_CFLAGS = $(unit_cflags)
tests_unit_test_ad_doc_LDADD = libargos_ondisk.la $(CMOCKA_LIBS)
