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

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
/* Linux 6.13 and 6.17: extended attributes and inode flags by dirfd/path */
#ifndef SYS_setxattrat
#define SYS_setxattrat 463
#endif
#ifndef SYS_removexattrat
#define SYS_removexattrat 466
#endif
#ifndef SYS_file_setattr
#define SYS_file_setattr 469
#endif

static const char *
sys_name(long nr)
{
	switch (nr) {
	case SYS_open:
		return "syscall:open";
	case SYS_openat:
		return "syscall:openat";
	case SYS_openat2:
		return "syscall:openat2";
	case SYS_creat:
		return "syscall:creat";
	case SYS_unlink:
		return "syscall:unlink";
	case SYS_unlinkat:
		return "syscall:unlinkat";
	case SYS_rmdir:
		return "syscall:rmdir";
	case SYS_mkdir:
		return "syscall:mkdir";
	case SYS_mkdirat:
		return "syscall:mkdirat";
	case SYS_mknod:
		return "syscall:mknod";
	case SYS_mknodat:
		return "syscall:mknodat";
	case SYS_rename:
		return "syscall:rename";
	case SYS_renameat:
		return "syscall:renameat";
	case SYS_renameat2:
		return "syscall:renameat2";
	case SYS_link:
		return "syscall:link";
	case SYS_linkat:
		return "syscall:linkat";
	case SYS_symlink:
		return "syscall:symlink";
	case SYS_symlinkat:
		return "syscall:symlinkat";
	case SYS_chmod:
		return "syscall:chmod";
	case SYS_fchmodat:
		return "syscall:fchmodat";
	case SYS_fchmodat2:
		return "syscall:fchmodat2";
	case SYS_fchmod:
		return "syscall:fchmod";
	case SYS_fchown:
		return "syscall:fchown";
	case SYS_setxattr:
		return "syscall:setxattr";
	case SYS_lsetxattr:
		return "syscall:lsetxattr";
	case SYS_fsetxattr:
		return "syscall:fsetxattr";
	case SYS_removexattr:
		return "syscall:removexattr";
	case SYS_lremovexattr:
		return "syscall:lremovexattr";
	case SYS_fremovexattr:
		return "syscall:fremovexattr";
	case SYS_setxattrat:
		return "syscall:setxattrat";
	case SYS_removexattrat:
		return "syscall:removexattrat";
	case SYS_file_setattr:
		return "syscall:file_setattr";
	case SYS_chown:
		return "syscall:chown";
	case SYS_lchown:
		return "syscall:lchown";
	case SYS_fchownat:
		return "syscall:fchownat";
	case SYS_truncate:
		return "syscall:truncate";
	case SYS_utime:
		return "syscall:utime";
	case SYS_utimes:
		return "syscall:utimes";
	case SYS_futimesat:
		return "syscall:futimesat";
	case SYS_utimensat:
		return "syscall:utimensat";
	case SYS_execve:
		return "syscall:execve";
	case SYS_execveat:
		return "syscall:execveat";
	case SYS_connect:
		return "syscall:connect";
	case SYS_bind:
		return "syscall:bind";
	case SYS_sendto:
		return "syscall:sendto";
	case SYS_sendmsg:
		return "syscall:sendmsg";
	default:
		return NULL;
	}
}

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
judge_sys(struct shim_call *c, long nr, const long *a)
{
	const char *p0 = (const char *)a[0], *p1 = (const char *)a[1];

	switch (nr) {
	case SYS_open:
		return judge_open(c, AT_FDCWD, p0, (int)a[1]);
	case SYS_openat:
		return judge_open(c, (int)a[0], p1, (int)a[2]);
	case SYS_openat2:
		return judge_openat2(
		    c, a[0], p1, (const struct open_how *)a[2], (size_t)a[3]);
	case SYS_creat:
		return judge_open(
		    c, AT_FDCWD, p0, O_WRONLY | O_CREAT | O_TRUNC);
	case SYS_unlink:
	case SYS_rmdir:
		return judge_path(c, OP_WRITE, AT_FDCWD, p0, J_ENTRY);
	case SYS_mkdir:
	case SYS_mknod:
		return judge_path(c, OP_WRITE, AT_FDCWD, p0, J_NEW);
	case SYS_unlinkat:
		return judge_path(c, OP_WRITE, (int)a[0], p1, J_ENTRY);
	case SYS_mkdirat:
	case SYS_mknodat:
		return judge_path(c, OP_WRITE, (int)a[0], p1, J_NEW);
	case SYS_rename:
		return judge_rename(c, AT_FDCWD, p0, AT_FDCWD, p1);
	case SYS_renameat:
	case SYS_renameat2:
		return judge_rename(
		    c, (int)a[0], p1, (int)a[2], (const char *)a[3]);
	case SYS_link:
		return judge_link(c, AT_FDCWD, p0, AT_FDCWD, p1, 0);
	case SYS_linkat:
		return judge_link(
		    c, (int)a[0], p1, (int)a[2], (const char *)a[3], (int)a[4]);
	case SYS_symlink:
		return judge_path(c, OP_WRITE, AT_FDCWD, p1, J_NEW);
	case SYS_symlinkat:
		return judge_path(
		    c, OP_WRITE, (int)a[1], (const char *)a[2], J_NEW);
	case SYS_chmod:
	case SYS_chown:
	case SYS_truncate:
	case SYS_utime:
	case SYS_utimes:
	case SYS_setxattr:
	case SYS_removexattr:
		return judge_path(c, OP_WRITE, AT_FDCWD, p0, J_FOLLOW);
	case SYS_lchown:
	case SYS_lsetxattr:
	case SYS_lremovexattr:
		return judge_path(c, OP_WRITE, AT_FDCWD, p0, J_NOFOLLOW);
	case SYS_fchmodat:
		return judge_path(c, OP_WRITE, (int)a[0], p1, J_FOLLOW);
	case SYS_fchmodat2:
		return judge_path_at(
		    c, OP_WRITE, (int)a[0], p1, (int)a[3], J_FOLLOW);
	case SYS_fchmod:
	case SYS_fchown:
	case SYS_fsetxattr:
	case SYS_fremovexattr:
		return judge_fd_write(c, (int)a[0]);
	case SYS_setxattrat:
	case SYS_removexattrat:
		return judge_path_at(
		    c, OP_WRITE, (int)a[0], p1, (int)a[2], J_FOLLOW);
	case SYS_file_setattr:
		return judge_path_at(
		    c, OP_WRITE, (int)a[0], p1, (int)a[4], J_FOLLOW);
	case SYS_fchownat:
		return judge_path_at(
		    c, OP_WRITE, (int)a[0], p1, (int)a[4], J_FOLLOW);
	case SYS_futimesat:
		return judge_path(c, OP_WRITE, (int)a[0], p1, J_NULL_FD);
	case SYS_utimensat:
		return judge_path_at(
		    c, OP_WRITE, (int)a[0], p1, (int)a[3], J_NULL_FD);
	case SYS_connect:
		return judge_sockaddr(c, OP_CONNECT,
		    (const struct sockaddr *)a[1], (socklen_t)a[2]);
	case SYS_bind:
		return judge_sockaddr(
		    c, OP_BIND, (const struct sockaddr *)a[1], (socklen_t)a[2]);
	case SYS_sendto:
		return judge_sockaddr(c, OP_CONNECT,
		    (const struct sockaddr *)a[4], (socklen_t)a[5]);
	case SYS_sendmsg: {
		const struct msghdr *m = (const struct msghdr *)a[1];

		return m == NULL
		    ? 0
		    : judge_sockaddr(c, OP_CONNECT,
			  (const struct sockaddr *)m->msg_name, m->msg_namelen);
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
	const char *name;
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
	if ((name = sys_name(nr)) == NULL)
		return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	switch (shim_enter(&c, name,
	    nr == SYS_connect || nr == SYS_bind || nr == SYS_sendto ||
		    nr == SYS_sendmsg
		? SHIM_NET
		: nr == SYS_execve || nr == SYS_execveat ? SHIM_EXEC
							 : SHIM_FS)) {
	case SHIM_PASS:
		return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	case SHIM_JUDGE:
		break;
	default:
		return -1;
	}
	if (nr == SYS_execve || nr == SYS_execveat)
		return exec_syscall(&c, nr, a[0], a[1], a[2], a[3], a[4]);
	e = judge_sys(&c, nr, a);
	if (shim_leave(&c, e))
		return -1;
	return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
