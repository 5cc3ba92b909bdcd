/*
 * keeper: the tree against agentwrap's keeper (supervisor/keeper.h).
 *
 *   keeper tick DIR     leave a daemon behind (its own session, a double
 *                       fork: an orphan) that creates DIR/tick.N with raw
 *                       system calls every 5 ms, no shim or supervisor
 *                       asked; its pid goes to DIR/pid. Exits 0.
 *   keeper stopsup DIR  the daemon of tick, then SIGSTOP to the supervisor
 *                       (our parent), and SIGKILL 0.2 s later: a stopped
 *                       supervisor must not stop the keeper. Exits 0.
 *   keeper zchain DIR DEPTH
 *                       a daemon that is a chain DEPTH deep of processes
 *                       whose first thread has exited (so /proc shows
 *                       them as zombies) while another runs; the
 *                       deepest one ticks in DIR as tick does. Exits 0
 *                       once it ticks.
 *   keeper attack [PID PGID]
 *                       every way we know for the tree to signal, stop or
 *                       limit or deprioritize the keeper (by default our supervisor's
 *                       parent), or count it with perf_event_open, with
 *                       signal 0 where a signal is sent, so
 *                       that nothing dies if one goes through; one line
 *                       each, "done NAME" or "refused NAME: why". Exits 0.
 *
 * Built twice: dynamic (the shim inside it) and static (keeper-static).
 */
#include <sys/resource.h>
#include <sys/syscall.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rawopen.h"

static pid_t
parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL)
		sscanf(p + 1, " %*c %d", &ppid);
	fclose(f);
	return ppid;
}

static void
said(const char *name, long r)
{
	if (r >= 0)
		printf("done %s\n", name);
	else
		printf("refused %s: %s\n", name, strerror(errno));
	fflush(stdout);
}

