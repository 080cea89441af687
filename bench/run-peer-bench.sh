#!/bin/bash
# run-peer-bench.sh — ArgosFS against the filesystems users would pick
# instead, on the same devices, in one run (see docs/benchmarks.md).
#
# Usage (root): bench/run-peer-bench.sh [options] BUILDDIR
#   -s MIB      file size of the fio jobs (default 256)
#   -n N        files of the metadata workload (default 20000)
#   -r SECONDS  cap on each fio job (default 60)
#   -t LIST     targets, comma-separated, in this order: raw,ext4,btrfs,zfs,argos
#               (default all; argos-fio is added when BUILDDIR has the plugin)
#   -o OPTS     extra mount.argosfs options (e.g. io=uring)
#
# Six sparse image files on tmpfs (PEER_TMP, default /dev/shm: a directory
# mktemp -d "$PEER_TMP/peer.XXXXXX", or PEER_TEMPLATE as a whole template)
# are attached as loop devices (losetup -f) and reused by every target in
# turn (discarded in between):
#   raw     fio on the first loop device itself
#   ext4    ext4 on the first loop device
#   btrfs   btrfs -d raid6 -m raid1c3 over the six
#   zfs     zfs-fuse raidz2 over the six (its daemon started here, by hand;
#           compression off)
#   argos   ArgosFS 4+2 over the six: BUILDDIR/tools/mkfs.argosfs and
#           mount.argosfs (FUSE, run in the foreground so its pid is ours)
#   argos-fio  the fio ioengine BUILDDIR/fio-plugin/.libs/argosfs-fio.so on
#           the same pool, no FUSE (only when that file exists)
# Workloads (one fio job each, --size=MIB; random jobs --io_size=MIB/4):
#   seq write 1 MiB (psync, end_fsync), seq read 1 MiB (cold: remount /
#   export+import / flushbufs first), 4 KiB randread psync QD1 and io_uring
#   QD32 (cold, buffered), 4 KiB randwrite psync QD1 and io_uring QD32
#   (buffered, end_fsync), create/stat/delete N empty files in one directory
#   (bench/peer/mdbench.c, compiled here), seq read again (cold) and seq read
#   with one member's loop device detached (btrfs and argos mount -o degraded,
#   zfs zpool offline).
# The FUSE daemons' CPU seconds (utime+stime from /proc/PID/stat) are taken
# around every workload.  Everything set up is torn down by a trap (EXIT,
# INT, TERM, HUP): mounts, the zpool and the zfs-fuse daemon started here,
# the ArgosFS daemon, the loop devices attached here, the images.
set -eu -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
size=256
nfiles=20000
rtime=60
targets=raw,ext4,btrfs,zfs,argos
argos_opts=
while getopts "s:n:r:t:o:h" c; do
	case $c in
	s) size=$OPTARG ;;
	n) nfiles=$OPTARG ;;
	r) rtime=$OPTARG ;;
	t) targets=$OPTARG ;;
	o) argos_opts=$OPTARG ;;
	h) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) exit 1 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 [-s MIB] [-n N] [-r SECONDS] [-t LIST] [-o OPTS] BUILDDIR" >&2
	exit 1
fi
B=$(cd "$1" && pwd)
[ "$(id -u)" = 0 ] || { echo "run-peer-bench.sh: needs root (loop devices, mounts)" >&2; exit 1; }
for t in fio losetup blkdiscard mkfs.ext4 mkfs.btrfs btrfs python3 cc; do
	command -v $t >/dev/null || { echo "run-peer-bench.sh: $t missing (apt-get install fio util-linux e2fsprogs btrfs-progs python3 gcc)" >&2; exit 1; }
done
case ,$targets, in *,zfs,*)
	command -v zfs-fuse >/dev/null || { echo "run-peer-bench.sh: zfs-fuse missing (apt-get install zfs-fuse)" >&2; exit 1; } ;;
esac
case ,$targets, in *,argos,*)
	[ -x "$B/tools/mkfs.argosfs" ] && [ -x "$B/tools/mount.argosfs" ] ||
		{ echo "run-peer-bench.sh: $B/tools/{mkfs,mount}.argosfs not built" >&2; exit 1; } ;;
esac
plugin=$B/fio-plugin/.libs/argosfs-fio.so
if [ -f "$plugin" ]; then
	case ,$targets, in *,argos,*) targets=$targets,argos-fio ;; esac
fi

