/*
 * sys.c: syscall(2), the generic entry programs use for calls libc does not
 * wrap (openat2) or to step around a wrapper. The numbers that reach the
 * filesystem, exec and the network are judged like their libc functions;
 * io_uring's calls fail with ENOSYS (its operations would pass every hook); every other
 * number goes straight through. Arguments are read as six longs, as the
 * kernel takes them.
 *
 * Runs inside the watched process, in hooks (see shim.h). This is the shim's
 * reach only: a program that issues the instruction itself is a later
 * layer's business (seccomp).
 */
#include <sys/syscall.h>

#include <linux/openat2.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"
#include "sysreq.h"

/* openat2: the flags live in struct open_how */
static int
judge_openat2(struct shim_call *c, long dirfd, const char *path,
    const struct open_how *how, size_t size)
{
	if (how == NULL || size < sizeof(*how))
		return 0; /* EFAULT / EINVAL from the kernel */
	/*
	 * RESOLVE_IN_ROOT: an absolute path starts at DIRFD.
	 * XXX absolute symlinks met on the way are judged from "/", where
	 * the kernel takes them from DIRFD too.
	 */
	if ((how->resolve & RESOLVE_IN_ROOT) && path != NULL)
		while (*path == '/')
			path++;
	if (path != NULL && path[0] == '\0' &&
	    !(how->resolve & RESOLVE_IN_ROOT))
		return 0;
	if (path != NULL && path[0] == '\0')
		path = ".";
	return judge_open(c, (int)dirfd, path, (int)how->flags);
}

static int
dirfd_of(const struct sysreq *r, int which, const long *a)
{
	int i = which == 0 ? r->dirfd : r->dirfd2;

	return i < 0 ? AT_FDCWD : (int)a[i];
}

/* The call R with arguments A, judged as its row in sysreq.h says */
static int
judge_sys(struct shim_call *c, const struct sysreq *r, const long *a)
{
	const char *p0 = r->path >= 0 ? (const char *)a[r->path] : NULL;
	const char *p1 = r->path2 >= 0 ? (const char *)a[r->path2] : NULL;
	int at = r->atflags >= 0 ? (int)a[r->atflags] : 0;
	const struct msghdr *m;

	switch (r->kind) {
	case SRK_OPEN:
		return judge_open(c, dirfd_of(r, 0, a), p0, (int)a[r->flags]);
	case SRK_OPENAT2:
		return judge_openat2(c, a[r->dirfd], p0,
		    (const struct open_how *)a[r->flags],
		    (size_t)a[r->flags + 1]);
	case SRK_CREAT:
		return judge_open(
		    c, AT_FDCWD, p0, O_WRONLY | O_CREAT | O_TRUNC);
	case SRK_PATH:
		if (r->atflags >= 0)
			return judge_path_at(
			    c, r->op, dirfd_of(r, 0, a), p0, at, r->how);
		return judge_path(c, r->op, dirfd_of(r, 0, a), p0, r->how);
	case SRK_RENAME:
		return judge_rename(
		    c, dirfd_of(r, 0, a), p0, dirfd_of(r, 1, a), p1);
	case SRK_LINK:
		return judge_link(
		    c, dirfd_of(r, 0, a), p0, dirfd_of(r, 1, a), p1, at);
	case SRK_FD:
		return judge_fd_write(c, (int)a[r->dirfd]);
	case SRK_SOCKADDR:
		return judge_sockaddr(c, r->op,
		    (const struct sockaddr *)a[r->addr],
		    (socklen_t)a[r->addr + 1], r->how);
	case SRK_SENDMSG:
		m = (const struct msghdr *)a[r->addr];
		return m == NULL ? 0
				 : judge_sockaddr(c, r->op,
				       (const struct sockaddr *)m->msg_name,
				       m->msg_namelen, r->how);
	case SRK_SENDMMSG: {
		const struct mmsghdr *v = (const struct mmsghdr *)a[r->addr];
		unsigned int i, n = (unsigned int)a[r->addr + 1];
		int e = 0;

		/* all or nothing, as the sendmmsg hook */
		for (i = 0; v != NULL && i < n && e == 0; i++)
			e = judge_sockaddr(c, r->op,
			    (const struct sockaddr *)v[i].msg_hdr.msg_name,
			    v[i].msg_hdr.msg_namelen, r->how);
		return e;
	}
	}
	return 0;
}

/*
 * io_uring: operations submitted to a ring run in the kernel, past every
 * hook, so none is judged. The calls fail with ENOSYS, as on a kernel
 * without io_uring (programs then fall back to ordinary calls), and the
 * attempt is reported as uncovered. Under --audit-only they go through.
 */
static long
io_uring_refused(long nr, const long *a)
{
	const char *name = nr == SYS_io_uring_setup ? "syscall:io_uring_setup"
	    : nr == SYS_io_uring_enter		    ? "syscall:io_uring_enter"
				       : "syscall:io_uring_register";
	const char *argv[1];
	struct shim_call c;
	struct judge_obj o;

	switch (shim_enter(&c, name, SHIM_FS)) {
	case SHIM_PASS:
		return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	case SHIM_JUDGE:
		break;
	default:
		return -1;
	}
	argv[0] = name + 8; /* the call, without "syscall:" */
	memset(&o, 0, sizeof(o));
	o.op = AW_OP_UNCOVERED;
	o.argv = argv;
	o.argc = 1;
	o.port = -1;
	if (judge_event(&c, &o, shim.audit_only ? VERDICT_ALLOW : VERDICT_DENY,
		"io_uring",
		"io_uring operations run in the kernel past every hook: "
		"refused with ENOSYS, as where the kernel has no io_uring",
		shim.audit_only ? 0 : ENOSYS) == -1) {
		shim_leave(&c, shim_fail_errno(c.cls));
		return -1;
	}
	if (shim.audit_only) {
		shim_leave(&c, 0);
		return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	shim_leave(&c, ENOSYS);
	return -1;
}

SHIM_EXPORT long
syscall(long nr, ...)
{
	struct shim_call c;
	const struct sysreq *r;
	va_list ap;
	long a[6];
	int i, e;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!READY(syscall)) {
		errno = ENOSYS;
		return -1;
	}
	/* the shim's own calls (path walks, the ring's futexes) */
	if (shim_guard)
		return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);

	switch (nr) {
	case SYS_io_uring_setup:
	case SYS_io_uring_enter:
	case SYS_io_uring_register:
		return io_uring_refused(nr, a);
	}
	if ((r = sysreq_find(nr)) == NULL)
		return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	switch (shim_enter(&c, r->call,
	    r->cls == SRC_NET	     ? SHIM_NET
		: r->cls == SRC_EXEC ? SHIM_EXEC
				     : SHIM_FS)) {
	case SHIM_PASS:
		return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	case SHIM_JUDGE:
		break;
	default:
		return -1;
	}
	if (r->kind == SRK_EXEC)
		return exec_syscall(&c, nr, a[0], a[1], a[2], a[3], a[4]);
	e = judge_sys(&c, r, a);
	if (shim_leave(&c, e))
		return -1;
	return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
