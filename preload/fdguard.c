/*
 * fdguard.c: keep the shim's own descriptors (ring, snapshot, doorbell)
 * alive and inheritable whatever the program does: close() of one of them
 * succeeds and leaves it open; close_range/closefrom skip them; dup2/dup3
 * (and posix_spawn file actions) onto one first move the shim's descriptor
 * to a free high number; FD_CLOEXEC is never set on them. A vfork child
 * that has to move one keeps the new numbers apart from its parent's.
 * posix_spawn's open actions are judged here too, where the child will
 * open them: after a chdir action, in the directory it leads to.
 *
 * Runs inside the watched process, in hooks: cheap integer compares on the
 * fast path; safe in vfork children and between fork and exec.
 */
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

/* Descriptors moved in a process other than shim.pid (a vfork child) */
static struct {
	int pid;
	int fd[SHIM_NFDS];
} over;

static int fork_fds[SHIM_NFDS];

static int
mypid(void)
{
	return (int)SYS0(SYS_getpid);
}

static int
guarding(void)
{
	int m = __atomic_load_n(&shim.mode, __ATOMIC_ACQUIRE);

	return (m == SHIM_ACTIVE || m == SHIM_FAILED) && shim.have_fds;
}

void
shim_fds(int out[SHIM_NFDS])
{
	int p = __atomic_load_n(&over.pid, __ATOMIC_ACQUIRE), i;

	if (p != 0 && p == mypid()) {
		memcpy(out, over.fd, sizeof(over.fd));
		return;
	}
	for (i = 0; i < SHIM_NFDS; i++)
		out[i] = __atomic_load_n(&shim.fd[i], __ATOMIC_RELAXED);
}

int
shim_is_fd(int fd)
{
	int i;

	if (fd < 0 || !guarding())
		return 0;
	for (i = 0; i < SHIM_NFDS; i++)
		if (__atomic_load_n(&shim.fd[i], __ATOMIC_RELAXED) == fd)
			return 1;
	if (__atomic_load_n(&over.pid, __ATOMIC_ACQUIRE) != 0)
		for (i = 0; i < SHIM_NFDS; i++)
			if (over.fd[i] == fd)
				return 1;
	return 0;
}

/* Where a moved descriptor goes: above what programs use, within limits */
static int
high_base(void)
{
	struct rlimit rl;
	rlim_t lim;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 10;
	lim = rl.rlim_cur;
	if (lim >= 2048)
		return 1024;
	if (lim >= 64)
		return (int)(lim / 2);
	return 3;
}

/*
 * Move ours off FD to a free number below BELOW. Returns 0 (also when FD is
 * not ours), or -1.
 */
static int
move_fd_below(int fd, int below)
{
	int cur[SHIM_NFDS], i, nfd, pid;
	long r;

	if (!guarding())
		return 0;
	shim_fds(cur);
	for (i = 0; i < SHIM_NFDS; i++)
		if (cur[i] == fd)
			break;
	if (i == SHIM_NFDS)
		return 0;
	r = SYS3(SYS_fcntl, fd, F_DUPFD, high_base());
	if (r >= below) {
		SYS1(SYS_close, r);
		r = -1;
	}
	if (r < 0)
		r = SYS3(SYS_fcntl, fd, F_DUPFD, 3);
	if (r >= below) {
		SYS1(SYS_close, r);
		r = -1;
	}
	if (r < 0)
		return -1;
	nfd = (int)r;
	cur[i] = nfd;
	pid = mypid();
	if (pid == shim.pid) {
		__atomic_store_n(&shim.fd[i], nfd, __ATOMIC_RELEASE);
		if (i == SHIM_FD_BELL)
			__atomic_store_n(
			    &shim.rc.doorbell_fd, nfd, __ATOMIC_RELEASE);
	} else {
		/* a vfork child: the parent's numbers must stay as they are */
		memcpy(over.fd, cur, sizeof(over.fd));
		__atomic_store_n(&over.pid, pid, __ATOMIC_RELEASE);
	}
	return 0;
}

int
shim_move_fd(int fd)
{
	return move_fd_below(fd, INT_MAX);
}

void
shim_fds_for_exec(void)
{
	int cur[SHIM_NFDS], i;
	long fl;

	if (!guarding())
		return;
	shim_fds(cur);
	for (i = 0; i < SHIM_NFDS; i++) {
		fl = SYS3(SYS_fcntl, cur[i], F_GETFD, 0);
		if (fl > 0 && (fl & FD_CLOEXEC))
			SYS3(SYS_fcntl, cur[i], F_SETFD, fl & ~FD_CLOEXEC);
	}
}