# ---- state and cleanup ----------------------------------------------------------
S=$(mktemp -d "${PEER_TEMPLATE:-${PEER_TMP:-/dev/shm}/peer.XXXXXX}")
loops=()          # index i: loop device of image i ("" when detached)
mounted=()        # mount points mounted by us
argos_pid=
zfs_pid=
zpool_name=
mnt=$S/mnt
mkdir -p "$mnt" "$S/devs"
ticks=$(getconf CLK_TCK)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

is_mounted() { awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }

cleanup() {
	local rc=$? m i
	trap - EXIT INT TERM HUP
	set +e
	for m in "${mounted[@]}"; do
		is_mounted "$m" && { umount "$m" 2>/dev/null || umount -l "$m"; }
	done
	mounted=()
	if [ -n "$argos_pid" ]; then
		for i in $(seq 50); do kill -0 "$argos_pid" 2>/dev/null || break; sleep 0.2; done
		kill -0 "$argos_pid" 2>/dev/null && kill -TERM "$argos_pid"
		wait "$argos_pid" 2>/dev/null
	fi
	if [ -n "$zpool_name" ]; then
		is_mounted "$mnt" && umount "$mnt" 2>/dev/null
		zpool destroy -f "$zpool_name" 2>/dev/null
	fi
	if [ -n "$zfs_pid" ]; then
		kill -TERM "$zfs_pid" 2>/dev/null
		for i in $(seq 50); do kill -0 "$zfs_pid" 2>/dev/null || break; sleep 0.2; done
		kill -0 "$zfs_pid" 2>/dev/null && kill -KILL "$zfs_pid"
		wait "$zfs_pid" 2>/dev/null
	fi
	for i in "${!loops[@]}"; do
		[ -n "${loops[$i]}" ] || continue
		btrfs device scan --forget "${loops[$i]}" >/dev/null 2>&1
		losetup -d "${loops[$i]}"
	done
	rm -rf "$S"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---- devices --------------------------------------------------------------------
img_mib=$((size + 512))
for i in 0 1 2 3 4 5; do
	truncate -s "${img_mib}M" "$S/img$i"
	loops[$i]=$(losetup -f --show "$S/img$i")
	ln -sf "${loops[$i]}" "$S/devs/d$i"
done
log "images $S/img0..5 (${img_mib} MiB each) on ${loops[*]}"

reattach() {     # image i back after a degraded run
	local i=$1
	loops[$i]=$(losetup -f --show "$S/img$i")
	ln -sf "${loops[$i]}" "$S/devs/d$i"
}

detach() {
	local i=$1
	btrfs device scan --forget "${loops[$i]}" >/dev/null 2>&1 || true
	losetup -d "${loops[$i]}"
	loops[$i]=
}

discard_all() {
	local d
	for d in "${loops[@]}"; do
		blkdiscard -f "$d" 2>/dev/null || blkdiscard "$d"
	done
}

cc -O2 -o "$S/mdbench" "$here/peer/mdbench.c"

# ---- results ----------------------------------------------------------------------
R=$S/results
: >"$R"
put() { echo "$1 $2 $3" >>"$R"; }     # target workload value
get() { awk -v t="$1" -v w="$2" '$1 == t && $2 == w { v = $3 } END { print v }' "$R"; }

cpu_of() {       # CPU seconds of a pid (0 when none)
	local pid=$1
	if [ -n "$pid" ] && [ -r "/proc/$pid/stat" ]; then
		sed 's/^.*) //' "/proc/$pid/stat" | awk -v t="$ticks" '{ printf "%.2f", ($12 + $13) / t }'
	else
		echo 0
	fi
}
daemon_pid() {
	case $1 in
	argos) echo "$argos_pid" ;;
	zfs) echo "$zfs_pid" ;;
	*) echo "" ;;
	esac
}

# fio_job TARGET WORKLOAD FILE RW BS ENGINE DEPTH [extra fio args]
fio_job() {
	local t=$1 w=$2 f=$3 rw=$4 bs=$5 eng=$6 qd=$7 pid c0 c1 v
	shift 7
	pid=$(daemon_pid "$t")
	c0=$(cpu_of "$pid")
	fio --name="$w" --filename="$f" --rw="$rw" --bs="$bs" --ioengine="$eng" --iodepth="$qd" \
		--size="${size}m" --runtime="$rtime" --fallocate=none --numjobs=1 \
		--output-format=json --output="$S/$t-$w.json" "$@" >/dev/null
	c1=$(cpu_of "$pid")
	v=$(python3 - "$S/$t-$w.json" "$rw" <<'EOF'
import json, sys
t = open(sys.argv[1]).read()
j = json.loads(t[t.index("{"):])["jobs"][0]   # the plugin's messages come first
d = j["read"] if "read" in sys.argv[2] else j["write"]
if sys.argv[2] in ("read", "write"):
    print("%.0f" % (d["bw_bytes"] / 1048576.0))
else:
    print("%.0f" % d["iops"])
EOF
)
	put "$t" "$w" "$v"
	[ -z "$pid" ] || put "$t" "$w.cpu" "$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f", b - a }')"
	log "$t $w: $v"
}

