/*
 * floorhunt: ways around agentwrap's kernel floor, each made the way a
 * program the shim is not inside makes them (built static, like
 * floorcalls).
 *
 *   floorhunt memexec PID CMD   make process PID run /bin/sh -c CMD by
 *                               writing code through /proc/PID/mem where
 *                               it sleeps in a system call, then stopping
 *                               and continuing it (the call restarts, at
 *                               the code written); no ptrace(2) call
 *   floorhunt shadow PROG ARG...
 *                               a seccomp filter of its own with a
 *                               listener (SECCOMP_FILTER_FLAG_NEW_LISTENER)
 *                               that notifies unshare, mount and umount2,
 *                               then PROG run under it; every notification
 *                               is answered SECCOMP_USER_NOTIF_FLAG_CONTINUE
 *                               (the newest filter's notification wins)
 *   floorhunt getfdrace PID FD  pidfd_getfd of descriptor FD for 2 s while
 *                               another thread keeps swapping the pidfd
 *                               given between a child of its own (which has
 *                               no FD) and PID: done if it got PID's
 *   floorhunt getfdkid          pidfd_getfd of descriptor 0 of a child of
 *                               its own: the same file, close-on-exec
 *   floorhunt int80ptrace PID   PTRACE_ATTACH to PID as a 32-bit call
 *   floorhunt int80clone        clone(CLONE_NEWUSER) as a 32-bit call
 *   floorhunt x32unshare        unshare(CLONE_NEWUSER) as an x32 call
 *   floorhunt clonehigh         clone(CLONE_NEWUSER) with bits set in the
 *                               upper half of the flags
 *
 * Prints "done NAME" when it worked, "refused NAME: ERROR" when it failed.
 * Exits 0 if it worked, 1 if refused, 2 if it failed otherwise, 100 on
 * misuse.
 */
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "int80.h"

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
	return e == EPERM || e == ENOSYS || e == EACCES ? 1 : 2;
}

/* --- memexec --- */

/*
 * execve("/bin/sh", {"/bin/sh", "-c", CMD, NULL}, NULL), position
 * independent; CMD is appended right after sc_end.
 */
extern const char sc_start[], sc_end[];
__asm__(".pushsection .text\n"
	"sc_start:\n"
	"	lea sc_sh(%rip), %rdi\n"
	"	lea sc_c(%rip), %rcx\n"
	"	lea sc_end(%rip), %rdx\n"
	"	push $0\n"
	"	push %rdx\n"
	"	push %rcx\n"
	"	push %rdi\n"
	"	mov %rsp, %rsi\n"
	"	xor %edx, %edx\n"
	"	mov $59, %eax\n"
	"	syscall\n"
	"	mov $60, %eax\n"
	"	mov $127, %edi\n"
	"	syscall\n"
	"sc_sh: .asciz \"/bin/sh\"\n"
	"sc_c: .asciz \"-c\"\n"
	"sc_end:\n"
	".popsection\n");

static int
memexec(pid_t pid, const char *cmd)
{
	char path[64], buf[512], code[4096];
	unsigned long pc = 0;
	size_t n = (size_t)(sc_end - sc_start), m = strlen(cmd) + 1;
	ssize_t r;
	int fd;

	if (n + m > sizeof(code))
		return 100;
	/* "NR ARG1..ARG6 SP PC": PC is just after the syscall instruction */
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return verdict("memexec", -1, errno);
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return verdict("memexec", -1, r == 0 ? EIO : errno);
	buf[r] = '\0';
	if (sscanf(buf, "%*d %*x %*x %*x %*x %*x %*x %*x %lx", &pc) != 1) {
		fprintf(stderr, "memexec: not in a system call: %s", buf);
		return 2;
	}
	memcpy(code, sc_start, n);
	memcpy(code + n, cmd, m);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	if ((fd = open(path, O_RDWR)) == -1)
		return verdict("memexec", -1, errno);
	/* a restarted call runs again from the syscall instruction */
	r = pwrite(fd, code, n + m, (off_t)(pc - 2));
	close(fd);
	if (r != (ssize_t)(n + m))
		return verdict("memexec", -1, r < 0 ? errno : EIO);
	if (kill(pid, SIGSTOP) == -1)
		return verdict("memexec", -1, errno);
	usleep(100000);
	if (kill(pid, SIGCONT) == -1)
		return verdict("memexec", -1, errno);
	return verdict("memexec", 0, 0);
}

/* --- shadow --- */

#define NOTIFY(nr)                                                             \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                       \
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF)

