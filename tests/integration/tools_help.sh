#!/bin/bash
# Description: every tool answers --help (usage on stdout, exit 0) and --version, and rejects unknown options and commands with its usage exit code.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"

tools_init

# check_help USAGE_RC CMD...: --help and an unknown option.
check_help() {
	local usage_rc=$1
	shift
	log "$* --help"
	expect_rc 0 "$@" --help
	expect_out '^Usage: '
	[ -z "$ERR" ] || fail "$* --help wrote to stderr: $ERR"

	expect_rc "$usage_rc" "$@" --no-such-option
	expect_err 'Try .* --help'
	[ -z "$OUT" ] || fail "$* --no-such-option wrote to stdout"
}

check_help 1 "$MKFS"
check_help 16 "$FSCK"
check_help 2 "$ARGOSFS"
check_help 2 "$ARGOSFS" scan
check_help 2 "$ARGOSFS" dump-super

for t in "$MKFS" "$FSCK" "$ARGOSFS"; do
	expect_rc 0 "$t" --version
	expect_out '^[a-z.]+ [0-9]+\.[0-9]+\.[0-9]+ \(libargosfs [0-9]'
done
expect_rc 0 "$MKFS" -V
expect_rc 0 "$FSCK" -V

# argosfs: the command list, help for one command, unknown commands.
expect_rc 0 "$ARGOSFS" help
expect_out '^  scan '
expect_out '^  dump-super '
expect_rc 0 "$ARGOSFS" help dump-super
expect_out 'Usage: argosfs dump-super'
expect_rc 2 "$ARGOSFS"
expect_err 'Usage: argosfs'
expect_rc 2 "$ARGOSFS" no-such-command
expect_err "argosfs: 'no-such-command' is not an argosfs command"
expect_rc 2 "$ARGOSFS" help no-such-command

# Missing or extra arguments.
expect_rc 1 "$MKFS"
expect_err '^mkfs.argosfs: no members given'
expect_rc 16 "$FSCK" -n
expect_err '^fsck.argosfs: no pool given'
expect_rc 16 "$FSCK" -n a.img b.img
expect_rc 16 "$FSCK" -n -y a.img
expect_err 'only one of -n, -y and -p/-a'
expect_rc 16 "$FSCK" -t ext4 -n a.img
expect_rc 2 "$ARGOSFS" dump-super
expect_rc 2 "$ARGOSFS" dump-super a.img b.img