static int
attack(pid_t k, pid_t kg)
{
	struct rlimit rl;
	siginfo_t si;
	int p[2], fd;

	printf("target %d %d\n", (int)k, (int)kg);
	said("kill", kill(k, 0));
	said("kill-group", kill(-kg, 0));
	/* our own group may be the keeper's */
	said("kill-zero", kill(0, 0));
	said("tkill", syscall(SYS_tkill, k, 0));
	said("tgkill", syscall(SYS_tgkill, k, k, 0));
	memset(&si, 0, sizeof(si));
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	said("rt_sigqueueinfo", syscall(SYS_rt_sigqueueinfo, k, 0, &si));
	said("rt_tgsigqueueinfo", syscall(SYS_rt_tgsigqueueinfo, k, k, 0, &si));
	fd = (int)syscall(SYS_pidfd_open, k, 0);
	said("pidfd_open", fd);
	if (fd >= 0)
		close(fd);
	/* a pidfd no filter sees made: the /proc directory of the keeper */
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d", (int)k);
		fd = open(path, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			said("pidfd_send_signal", -1);
		else {
			said("pidfd_send_signal",
			    syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0));
			close(fd);
		}
	}
	said("prlimit", syscall(SYS_prlimit64, k, RLIMIT_CPU, NULL, &rl));
	/* its scheduling: what it has already, so that nothing changes if
	 * one goes through */
	{
		struct sched_param sp;
		cpu_set_t cpus;
		int pol = sched_getscheduler(k);

		memset(&sp, 0, sizeof(sp));
		said("sched_setscheduler",
		    pol < 0 ? -1 : sched_setscheduler(k, pol, &sp));
		said("sched_setparam", sched_setparam(k, &sp));
		CPU_ZERO(&cpus);
		said("sched_setaffinity",
		    sched_getaffinity(k, sizeof(cpus), &cpus) < 0
			? -1
			: sched_setaffinity(k, sizeof(cpus), &cpus));
		errno = 0;
		pol = getpriority(PRIO_PROCESS, (id_t)k);
		said("setpriority",
		    errno != 0 ? -1 : setpriority(PRIO_PROCESS, (id_t)k, pol));
		errno = 0;
		pol = getpriority(PRIO_PGRP, 0);
		said("setpriority-group",
		    errno != 0 ? -1 : setpriority(PRIO_PGRP, 0, pol));
		/* every process of ours, at our own nice: lowers none
		 * (EACCES where one is higher: the kernel answered) */
		errno = 0;
		pol = getpriority(PRIO_PROCESS, 0);
		said("setpriority-user",
		    errno != 0 ? -1 : setpriority(PRIO_USER, getuid(), pol));
		/* ioprio_set(IOPRIO_WHO_PROCESS, K, what it has) */
		pol = (int)syscall(SYS_ioprio_get, 1, k);
		said("ioprio_set",
		    pol < 0 ? -1 : syscall(SYS_ioprio_set, 1, k, pol));
	}
	/* SIGKILL as a descriptor's owner signal (F_SETOWN, O_ASYNC) */
	if (pipe(p) == -1)
		return 1;
	said("fcntl-setsig", fcntl(p[0], F_SETSIG, SIGKILL));
	said("fcntl-setsig-stop", fcntl(p[0], F_SETSIG, SIGSTOP));
	close(p[0]);
	close(p[1]);
	/* a software counter on it (user space only, as perf_event_paranoid
	 * 2 lets anyone count their own processes): what it samples, its
	 * registers and stack, would be read */
	{
		struct {
			unsigned int type, size;
			unsigned long long config, period, sample_type,
			    read_format, flags;
			unsigned char rest[72];
		} pa;

		memset(&pa, 0, sizeof(pa));
		pa.type = 1; /* PERF_TYPE_SOFTWARE */
		pa.size = sizeof(pa);
		pa.config = 0; /* PERF_COUNT_SW_CPU_CLOCK */
		pa.flags = (1ULL << 5) | (1ULL << 6); /* exclude kernel, hv */
		fd = (int)syscall(SYS_perf_event_open, &pa, k, -1, -1, 0);
		said("perf_event_open", fd);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

static _Noreturn void tick_here(const char *dir);

static int
tick(const char *dir)
{
	pid_t pid;

	if ((pid = fork()) == -1)
		return 1;
	if (pid > 0)
		return 0;
	setsid();
	if ((pid = fork()) == -1)
		_exit(1);
	if (pid > 0)
		_exit(0);
	tick_here(dir);
}

/* DIR/pid, then DIR/tick.N every 5 ms, forever */
static _Noreturn void
tick_here(const char *dir)
{
	struct timespec ts = { 0, 5000000 };
	char path[4096];
	long fd;
	int n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pid", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	for (n = 0;; n++) {
		snprintf(path, sizeof(path), "%s/tick.%d", dir, n);
		fd = rawopenat(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			close((int)fd);
		nanosleep(&ts, NULL);
	}
}

static int
stopsup(const char *dir)
{
	struct timespec ts = { 0, 10000000 };
	pid_t sup = getppid();

	char path[4096];
	int i;

	if (tick(dir) != 0)
		return 1;
	/* the daemon acts before */
	snprintf(path, sizeof(path), "%s/tick.3", dir);
	for (i = 0; i < 500 && access(path, F_OK) != 0; i++)
		nanosleep(&ts, NULL);
	ts.tv_nsec = 200000000;
	kill(sup, SIGSTOP);
	nanosleep(&ts, NULL);
	kill(sup, SIGKILL);
	return 0;
}

static int zdepth;
static const char *zdir;
static _Noreturn void zlevel(int d);

static void *
zthread(void *arg)
{
	int d = (int)(long)arg;
	pid_t pid;

	if (d + 1 < zdepth) {
		if ((pid = fork()) == 0)
			zlevel(d + 1);
	} else
		tick_here(zdir);
	for (;;)
		pause();
	return NULL;
}

/* a process of the chain: a thread goes on, the first one exits alone */
static _Noreturn void
zlevel(int d)
{
	pthread_t t;

	if (pthread_create(&t, NULL, zthread, (void *)(long)d) != 0)
		_exit(1);
	for (;;)
		syscall(SYS_exit, 0);
}

static int
zchain(const char *dir, int depth)
{
	struct timespec ts = { 0, 20000000 };
	char path[4096];
	pid_t pid;
	int i;

	zdepth = depth;
	zdir = dir;
	if ((pid = fork()) == -1)
		return 1;
	if (pid == 0) {
		setsid();
		zlevel(0);
	}
	snprintf(path, sizeof(path), "%s/tick.1", dir);
	for (i = 0; i < 1500 && access(path, F_OK) != 0; i++)
		nanosleep(&ts, NULL);
	return access(path, F_OK) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "stopsup") == 0)
		return stopsup(argv[2]);
	if (argc == 4 && strcmp(argv[1], "zchain") == 0)
		return zchain(argv[2], atoi(argv[3]));
	pid_t k;

	if (argc == 3 && strcmp(argv[1], "tick") == 0)
		return tick(argv[2]);
	if (argc == 4 && strcmp(argv[1], "attack") == 0)
		return attack((pid_t)atoi(argv[2]), (pid_t)atoi(argv[3]));
	if (argc == 2 && strcmp(argv[1], "attack") == 0) {
		k = parent_of(getppid());
		return attack(k, getpgid(k));
	}
	fprintf(stderr, "usage: keeper tick DIR | attack [PID PGID]\n");
	return 2;
}
