/*
 * fdguard.c: keep the shim's own descriptors (ring, snapshot, doorbell)
 * alive and inheritable whatever the program does: close() of one of them
 * succeeds and leaves it open; close_range/closefrom skip them; dup2/dup3
 * (and posix_spawn file actions) onto one first move the shim's descriptor
 * to a free high number; FD_CLOEXEC is never set on them. A vfork child
 * that has to move one keeps the new numbers apart from its parent's.
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
	 * it now, against the current directory.
	 * XXX an addchdir_np action before it changes what PATH names.
	 */
	switch (shim_enter(&c, "posix_spawn_file_actions_addopen", SHIM_FS)) {
	case SHIM_PASS:
		break;
	case SHIM_JUDGE:
		e = judge_open(&c, AT_FDCWD, path, oflag);
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