static int
shadow(char **argv)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		NOTIFY(SYS_unshare),
		NOTIFY(SYS_mount),
		NOTIFY(SYS_umount2),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct pollfd pfd;
	int lfd, st;
	pid_t p;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return verdict("shadow", -1, errno);
	lfd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (lfd == -1) {
		/* EBUSY: a listener is already on the chain */
		verdict("shadow", -1, errno);
		return 1;
	}
	if ((p = fork()) == 0) {
		close(lfd);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (p == -1)
		return 2;
	/* we use the filter too: the listener never hangs up, so look */
	while (waitpid(p, &st, WNOHANG) != p) {
		pfd.fd = lfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 50) != 1)
			continue;
		memset(&req, 0, sizeof(req));
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) == -1)
			continue; /* EINTR, ENOENT: the caller went */
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}

/* --- getfdrace --- */

static volatile int race_fd = 100, race_in, race_out, race_stop;

static void *
swapper(void *arg)
{
	(void)arg;
	while (!race_stop) {
		dup2(race_in, race_fd);
		dup2(race_out, race_fd);
	}
	return NULL;
}

static int
getfdrace(pid_t pid, int fd)
{
	struct timespec t0, t;
	pthread_t th;
	long r = -1;
	int e = EPERM, st;
	pid_t kid;

	if ((kid = fork()) == 0) {
		close(fd);
		pause();
		_exit(0);
	}
	if (kid == -1)
		return 2;
	usleep(50000);
	race_in = (int)syscall(SYS_pidfd_open, kid, 0);
	race_out = (int)syscall(SYS_pidfd_open, pid, 0);
	if (race_in == -1 || race_out == -1)
		return 2;
	pthread_create(&th, NULL, swapper, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		r = syscall(SYS_pidfd_getfd, race_fd, fd, 0);
		if (r >= 0)
			break; /* the child has no FD: it is PID's */
		e = errno;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 2);
	race_stop = 1;
	pthread_join(th, NULL);
	kill(kid, SIGKILL);
	waitpid(kid, &st, 0);
	/* the child's EBADF is not the answer that matters */
	return verdict("getfdrace", r, r >= 0 ? 0 : e == EBADF ? EPERM : e);
}

/* --- the other ABIs --- */

int
main(int argc, char **argv)
{
	long r;
	int st;

	if (argc < 2)
		return 100;
	if (strcmp(argv[1], "memexec") == 0 && argc == 4)
		return memexec((pid_t)atol(argv[2]), argv[3]);
	if (strcmp(argv[1], "shadow") == 0 && argc >= 3)
		return shadow(argv + 2);
	if (strcmp(argv[1], "getfdrace") == 0 && argc == 4)
		return getfdrace((pid_t)atol(argv[2]), atoi(argv[3]));
	if (strcmp(argv[1], "getfdkid") == 0) {
		/* a child of its own: its descriptor 0 is ours, the same */
		struct stat a, b;
		int pfd;
		pid_t kid;

		if ((kid = fork()) == 0) {
			pause();
			_exit(0);
		}
		if (kid == -1 || fstat(0, &a) == -1)
			return 2;
		pfd = (int)syscall(SYS_pidfd_open, kid, 0);
		r = syscall(SYS_pidfd_getfd, pfd, 0, 0);
		st = errno;
		kill(kid, SIGKILL);
		waitpid(kid, NULL, 0);
		if (r >= 0 &&
		    (fstat((int)r, &b) == -1 || a.st_ino != b.st_ino ||
			a.st_dev != b.st_dev ||
			!(fcntl((int)r, F_GETFD) & FD_CLOEXEC)))
			return 2;
		return verdict(argv[1], r, st);
	}
	if (strcmp(argv[1], "int80ptrace") == 0 && argc == 3) {
		/* i386: ptrace is 26 */
		r = int80(26, PTRACE_ATTACH, atol(argv[2]), 0);
		if (r == 0) {
			waitpid((pid_t)atol(argv[2]), &st, __WALL);
			ptrace(PTRACE_DETACH, (pid_t)atol(argv[2]), NULL, NULL);
		}
		return verdict(argv[1], r, errno);
	}
	if (strcmp(argv[1], "int80clone") == 0) {
		/* i386: clone is 120; no stack, so the child runs on ours */
		r = int80(120, CLONE_NEWUSER | SIGCHLD, 0, 0);
		if (r == 0)
			_exit(0);
		if (r > 0)
			waitpid((pid_t)r, &st, 0);
		return verdict(argv[1], r, errno);
	}
	if (strcmp(argv[1], "x32unshare") == 0) {
		/* x32: unshare is 272 | __X32_SYSCALL_BIT */
		r = syscall(0x40000000L | 272, CLONE_NEWUSER);
		return verdict(argv[1], r, errno);
	}
	if (strcmp(argv[1], "clonehigh") == 0) {
		r = syscall(SYS_clone,
		    0xff00000000000000UL | CLONE_NEWUSER | SIGCHLD, NULL, NULL,
		    NULL, NULL);
		if (r == 0)
			_exit(0);
		if (r > 0)
			waitpid((pid_t)r, &st, 0);
		return verdict(argv[1], r, errno);
	}
	return 100;
}
