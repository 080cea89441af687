#!/bin/bash
# run-data-bench.sh — file data through the tools: `argosfs put` and `argosfs
# get` MB/s on tmpfs-backed image files, healthy and degraded (one member
# moved away, get --degraded), and print the machine and a markdown table
# (for docs/benchmarks.md).
#
# Usage: bench/run-data-bench.sh [BUILDDIR]
# BUILDDIR defaults to the current directory.  Environment:
#   MIB=256          size of the file, MiB (random bytes, made once)
#   GEOMS="4+2 2+1 8+2"   geometries; members = k+m images of IMG_MIB each
#   IMG_MIB=0        image size (0: enough for the file plus room)
#   REPEATS=3        runs of each; the best is kept
#   DIR=/dev/shm     where the images go (a fresh directory under it, removed)
#   CZ="none lz4 zstd"  instead of the geometry table: the compression table —
#                    one pool per setting (mkfs --compression; the first of
#                    GEOMS), put and get of the random file and of a
#                    compressible text file of the same size (seq lines),
#                    with the stored/logical ratio from df --json
# MB/s is 10^6 bytes per second of wall time, and per CPU second (user + sys
# of the tool, all its threads): the second is the one to compare on a shared
# machine.  get writes to /dev/null (standard output), put reads a tmpfs file.
# Each put/get is a whole tool run: open (replay), the copy, close (one
# checkpoint).  The degraded run reads the same file with one data member
# gone: every stripe has a chunk to rebuild from parity.
set -euo pipefail

