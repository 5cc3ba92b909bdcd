/*
 * ownlistener PROG [ARGS...]: a dynamic program that puts a user-notify
 * filter of its own on its chain (it notifies a call nobody makes), then
 * forks and execs PROG. Before the fix the shim took the kernel's EBUSY
 * for "the watch is on this thread already", and a static PROG ran
 * unwatched. Exits with PROG's status, or 127 if it could not be run.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 999, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog p = { 4, f };
	long l;
	pid_t c;
	int st;

	if (argc < 2)
		return 100;
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	l = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER, &p);
	printf("listener %s\n", l >= 0 ? "made" : "refused");
	fflush(stdout);
	if ((c = fork()) == 0) {
		execv(argv[1], argv + 1);
		perror("execv");
		_exit(127);
	}
	if (c == -1 || waitpid(c, &st, 0) == -1)
		return 127;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
