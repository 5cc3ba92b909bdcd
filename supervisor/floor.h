/*
 * floor.h: the kernel floor, a seccomp filter that every process of the
 * tree inherits from the first child, in every mode.
 *
 * It refuses what would change what a path means or who decides, whatever
 * the program and however it makes the call (static binaries, raw syscall
 * instructions, 32-bit system calls): new namespaces (unshare, setns,
 * clone with namespace flags), mounts and the new mount API, chroot and
 * pivot_root, io_uring, userfaultfd, ioctl TIOCSTI and TIOCLINUX, and
 * ptrace attach, process_vm_writev and pidfd_getfd aimed at a process
 * outside the tree (the first child and its descendants: LeakSanitizer's
 * tracer attaches to its own parent, a debugger to its child). clone3 answers ENOSYS (its flags live in memory
 * a filter cannot read), which makes glibc fall back to clone. Before the
 * filter, PR_SET_NO_NEW_PRIVS: set-user-ID bits and file capabilities then
 * grant nothing, so such programs run as the user and the shim follows
 * them.
 *
 * Where the kernel has seccomp user-notify (5.0), the refused calls are
 * sent to the supervisor, which answers each, prints one denial line per
 * call name and writes an audit record (layer "seccomp"); without it they
 * fail with EPERM (ENOSYS for io_uring) and nothing is reported. If the
 * supervisor dies, the kernel fails every notified call with ENOSYS.
 *
 * Error convention: floor_install returns the listener descriptor, or -1
 * (no listener: errno-only filter, or no filter at all; *state says which
 * and *err why). floor_serve returns 0, or -1 when the listener is done.
 */
#ifndef AGENTWRAP_FLOOR_H
#define AGENTWRAP_FLOOR_H

#include <linux/filter.h>
#include <stddef.h>
#include <sys/types.h>

enum floor_state {
	FLOOR_NOTIFY = 0, /* installed, refused calls are reported */
	FLOOR_ERRNO = 1, /* installed, refused calls fail silently */
	FLOOR_NONE = 2, /* not installed (kernel, or --no-seccomp) */
};

/* The floor's filter, compiled once in the supervisor: with user-notify,
 * and refusing without it (for kernels before 5.0) */
struct floor_prog {
	struct sock_fprog notify, errno_only; /* .filter NULL: none */
};

/* Build both programs with libseccomp (it allocates: not after fork).
 * 0, or -1 if neither could be made. */
int floor_prepare(struct floor_prog *p);
void floor_prog_free(struct floor_prog *p);

/*
 * In the child between fork and exec, with system calls only:
 * no_new_privs, then P's filter (P NULL: seccomp turned off).
 */
int floor_install(const struct floor_prog *p, enum floor_state *state,
    char *err, size_t errlen);

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
};

/*
 * Answer every notification waiting on listener FD; ON_DENY is called for
 * each call refused (not for the ptrace family aimed inside the tree that
 * ROOT, the first child, heads: that goes on). -1 when no process uses the
 * filter any more (close FD).
 */
int floor_serve(int fd, pid_t root,
    void (*on_deny)(void *, const struct floor_event *), void *arg);

/* Send and receive the listener over a Unix socket (SCM_RIGHTS), with
 * the state and what became of Landlock (landlock.h); 0 or -1 */
int floor_send(int sock, int fd, enum floor_state state, const char *err,
    int landlock, const char *lwhy);
int floor_recv(int sock, int *fd, enum floor_state *state, char *err,
    size_t errlen, int *landlock, char *lwhy, size_t lwhylen);

#endif /* AGENTWRAP_FLOOR_H */