# ---- per-target mount, cold cache, degraded ------------------------------------------
dev_list() { local IFS=$1; shift; echo "$*"; }

wait_mounted() {     # mountpoint pid
	local i
	for i in $(seq 300); do
		is_mounted "$1" && return 0
		[ -z "$2" ] || kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

argos_mount() {      # [extra -o options] ; uses the members in loops[] that are attached
	local devs=() d o="${argos_opts}"
	for d in "${loops[@]}"; do [ -n "$d" ] && devs+=("$d"); done
	[ -z "${1:-}" ] || o=${o:+$o,}$1
	"$B/tools/mount.argosfs" "$(dev_list , "${devs[@]}")" "$mnt" -o "foreground${o:+,$o}" \
		>>"$S/argos.log" 2>&1 &
	argos_pid=$!
	mounted+=("$mnt")
	wait_mounted "$mnt" "$argos_pid" || { cat "$S/argos.log" >&2; return 1; }
}
argos_umount() {
	local i
	umount "$mnt"
	for i in $(seq 600); do kill -0 "$argos_pid" 2>/dev/null || break; sleep 0.1; done
	wait "$argos_pid" || { log "mount.argosfs exited with $?"; cat "$S/argos.log" >&2; return 1; }
	argos_pid=
}

zfs_start() {
	[ -z "$zfs_pid" ] || return 0
	if [ -S /var/run/zfs/zfs_socket ] && zpool list >/dev/null 2>&1; then
		log "another zfs-fuse daemon is running here: not ours to use; skipping zfs"
		return 1
	fi
	mkdir -p /var/run/zfs /var/lock/zfs
	zfs-fuse --no-daemon --no-kstat-mount -p "$S/zfs.pid" >>"$S/zfs.log" 2>&1 &
	zfs_pid=$!
	local i
	for i in $(seq 100); do
		zpool list >/dev/null 2>&1 && return 0
		kill -0 "$zfs_pid" 2>/dev/null || break
		sleep 0.1
	done
	log "zfs-fuse did not start"; cat "$S/zfs.log" >&2
	return 1
}

# Destroy the pool and stop the daemon started here, so that the loop
# devices are free for the next target.  Right after the degraded read (a
# member offline) the daemon can still call the pool busy for a moment:
# retried, and the daemon is stopped either way (it holds the devices).
zfs_teardown() {
	local i gone=
	! is_mounted "$mnt" || umount "$mnt" || umount -l "$mnt"
	for i in $(seq 10); do
		zpool destroy -f "$zpool_name" 2>/dev/null && { gone=1; break; }
		sleep 1
	done
	[ -n "$gone" ] || log "zpool destroy $zpool_name: still busy; stopping zfs-fuse"
	zpool_name=
	kill -TERM "$zfs_pid" 2>/dev/null
	for i in $(seq 50); do kill -0 "$zfs_pid" 2>/dev/null || break; sleep 0.2; done
	kill -0 "$zfs_pid" 2>/dev/null && kill -KILL "$zfs_pid"
	wait "$zfs_pid" 2>/dev/null || true
	zfs_pid=
	return 0
}

mount_fs() {         # target
	case $1 in
	raw) ;;
	ext4) mount "${loops[0]}" "$mnt"; mounted+=("$mnt") ;;
	btrfs) mount "${loops[0]}" "$mnt"; mounted+=("$mnt") ;;
	zfs) zpool import -d "$S/devs" "$zpool_name" ;;
	argos|argos-fio) argos_mount ;;
	esac
}
umount_fs() {
	case $1 in
	raw) ;;
	ext4|btrfs) umount "$mnt" ;;
	zfs) zpool export "$zpool_name" ;;
	argos|argos-fio) argos_umount ;;
	esac
}
cold() {             # drop what the target caches of the file
	case $1 in
	raw) sync; blockdev --flushbufs "${loops[0]}" ;;
	*) umount_fs "$1"; mount_fs "$1" ;;
	esac
}

