/*
 * floor.h: the kernel floor, a seccomp filter that every process of the
 * tree inherits from the first child, in every mode.
 *
 * It refuses what would change what a path means or who decides, whatever
 * the program and however it makes the call (static binaries, raw syscall
 * instructions, 32-bit system calls): new namespaces (unshare, setns,
 * clone with namespace flags), mounts and the new mount API, chroot and
 * pivot_root, io_uring (ENOSYS), userfaultfd, ioctl TIOCSTI and TIOCLINUX,
 * any ptrace or process_vm_readv/writev aimed at the supervisor, and
 * kill(-1) (every process of the user's). And the keeper (keeper.h):
 * no signal, pidfd, ptrace or resource limit aimed at it (kill by its
 * pid, its group or kill(0), tkill, tgkill, rt_(tg)sigqueueinfo,
 * pidfd_open, prlimit64, the sched_set* calls, setpriority and
 * ioprio_set of it, its group or every process of the user's;
 * pidfd_send_signal answers ENOSYS, since a pidfd can come from opening
 * /proc/PID; no F_SETSIG of SIGKILL or SIGSTOP). clone3 answers ENOSYS
 * (its flags live in memory a filter cannot read), which makes glibc
 * fall back to clone.
 * Before the filter, PR_SET_NO_NEW_PRIVS: set-user-ID bits and file
 * capabilities then grant nothing, so such programs run as the user and
 * the shim follows them.
 *
 * The floor has no listener and costs nothing per call: its refusals are
 * plain errno answers, which nothing in the tree can override, and which
 * are not reported. It leaves the one listener a filter chain may have
 * (the kernel allows one) to the watch (watch.h, watchbpf.h): a subtree
 * the shim cannot follow, or under --strict the whole tree, also carries
 * the watch filter, which sends the ptrace family aimed at processes
 * outside the tree to floor_trace().
 *
 * Error convention: floor_install and floor_send/recv return 0 or -1,
 * floor_install a listener or -1.
 * floor_trace returns 1 when it answered, 0 when the caller must refuse.
 */
#ifndef AGENTWRAP_FLOOR_H
#define AGENTWRAP_FLOOR_H

#include <linux/filter.h>
#include <stddef.h>
#include <sys/types.h>

enum floor_state {
	FLOOR_NOTIFY = 0, /* installed, and the watch can have a listener */
	FLOOR_ERRNO = 1, /* installed; no user-notify for the watch */
	FLOOR_NONE = 2, /* not installed (kernel, or --no-seccomp) */
};

/* The floor's filter, compiled once in the supervisor */
struct floor_prog {
	struct sock_fprog prog; /* .filter NULL: none */
	/* for a tree watched from its first child: the floor's refusals
	 * as notifications (answered and reported by the supervisor) and
	 * the watch's rules, in one filter with the listener */
	struct sock_fprog watched;
};

/* Build both programs with libseccomp (it allocates: not after fork),
 * guarding KEEPER and its process group KGROUP (0: no keeper).
 * 0, or -1 if neither could be made. */
int floor_prepare(struct floor_prog *p, pid_t keeper, pid_t kgroup);
void floor_prog_free(struct floor_prog *p);

/*
 * In the child between fork and exec, with system calls only:
 * no_new_privs, then P's filter (P NULL: seccomp turned off), or with
 * WATCH the watched one, whose listener is returned. -1: no listener;
 * *state says whether the floor is in, and ERR why not, or why there is
 * no listener.
 */
int floor_install(const struct floor_prog *p, int watch,
    enum floor_state *state, char *err, size_t errlen);

/*
 * In the holder (hold.h), once it has nothing left to do but sleep: a
 * filter of its own that lets it sleep in pause(2) and die, and kills it
 * at any other call. The holder is dumpable, so the tree may write its
 * memory through /proc/PID/mem; code written there must not be a process
 * of the user's without the floor or the shim. Async-signal-safe, no
 * allocation. 0, or -1 with errno set (then the holder must not serve).
 */
int floor_hold(void);

/* One refused call, for the caller to report and record */
struct floor_event {
	pid_t pid;
	const char *call; /* "unshare", "ioctl(TIOCSTI)", ... */
	const char *why; /* what it would have let the program do */
	int err; /* floor_trace: the errno to refuse it with */
};

/*
 * Notification N on watch listener FD is one of the floor's calls (a tree
 * watched from its first child sends them too). The ptrace family
 * (ptrace attach, process_vm_writev, pidfd_getfd): let it go on (or make
 * it, for pidfd_getfd) when its target is ROOT, the first child, or
 * descends from it, and return 1. Else fill EV and return 0: refuse it
 * with EV->err.
 * LeakSanitizer's tracer attaches to its own parent, hence the tree and not
 * the caller's descendants.
 */
struct seccomp_notif;
/* Is NAME (a system call's) one the floor has a rule for? */
int floor_call(const char *name);
int floor_trace(
    int fd, const struct seccomp_notif *n, pid_t root, struct floor_event *ev);

/* Send and receive how the floor stands, the watch listener's number in
 * the sender (FD, -1 none) and what became of Landlock (landlock.h) */
int floor_send(int sock, int fd, enum floor_state state, const char *err,
    int landlock, const char *lwhy);
int floor_recv(int sock, int *fd, enum floor_state *state, char *err,
    size_t errlen, int *landlock, char *lwhy, size_t lwhylen);

#endif /* AGENTWRAP_FLOOR_H */
