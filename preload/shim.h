/*
 * shim.h: the preload shim's private interface: its state, the real libc
 * functions (one pointer per row of hooks.def), the re-entry guard, and the
 * helpers the hook modules share (judging, reporting, environment for
 * exec). The shim holds no descriptor: the ring and the snapshot are
 * mapped, and their descriptors closed, before main() runs.
 *
 * Runs inside the watched process, in every process of the tree, called from
 * any thread, from signal handlers, in vfork children and between fork and
 * exec: after start nothing here allocates, takes a lock or uses stdio.
 */
#ifndef AGENTWRAP_SHIM_H
#define AGENTWRAP_SHIM_H

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <dirent.h>
#include <netdb.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <utime.h>
#include <wordexp.h>

#include "msg.h"
#include "policy.h"
#include "proto.h"
#include "ring.h"
#include "sysreq.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

/* res_state, without <resolv.h> and its macros (p_type...) */
struct __res_state;

/* Legacy stat entry points (glibc < 2.33 binaries call these) */
struct stat64;
int __xstat(int, const char *, struct stat *);
int __xstat64(int, const char *, struct stat64 *);
int __lxstat(int, const char *, struct stat *);
int __lxstat64(int, const char *, struct stat64 *);
int __fxstatat(int, int, const char *, struct stat *, int);
int __fxstatat64(int, int, const char *, struct stat64 *, int);
int __xmknod(int, const char *, mode_t, dev_t *);
int __xmknodat(int, int, const char *, mode_t, dev_t *);
/* Fortified entry points (declared by glibc only under _FORTIFY_SOURCE) */
int __open_2(const char *, int);
int __open64_2(const char *, int);
int __openat_2(int, const char *, int);
int __openat64_2(int, const char *, int);
int __open(const char *, int, ...);
int __open64(const char *, int, ...);

/* The real functions: a pointer per row of hooks.def, filled at start */
struct shim_real {
#define HOOK(cls, ret, name, params, prep, judge, call, fail) ret(*name) params;
#define HAND(ret, name, params) ret(*name) params;
#define ALIAS(ret, name, params, of, args)
#include "hooks.def"
#undef HOOK
#undef HAND
#undef ALIAS
};
extern struct shim_real shim_real;
/* SLOT's function, looked up (dlsym RTLD_NEXT) on first use; NULL if libc
 * has none */
