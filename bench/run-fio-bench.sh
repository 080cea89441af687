#!/bin/bash
# run-fio-bench.sh — fio through the ArgosFS plugin against fio on raw image
# files, in the same run, for each I/O backend; prints a markdown table for
# docs/benchmarks.md.  A benchmark, not a test.
#
# Usage: bench/run-fio-bench.sh [BUILDDIR]
#   BUILDDIR  a build configured --with-fio-src (default: the current
#             directory); needs fio-plugin/.libs/argosfs-fio.so, tools/.
# Environment:
#   BACKENDS  "psync direct uring aio" (default)
#   RUNTIME   seconds per fio run (default 5)
#   FILESIZE  the plugin's file, MiB (default 256)
#   K, M      geometry (default 4, 2): K+M member images
#   SHM       where the images go (default /dev/shm: tmpfs)
#   MKFS      the mkfs.argosfs to format the pool with (default
#             BUILDDIR/tools/mkfs.argosfs)
#   WORKLOADS the rows to run, "RW BS DEPTH" separated by commas (default
#             "write 1m 1,read 1m 1,randread 4k 1,randread 4k 32,
#             randwrite 4k 1,randwrite 4k 32")
#   PLUGIN    the plugin to load (default
#             BUILDDIR/fio-plugin/.libs/argosfs-fio.so)
#
# Workloads: sequential write and read, 1 MiB blocks, iodepth 1; 4 KiB
# random read and random write at iodepth 1 and 32.
# Raw: K+M image files on the same tmpfs, one fio job per file, all at once
# (group_reporting: the aggregate), each job with the same block size and
# iodepth as the plugin's one job, and the fio engine that matches the
# backend: psync -> psync; direct -> psync with direct=1; uring -> io_uring;
# aio -> libaio with direct=1.
# Plugin: one job on one file of FILESIZE MiB in a K+M pool made of images
# of the same tmpfs, with io=<backend>.
# Ratio: plugin / (K/(K+M) x raw aggregate), in MiB/s (IOPS for 4 KiB).
# CPU s: user + system CPU seconds of the fio process (GNU time), the
# plugin's engine threads included, ramp and layout too.  Numbers are
# wall-clock and noisy on a shared machine: the load average at the start
# of each row is printed next to it.
set -euo pipefail

builddir=${1:-.}
builddir=$(cd "$builddir" && pwd)
plugin=${PLUGIN:-$builddir/fio-plugin/.libs/argosfs-fio.so}
mkfs=${MKFS:-$builddir/tools/mkfs.argosfs}
backends=${BACKENDS:-psync direct uring aio}
runtime=${RUNTIME:-5}
filesize=${FILESIZE:-256}
k=${K:-4}
m=${M:-2}
workloads=${WORKLOADS:-write 1m 1,read 1m 1,randread 4k 1,randread 4k 32,randwrite 4k 1,randwrite 4k 32}
n=$((k + m))
shm=${SHM:-/dev/shm}

die() { echo "run-fio-bench.sh: $*" >&2; exit 1; }
[ -f "$plugin" ] || die "$plugin not found (configure --with-fio-src, make)"
[ -x "$mkfs" ] || die "$mkfs not found (make)"
command -v fio >/dev/null || die "fio is not installed"
command -v python3 >/dev/null || die "python3 is needed to read fio's JSON"
[ -x /usr/bin/time ] || die "/usr/bin/time (Debian: time) is needed for the CPU seconds"

