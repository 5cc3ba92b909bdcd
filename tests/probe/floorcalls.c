/*
 * floorcalls: the calls agentwrap's kernel floor refuses, made the way a
 * program the shim is not inside makes them. Built static: no shim is ever
 * in it, so only the kernel can refuse.
 *
 *   floorcalls userns      unshare(CLONE_NEWUSER)
 *   floorcalls clonens     clone(CLONE_NEWUSER), the child exits 0
 *   floorcalls int80       unshare(CLONE_NEWUSER) as a 32-bit system call
 *   floorcalls uring       io_uring_setup(1, ...)
 *   floorcalls tiocsti [high|int80]
 *                          on a new pseudo-terminal made its controlling
 *                          terminal: TIOCSTI of 'x', then read it back;
 *                          high: with bits set above the 32-bit command,
 *                          int80: as a 32-bit system call
 *   floorcalls ptrace PID  PTRACE_ATTACH to PID (then detach)
 *   floorcalls ptracekid   PTRACE_ATTACH to a child of its own
 *   floorcalls getfd PID   pidfd_getfd of PID's descriptor 0
 *   floorcalls uffd        userfaultfd(UFFD_USER_MODE_ONLY), which needs no
 *                          privilege
 *   floorcalls tioclinux   TIOCLINUX on a new pseudo-terminal: not a
 *                          console, so the kernel itself says EINVAL
 *   floorcalls setns       setns into its own user namespace: the kernel
 *                          itself says EINVAL
 *   floorcalls pvwrite PID process_vm_writev of one byte into PID's stack,
 *                          the byte it already holds
 *   floorcalls listener    install a seccomp filter with a user-notify
 *                          listener of its own (which could answer for
 *                          the floor)
 *   floorcalls killsup FILE [OUT]  kill its parent (agentwrap, when it
 *                          is the command), then try a listener, unshare
 *                          and a write to OUT; what happened goes to
 *                          FILE (opened before)
 *   floorcalls threads     a thread and a posix_spawn, which glibc makes
 *                          with clone3 (refused: ENOSYS) or clone
 *
 * Prints "done NAME" when the call worked, "refused NAME: ERROR" when it
 * failed. Exits 0 if it worked, 1 if refused with EPERM or ENOSYS, 2 if
 * it failed otherwise, 100 on misuse.
 */
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "int80.h"

extern char **environ;

static int
verdict(const char *name, long r, int e)
{
	if (r >= 0) {
		printf("done %s\n", name);
		fflush(stdout);
		return 0;
	}
	printf("refused %s: %s\n", name, strerror(e));
	fflush(stdout);
	return e == EPERM || e == ENOSYS ? 1 : 2;
}

static int
int80_unshare(void)
{
#if defined(__x86_64__)
	/* 310: unshare in the i386 table */
	return (int)int80(310, CLONE_NEWUSER, 0, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

/* TIOCSTI of "x" on S: as such, with bits set in the upper half of the
 * 64-bit command (the kernel drops them), or as a 32-bit call */
static long
sti(int s, const char *how)
{
	static char x[] = "x";
	long r;

	if (how == NULL)
		return ioctl(s, TIOCSTI, x);
	if (strcmp(how, "high") == 0)
		return syscall(SYS_ioctl, s, 0xdead000000000000UL | TIOCSTI, x);
#if defined(__x86_64__)
	/* 54: ioctl in the i386 table; a static program's data is below
	 * 4 GB, so the pointer fits */
	r = int80(54, s, TIOCSTI, (long)(unsigned long)x);
	return r;
#else
	(void)r;
	errno = ENOSYS;
	return -1;
#endif
}

static int
tiocsti(const char *how)
{
	struct termios t;
	char c = 0;
	int m, s, st;
	pid_t p;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) == -1 || grantpt(m) == -1 ||
	    unlockpt(m) == -1)
		return 2;
	if ((p = fork()) == 0) {
		if (setsid() == -1 || (s = open(ptsname(m), O_RDWR)) == -1)
			_exit(2);
		tcgetattr(s, &t);
		cfmakeraw(&t);
		tcsetattr(s, TCSANOW, &t);
		if (sti(s, how) == -1)
			_exit(verdict("tiocsti", -1, errno));
		/* what was typed is input on the terminal, read back */
		fcntl(s, F_SETFL, O_NONBLOCK);
		if (read(s, &c, 1) == 1 && c == 'x')
			_exit(verdict("tiocsti", 0, 0));
		_exit(2);
	}
	if (p == -1 || waitpid(p, &st, 0) == -1 || !WIFEXITED(st))
		return 2;
	return WEXITSTATUS(st);
}

static int
attach(const char *name, pid_t pid)
{
	long r = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
	int e = errno, st;

	if (r == 0) {
		waitpid(pid, &st, __WALL);
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	}
	return verdict(name, r, e);
}