int
shim_post(const void *buf, size_t len)
{
	struct ring_client rc;
	int p = __atomic_load_n(&over.pid, __ATOMIC_ACQUIRE);

	if (p != 0 && p == mypid()) {
		rc = shim.rc;
		rc.doorbell_fd = over.fd[SHIM_FD_BELL];
		return ring_post(&rc, buf, len);
	}
	return ring_post(&shim.rc, buf, len);
}

int
shim_ask(const void *buf, size_t len)
{
	struct ring_client rc;
	int p = __atomic_load_n(&over.pid, __ATOMIC_ACQUIRE), v = -1;

	rc = shim.rc;
	if (p != 0 && p == mypid())
		rc.doorbell_fd = over.fd[SHIM_FD_BELL];
	/* no timeout: the supervisor enforces approval_timeout; -1 only
	 * when it is gone */
	if (ring_call(&rc, buf, len, NULL, 0, &v, 0) < 0)
		return -1;
	return v;
}

static void
atfork_prepare(void)
{
	shim_fds(fork_fds);
}

static void
atfork_child(void)
{
	int i;

	for (i = 0; i < SHIM_NFDS; i++)
		shim.fd[i] = fork_fds[i];
	shim.rc.doorbell_fd = fork_fds[SHIM_FD_BELL];
	shim.pid = mypid();
	over.pid = 0;
	/* a thread that was loading a snapshot is not in this process */
	__atomic_store_n(&shim.refreshing, 0, __ATOMIC_RELEASE);
	exec_atfork_child();
	net_atfork_child();
}

void
fdguard_atfork_init(void)
{
	pthread_atfork(atfork_prepare, NULL, atfork_child);
}

/* The hooks */

SHIM_EXPORT int
close(int fd)
{
	if (shim_is_fd(fd))
		return 0;
	if (!READY(close)) {
		errno = ENOSYS;
		return -1;
	}
	return REAL(close)(fd);
}

SHIM_EXPORT int
__close(int fd)
{
	if (shim_is_fd(fd))
		return 0;
	if (!READY(__close)) {
		errno = ENOSYS;
		return -1;
	}
	return REAL(__close)(fd);
}