builddir=.
if [ $# -gt 0 ] && [ -d "$1" ]; then
	builddir=$1
	shift
fi
tools=$builddir/tools
for t in argosfs mkfs.argosfs; do
	if [ ! -x "$tools/$t" ]; then
		echo "run-data-bench.sh: $tools/$t not found (run make in the build directory)" >&2
		exit 1
	fi
done
# The real programs, not libtool's wrapper scripts (whose start-up would be timed).
run_env=()
if [ -x "$tools/.libs/argosfs" ]; then
	run_env=(env "LD_LIBRARY_PATH=$(cd "$builddir/.libs" && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
	A=$tools/.libs/argosfs
	MKFS=$tools/.libs/mkfs.argosfs
	[ -x "$MKFS" ] || MKFS=$tools/mkfs.argosfs
else
	A=$tools/argosfs
	MKFS=$tools/mkfs.argosfs
fi
mib=${MIB:-256}
geoms=${GEOMS:-4+2 2+1 8+2}
repeats=${REPEATS:-3}
base=${DIR:-/dev/shm}
work=$(mktemp -d "$base/argos-databench.XXXXXX")
trap 'rm -rf "$work"' EXIT

mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo "Machine: $(nproc) CPUs ($cpu), $mem RAM, Linux $(uname -r); images on $(df -P "$work" | awk 'NR == 2 { print $1 }') ($base)"
echo "File: $mib MiB of random bytes; best of $repeats runs; load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo

head -c "$((mib << 20))" /dev/urandom >"$work/src"
bytes=$((mib << 20))

# timed VAR CMD...: run CMD, VAR="wall cpu" seconds (best of the repeats is
# chosen by the caller).
timed() {
	local __v=$1 t0 t1 c0 c1 me=$BASHPID
	shift
	# this shell's children's CPU (cutime + cstime), read from outside the $(...)
	c0=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$me/stat")
	t0=$(date +%s.%N)
	"$@"
	t1=$(date +%s.%N)
	c1=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$me/stat")
	printf -v "$__v" '%s %s' "$(echo "$t1 - $t0" | bc -l)" \
		"$(echo "($c1 - $c0) / $(getconf CLK_TCK)" | bc -l)"
}

# best OP CMD...: run it $repeats times; prints "MB/s-wall MB/s-cpu wall-s cpu-s"
# of the run with the most MB/s per CPU second (and the best wall separately).
best() {
	local r t w c bw=0 bc=0 ws=0 cs=0
	for ((r = 0; r < repeats; r++)); do
		timed t "$@"
		w=${t% *}
		c=${t#* }
		if (($(echo "$bytes / $w > $bw" | bc -l))); then
			bw=$(echo "$bytes / $w / 1000000" | bc -l)
			ws=$w
		fi
		if (($(echo "$c > 0 && $bytes / $c / 1000000 > $bc" | bc -l))); then
			bc=$(echo "$bytes / $c / 1000000" | bc -l)
			cs=$c
		fi
	done
	printf '%.0f %.0f %.2f %.2f\n' "$bw" "$bc" "$ws" "$cs"
}

# Reading with a fresh process each time; output to /dev/null.
do_get() { "${run_env[@]}" "$A" get "$@" - >/dev/null; }
do_put() { "${run_env[@]}" "$A" put "$@" 2>/dev/null; }

# make_pool K M [MKFS-ARGS...]: fresh images, formatted; pool= their spec.
make_pool() {
	local k=$1 m=$2 n img i
	shift 2
	n=$((k + m))
	img=${IMG_MIB:-$((mib * 2 / k + 96))}
	imgs=()
	for ((i = 0; i < n; i++)); do
		rm -f "$work/d$i.img"
		truncate -s "${img}M" "$work/d$i.img"
		imgs+=("$work/d$i.img")
	done
	"${run_env[@]}" "$MKFS" -q -f -k "$k" -m "$m" "$@" "${imgs[@]}"
	pool=$(IFS=,; echo "${imgs[*]}")
}

if [ -n "${CZ:-}" ]; then
	# A compressible file as large as the random one: numbered lines of text.
	(set +o pipefail; seq 1 100000000 |
		sed 's/$/ compressible line of text, fairly repetitive/' | head -c "$bytes" >"$work/text")
	g=${geoms%% *}
	printf '| compression | data | stored / logical | put MB/s wall (per CPU s) | get MB/s wall (per CPU s) |\n'
	printf '|---|---|---:|---:|---:|\n'
	for cz in $CZ; do
		for data in random text; do
			src=$work/src
			[ "$data" = text ] && src=$work/text
			make_pool "${g%+*}" "${g#*+}" --compression "$cz"
			read -r pw pc _ _ < <(best do_put "$pool" "$src" /file)
			"${run_env[@]}" "$A" get "$pool" /file "$work/back"
			cmp "$src" "$work/back" || { echo "run-data-bench.sh: get gave other bytes" >&2; exit 1; }
			rm -f "$work/back"
			read -r gw gc _ _ < <(best do_get "$pool" /file)
			ratio=$("${run_env[@]}" "$A" df --json "$pool" | python3 -c 'import json, sys
d = json.load(sys.stdin); c = d["compression"]
stored = c["stored_bytes"] + d["file_bytes"] - c["logical_bytes"]
print("%.3f" % (stored / d["file_bytes"]))')
			printf '| %s | %s | %s | %s (%s) | %s (%s) |\n' "$cz" "$data" "$ratio" \
				"$pw" "$pc" "$gw" "$gc"
			rm -f "${imgs[@]}"
		done
	done
	echo
	echo "Geometry $g; load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
	exit 0
fi

printf '| k+m | chunk | put MB/s wall (per CPU s) | get MB/s wall (per CPU s) | degraded get MB/s wall (per CPU s) | degraded / healthy (per CPU s) |\n'
printf '|---|---:|---:|---:|---:|---:|\n'
for g in $geoms; do
	make_pool "${g%+*}" "${g#*+}"
	chunk=$("${run_env[@]}" "$A" scan --json "${imgs[0]}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["pools"][0]["chunk_size"])')
	# put overwrites the same file each run (truncate + rewrite).
	read -r pw pc _ _ < <(best do_put "$pool" "$work/src" /file)
	"${run_env[@]}" "$A" get "$pool" /file "$work/back"
	cmp "$work/src" "$work/back" || { echo "run-data-bench.sh: get gave other bytes" >&2; exit 1; }
	rm -f "$work/back"
	read -r gw gc _ _ < <(best do_get "$pool" /file)
	# one member gone (the first: data chunks of some stripes are on it)
	mv "${imgs[0]}" "$work/aside.img"
	read -r dw dc _ _ < <(best do_get --degraded "$pool" /file)
	"${run_env[@]}" "$A" get --degraded "$pool" /file "$work/back" 2>/dev/null
	cmp "$work/src" "$work/back" || { echo "run-data-bench.sh: degraded get gave other bytes" >&2; exit 1; }
	rm -f "$work/back"
	mv "$work/aside.img" "${imgs[0]}"
	printf '| %s | %s KiB | %s (%s) | %s (%s) | %s (%s) | %s |\n' "$g" "$((chunk >> 10))" \
		"$pw" "$pc" "$gw" "$gc" "$dw" "$dc" "$(echo "$dc * 100 / $gc" | bc)%"
	rm -f "${imgs[@]}"
done
echo
echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