mkfs_fs() {
	case $1 in
	raw) ;;
	ext4) mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "${loops[0]}" ;;
	btrfs) mkfs.btrfs -q -f -d raid6 -m raid1c3 "${loops[@]}" >/dev/null ;;
	zfs)
		zfs_start || return 1
		zpool_name=peer$$
		zpool create -f -O compression=off -m "$mnt" "$zpool_name" raidz2 "${loops[@]}"
		mounted+=("$mnt")
		zpool export "$zpool_name" ;;
	argos|argos-fio) "$B/tools/mkfs.argosfs" -f -q "${loops[@]}" ;;
	esac
}
teardown_fs() {
	case $1 in
	raw) ;;
	ext4|btrfs) is_mounted "$mnt" && umount "$mnt" ;;
	zfs) zfs_teardown ;;
	argos|argos-fio) [ -z "$argos_pid" ] || argos_umount ;;
	esac
	return 0
}

# seq read with image 5's loop device gone (or offline for zfs)
degraded_read() {
	local t=$1 f=$2
	case $t in
	btrfs)
		umount "$mnt"; detach 5
		mount -o degraded "${loops[0]}" "$mnt"
		fio_job "$t" degraded "$f" read 1m psync 1
		umount "$mnt"; reattach 5 ;;
	zfs)
		zpool offline "$zpool_name" "$S/devs/d5" 2>/dev/null || zpool offline "$zpool_name" "${loops[5]}"
		cold zfs
		fio_job "$t" degraded "$f" read 1m psync 1 ;;
	argos)
		argos_umount; detach 5
		argos_mount degraded
		fio_job "$t" degraded "$f" read 1m psync 1
		argos_umount; reattach 5 ;;
	esac
}

run_target() {
	local t=$1 f=$mnt/fio.dat md=$mnt/md
	log "== $t (load $(cut -d' ' -f1-3 /proc/loadavg))"
	put "$t" load "$(cut -d' ' -f1 /proc/loadavg)"
	discard_all
	mkfs_fs "$t"
	mount_fs "$t"
	[ "$t" != raw ] || f=${loops[0]}
	fio_job "$t" seqwrite "$f" write 1m psync 1 --end_fsync=1
	cold "$t"
	fio_job "$t" seqread "$f" read 1m psync 1
	cold "$t"
	fio_job "$t" randread1 "$f" randread 4k psync 1 --io_size=$((size / 4))m
	cold "$t"
	fio_job "$t" randread32 "$f" randread 4k io_uring 32 --io_size=$((size / 4))m
	fio_job "$t" randwrite1 "$f" randwrite 4k psync 1 --io_size=$((size / 4))m --end_fsync=1
	fio_job "$t" randwrite32 "$f" randwrite 4k io_uring 32 --io_size=$((size / 4))m --end_fsync=1
	if [ "$t" != raw ]; then
		local pid c0 out
		pid=$(daemon_pid "$t")
		mkdir "$md"
		c0=$(cpu_of "$pid")
		out=$("$S/mdbench" "$md" "$nfiles")
		[ -z "$pid" ] || put "$t" md.cpu "$(awk -v a="$c0" -v b="$(cpu_of "$pid")" 'BEGIN { printf "%.1f", b - a }')"
		for kv in $out; do put "$t" "md${kv%%=*}" "${kv#*=}"; done
		log "$t metadata: $out"
		rmdir "$md"
		cold "$t"
		fio_job "$t" seqread2 "$f" read 1m psync 1
		degraded_read "$t" "$f"
	fi
	teardown_fs "$t"
}

# The plugin: the same jobs on the same pool, no FUSE (no metadata workload).
run_plugin() {
	local t=argos-fio devs=() d
	log "== $t (load $(cut -d' ' -f1-3 /proc/loadavg))"
	put "$t" load "$(cut -d' ' -f1 /proc/loadavg)"
	discard_all
	"$B/tools/mkfs.argosfs" -f -q "${loops[@]}"
	for d in "${loops[@]}"; do devs+=("$d"); done
	local P=(--thread=1 --ioengine="external:$plugin" "--pool=$(dev_list , "${devs[@]}")")
	pfio() {         # workload rw bs depth [args]
		local w=$1 rw=$2 bs=$3 qd=$4
		shift 4
		fio --name="$w" "${P[@]}" --filename=/fio.dat --rw="$rw" --bs="$bs" --iodepth="$qd" \
			--size="${size}m" --runtime="$rtime" --output-format=json \
			--output="$S/$t-$w.json" "$@" >/dev/null
		put "$t" "$w" "$(python3 -c '
import json, sys
t = open(sys.argv[1]).read()
j = json.loads(t[t.index("{"):])["jobs"][0]   # the plugin logs before it
d = j["read"] if "read" in sys.argv[2] else j["write"]
print("%.0f" % (d["bw_bytes"] / 1048576.0 if sys.argv[2] in ("read", "write") else d["iops"]))' \
			"$S/$t-$w.json" "$rw")"
		log "$t $w: $(get $t "$w")"
	}
	pfio seqwrite write 1m 1 --end_fsync=1
	pfio seqread read 1m 1
	pfio randread1 randread 4k 1 --io_size=$((size / 4))m
	pfio randread32 randread 4k 32 --io_size=$((size / 4))m
	pfio randwrite1 randwrite 4k 1 --io_size=$((size / 4))m --end_fsync=1
	pfio randwrite32 randwrite 4k 32 --io_size=$((size / 4))m --end_fsync=1
}