static void
sort_fds(int v[SHIM_NFDS])
{
	int i, j, t;

	for (i = 1; i < SHIM_NFDS; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/*
 * close_range(FIRST, LAST) around the shim's descriptors. REAL_CR is the
 * function doing one range (libc's close_range or the raw syscall).
 */
static int
split_range(unsigned int first, unsigned int last, int flags,
    int (*real_cr)(unsigned int, unsigned int, int))
{
	int cur[SHIM_NFDS], i, r = 0;
	unsigned int lo = first, f;

	shim_fds(cur);
	sort_fds(cur);
	for (i = 0; i < SHIM_NFDS; i++) {
		if (cur[i] < 0)
			continue;
		f = (unsigned int)cur[i];
		if (f < lo || f > last)
			continue;
		if (f > lo && (r = real_cr(lo, f - 1, flags)) != 0)
			return r;
		if (f == last)
			return 0;
		lo = f + 1;
	}
	return real_cr(lo, last, flags);
}

static int
raw_close_range(unsigned int first, unsigned int last, int flags)
{
	long r = SYS3(SYS_close_range, first, last, flags);

	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return 0;
}

int
fdguard_close_range(unsigned int first, unsigned int last, int flags)
{
	if (!guarding() || first > last)
		return raw_close_range(first, last, flags);
	return split_range(first, last, flags, raw_close_range);
}

SHIM_EXPORT int
close_range(unsigned int first, unsigned int last, int flags)
{
	if (!READY(close_range)) {
		errno = ENOSYS;
		return -1;
	}
	if (!guarding() || first > last)
		return REAL(close_range)(first, last, flags);
	return split_range(first, last, flags, REAL(close_range));
}

/* Every open descriptor >= LOW but ours, through /proc/self/fd */
static int
each_open_fd(int low, int (*fn)(void *, int), void *ctx)
{
	char buf[4096];
	long n, dfd, off;
	int fd, r = 0;

	dfd = SYS4(SYS_openat, AT_FDCWD, "/proc/self/fd",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dfd < 0)
		return -1;
	while ((n = SYS3(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			const char *s = d->d_name;

			off += d->d_reclen;
			if (*s < '0' || *s > '9')
				continue;
			for (fd = 0; *s >= '0' && *s <= '9'; s++)
				fd = fd * 10 + (*s - '0');
			if (fd < low || fd == dfd || shim_is_fd(fd))
				continue;
			if ((r = fn(ctx, fd)) != 0)
				goto out;
		}
	}
out:
	SYS1(SYS_close, dfd);
	return n < 0 ? -1 : r;
}

static int
close_one(void *ctx, int fd)
{
	(void)ctx;
	SYS1(SYS_close, fd);
	return 0;
}

SHIM_EXPORT void
closefrom(int lowfd)
{
	int saved = errno;

	if (lowfd < 0)
		lowfd = 0;
	if (!guarding()) {
		if (READY(closefrom))
			REAL(closefrom)(lowfd);
		return;
	}
	if (split_range((unsigned int)lowfd, ~0U, 0, raw_close_range) != 0)
		each_open_fd(lowfd, close_one, NULL);
	errno = saved;
}

SHIM_EXPORT int
dup2(int oldfd, int newfd)
{
	if (!READY(dup2)) {
		errno = ENOSYS;
		return -1;
	}
	if (oldfd != newfd && shim_is_fd(newfd) && shim_move_fd(newfd) == -1) {
		errno = EBUSY;
		return -1;
	}
	return REAL(dup2)(oldfd, newfd);
}

SHIM_EXPORT int
dup3(int oldfd, int newfd, int flags)
{
	if (!READY(dup3)) {
		errno = ENOSYS;
		return -1;
	}
	if (oldfd != newfd && shim_is_fd(newfd) && shim_move_fd(newfd) == -1) {
		errno = EBUSY;
		return -1;
	}
	return REAL(dup3)(oldfd, newfd, flags);
}

static void *
cloexec_filter(int fd, int cmd, void *arg)
{
	if (cmd == F_SETFD && shim_is_fd(fd))
		return (void *)((uintptr_t)arg & ~(uintptr_t)FD_CLOEXEC);
	return arg;
}

SHIM_EXPORT int
fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!READY(fcntl)) {
		errno = ENOSYS;
		return -1;
	}
	return REAL(fcntl)(fd, cmd, cloexec_filter(fd, cmd, arg));
}

SHIM_EXPORT int
fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!READY(fcntl64)) {
		errno = ENOSYS;
		return -1;
	}
	return REAL(fcntl64)(fd, cmd, cloexec_filter(fd, cmd, arg));
}

SHIM_EXPORT int
ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (request == FIOCLEX && shim_is_fd(fd))
		return 0;
	if (!READY(ioctl)) {
		errno = ENOSYS;
		return -1;
	}
	return REAL(ioctl)(fd, request, arg);
}

/*
 * posix_spawn file actions run in the child, out of the shim's reach. A
 * closefrom action is split around ours (see below); ours moved later for
 * the same file actions must land under the part still closed by one
 * action, so that floor is remembered per file-actions object.
 */
#define NFLOORS 16

static struct {
	const void *fa;
	int floor;
} floors[NFLOORS];
static unsigned int floor_next;

static int
fa_floor(const void *fa)
{
	int i;

	for (i = 0; i < NFLOORS; i++)
		if (__atomic_load_n(&floors[i].fa, __ATOMIC_ACQUIRE) == fa)
			return floors[i].floor;
	return INT_MAX;
}

static void
fa_set_floor(const void *fa, int floor)
{
	unsigned int i;

	for (i = 0; i < NFLOORS; i++)
		if (floors[i].fa == fa)
			break;
	if (i == NFLOORS)
		i = __atomic_fetch_add(&floor_next, 1, __ATOMIC_RELAXED) %
		    NFLOORS;
	floors[i].floor = floor;
	__atomic_store_n(&floors[i].fa, fa, __ATOMIC_RELEASE);
}

SHIM_EXPORT int
posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
	if (!READY(posix_spawn_file_actions_addclose))
		return ENOSYS;
	if (shim_is_fd(fd))
		return 0;
	return REAL(posix_spawn_file_actions_addclose)(fa, fd);
}

SHIM_EXPORT int
posix_spawn_file_actions_adddup2(
    posix_spawn_file_actions_t *fa, int fd, int newfd)
{
	if (!READY(posix_spawn_file_actions_adddup2))
		return ENOSYS;
	if (fd != newfd && shim_is_fd(newfd) &&
	    move_fd_below(newfd, fa_floor(fa)) == -1)
		return EBUSY;
	return REAL(posix_spawn_file_actions_adddup2)(fa, fd, newfd);
}

