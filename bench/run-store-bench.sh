#!/bin/sh
# run-store-bench.sh — run bench/store_bench for 10^4, 10^5 and 10^6 items
# and print the machine and a markdown table (for docs/benchmarks.md).
#
# Usage: bench/run-store-bench.sh [BUILDDIR] [store_bench options, e.g. -r 15]
# BUILDDIR defaults to the current directory; the sizes can be changed with
# SIZES="10000 100000".  Each size runs in its own process (peak RSS is per
# run).  Timings are wall clock and noisy on a shared machine: the CPU
# seconds and the load average are printed next to them.
set -eu

builddir=.
if [ $# -gt 0 ] && [ -d "$1" ]; then
	builddir=$1
	shift
fi
bin=$builddir/bench/store_bench
if [ ! -x "$bin" ]; then
	echo "run-store-bench.sh: $bin not found (run make in the build directory)" >&2
	exit 1
fi
sizes=${SIZES:-10000 100000 1000000}

mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo "Machine: $(nproc) CPUs ($cpu), $mem RAM, Linux $(uname -r)"
echo

printf '| items | inserts/s | insert wall s / CPU s | checkpoints during inserts | full checkpoint: pages, wall s / CPU s | 1-change checkpoint median (min–max) ms | pages it wrote | open ms | peak RSS MiB | load avg |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in $sizes; do
	load=$(cut -d' ' -f1 /proc/loadavg)
	line=$("$bin" -n "$n" "$@")
	items= ips= ins= inscpu= during= fs= fcpu= fp= med= min= max= pages= open= rss= dir=
	for kv in $line; do
		case $kv in
		items=*) items=${kv#*=} ;;
		inserts_per_s=*) ips=${kv#*=} ;;
		insert_s=*) ins=${kv#*=} ;;
		insert_cpu_s=*) inscpu=${kv#*=} ;;
		ckpts_during_insert=*) during=${kv#*=} ;;
		full_ckpt_s=*) fs=${kv#*=} ;;
		full_ckpt_cpu_s=*) fcpu=${kv#*=} ;;
		full_ckpt_pages=*) fp=${kv#*=} ;;
		ckpt1_median_ms=*) med=${kv#*=} ;;
		ckpt1_min_ms=*) min=${kv#*=} ;;
		ckpt1_max_ms=*) max=${kv#*=} ;;
		ckpt1_pages=*) pages=${kv#*=} ;;
		open_ms=*) open=${kv#*=} ;;
		maxrss_mib=*) rss=${kv#*=} ;;
		dir=*) dir=${kv#*=} ;;
		esac
	done
	if [ "${pages%-*}" = "${pages#*-}" ]; then
		pages=${pages%-*}     # min-max, the same
	fi
	printf '| %s | %s | %s / %s | %s | %s, %s / %s | %s (%s–%s) | %s | %s | %s | %s |\n' \
		"$items" "$ips" "$ins" "$inscpu" "$during" "$fp" "$fs" "$fcpu" "$med" "$min" "$max" \
		"$pages" "$open" "$rss" "$load"
done
echo
echo "Images in ${dir%/*} (removed after each run)."
