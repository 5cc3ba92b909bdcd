/*
 * keeper.c: the keeper (see keeper.h).
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "keeper.h"
#include "proc.h"
#include "run.h"

#define END_SAY_MS 5000 /* then it says so, and goes on */

/*
 * SIGKILL to PID, a descendant of ours when /proc was read. Through a
 * pidfd, so that a pid reused meanwhile by a process outside the tree is
 * not what gets it: the pidfd pins one process, and it is the one whose
 * ancestry is checked after. Without pidfd_open (before Linux 5.3), kill(2).
 */
static void
kill_one(pid_t pid, pid_t self)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd == -1) {
		if (errno == ENOSYS)
			kill(pid, SIGKILL);
		return;
	}
	if (proc_descends(pid, self))
		(void)syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
	close(fd);
}

/*
 * SIGKILL to our own children first, from one read of the kernel's list
 * (they are ours until reaped: no pid reuse): the orphans of the tree, its
 * first process among them, end within microseconds of the supervisor, not
 * after a walk over /proc.
 */
static void
kill_children(pid_t self)
{
	char path[64], buf[4096];
	ssize_t n;
	size_t i;
	long pid = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)self);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	/* the whole list, however long: a number may span two reads */
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < (size_t)n; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				/* the kernel's list: pids fit (4194304 at most) */
				if (pid < 100000000)
					pid = pid * 10 + (buf[i] - '0');
				continue;
			}
			if (pid > 0)
				kill((pid_t)pid, SIGKILL);
			pid = 0;
		}
	if (pid > 0)
		kill((pid_t)pid, SIGKILL);
	close(fd);
}

void
keeper_end_all(void)
{
	struct timespec nap = { 0, 1000000 };
	uint64_t t0 = clock_mono_ms();
	pid_t self = getpid(), *pids;
	size_t n, i;
	int said = 0;

	/* until none is left: a process that outlasts us would act on */
	for (;;) {
		/* none: nothing of the tree is left, for all of it would come
		 * to us once the supervisor is gone (no /proc scan then) */
		if (waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD)
			return;
		kill_children(self);
		n = proc_descendants(self, &pids);
		for (i = 0; i < n; i++)
			kill_one(pids[i], self);
		free(pids);
		/* the killed ones; their children come to us, a subreaper */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!said && clock_mono_ms() - t0 >= END_SAY_MS) {
			dprintf(2,
			    "agentwrap: %zu process%s of the command not "
			    "gone yet: still ending them\n",
			    n, n == 1 ? "" : "es");
			said = 1;
			nap.tv_nsec = 10000000;
		}
		nanosleep(&nap, NULL);
	}
}

/* a signal someone sent us (not the terminal, which sent it to the
 * supervisor too): the supervisor's to act on */
static int
forwarded(const siginfo_t *si)
{
	if (si->si_code != SI_USER && si->si_code != SI_QUEUE)
		return 0;
	switch (si->si_signo) {
	case SIGTERM:
	case SIGINT:
	case SIGHUP:
	case SIGQUIT:
	case SIGUSR1:
	case SIGUSR2:
	case SIGCONT:
		return 1;
	}
	return 0;
}

static _Noreturn void
keep(pid_t sup)
{
	sigset_t all;
	siginfo_t si;
	pid_t p;
	int st, status = 0, done = 0;

	/* the supervisor's files are not ours to keep open (a harness must
	 * see the end of its socket when the supervisor goes) */
	syscall(SYS_close_range, 3, ~0U, 0);
	sigfillset(&all);
	while (!done) {
		if (sigwaitinfo(&all, &si) == -1)
			continue;
		/*
		 * Ctrl-Z: the terminal stops the job, the supervisor and us
		 * with it (the shell waits for us); SIGCONT continues us all.
		 * Only the terminal's SIGTSTP: a stop of the supervisor, or a
		 * SIGTTIN a process of the tree can make the kernel send our
		 * group, must not freeze us (the tree could then kill the
		 * supervisor and go on).
		 */
		if (si.si_signo == SIGTSTP && si.si_code == SI_KERNEL) {
			raise(SIGSTOP);
			continue;
		}
		if (si.si_signo != SIGCHLD) {
			if (forwarded(&si))
				kill(sup, si.si_signo);
			continue;
		}
		while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
			if (p != sup)
				continue; /* an orphan of the tree: reaped */
			status = st;
			done = 1;
		}
	}
	/* the supervisor ended its tree if it could: whatever is left is
	 * ended here, before any of it acts unjudged */
	keeper_end_all();
	if (WIFSIGNALED(status)) {
		dprintf(2,
		    "agentwrap: the supervisor was killed (%s): every process "
		    "of the command was ended\n",
		    strsignal(WTERMSIG(status)));
		_exit(RUN_EXIT_AGENTWRAP);
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : RUN_EXIT_AGENTWRAP);
}

int
keeper_start(pid_t *pid, pid_t *pgid)
{
	sigset_t all, old;
	pid_t child, self = getpid();
	int saved;

	*pid = *pgid = 0;
	/* no signal between the fork and the keeper's wait is lost: they
	 * wait, blocked, for sigwaitinfo */
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) == -1)
		return -1;
	/* a subreaper before the child exists; neither setting is lost to
	 * the child: the supervisor makes itself a subreaper, and is not
	 * dumpable either (run.c) */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0) == -1) {
		saved = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = saved;
		return -1;
	}
	fflush(NULL);
	if ((child = fork()) == -1) {
		saved = errno;
		prctl(PR_SET_CHILD_SUBREAPER, 0);
		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = saved;
		return -1;
	}
	if (child > 0)
		keep(child);
	/* the keeper killed from outside: the supervisor ends the command
	 * as on SIGTERM (the tree still has the supervisor) */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 || getppid() != self)
		raise(SIGTERM);
	sigprocmask(SIG_SETMASK, &old, NULL);
	*pid = self;
	*pgid = getpgid(0);
	return 0;
}
