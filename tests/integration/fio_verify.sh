#!/bin/bash
# Description: fio drives a 4+2 pool through the ArgosFS ioengine (fio-plugin/) with each I/O backend (psync, direct, uring, aio): 64 KiB writes at iodepth 16 and 4 KiB random writes verified with crc32c, fsck clean, then verified again with two members missing (degraded); argosfs set-io-mode records and shows the pool's mode; a job without thread=1 is refused.  Skipped when the plugin was not built (configure without --with-fio-src); fails when configure had --with-fio-src and the plugin or fio is missing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"

PLUGIN=$(builddir)/fio-plugin/.libs/argosfs-fio.so
# Configured --with-fio-src=DIR (the Makefile says FIO_SRC = DIR): the plugin
# must be there and fio installed; a missing one fails instead of skipping.
fio_src=$(sed -n 's/^FIO_SRC = //p' "$(builddir)/Makefile" 2>/dev/null || :)
if [ -z "$fio_src" ]; then
	[ -f "$PLUGIN" ] || skip "the fio plugin was not built (configure --with-fio-src=DIR)"
	need_cmd fio
else
	[ -f "$PLUGIN" ] || fail "configure was given --with-fio-src=$fio_src, but $PLUGIN is missing"
	command -v fio >/dev/null || fail "configure was given --with-fio-src=$fio_src, but fio is not installed"
fi
tools_init
# Images on tmpfs when there is one: O_DIRECT and the async backends run
# there as on a disk, only faster.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	T2=$(mktemp -d /dev/shm/argos-fio_verify.XXXXXX)
	push_cleanup rm -rf "$T2"
	T=$T2
fi
cd "$T"    # fio writes nothing here (verify_state_save=0), but just in case
make_images 6 64M
spec=$(commas "${IMGS[@]}")
expect_rc 0 "$MKFS" -q -L fio "${IMGS[@]}"

# The pool's mode: unset (psync), then recorded.
expect_rc 0 "$ARGOSFS" set-io-mode "$spec"
expect_out 'io psync \(default\)$'
expect_rc 0 "$ARGOSFS" set-io-mode "$spec" uring
expect_rc 0 "$ARGOSFS" set-io-mode "$spec"
expect_out 'io uring$'
expect_rc 2 "$ARGOSFS" set-io-mode "$spec" nosuchmode

fio_run() {
	run fio --output-format=normal --verify_state_save=0 --ioengine="external:$PLUGIN" "$@"
	if [ "$RC" != 0 ]; then
		printf '%s\n%s\n' "$OUT" "$ERR" >&2
		fail "fio $* exited $RC"
	fi
	grep -qE 'err= *0' <<<"$OUT" || { printf '%s\n' "$OUT" >&2; fail "fio $*: errors"; }
}

# Jobs as processes cannot share the pool handle: refused, saying why.
run fio --ioengine="external:$PLUGIN" --pool="$spec" --name=proc --filename=/fio/p \
	--size=1m --rw=write
[ "$RC" != 0 ] || fail "fio without thread=1 succeeded"
grep -q 'thread=1 is required' <<<"$OUT$ERR" || { printf '%s\n%s\n' "$OUT" "$ERR" >&2; fail "no reason given"; }

for io in psync direct uring aio; do
	log "io=$io"
	# A pool of its own: the degraded run below leaves members behind.
	make_images 6 96M "$io-"
	spec=$(commas "${IMGS[@]}")
	expect_rc 0 "$MKFS" -q "${IMGS[@]}"
	common=(--thread=1 --pool="$spec" --io="$io" --name="v-$io" --verify=crc32c
		--verify_fatal=1 --iodepth=16)
	# 64 KiB writes (16 in flight, completing in any order), and 4 KiB
	# writes in random order to another file; every block verified after
	# the write phase.
	fio_run "${common[@]}" --filename=/fio/seq --rw=write --bs=64k --size=16m --do_verify=1
	grep -q "io $io" <<<"$OUT$ERR" || { printf '%s\n%s\n' "$OUT" "$ERR" >&2; fail "io=$io did not run"; }
	fio_run "${common[@]}" --filename=/fio/rand --rw=randwrite --bs=4k --size=2m --do_verify=1
	expect_rc 0 "$FSCK" -n -f "$spec"
	# The same data verified again with members 1 and 4 gone (degraded reads).
	degraded=(--pool="$(commas "${IMGS[0]}" "${IMGS[2]}" "${IMGS[3]}" "${IMGS[5]}")" --degraded
		  --verify_only=1)
	fio_run "${common[@]}" "${degraded[@]}" --filename=/fio/seq --rw=write --bs=64k --size=16m
	fio_run "${common[@]}" "${degraded[@]}" --filename=/fio/rand --rw=randwrite --bs=4k --size=2m
	rm -f "${IMGS[@]}"
done
