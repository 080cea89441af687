# bench/local.mk — benchmarks (not tests): noinst programs built with `make`,
# run by hand; their commands and results live in docs/benchmarks.md.
# Included from tests/local.mk.  They may use engine internals.
noinst_PROGRAMS += bench/store_bench
bench_store_bench_SOURCES = bench/store_bench.c tests/unit/tpool.c tests/unit/tpool.h \
	tests/unit/tutil.c tests/unit/tutil.h
bench_store_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
bench_store_bench_CFLAGS = $(AM_CFLAGS) $(ISAL_CFLAGS)
bench_store_bench_LDADD = libargos_engine.la libargos_ondisk.la
EXTRA_DIST += bench/run-store-bench.sh
# The namespace at scale: create, stat, unlink through the API (bench/run-ns-bench.sh).
noinst_PROGRAMS += bench/ns_bench
bench_ns_bench_SOURCES = bench/ns_bench.c tests/unit/tpool.c tests/unit/tpool.h \
	tests/unit/tutil.c tests/unit/tutil.h
bench_ns_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
bench_ns_bench_CFLAGS = $(AM_CFLAGS) $(ISAL_CFLAGS)
bench_ns_bench_LDADD = libargos_engine.la libargos_ondisk.la
EXTRA_DIST += bench/run-ns-bench.sh
# Erasure coding per core: the engine's codec against raw ISA-L (docs/benchmarks.md).
noinst_PROGRAMS += bench/ec_bench
bench_ec_bench_SOURCES = bench/ec_bench.c
bench_ec_bench_CFLAGS = $(AM_CFLAGS) $(ISAL_CFLAGS)
bench_ec_bench_LDADD = libargos_engine.la libargos_ondisk.la
EXTRA_DIST += bench/run-data-bench.sh
# 4 KiB random writes and reads, deferred writes off and on (docs/benchmarks.md).
noinst_PROGRAMS += bench/rw_bench
bench_rw_bench_SOURCES = bench/rw_bench.c tests/unit/tpool.c tests/unit/tpool.h \
	tests/unit/tutil.c tests/unit/tutil.h
bench_rw_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
bench_rw_bench_CFLAGS = $(AM_CFLAGS) $(ISAL_CFLAGS)
bench_rw_bench_LDADD = libargos_engine.la libargos_ondisk.la