start=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
case ,$targets, in *,zfs,*)
	if ! zfs_start; then
		targets=$(echo ",$targets," | sed 's/,zfs,/,/; s/^,//; s/,$//')
	fi ;;
esac
IFS=, read -r -a tlist <<<"$targets"
# Any failure ends the run (set -e; the trap cleans up).
for t in "${tlist[@]}"; do
	if [ "$t" = argos-fio ]; then
		run_plugin
	else
		run_target "$t"
	fi
done

# ---- the table ----------------------------------------------------------------------
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "Machine: $(nproc) CPUs ($cpu), $mem RAM, Linux $(uname -r); images on tmpfs, loop devices."
echo "fio $(fio --version), file ${size} MiB (random jobs: $((size / 4)) MiB of I/O), $nfiles files;"
echo "run took $(( $(date +%s) - start )) s; load average at start $load0."
echo
hdr="| workload | unit |"
sep="|---|---|"
names=(); cols=()
for t in "${tlist[@]}"; do
	case $t in
	raw) n="raw loop" ;; ext4) n="ext4" ;; btrfs) n="btrfs raid6" ;; zfs) n="zfs-fuse raidz2" ;;
	argos) n="ArgosFS 4+2 (FUSE)" ;; argos-fio) n="ArgosFS (fio plugin)" ;; *) n=$t ;;
	esac
	hdr="$hdr $n |"; sep="$sep---:|"; cols+=("$t")
done
has() { case ,$targets, in *,$1,*) return 0 ;; esac; return 1; }
has argos && has btrfs && { hdr="$hdr ArgosFS / btrfs |"; sep="$sep---:|"; }
has argos && has zfs && { hdr="$hdr ArgosFS / zfs-fuse |"; sep="$sep---:|"; }
has argos && { hdr="$hdr ArgosFS daemon CPU s |"; sep="$sep---:|"; }
has zfs && { hdr="$hdr zfs-fuse daemon CPU s |"; sep="$sep---:|"; }
echo "$hdr"; echo "$sep"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "–"; else printf "%.2f×", a / b }'; }
row() {     # key label unit
	local k=$1 line="| $2 | $3 |" t v
	for t in "${cols[@]}"; do v=$(get "$t" "$k"); line="$line ${v:-–} |"; done
	has argos && has btrfs && line="$line $(ratio "$(get argos "$k")" "$(get btrfs "$k")") |"
	has argos && has zfs && line="$line $(ratio "$(get argos "$k")" "$(get zfs "$k")") |"
	cpuk=$k.cpu; case $k in md*) cpuk=md.cpu ;; esac
	if has argos; then v=$(get argos "$cpuk"); case $k in mdstat|mddelete) v= ;; esac; line="$line ${v:-} |"; fi
	if has zfs; then v=$(get zfs "$cpuk"); case $k in mdstat|mddelete) v= ;; esac; line="$line ${v:-} |"; fi
	echo "$line"
}
row seqwrite "seq write 1 MiB, psync" "MiB/s"
row seqread "seq read 1 MiB, psync, cold" "MiB/s"
row randread1 "4 KiB rand read, psync QD1" "IOPS"
row randread32 "4 KiB rand read, io_uring QD32" "IOPS"
row randwrite1 "4 KiB rand write, psync QD1 (+fsync)" "IOPS"
row randwrite32 "4 KiB rand write, io_uring QD32 (+fsync)" "IOPS"
row mdcreate "create $nfiles files, one dir" "files/s"
row mdstat "stat $nfiles files" "files/s"
row mddelete "delete $nfiles files" "files/s"
row seqread2 "seq read 1 MiB, cold, after the random writes" "MiB/s"
row degraded "the same, one member gone" "MiB/s"
line="| degraded / healthy | × |"
for t in "${cols[@]}"; do line="$line $(ratio "$(get "$t" degraded)" "$(get "$t" seqread2)") |"; done
echo "$line"
line="| load average at the target's start | |"
for t in "${cols[@]}"; do line="$line $(get "$t" load) |"; done
echo "$line"
echo
echo "(Daemon CPU: the FUSE daemon's utime+stime during the workload; for the metadata rows, all three phases.)"