void *shim_resolve(void **slot, const char *name);
#define REAL(name)                                                             \
	(__builtin_expect(                                                     \
	     __atomic_load_n(&shim_real.name, __ATOMIC_ACQUIRE) != NULL, 1)    \
		? shim_real.name                                               \
		: (__typeof__(shim_real.name))shim_resolve(                    \
		      (void **)&shim_real.name, #name))

/* Classes of calls: what a fail-closed call fails with */
enum shim_cls {
	SHIM_FS, /* EACCES */
	SHIM_EXEC, /* EACCES */
	SHIM_NET, /* EPERM */
};

enum shim_mode {
	SHIM_UNINIT = 0,
	SHIM_INERT, /* not under agentwrap: every hook passes through */
	SHIM_ACTIVE,
	SHIM_FAILED, /* under agentwrap but broken: every hook fails */
};

struct shim_state {
	int mode; /* enum shim_mode */
	int audit; /* report every intercepted call */
	int audit_only; /* report, never enforce */
	struct ring_client rc;
	struct policy *pol; /* read it with shim_policy(): a new generation
			       replaces it while other threads decide */
	uint32_t snap_gen; /* the generation pol was loaded from */
	int refreshing; /* a thread is loading a new generation */
	unsigned int nrefresh; /* generations loaded (each one is kept) */
	int pid; /* this process, set again in a fork child */
	char sock[AW_ATTACH_NAME_MAX + 1]; /* AGENTWRAP_SOCK, for children */
	char holder[12]; /* AGENTWRAP_HOLDER, for children ("" if none) */
	long holder_pid; /* the same, or 0 */
	uint8_t token[AW_TOKEN_LEN];
	int attach_state; /* shim_attach */
	int attach_tid;
	char token_hex[2 * AW_TOKEN_LEN + 1];
	char shim[PATH_MAX]; /* our own path, for LD_PRELOAD */
	char exe[PATH_MAX]; /* /proc/self/exe: read it with shim_exe() */
	char why[256]; /* why it failed closed */
};
extern struct shim_state shim;

/* The policy to decide with: the newest generation this process loaded */
static inline struct policy *
shim_policy(void)
{
	return __atomic_load_n(&shim.pol, __ATOMIC_ACQUIRE);
}
/*
 * The supervisor published a new policy snapshot (a session grant): load
 * it, unless another thread is at it. Without malloc: safe in hooks.
 */
void shim_refresh(void);

/*
 * The per-thread re-entry guard, held while the shim runs library code that
 * may come back into hooks (its start, the real resolver): such calls go
 * straight to the real function. Judging itself calls no hooked symbol
 * (raw system calls, REAL() pointers), so a signal handler that interrupts
 * a hook is judged like any other caller.
 */
extern __thread int shim_guard __attribute__((tls_model("initial-exec")));

/*
 * A relative path judged in a process with threads is pinned: the judge
 * opens the directory it is relative to (O_PATH, or a dup of the dirfd),
 * judges the path from what that descriptor names, and the call then goes
 * through "/proc/self/fd/PIN/PATH" (shim_pinned), so that a chdir() or
 * dup2() in another thread between the two cannot make the call act
 * somewhere else than where it was judged.
 */
#define SHIM_NPIN 2 /* a call's paths: rename and link have two */
struct shim_pin {
	const char *orig; /* the caller's path */
	int fd; /* the pinned directory, or -1 */
};

/* One intercepted call */
struct shim_call {
	const char *call; /* libc function or syscall name */
	int cls; /* enum shim_cls */
	int saved_errno;
	int can_pin; /* its call goes through shim_pinned (HOOK rows) */
	int pin_slot; /* which of the call's paths is being judged */
	int npin, nbuf;
	struct shim_pin pin[SHIM_NPIN];
	char *tmpl; /* a template the call fills in (mkstemp): copied back */
	const char *tmpl_pinned;
};

/*
 * The call's path number SLOT (0, or 1 for the second path of rename and
 * link) as the call must pass it: the pinned form if the judge pinned PATH
 * (in a per-thread buffer), else PATH itself. TMPL: the call writes into
 * it (mkstemp), so what it wrote is copied back by shim_unpin.
 */
char *shim_pinned(struct shim_call *c, int slot, const char *path, int tmpl);
/* After the call: close the pins, copy a template back; errno kept */
void shim_unpin(struct shim_call *c);

enum { SHIM_PASS, SHIM_JUDGE, SHIM_FAIL };

/*
 * Start of every judged hook. SHIM_PASS: call the real function untouched
 * (inert, or a call the shim itself makes). SHIM_FAIL: fail closed now, errno
 * is set. SHIM_JUDGE: judge, then shim_leave().
 */
int shim_enter(struct shim_call *c, const char *call, int cls);
/* E != 0: set errno to E and return 1; else restore the caller's errno. */
int shim_leave(struct shim_call *c, int e);
/* The errno a fail-closed call of class CLS fails with */
int shim_fail_errno(int cls);
/* READY(name): is the real function there? Says so on stderr if not. */
int shim_ready(const char *name);
#define READY(name) (REAL(name) != NULL || shim_ready(#name))
/* A real function is missing: one line on stderr; returns ENOSYS. */
int shim_missing(const char *name);
/* Say once on stderr that the shim fails closed, and why. */
void shim_say_failed(const char *why);
/* From now on every hooked call fails (and say so once) */
void shim_fail_closed(const char *why);
void shim_init(void);
/* The ring and the snapshot, on the first judged call (shim_enter does
 * it): 0, or -1 when this call must fail closed */
int shim_attach(void);
/* The program's path (/proc/self/exe), or NULL if it cannot be read */
const char *shim_exe(void);
/* getenv(3) over environ itself, whatever getenv the program brings */
const char *shim_getenv(const char *name);

/* The ring: a one-way post (0 or -1), and a round trip with no timeout
 * (the supervisor enforces approval_timeout): the verdict, or -1 when the
 * supervisor is gone */
int shim_post(const void *buf, size_t len);
int shim_ask(const void *buf, size_t len);

/* Raw system calls that never come back into the shim */
long shim_sys(long nr, long a, long b, long c, long d, long e, long f);
#define SYS0(nr) shim_sys((nr), 0, 0, 0, 0, 0, 0)
#define SYS1(nr, a) shim_sys((nr), (long)(a), 0, 0, 0, 0, 0)
#define SYS2(nr, a, b) shim_sys((nr), (long)(a), (long)(b), 0, 0, 0, 0)
#define SYS3(nr, a, b, c)                                                      \
	shim_sys((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SYS4(nr, a, b, c, d)                                                   \
	shim_sys((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* Judging (judge.c). Each returns 0 (go on) or the errno to fail with. */
void judge_init(void); /* once, from the constructor */
/* how a path is judged: sysreq.h's flags, shared with the seccomp layer */
#define J_FOLLOW SR_FOLLOW
#define J_NOFOLLOW SR_NOFOLLOW
#define J_ENTRY SR_ENTRY
#define J_EMPTY SR_EMPTY
#define J_NULL_FD SR_NULL_FD
#define J_MAKE SR_MAKE
#define J_NEW SR_NEW

int judge_path(
    struct shim_call *c, int op, int dirfd, const char *path, int how);
/* as judge_path, with AT_SYMLINK_NOFOLLOW / AT_EMPTY_PATH from ATFLAGS */
int judge_path_at(struct shim_call *c, int op, int dirfd, const char *path,
    int atflags, int how);
/* linkat's AT_SYMLINK_FOLLOW and AT_EMPTY_PATH apply to the old path */
int judge_link(struct shim_call *c, int d1, const char *p1, int d2,
    const char *p2, int atflags);
int judge_rename(
    struct shim_call *c, int d1, const char *p1, int d2, const char *p2);
int judge_open(struct shim_call *c, int dirfd, const char *path, int flags);
int judge_fopen(struct shim_call *c, const char *path, const char *mode);
int judge_freopen(
    struct shim_call *c, const char *path, const char *mode, FILE *stream);
/* A socket address: HOW is SR_SEND, SR_BIND or 0 (connect), sysreq.h */
int judge_sockaddr(struct shim_call *c, int op, const struct sockaddr *sa,
    socklen_t len, int how);
/* fchmod and friends on FD: a write of its object unless FD is open for
 * writing (that was judged at the open) */
int judge_fd_write(struct shim_call *c, int fd);

/*
 * policy_decide with the process's policy: terse (no sentence) for what
 * is allowed and not audited, in full for what will be reported.
 */
enum pol_verdict shim_decide(struct pol_request *req, struct pol_decision *d);

/* The one place a verdict is reported and applied */
struct judge_obj {
	int op; /* enum pol_op or AW_OP_* */
	const char *path, *path2;
	const char *const *argv;
	size_t argc;
	const char *host, *addr;
	int port;
	int flags; /* AW_MF_* the supervisor needs to decide it again */
	const uint8_t *dns; /* a raw query (RESOLVE only), DNS_LEN bytes */
	size_t dns_len;
};
/*
 * Apply D: report it, and when the verdict is ask (and something is
 * enforced), ask the supervisor and wait for its answer, however long the
 * question takes; D->verdict then becomes the answer (allow or deny).
 */
int judge_finish(
    struct shim_call *c, const struct judge_obj *o, struct pol_decision *d);
/* Report without a decision (uncovered exec, malformed input) */
int judge_event(struct shim_call *c, const struct judge_obj *o, int verdict,
    const char *rule, const char *why, int err);
/* The directory a relative path is taken from; 0 or an errno */
int judge_dir(int dirfd, char *out, size_t len);
/* canonicalise PATH against DIRFD; 0, or an errno (-1: pass to the kernel) */
int judge_canon(
    struct shim_call *c, int dirfd, const char *path, int how, char *out);
/* A filesystem whose every name is a plain entry: for canonical paths */
extern const struct pathres_fs judge_canon_fs;

/*
 * Ask the supervisor to resolve and judge O->host (an AW_MSG_RESOLVE round
 * trip, entered): its answer message into ANS (at most ANSCAP bytes), the
 * verdict to enforce into *VERDICT. Returns the answer's length, or -1 when
 * the supervisor is gone.
 */
int judge_resolve_ask(struct shim_call *c, const struct judge_obj *o,
    uint8_t *ans, size_t anscap, int *verdict);

/* syscall(SYS_execve / SYS_execveat, ...) judged and carried (exec.c) */
long exec_syscall(
    struct shim_call *c, long nr, long a, long b, long d, long e, long f);
/*
 * REL as the child of a posix_spawn with file actions FA will see it, after
 * FA's chdir actions: 0 (no chdir action, or REL absolute: REL as it is),
 * 1 (the path, into OUT, PATH_MAX bytes), -1 (not known: an fchdir
 * action) (spawnfa.c)
 */
int spawnfa_dir(
    const posix_spawn_file_actions_t *fa, const char *rel, char *out);
/* popen/pclose bookkeeping reset after fork (exec.c) */
void exec_atfork_child(void);

#endif /* AGENTWRAP_SHIM_H */