/*
 * A chdir action changes what the relative paths of later actions (and a
 * relative program) name in the child, so the directory it leaves the
 * child in is remembered per file-actions object: the canonical path of an
 * addchdir_np target, or "unknown" after an addfchdir_np (the descriptor
 * may name something else by then). A slot is claimed with a
 * compare-and-swap (one file-actions object is one thread's at a time) and
 * given back by init and destroy; with none free a chdir action fails with
 * ENOMEM rather than be forgotten.
 */
#define NDIRS 32

enum { FA_DIR_KNOWN = 1, FA_DIR_UNKNOWN };

static struct {
	const void *fa;
	int state;
	char dir[PATH_MAX];
} fa_dirs[NDIRS];

static int
fa_dir_find(const void *fa)
{
	int i;

	for (i = 0; fa != NULL && i < NDIRS; i++)
		if (__atomic_load_n(&fa_dirs[i].fa, __ATOMIC_ACQUIRE) == fa)
			return i;
	return -1;
}

/* FA's slot, claimed if it has none (state 0 then); -1 if none is free */
static int
fa_dir_claim(const void *fa)
{
	const void *none;
	int i;

	if ((i = fa_dir_find(fa)) >= 0)
		return i;
	for (i = 0; i < NDIRS; i++) {
		none = NULL;
		if (__atomic_compare_exchange_n(&fa_dirs[i].fa, &none, fa, 0,
			__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			fa_dirs[i].state = 0;
			return i;
		}
	}
	return -1;
}

static void
fa_dir_drop(const void *fa)
{
	int i;

	if ((i = fa_dir_find(fa)) >= 0)
		__atomic_store_n(&fa_dirs[i].fa, NULL, __ATOMIC_RELEASE);
}

int
fdguard_fa_dir(const posix_spawn_file_actions_t *fa, const char *rel, char *out)
{
	int i, n;

	if (rel == NULL || rel[0] == '/' || (i = fa_dir_find(fa)) < 0 ||
	    fa_dirs[i].state == 0)
		return 0;
	if (fa_dirs[i].state != FA_DIR_KNOWN)
		return -1;
	n = snprintf(out, PATH_MAX, "%s/%s",
	    strcmp(fa_dirs[i].dir, "/") == 0 ? "" : fa_dirs[i].dir, rel);
	return n > 0 && n < PATH_MAX ? 1 : -1;
}

/* The open action of PATH for FA: judged where the child will open it */
static int
judge_fa_open(struct shim_call *c, const posix_spawn_file_actions_t *fa,
    const char *path, int oflag)
{
	char full[PATH_MAX];
	struct judge_obj o;
	int k;

	if ((k = fdguard_fa_dir(fa, path, full)) == 0)
		return judge_open(c, AT_FDCWD, path, oflag);
	if (k == 1)
		return judge_open(c, AT_FDCWD, full, oflag);
	memset(&o, 0, sizeof(o));
	o.op = (oflag & O_ACCMODE) != O_RDONLY ||
		(oflag & (O_CREAT | O_TRUNC | O_APPEND)) != 0
	    ? OP_WRITE
	    : OP_READ;
	o.path = path;
	o.port = -1;
	if (judge_event(c, &o, VERDICT_DENY, "posix_spawn",
		"a relative open action after an fchdir action: the directory "
		"the child opens it in is not known",
		shim.audit_only ? 0 : EACCES) == -1)
		return shim_fail_errno(c->cls);
	return shim.audit_only ? 0 : EACCES;
}

SHIM_EXPORT int
posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd,
    const char *path, int oflag, mode_t mode)
{
	struct shim_call c;
	int e;

	if (!READY(posix_spawn_file_actions_addopen))
		return ENOSYS;
	/*
	 * The child opens PATH before its exec, where no hook sees it: judge
	 * it now, against the directory the child will be in (the current
	 * one, or where a chdir action before it leads).
	 */
	switch (shim_enter(&c, "posix_spawn_file_actions_addopen", SHIM_FS)) {
	case SHIM_PASS:
		break;
	case SHIM_JUDGE:
		e = judge_fa_open(&c, fa, path, oflag);
		if (shim_leave(&c, e))
			return e;
		break;
	default:
		return errno;
	}
	if (shim_is_fd(fd) && move_fd_below(fd, fa_floor(fa)) == -1)
		return EBUSY;
	return REAL(posix_spawn_file_actions_addopen)(
	    fa, fd, path, oflag, mode);
}

