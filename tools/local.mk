# tools/local.mk — command-line tools, installed into sbindir.
# Owned by the build engineer; tool authors add their programs here.
#
# Tools are thin main()s over the public API (engine/argosfs.h) and link the
# public library, so only argos_* symbols are reachable from them.  To add a
# tool, append (the program keeps its directory in the build tree and is
# installed as $(sbindir)/mkfs.argosfs):
#
#   sbin_PROGRAMS += tools/mkfs.argosfs
#   tools_mkfs_argosfs_SOURCES = tools/mkfs.c
#   tools_mkfs_argosfs_LDADD = libargosfs.la
#
# mount.argosfs additionally links the FUSE layer (see fuse/local.mk):
#
#   sbin_PROGRAMS += tools/mount.argosfs
#   tools_mount_argosfs_SOURCES = tools/mount.c
#   tools_mount_argosfs_CFLAGS = $(AM_CFLAGS) $(FUSE3_CFLAGS)
#   tools_mount_argosfs_LDADD = libargos_fuse.la libargosfs.la $(FUSE3_LIBS)
#
# Integration tests find the built tools as $ARGOS_BUILDDIR/tools/<name>
# (tests/integration/lib.sh: `tool mkfs.argosfs`).

# ---- mkfs.argosfs, fsck.argosfs, argosfs ----
# Shared by every tool: messages, argument parsing, pool specs (common.c) and
# the --json writer (json.c).  argosfs dispatches to one tools/cmd_<name>.c
# per command (the table is in tools/argosfs.c; see tools/cmds.h).
argos_tools_common = tools/common.h tools/common.c tools/json.h tools/json.c

sbin_PROGRAMS += tools/mkfs.argosfs
tools_mkfs_argosfs_SOURCES = tools/mkfs.c $(argos_tools_common)
tools_mkfs_argosfs_LDADD = libargosfs.la

sbin_PROGRAMS += tools/fsck.argosfs
tools_fsck_argosfs_SOURCES = tools/fsck.c $(argos_tools_common)
tools_fsck_argosfs_LDADD = libargosfs.la

sbin_PROGRAMS += tools/argosfs
tools_argosfs_SOURCES = tools/argosfs.c tools/cmds.h \
	tools/cmd_scan.c tools/cmd_dump_super.c $(argos_tools_common)
# The commands on one pool's metadata store (and their shared command line).
tools_argosfs_SOURCES += tools/poolcmd.h tools/poolcmd.c tools/cmd_verify_journal.c \
	tools/cmd_checkpoint.c tools/cmd_dump_tree.c tools/cmd_crash_points.c \
	tools/cmd_setprop.c
# The offline namespace commands: a shared frame (nscmd), path resolution
# (nspath), modes, owners and attribute formats, then one file per command
# (or per pair of related ones).
tools_argosfs_SOURCES += tools/nscmd.h tools/nscmd.c tools/nspath.h tools/nspath.c \
	tools/mode.h tools/mode.c tools/owner.h tools/owner.c tools/nsfmt.h tools/nsfmt.c \
	tools/xattrval.h tools/xattrval.c \
	tools/cmd_ls.c tools/cmd_stat.c tools/cmd_mkdir.c tools/cmd_link.c \
	tools/cmd_rename.c tools/cmd_chmod.c tools/cmd_rm.c tools/cmd_xattr.c \
	tools/cmd_put.c tools/cmd_get.c tools/cmd_truncate.c
# Space use, and whole trees in and out (shared walk code: copytree).
tools_argosfs_SOURCES += tools/cmd_df.c tools/cmd_import.c tools/cmd_export.c \
	tools/copytree.h tools/copytree.c
tools_argosfs_LDADD = libargosfs.la

# ---- mount(8)/fsck(8) helpers ----
# make install links each of these that is built from $(sbindir) into
# $(DESTDIR)$(helperdir) (configure --with-helperdir, default /sbin); nothing
# happens when helperdir is sbindir (e.g. prefix /usr with /sbin -> /usr/sbin).
argos_helper_progs = mount.argosfs fsck.argosfs

install-argos-helpers:
	@for p in $(sbin_PROGRAMS); do \
	  b=`basename "$$p" '$(EXEEXT)'`; \
	  case ' $(argos_helper_progs) ' in *" $$b "*) ;; *) continue ;; esac; \
	  $(MKDIR_P) '$(DESTDIR)$(helperdir)' || exit 1; \
	  if test '$(DESTDIR)$(helperdir)' -ef '$(DESTDIR)$(sbindir)'; then continue; fi; \
	  echo " $(LN_S) -f '$(sbindir)/$$b$(EXEEXT)' '$(DESTDIR)$(helperdir)/$$b$(EXEEXT)'"; \
	  rm -f '$(DESTDIR)$(helperdir)/'"$$b$(EXEEXT)" && \
	  $(LN_S) '$(sbindir)/'"$$b$(EXEEXT)" '$(DESTDIR)$(helperdir)/'"$$b$(EXEEXT)" || exit 1; \
	done

uninstall-argos-helpers:
	@for p in $(sbin_PROGRAMS); do \
	  b=`basename "$$p" '$(EXEEXT)'`; \
	  case ' $(argos_helper_progs) ' in *" $$b "*) ;; *) continue ;; esac; \
	  f='$(DESTDIR)$(helperdir)/'"$$b$(EXEEXT)"; \
	  if test -h "$$f"; then echo " rm -f '$$f'"; rm -f "$$f"; fi; \
	done

.PHONY: install-argos-helpers uninstall-argos-helpers

# ---- mount.argosfs (the FUSE daemon) ----
sbin_PROGRAMS += tools/mount.argosfs
tools_mount_argosfs_SOURCES = tools/mount.c $(argos_tools_common)
tools_mount_argosfs_CFLAGS = $(AM_CFLAGS) $(FUSE3_CFLAGS) -I$(top_srcdir)/fuse
tools_mount_argosfs_LDADD = libargos_fuse.la libargosfs.la $(FUSE3_LIBS)
