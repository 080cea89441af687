# docs/local.mk — manual pages and documentation.
# Owned by the build engineer; authors add their pages here.
#
# Man pages live in docs/man/ and are written by hand (roff).  To add one,
# append a line; it is then installed into $(man8dir) and shipped in the
# tarball:
#
#   dist_man_MANS += docs/man/mkfs.argosfs.8
#
# Other documents (design notes, format spec) are shipped with:
#
#   EXTRA_DIST += docs/format.md

dist_man_MANS += docs/man/mkfs.argosfs.8 docs/man/fsck.argosfs.8 docs/man/argosfs.8 \
	docs/man/mount.argosfs.8
EXTRA_DIST += docs/benchmarks.md
