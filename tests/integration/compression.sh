#!/bin/bash
# Description: compression through the tools on a 2+1 image pool: mkfs.argosfs --compression zstd:3 --compression-unit 32K (bad settings and geometries refused), put/get of compressible and incompressible files identical, argosfs df and df --json showing the setting and the savings (logical against stored bytes), argosfs set-compression lz4 then none (shown, bad values refused with exit 2) with older files still readable, fsck -n -f clean.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools.bash"

TMPDIR=${TMPDIR:-/dev/shm}
[ -w "$TMPDIR" ] || TMPDIR=/tmp
tools_init

make_images 3 48M
P=$(commas "${IMGS[@]}")

# ---- mkfs: refused settings write nothing ----
expect_rc 1 "$MKFS" -q -k 2 -m 1 --compression gzip "${IMGS[@]}"
expect_err 'gzip: not a compression'
expect_rc 1 "$MKFS" -q -k 2 -m 1 --compression-unit 16K "${IMGS[@]}"
expect_err 'need --compression lz4 or zstd'
expect_rc 1 "$MKFS" -q -k 2 -m 1 -c 4K --compression lz4 "${IMGS[@]}"
expect_err 'chunks of at least 8 KiB'
expect_rc 0 "$MKFS" -k 2 -m 1 --compression zstd:3 --compression-unit 32K "${IMGS[@]}"
expect_out 'compression: +zstd:3,unit=32K'

# ---- data in and out ----
mkdir -p "$T/in" "$T/out"
seq 1 300000 | sed 's/$/ a fairly compressible line of text/' >"$T/in/text"
head -c 3000000 /dev/urandom >"$T/in/noise"
expect_rc 0 "$ARGOSFS" put "$P" "$T/in/text" /text
expect_rc 0 "$ARGOSFS" put "$P" "$T/in/noise" /noise
expect_rc 0 "$ARGOSFS" get "$P" /text "$T/out/text"
expect_rc 0 "$ARGOSFS" get "$P" /noise "$T/out/noise"
cmp "$T/in/text" "$T/out/text" || fail "text differs"
cmp "$T/in/noise" "$T/out/noise" || fail "noise differs"

# ---- df ----
expect_rc 0 "$ARGOSFS" df "$P"
expect_out '^Compression saved: .*compressed stripes hold .*zstd:3,unit=32768,min-save=8'
expect_rc 0 "$ARGOSFS" df --json "$P"
printf '%s\n' "$OUT" >"$T/df.json"
python3 - "$T/df.json" "$(stat -c %s "$T/in/text")" <<'PY' || fail "df --json: savings not as expected"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["compression"]
text = int(sys.argv[2])
assert c["implemented"] is True, c
assert c["algorithm"] == "zstd:3,unit=32768,min-save=8", c
assert c["stripes"] > 0, c
assert c["logical_bytes"] == text, (c, text)           # the noise is stored as is
assert c["stored_bytes"] * 4 < c["logical_bytes"], c
assert c["saved_bytes"] == c["logical_bytes"] - c["stored_bytes"], c
assert d["file_bytes"] == text + 3000000, d["file_bytes"]
PY

# ---- set-compression ----
expect_rc 0 "$ARGOSFS" set-compression --help
expect_out 'zstd\[:LEVEL\]'
expect_rc 2 "$ARGOSFS" set-compression "$P" zstd:99
expect_err 'zstd:99: not a value of compression'
expect_rc 0 "$ARGOSFS" set-compression "$P"
expect_out "^$P: compression zstd:3,unit=32768,min-save=8$"
expect_rc 0 "$ARGOSFS" set-compression "$P" lz4
expect_out "^$P: compression lz4 "
expect_rc 0 "$ARGOSFS" set-compression "$P"
expect_out "^$P: compression lz4,unit=65536,min-save=8$"
expect_rc 0 "$ARGOSFS" put "$P" "$T/in/text" /text2
expect_rc 0 "$ARGOSFS" set-compression "$P" none
expect_rc 0 "$ARGOSFS" put "$P" "$T/in/text" /text3
for f in text text2 text3; do
	expect_rc 0 "$ARGOSFS" get "$P" "/$f" "$T/out/$f"
	cmp "$T/in/text" "$T/out/$f" || fail "$f differs"
done
expect_rc 0 "$ARGOSFS" df --json "$P"
printf '%s\n' "$OUT" >"$T/df.json"
python3 - "$T/df.json" "$(stat -c %s "$T/in/text")" <<'PY' || fail "df --json after set-compression"
import json, sys
c = json.load(open(sys.argv[1]))["compression"]
assert c["algorithm"] == "none", c
assert c["logical_bytes"] == 2 * int(sys.argv[2]), c   # text (zstd) and text2 (lz4)
PY
expect_rc 0 "$FSCK" -n -f "$P"
