/*
 * landlock.c: the Landlock floor (see landlock.h), with raw system calls:
 * glibc has no wrappers, and Debian 12's headers stop at ABI 2.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/* the read floor: guarded paths and roots it takes, entries it lists in
 * one directory, rules it adds in all, depth it walks */
#define READ_MAX_BREAKS 256
#define READ_MAX_ENTRIES 4096
#define READ_MAX_RULES 65536
#define READ_MAX_DEPTH 32
#define STR_(x) #x
#define STR(x) STR_(x)

struct build {
	int ruleset;
	uint64_t dir_rights, file_rights;
	int failed;
	char *why;
	size_t whylen;
	/* the read floor: where reading changes, and the write trees */
	const struct policy *pol;
	int read;
	const char *breaks[READ_MAX_BREAKS];
	size_t nbreaks;
	const char *trees[READ_MAX_BREAKS];
	size_t ntrees;
	int rules;
	const char *shim; /* the preload library: always readable */
	const char *inside; /* a guarded path inside a root, that exists */
	/* paths inside a root that may be read while what holds them may
	 * not: a rule each, since no walk goes there */
	const char *within[READ_MAX_BREAKS];
	size_t nwithin;
	char gave_up[96]; /* why the read floor cannot be built */
	char sealed[PATH_MAX + 64]; /* the first directory sealed, and why */
	int nsealed;
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

/*
 * The read floor. Landlock can only allow, so a guarded path is made
 * unreadable by allowing reads everywhere else: every entry of each
 * directory above a path where reading changes gets its own rule, down
 * to that path, which gets none. Directories stay listable (READ_DIR is
 * not handled): a guarded directory's names show, its files do not open.
 * A writable root is never walked into, since what the command creates
 * there later would have no rule: a guarded path inside one stays the
 * shim's and the watch's. What appears later in a walked directory
 * (outside every root, so not made by the tree) cannot be read.
 */
static int
readable(const struct policy *pol, const char *path)
{
	struct pol_request rq;
	struct pol_decision d;

	memset(&rq, 0, sizeof(rq));
	rq.op = OP_READ;
	rq.flags = REQ_TERSE;
	rq.cwd = "/";
	rq.path = path;
	rq.port = -1;
	return policy_decide(pol, &rq, &d) == VERDICT_ALLOW;
}

/* B lies strictly below A (both canonical) */
static int
below(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (n == 1)
		return b[0] == '/' && b[1] != '\0';
	return strncmp(a, b, n) == 0 && b[n] == '/';
}

static void
add_break(void *arg, const char *path)
{
	struct build *b = arg;
	char up[PATH_MAX];
	struct stat st;
	char *slash;
	size_t i;

	if (path[0] != '/' || strlen(path) >= sizeof(up))
		return;
	strcpy(up, path);
	if ((slash = strrchr(up, '/')) == up)
		slash[1] = '\0';
	else
		*slash = '\0';
	/* "/" changes nothing unless it is guarded itself */
	if (strcmp(path, "/") == 0
		? readable(b->pol, path)
		: readable(b->pol, path) == readable(b->pol, up))
		return;
	/* inside a root, which is never listed: not ours, and no reason to
	 * list what lies above it. Said if it is there to be read (what the
	 * command makes there itself holds nothing it did not write). */
	for (i = 0; i < b->ntrees; i++)
		if (below(b->trees[i], path)) {
			if (readable(b->pol, path)) {
				if (b->nwithin < READ_MAX_BREAKS)
					b->within[b->nwithin++] = path;
			} else if (b->inside == NULL && lstat(path, &st) == 0)
				b->inside = path;
			return;
		}
	for (i = 0; i < b->nbreaks; i++)
		if (strcmp(b->breaks[i], path) == 0)
			return;
	if (b->nbreaks == READ_MAX_BREAKS)
		snprintf(b->gave_up, sizeof(b->gave_up),
		    "more than %d guarded paths", READ_MAX_BREAKS);
	else
		b->breaks[b->nbreaks++] = path;
}

static void
add_tree(void *arg, const char *path, int tree)
{
	struct build *b = arg;

	if (!tree)
		return;
	/* a root left out would be listed, and what the command makes in
	 * it later could not be read */
	if (b->ntrees == READ_MAX_BREAKS)
		snprintf(b->gave_up, sizeof(b->gave_up),
		    "more than %d writable roots", READ_MAX_BREAKS);
	else
		b->trees[b->ntrees++] = path;
}

static void read_walk(struct build *b, char *path, size_t len, int depth);

/* The Ith path the policy names: a root, then the breaks */
static const char *
named(const struct build *b, size_t i)
{
	return i < b->ntrees ? b->trees[i] : b->breaks[i - b->ntrees];
}

/* How long the entry of a directory (LEN bytes) on the way to T, below
 * it, is */
static size_t
step(size_t len, const char *t)
{
	const char *e = t + (len == 1 ? 1 : len + 1);

	return (size_t)(e - t) + strcspn(e, "/");
}

/* Nothing more below PATH can be read, but what the policy names below
 * it (a root, a guarded path or one allowed inside a guarded one) and
 * the directories on the way there: say so once, WHY it came to that */
static void
seal(struct build *b, const char *path, int depth, const char *why)
{
	char sub[PATH_MAX];
	size_t i, j, len = strlen(path), n;

	if (b->nsealed++ == 0)
		snprintf(b->sealed, sizeof(b->sealed), "%s (%s)", path, why);
	/* each entry on the way to a named path, once, walked as usual */
	for (i = 0; i < b->ntrees + b->nbreaks && !b->gave_up[0]; i++) {
		if (!below(path, named(b, i)))
			continue;
		n = step(len, named(b, i));
		for (j = 0; j < i; j++)
			if (below(path, named(b, j)) &&
			    step(len, named(b, j)) == n &&
			    strncmp(named(b, j), named(b, i), n) == 0)
				break;
		if (j < i || n >= sizeof(sub))
			continue;
		memcpy(sub, named(b, i), n);
		sub[n] = '\0';
		read_walk(b, sub, n, depth + 1);
	}
}

/* Allow reading PATH (what lies below it, for a directory), NAME in the
 * directory DIRFD (AT_FDCWD: PATH itself). Past the budget, nothing
 * more is allowed: closed, never open. */
static void
add_read_at(
    struct build *b, int dirfd, const char *name, const char *path, int follow)
{
	struct landlock_path_beneath_attr pb;
	int fd;

