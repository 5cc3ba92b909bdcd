/*
 * hold.c: the holder (see hold.h).
 *
 * Runs in the supervisor, and after fork as the holder itself. The holder
 * is forked from a process with threads (the bell relay), so between fork
 * and its endless sleep it calls only async-signal-safe functions. Its
 * memory is a copy of the supervisor's before the command started: the
 * configuration and the policy, which the tree can read anyway.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "floor.h"
#include "hold.h"

static _Noreturn void
holder(pid_t parent, int ring_fd, int snap_fd, int ready)
{
	sigset_t all;
	int r, s;

	/* nothing but SIGKILL (and SIGSTOP) reaches it */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(0);
	/* not in the terminal's foreground group: Ctrl-C is not for it */
	setpgid(0, 0);
	if ((r = fcntl(ring_fd, F_DUPFD, 16)) == -1 ||
	    (s = fcntl(snap_fd, F_DUPFD, 16)) == -1 ||
	    (ready = fcntl(ready, F_DUPFD, 16)) == -1 ||
	    dup2(r, AW_HOLD_FD_RING) == -1 || dup2(s, AW_HOLD_FD_SNAP) == -1)
		_exit(1);
	syscall(SYS_close_range, 0, AW_HOLD_FD_RING - 1, 0);
	syscall(SYS_close_range, AW_HOLD_FD_SNAP + 1, ready - 1, 0);
	syscall(SYS_close_range, ready + 1, ~0U, 0);
	prctl(PR_SET_NAME, "agentwrap-hold");
	/*
	 * So that processes of our uid may open /proc/PID/fd/N: only now,
	 * when nothing but the two memfds is left open here.
	 */
	prctl(PR_SET_DUMPABLE, 1);
	/*
	 * Which also lets them write its memory (/proc/PID/mem): from here
	 * on it may only sleep, whatever code it is made to run. Without
	 * that it does not serve: new processes ask the attach socket.
	 */
	if (floor_hold() == -1)
		_exit(1);
	/* ready: the supervisor starts the command only after this */
	close(ready);
	for (;;)
		pause();
}

pid_t
hold_start(int ring_fd, int snap_fd)
{
	pid_t parent = getpid(), pid;
	int p[2], saved;
	ssize_t n;
	char c;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		saved = errno;
		close(p[0]);
		close(p[1]);
		errno = saved;
		return -1;
	}
	if (pid == 0)
		holder(parent, ring_fd, snap_fd, p[1]);
	close(p[1]);
	/* EOF once it is ready (or dead): the first process finds it set */
	do
		n = read(p[0], &c, 1);
	while (n == -1 && errno == EINTR);
	close(p[0]);
	if (waitpid(pid, NULL, WNOHANG) == pid) {
		errno = ECHILD; /* it died setting up */
		return -1;
	}
	return pid;
}

void
hold_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
}