/* a filter that allows everything, with a listener: fd, or -1 */
static long
own_listener(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { 1, &allow };

	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

static int
killsup(const char *file, const char *out)
{
	FILE *f;
	long l, u, w = -1;
	int el, eu, ew = 0;

	/* before: once the supervisor is gone, a watched open fails */
	if ((f = fopen(file, "w")) == NULL)
		return 2;
	kill(getppid(), SIGKILL);
	usleep(300000);
	l = own_listener();
	el = errno;
	u = syscall(SYS_unshare, CLONE_NEWUSER);
	eu = errno;
	if (out != NULL) {
		w = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		ew = errno;
	}
	fprintf(f, "listener %s\nunshare %s\n", l >= 0 ? "done" : strerror(el),
	    u == 0 ? "done" : strerror(eu));
	if (out != NULL)
		fprintf(f, "write %s\n", w >= 0 ? "done" : strerror(ew));
	fclose(f);
	return 0;
}

/* one byte of PID's stack, read and written back: the same byte */
static int
pvwrite(pid_t pid)
{
	char path[64], line[256];
	unsigned long lo = 0, hi = 0;
	struct iovec l, rv;
	FILE *f;
	char c;
	long r;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 2;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "[stack]") != NULL &&
		    sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			break;
	fclose(f);
	if (hi == 0)
		return 2;
	l.iov_base = &c;
	l.iov_len = 1;
	rv.iov_base = (void *)(hi - 1);
	rv.iov_len = 1;
	if (process_vm_readv(pid, &l, 1, &rv, 1, 0) != 1)
		return 2;
	r = process_vm_writev(pid, &l, 1, &rv, 1, 0);
	return verdict("pvwrite", r, errno);
}

static void *
nothing(void *arg)
{
	return arg;
}

int
main(int argc, char **argv)
{
	struct io_uring_params up;
	char *args[] = { "true", NULL };
	pthread_t t;
	long r;
	int st, pfd;
	pid_t p;

	if (argc < 2)
		return 100;
	if (strcmp(argv[1], "userns") == 0) {
		r = syscall(SYS_unshare, CLONE_NEWUSER);
		return verdict(argv[1], r, errno);
	}
	if (strcmp(argv[1], "clonens") == 0) {
		r = syscall(
		    SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
		if (r == 0)
			_exit(0);
		if (r > 0)
			waitpid((pid_t)r, &st, 0);
		return verdict(argv[1], r, errno);
	}
	if (strcmp(argv[1], "int80") == 0) {
		r = int80_unshare();
		return verdict(argv[1], r, errno);
	}
	if (strcmp(argv[1], "uring") == 0) {
		memset(&up, 0, sizeof(up));
		r = syscall(SYS_io_uring_setup, 1, &up);
		return verdict(argv[1], r, errno);
	}
	if (strcmp(argv[1], "tiocsti") == 0)
		return tiocsti(argc == 3 ? argv[2] : NULL);
	if (strcmp(argv[1], "ptrace") == 0 && argc == 3)
		return attach(argv[1], (pid_t)atol(argv[2]));
	if (strcmp(argv[1], "ptracekid") == 0) {
		if ((p = fork()) == 0) {
			pause();
			_exit(0);
		}
		if (p == -1)
			return 2;
		st = attach(argv[1], p);
		kill(p, SIGKILL);
		waitpid(p, NULL, 0);
		return st;
	}
	if (strcmp(argv[1], "getfd") == 0 && argc == 3) {
		pfd = (int)syscall(SYS_pidfd_open, (pid_t)atol(argv[2]), 0);
		if (pfd == -1)
			return 2;
		r = syscall(SYS_pidfd_getfd, pfd, 0, 0);
		return verdict(argv[1], r, errno);
	}
	if (strcmp(argv[1], "listener") == 0) {
		r = own_listener();
		return verdict(argv[1], r, errno);
	}
	if (strcmp(argv[1], "killsup") == 0 && (argc == 3 || argc == 4))
		return killsup(argv[2], argc == 4 ? argv[3] : NULL);
	if (strcmp(argv[1], "uffd") == 0) {
		/* 1: UFFD_USER_MODE_ONLY */
		r = syscall(SYS_userfaultfd, O_CLOEXEC | 1);
		return verdict(argv[1], r, errno);
	}
	if (strcmp(argv[1], "tioclinux") == 0) {
		char sub = 0;

		if ((pfd = posix_openpt(O_RDWR | O_NOCTTY)) == -1)
			return 2;
		r = ioctl(pfd, TIOCLINUX, &sub);
		return verdict(argv[1], r, errno);
	}
	if (strcmp(argv[1], "setns") == 0) {
		if ((pfd = open("/proc/self/ns/user", O_RDONLY)) == -1)
			return 2;
		r = syscall(SYS_setns, pfd, CLONE_NEWUSER);
		return verdict(argv[1], r, errno);
	}
	if (strcmp(argv[1], "pvwrite") == 0 && argc == 3)
		return pvwrite((pid_t)atol(argv[2]));
	if (strcmp(argv[1], "threads") == 0) {
		if ((st = pthread_create(&t, NULL, nothing, NULL)) != 0)
			return verdict(argv[1], -1, st);
		pthread_join(t, NULL);
		if ((st = posix_spawnp(
			 &p, "true", NULL, NULL, args, environ)) != 0)
			return verdict(argv[1], -1, st);
		waitpid(p, &st, 0);
		return verdict(argv[1],
		    WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1, EINVAL);
	}
	return 100;
}