	if (b->rules == READ_MAX_RULES) {
		if (b->nsealed++ == 0)
			snprintf(b->sealed, sizeof(b->sealed),
			    "%s and what follows (more than %d rules)", path,
			    READ_MAX_RULES);
		return;
	}
	if ((fd = openat(dirfd, name,
		 O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW))) == -1)
		return; /* gone since it was listed: nothing to allow */
	memset(&pb, 0, sizeof(pb));
	pb.parent_fd = fd;
	pb.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE;
	b->rules++;
	if (syscall(SYS_landlock_add_rule, b->ruleset,
		LANDLOCK_RULE_PATH_BENEATH, &pb, 0) != 0)
		snprintf(b->gave_up, sizeof(b->gave_up),
		    "landlock_add_rule: %s", strerror(errno));
	close(fd);
}

static void
add_read(struct build *b, const char *path, int follow)
{
	add_read_at(b, AT_FDCWD, path, path, follow);
}

/* Is PATH a break, or above one? */
static int
breaks_at(const struct build *b, const char *path)
{
	size_t i;

	for (i = 0; i < b->nbreaks; i++)
		if (strcmp(b->breaks[i], path) == 0 ||
		    below(path, b->breaks[i]))
			return 1;
	return 0;
}

/* PATH (LEN bytes, in a PATH_MAX buffer it may extend) and what lies
 * below it, for reading */
