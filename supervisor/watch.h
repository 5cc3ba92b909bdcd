/*
 * watch.h: the seccomp user-notify layer, the supervisor's half. A watched
 * process (a program the shim cannot follow, or under --strict every
 * process of the tree) carries the watch filter (watchbpf.h), whose
 * listener is handed to the supervisor: by the first child, or by the shim
 * over the attach socket just before the exec it is for. Each notification
 * becomes the same request the shim would have built (sysreq.h: the
 * arguments read out of the caller with process_vm_readv, relative paths
 * taken from /proc/TID/cwd or /proc/TID/fd/N) and goes to the same judge
 * as a question on the ring, with the same denial line and an audit record
 * of layer "seccomp".
 *
 * What stays racy (docs/security.md): an allowed call is let through with
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE, so the kernel reads its pointer
 * arguments again; another thread of the caller that rewrites the path or
 * address in between makes the call act on what it wrote.
 *
 * Runs in the supervisor's event loop, never blocks on a question: an
 * asked call stays pending (the caller waits in the kernel) until
 * watch_settle(). Everything read from a notification or the caller's
 * memory is hostile: every length bounded, every read checked.
 *
 * Error convention: functions return 0 or -1 with errno set; the pollfd
 * function a count.
 */
#ifndef AGENTWRAP_WATCH_H
#define AGENTWRAP_WATCH_H

#include <poll.h>
#include <stdint.h>
#include <sys/types.h>

#include "floor.h"
#include "msg.h"

#define WATCH_MAX_LISTENERS 256
#define WATCH_DEFER 100 /* decide(): asked, watch_settle() comes later */

struct watch_ops {
	/*
	 * Decide M (type AW_MSG_ASK, layer seccomp): record and report it,
	 * and return VERDICT_ALLOW or VERDICT_DENY to enforce now, or
	 * WATCH_DEFER when it was put to a person or harness (then
	 * watch_settle(KEY) answers it).
	 */
	int (*decide)(void *ctx, const struct aw_msg *m, uint64_t key);
	/* A call refused without a decision (another ABI, a ptrace outside
	 * the tree): for the denial line and the audit record */
	void (*refused)(void *ctx, const struct floor_event *ev);
};

struct watch;

/*
 * ROOT heads the tree (the first child); OURS is the attach socket's
 * abstract name ("@..."), which watched shims may always reach.
 */
struct watch *watch_new(
    const struct watch_ops *ops, void *ctx, pid_t root, const char *ours);
void watch_free(struct watch *w);

/*
 * Listener number FDNUM of process PID, taken with pidfd_getfd(2) (PID
 * must be dumpable), if it is a seccomp listener: a descriptor of ours,
 * or -1 with errno set.
 */
int watch_fetch(pid_t pid, int fdnum);

/*
 * Let PID's (the first child's) next exec of PATH (canonical) go on
 * unjudged, once: the command, judged before it started, must not be
 * asked about twice. PID 0: none. NULL W is fine.
 */
void watch_trust_exec(struct watch *w, pid_t pid, const char *path);

/* The first child, once there is one (a rerun makes another) */
void watch_set_root(struct watch *w, pid_t root);
/* Serve listener FD from now on (it becomes W's); -1 if W is full */
int watch_add(struct watch *w, int fd);
/* How many listeners are served */
int watch_count(const struct watch *w);

/* The listeners to poll, at most CAP into PFD; how many */
int watch_pollfds(struct watch *w, struct pollfd *pfd, int cap);
/* After poll(): serve what is ready among the N from watch_pollfds() */
void watch_ready(struct watch *w, const struct pollfd *pfd, int n);

/* The question KEY is settled: answer the waiting call with VERDICT */
void watch_settle(struct watch *w, uint64_t key, int verdict);
/* Is the call KEY waits for still there? (its thread may have died) */
int watch_pending(struct watch *w, uint64_t key);

#endif /* AGENTWRAP_WATCH_H */
