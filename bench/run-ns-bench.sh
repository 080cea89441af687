#!/bin/sh
# run-ns-bench.sh — run bench/ns_bench for 10^4, 10^5 and 10^6 files, spread
# over directories of 1000 and all in one directory, and print the machine and
# a markdown table (for docs/benchmarks.md).
#
# Usage: bench/run-ns-bench.sh [BUILDDIR] [ns_bench options, e.g. -r 15 or -L]
# BUILDDIR defaults to the current directory; SIZES="10000 100000" and
# LAYOUTS="spread one" choose the runs.  Each run is its own process (peak RSS
# is per run).  Timings are wall clock and noisy on a shared machine: the CPU
# seconds and the load average are printed next to them.
set -eu

builddir=.
if [ $# -gt 0 ] && [ -d "$1" ]; then
	builddir=$1
	shift
fi
bin=$builddir/bench/ns_bench
if [ ! -x "$bin" ]; then
	echo "run-ns-bench.sh: $bin not found (run make in the build directory)" >&2
	exit 1
fi
sizes=${SIZES:-10000 100000 1000000}
layouts=${LAYOUTS:-spread one}

mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo "Machine: $(nproc) CPUs ($cpu), $mem RAM, Linux $(uname -r)"
echo

printf '| files | directories | create/s (wall s / CPU s) | stat/s (wall s / CPU s) | unlink/s (wall s / CPU s) | open ms | 1-change checkpoint median (min–max) ms | pages it wrote | tree height | peak RSS MiB | load avg |\n'
printf '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in $sizes; do
	for layout in $layouts; do
		case $layout in
		spread) per=1000 ;;
		one) per=0 ;;
		*) echo "run-ns-bench.sh: unknown layout $layout" >&2; exit 2 ;;
		esac
		load=$(cut -d' ' -f1 /proc/loadavg)
		line=$("$bin" -n "$n" -p "$per" "$@")
		files= dirs= cps= cs= cc= sps= ss= sc= ups= us= uc= open= med= min= max= pages= h= rss= dir=
		for kv in $line; do
			case $kv in
			files=*) files=${kv#*=} ;;
			dirs=*) dirs=${kv#*=} ;;
			create_per_s=*) cps=${kv#*=} ;;
			create_s=*) cs=${kv#*=} ;;
			create_cpu_s=*) cc=${kv#*=} ;;
			stat_per_s=*) sps=${kv#*=} ;;
			stat_s=*) ss=${kv#*=} ;;
			stat_cpu_s=*) sc=${kv#*=} ;;
			unlink_per_s=*) ups=${kv#*=} ;;
			unlink_s=*) us=${kv#*=} ;;
			unlink_cpu_s=*) uc=${kv#*=} ;;
			open_ms=*) open=${kv#*=} ;;
			ckpt1_median_ms=*) med=${kv#*=} ;;
			ckpt1_min_ms=*) min=${kv#*=} ;;
			ckpt1_max_ms=*) max=${kv#*=} ;;
			ckpt1_pages=*) pages=${kv#*=} ;;
			tree_height=*) h=${kv#*=} ;;
			maxrss_mib=*) rss=${kv#*=} ;;
			dir=*) dir=${kv#*=} ;;
			esac
		done
		if [ "${pages%-*}" = "${pages#*-}" ]; then
			pages=${pages%-*}     # min-max, the same
		fi
		if [ "$dirs" = 1 ]; then
			where="one"
		else
			where="$dirs × 1000"
		fi
		printf '| %s | %s | %s (%s / %s) | %s (%s / %s) | %s (%s / %s) | %s | %s (%s–%s) | %s | %s | %s | %s |\n' \
			"$files" "$where" "$cps" "$cs" "$cc" "$sps" "$ss" "$sc" "$ups" "$us" "$uc" \
			"$open" "$med" "$min" "$max" "$pages" "$h" "$rss" "$load"
	done
done
echo
echo "Images in ${dir%/*} (removed after each run)."