static void
read_walk(struct build *b, char *path, size_t len, int depth)
{
	char buf[4096];
	struct dirent64 *de;
	struct stat st;
	size_t i, n, entries = 0;
	long got = 0, off;
	int fd, type, walk = 0, here;

	if (b->gave_up[0] || b->failed)
		return;
	for (i = 0; i < b->nbreaks && !walk; i++)
		walk = below(path, b->breaks[i]);
	for (i = 0; i < b->ntrees && walk; i++)
		if (strcmp(b->trees[i], path) == 0 || below(b->trees[i], path))
			walk = 0;
	if (!walk) {
		if (readable(b->pol, path))
			add_read(b, path, 0);
		return;
	}
	if (depth == READ_MAX_DEPTH) {
		snprintf(b->gave_up, sizeof(b->gave_up),
		    "a guarded path more than %d levels deep", READ_MAX_DEPTH);
		return;
	}
	if ((fd = open(path,
		 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		/* gone, or not even searchable: nothing below is reached,
		 * so nothing below needs a rule. Searchable but not to be
		 * listed (which the command may have made it, with a raw
		 * chmod): closed, never open */
		if (errno != ENOENT && errno != ENOTDIR &&
		    faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0)
			seal(b, path, depth, strerror(errno));
		return;
	}
	/* what reading is here, and so in every entry that is not a break
	 * nor above one: the verdict changes only at a break */
	here = readable(b->pol, path);
	while (!b->gave_up[0] && got >= 0 &&
	    (got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < got && !b->gave_up[0];
		     off += de->d_reclen) {
			de = (struct dirent64 *)(buf + off);
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			/* a directory anyone may fill: closed past a
			 * bound, never open */
			if (++entries > READ_MAX_ENTRIES) {
				path[len] = '\0';
				seal(b, path, depth,
				    "more than " STR(
					READ_MAX_ENTRIES) " entries");
				got = -2;
				break;
			}
			n = strlen(de->d_name);
			if (len + 1 + n >= PATH_MAX) {
				snprintf(b->gave_up, sizeof(b->gave_up),
				    "a path too long below %.40s", path);
				break;
			}
			type = de->d_type;
			if (type == DT_UNKNOWN)
				type = fstatat(fd, de->d_name, &st,
					   AT_SYMLINK_NOFOLLOW) == -1
				    ? DT_UNKNOWN
				    : S_ISDIR(st.st_mode) ? DT_DIR
				    : S_ISLNK(st.st_mode) ? DT_LNK
							  : DT_REG;
			/* a link is read as its target, which has its own
			 * rule where it lies */
			if (type == DT_LNK || type == DT_UNKNOWN)
				continue;
			i = len == 1 ? 1 : len + 1;
			if (len > 1)
				path[len] = '/';
			memcpy(path + i, de->d_name, n + 1);
			if (!breaks_at(b, path)) {
				if (here)
					add_read_at(b, fd, de->d_name, path, 0);
			} else if (type == DT_DIR)
				read_walk(b, path, i + n, depth + 1);
			else if (readable(b->pol, path))
				add_read(b, path, 0);
			path[len] = '\0';
		}
	}
	if (got == -1 && !b->gave_up[0])
		seal(b, path, depth, strerror(errno));
	close(fd);
}

/* One ruleset: the write rules, and with READ the read floor. 0, or -1
 * (*why set; b->gave_up set instead when only the read floor failed) */
static int
build_ruleset(struct build *b, const struct ruleset_attr *attr, size_t size)
{
	char path[PATH_MAX] = "/";
	size_t i;

	b->ruleset = (int)syscall(SYS_landlock_create_ruleset, attr, size, 0);
	if (b->ruleset < 0) {
		snprintf(b->why, b->whylen, "landlock_create_ruleset: %s",
		    strerror(errno));
		return -1;
	}
	policy_write_paths(b->pol, add_rule, b);
	std_outputs(b);
	if (b->read && !b->failed) {
		/* first, whatever the policy says of its directory: without
		 * it, every dynamic program would run unjudged */
		if (b->shim != NULL)
			add_read(b, b->shim, 1);
		read_walk(b, path, 1, 0);
		for (i = 0; i < b->nwithin; i++)
			add_read(b, b->within[i], 0);
	}
	if (b->failed || (b->read && b->gave_up[0])) {
		close(b->ruleset);
		return -1;
	}
	return 0;
}

int
landlock_install(const struct policy *pol, int net_off, const char *shim,
    char *why, size_t whylen)
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
	b.pol = pol;
	b.shim = shim;
	b.dir_rights = attr.handled_access_fs;
	b.file_rights = FS_FILE_WRITE |
	    (attr.handled_access_fs & LANDLOCK_ACCESS_FS_TRUNCATE);
	b.why = why;
	b.whylen = whylen;
	/* the read floor where something is guarded from reading: the
	 * roots first, which the breaks are looked at against */
	policy_write_paths(pol, add_tree, &b);
	policy_marks(pol, add_break, &b);
	if (b.nbreaks == 0)
		b.gave_up[0] = '\0'; /* nothing to hold, nothing given up */
	if (b.nbreaks > 0 && !b.gave_up[0]) {
		b.read = 1;
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_READ_FILE;
		if (build_ruleset(&b, &attr, size) == -1) {
			if (b.failed)
				return -1;
			if (!b.gave_up[0])
				snprintf(
				    b.gave_up, sizeof(b.gave_up), "%s", why);
			why[0] = '\0';
			b.read = 0;
			attr.handled_access_fs &=
			    ~(uint64_t)LANDLOCK_ACCESS_FS_READ_FILE;
		}
	}
	if (!b.read && build_ruleset(&b, &attr, size) == -1)
		return -1;
	if (syscall(SYS_landlock_restrict_self, b.ruleset, 0) != 0) {
		snprintf(
		    why, whylen, "landlock_restrict_self: %s", strerror(errno));
		close(b.ruleset);
		return -1;
	}
	close(b.ruleset);
	/* applied: WHY says what it does not hold, or what it closed */
	if (b.gave_up[0])
		snprintf(
		    why, whylen, "guarded files are not held: %s", b.gave_up);
	else if (b.nsealed > 0)
		snprintf(why, whylen,
		    "only what the policy names can be read below %s%s",
		    b.sealed, b.nsealed > 1 ? ", and elsewhere" : "");
	else if (b.inside != NULL)
		snprintf(why, whylen,
		    "%s is inside a writable root: the shim and the watch "
		    "guard it, Landlock does not",
		    b.inside);
	return abi;
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
