/*
 * landlock.c: the Landlock floor (see landlock.h), with raw system calls:
 * glibc has no wrappers, and Debian 12's headers stop at ABI 2.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "landlock.h"

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#define NET_BIND_TCP (1ULL << 0)
#define NET_CONNECT_TCP (1ULL << 1)

/* the attributes up to ABI 4: a kernel that knows fewer fields accepts
 * the larger size as long as the fields it does not know are zero */
struct ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
};

#define FS_FILE_WRITE (LANDLOCK_ACCESS_FS_WRITE_FILE)
#define FS_WRITE                                                               \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |       \
	    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |    \
	    LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |        \
	    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |      \
	    LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM |      \
	    LANDLOCK_ACCESS_FS_REFER)

int
landlock_abi(void)
{
	long r = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);

	return r < 0 ? 0 : (int)r;
}

struct build {
	int ruleset;
	uint64_t dir_rights, file_rights;
	int failed;
	char *why;
	size_t whylen;
};

static void
add_rule(void *arg, const char *path, int tree)
{
	struct build *b = arg;
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int fd;

	(void)tree;
	if (b->failed)
		return;
	/* a root that is not there has nothing to allow */
	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1)
		return;
	memset(&pb, 0, sizeof(pb));
	pb.parent_fd = fd;
	pb.allowed_access = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)
	    ? b->dir_rights
	    : b->file_rights;
	if (syscall(SYS_landlock_add_rule, b->ruleset,
		LANDLOCK_RULE_PATH_BENEATH, &pb, 0) != 0) {
		snprintf(b->why, b->whylen, "landlock_add_rule %s: %s", path,
		    strerror(errno));
		b->failed = 1;
	}
	close(fd);
}

/*
 * The files the command's standard descriptors already write to: it may
 * open them again (/dev/stdout, /proc/self/fd/1, tee /dev/stderr), as the
 * shim lets it, since that is no power it lacks.
 */
static void
std_outputs(struct build *b)
{
	char path[32];
	struct stat st;
	int fd, fl;

	for (fd = 0; fd <= 2; fd++) {
		if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
		    (fl = fcntl(fd, F_GETFL)) == -1 ||
		    (fl & O_ACCMODE) == O_RDONLY)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		add_rule(b, path, 0);
	}
}

int
landlock_install(
    const struct policy *pol, int net_off, char *why, size_t whylen)
{
	struct ruleset_attr attr;
	struct build b;
	int abi = landlock_abi();
	size_t size;

	why[0] = '\0';
	if (abi < 2) {
		/* ABI 1 refuses every rename and link across directories */
		snprintf(why, whylen, "%s",
		    abi == 0 ? "this kernel has no Landlock"
			     : "Landlock ABI 1 only (renames across "
			       "directories would fail)");
		return 0;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = FS_WRITE;
	if (abi >= 3)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	size = sizeof(attr.handled_access_fs);
	if (abi >= 4 && net_off) {
		attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP;
		size = sizeof(attr);
	}
	memset(&b, 0, sizeof(b));
	b.dir_rights = attr.handled_access_fs;
	b.file_rights = FS_FILE_WRITE |
	    (attr.handled_access_fs & LANDLOCK_ACCESS_FS_TRUNCATE);
	b.why = why;
	b.whylen = whylen;
	b.ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (b.ruleset < 0) {
		snprintf(why, whylen, "landlock_create_ruleset: %s",
		    strerror(errno));
		return -1;
	}
	policy_write_paths(pol, add_rule, &b);
	std_outputs(&b);
	if (!b.failed &&
	    syscall(SYS_landlock_restrict_self, b.ruleset, 0) != 0) {
		snprintf(
		    why, whylen, "landlock_restrict_self: %s", strerror(errno));
		b.failed = 1;
	}
	close(b.ruleset);
	return b.failed ? -1 : abi;
}

int
landlock_wanted(const struct config *cfg, int audit_only, char *why, size_t len)
{
	int mode = cfg->s[CFG_LANDLOCK].val;

	if (mode == LANDLOCK_CFG_OFF) {
		snprintf(why, len, "agentwrap.landlock = off");
		return 0;
	}
	if (audit_only ||
	    cfg->s[CFG_SANDBOX_MODE].val == SANDBOX_DANGER_FULL_ACCESS) {
		snprintf(why, len, "nothing to hold to");
		return 0;
	}
	if (mode == LANDLOCK_CFG_AUTO &&
	    cfg->s[CFG_APPROVAL_POLICY].val != APPROVAL_NEVER) {
		snprintf(why, len,
		    "agentwrap.landlock = auto, and an approval could widen "
		    "the policy (approval_policy is not never)");
		return 0;
	}
	return 1;
}

int
landlock_network_off(const struct config *cfg)
{
	int mode = cfg->s[CFG_SANDBOX_MODE].val;

	return mode == SANDBOX_READ_ONLY ||
	    (mode == SANDBOX_WORKSPACE_WRITE &&
		!cfg->s[CFG_NETWORK_ACCESS].val);
}