dir=$(mktemp -d "$shm/argos-fio-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

# Members: room for the file's data and parity, twice over (copy on write).
member_mib=$((filesize * 2 * n / k / n + 256))
raw_mib=$((filesize / k))

# timed_fio ARGS: fio with JSON output -> "MiB/s IOPS CPU-s" (MiB/s and
# IOPS summed over the jobs; CPU-s of the whole fio process).
timed_fio() {
	/usr/bin/time -f '%U %S' -o "$dir/cpu" fio --output-format=json "$@" >"$dir/out.json"
	printf '%s %s\n' "$(summary <"$dir/out.json")" "$(awk '{ printf "%.1f", $1 + $2 }' "$dir/cpu")"
}

# fio's JSON on stdin -> "MiB/s IOPS" summed over the jobs (group_reporting).
summary() {
	python3 -c '
import json, sys
t = sys.stdin.read()
d = json.loads(t[t.index("{"):])   # the plugin'"'"'s messages come first
bw = iops = 0.0
for j in d["jobs"]:
    for dd in ("read", "write"):
        bw += j[dd]["bw_bytes"] / 1048576.0
        iops += j[dd]["iops"]
print("%.1f %.0f" % (bw, iops))'
}

# raw RW BS DEPTH BACKEND -> "MiB/s IOPS CPU-s" of K+M jobs on the raw files.
raw() {
	local rw=$1 bs=$2 depth=$3 be=$4 eng direct=0 args=() i
	case $be in
	psync) eng=psync ;;
	direct) eng=psync direct=1 ;;
	uring) eng=io_uring ;;
	aio) eng=libaio direct=1 ;;
	esac
	for ((i = 0; i < n; i++)); do
		args+=(--name="raw$i" --filename="$dir/raw$i")
	done
	timed_fio --group_reporting=1 --thread=1 --ioengine="$eng" \
		--direct="$direct" --rw="$rw" --bs="$bs" --iodepth="$depth" --size="${raw_mib}m" \
		--time_based=1 --runtime="$runtime" --ramp_time=1 --norandommap=1 \
		--end_fsync="$([ "${rw%read}" = "$rw" ] && echo 1 || echo 0)" "${args[@]}"
}

# plugin RW BS DEPTH BACKEND -> "MiB/s IOPS CPU-s" of one job through the plugin.
plugin() {
	local rw=$1 bs=$2 depth=$3 be=$4
	timed_fio --thread=1 --ioengine="external:$plugin" --pool="$spec" \
		--io="$be" --name=argosfs --filename=/bench/f --rw="$rw" --bs="$bs" \
		--iodepth="$depth" --size="${filesize}m" --time_based=1 --runtime="$runtime" \
		--ramp_time=1 --norandommap=1 \
		--end_fsync="$([ "${rw%read}" = "$rw" ] && echo 1 || echo 0)"
}

mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo "Machine: $(nproc) CPUs ($cpu), $mem RAM, Linux $(uname -r), fio $(fio --version)"
echo "Pool: $k+$m on $n tmpfs images of $member_mib MiB; plugin file $filesize MiB;" \
	"raw: $n files of $raw_mib MiB; ${runtime}s per run"
echo

# Raw files, written once (reads must not read holes).
for ((i = 0; i < n; i++)); do
	dd if=/dev/urandom of="$dir/raw$i" bs=1M count="$raw_mib" status=none
done

printf '| backend | workload | plugin MiB/s | plugin IOPS | plugin CPU s | raw aggregate MiB/s | raw IOPS | raw CPU s | plugin / (%d/%d x raw) | load |\n' \
	"$k" "$n"
printf '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for be in $backends; do
	imgs=()
	for ((i = 0; i < n; i++)); do
		truncate -s "${member_mib}M" "$dir/m$i.img"
		imgs+=("$dir/m$i.img")
	done
	spec=$(IFS=,; echo "${imgs[*]}")
	"$mkfs" -q -f -k "$k" -m "$m" "${imgs[@]}" >/dev/null
	IFS=, read -ra rows <<<"$workloads"
	for w in "${rows[@]}"; do
		set -- $w
		load=$(cut -d' ' -f1 /proc/loadavg)
		read -r pbw piops pcpu < <(plugin "$1" "$2" "$3" "$be")
		read -r rbw riops rcpu < <(raw "$1" "$2" "$3" "$be")
		if [ "$2" = 1m ]; then
			ratio=$(python3 -c "print('%.2f' % ($pbw / ($k / $n * $rbw)) if $rbw else '-')")
		else
			ratio=$(python3 -c "print('%.2f' % ($piops / ($k / $n * $riops)) if $riops else '-')")
		fi
		printf '| %s | %s %s qd%s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$be" "$1" "$2" \
			"$3" "$pbw" "$piops" "$pcpu" "$rbw" "$riops" "$rcpu" "$ratio" "$load"
	done
	rm -f "${imgs[@]}"
done