struct closefrom_ctx {
	posix_spawn_file_actions_t *fa;
	int below;
};

static int
add_close(void *ctx, int fd)
{
	struct closefrom_ctx *k = ctx;

	if (fd >= k->below)
		return 0;
	return REAL(posix_spawn_file_actions_addclose)(k->fa, fd);
}

SHIM_EXPORT int
posix_spawn_file_actions_addclosefrom_np(
    posix_spawn_file_actions_t *fa, int from)
{
	struct closefrom_ctx k;
	int cur[SHIM_NFDS], i, top = -1, r;

	if (!READY(posix_spawn_file_actions_addclosefrom_np))
		return ENOSYS;
	if (guarding() && from >= 0) {
		shim_fds(cur);
		for (i = 0; i < SHIM_NFDS; i++)
			if (cur[i] >= from && cur[i] > top)
				top = cur[i];
	}
	if (top < 0 || REAL(posix_spawn_file_actions_addclose) == NULL)
		return REAL(posix_spawn_file_actions_addclosefrom_np)(fa, from);
	/*
	 * Close what is open now between FROM and the highest of ours one by
	 * one, and everything above it with one action.
	 */
	k.fa = fa;
	k.below = top;
	if ((r = each_open_fd(from, add_close, &k)) != 0)
		return r < 0 ? EMFILE : r;
	fa_set_floor(fa, top + 1);
	return REAL(posix_spawn_file_actions_addclosefrom_np)(fa, top + 1);
}

/* A chdir action: remember where it leaves the child (fa_dirs above) */
SHIM_EXPORT int
posix_spawn_file_actions_addchdir_np(
    posix_spawn_file_actions_t *fa, const char *path)
{
	char full[PATH_MAX], dir[PATH_MAX];
	struct shim_call c;
	int i, k, fresh, r, state = FA_DIR_UNKNOWN;

	if (!READY(posix_spawn_file_actions_addchdir_np))
		return ENOSYS;
	switch (
	    shim_enter(&c, "posix_spawn_file_actions_addchdir_np", SHIM_FS)) {
	case SHIM_PASS:
		return REAL(posix_spawn_file_actions_addchdir_np)(fa, path);
	case SHIM_JUDGE:
		break;
	default:
		return errno;
	}
	/* relative to the directory an earlier chdir action leads to */
	if (path[0] != '\0' && (k = fdguard_fa_dir(fa, path, full)) >= 0 &&
	    judge_canon(&c, AT_FDCWD, k == 1 ? full : path, J_FOLLOW, dir) == 0)
		state = FA_DIR_KNOWN;
	shim_leave(&c, 0);
	fresh = fa_dir_find(fa) < 0;
	if ((i = fa_dir_claim(fa)) < 0)
		return ENOMEM;
	if ((r = REAL(posix_spawn_file_actions_addchdir_np)(fa, path)) != 0) {
		if (fresh)
			fa_dir_drop(fa);
		return r;
	}
	if (state == FA_DIR_KNOWN)
		memcpy(fa_dirs[i].dir, dir, strlen(dir) + 1);
	fa_dirs[i].state = state;
	return 0;
}

SHIM_EXPORT int
posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *fa, int fd)
{
	int i, fresh, r;

	if (!READY(posix_spawn_file_actions_addfchdir_np))
		return ENOSYS;
	if (!guarding())
		return REAL(posix_spawn_file_actions_addfchdir_np)(fa, fd);
	fresh = fa_dir_find(fa) < 0;
	if ((i = fa_dir_claim(fa)) < 0)
		return ENOMEM;
	if ((r = REAL(posix_spawn_file_actions_addfchdir_np)(fa, fd)) != 0) {
		if (fresh)
			fa_dir_drop(fa);
		return r;
	}
	fa_dirs[i].state = FA_DIR_UNKNOWN;
	return 0;
}

/* A new or finished file-actions object has no chdir action */
SHIM_EXPORT int
posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	if (!READY(posix_spawn_file_actions_init))
		return ENOSYS;
	fa_dir_drop(fa);
	return REAL(posix_spawn_file_actions_init)(fa);
}

SHIM_EXPORT int
posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	if (!READY(posix_spawn_file_actions_destroy))
		return ENOSYS;
	fa_dir_drop(fa);
	return REAL(posix_spawn_file_actions_destroy)(fa);
}
