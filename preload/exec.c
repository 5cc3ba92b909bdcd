/*
 * exec.c: the exec family, posix_spawn, system and popen. Each judges the
 * argv (OP_EXEC, argv[0] taken as the program really run, and also as the
 * caller wrote it and as the canonical path of the program when those
 * differ: the stricter verdict wins), reports a program the shim cannot
 * follow (static, 32-bit, foreign loader, set-user-ID, file capabilities)
 * as uncovered, then builds a new environment that carries the shim
 * whatever the caller passed (`env -i`, LD_PRELOAD removed or replaced) and
 * calls the real function with it. glibc's posix_spawn, system and popen
 * exec internally, past a hooked execve: system and popen are rebuilt here on
 * the real posix_spawn with that environment; wordexp's command
 * substitutions, which glibc runs the same way, are refused.
 *
 * Runs inside the watched process, in hooks; the exec paths also run in vfork
 * children and between fork and exec: stack only (alloca; mmap for an
 * environment too big for the stack), nothing left changed in memory the
 * parent of a vfork child shares.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <alloca.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "cover.h"
#include "envbuild.h"
#include "shim.h"
#include "watchbpf.h"

#define ENV_STACK_MAX (256 * 1024)

enum exec_kind {
	EK_EXECVE, /* path as given */
	EK_EXECVPE, /* searched in $PATH */
	EK_FEXECVE, /* a descriptor */
	EK_EXECVEAT, /* dirfd + path, or the fd with AT_EMPTY_PATH */
	EK_SPAWN,
	EK_SPAWNP,
	EK_SYS_EXECVE, /* syscall(SYS_execve, ...) */
	EK_SYS_EXECVEAT,
};

struct exec_req {
	int kind;
	int dirfd;
	const char *path;
	int fd;
	int flags;
	char *const *argv;
	char *const *envp;
	pid_t *pidp;
	const posix_spawn_file_actions_t *fa;
	const posix_spawnattr_t *attr;
};

static int
is_spawn(int kind)
{
	return kind == EK_SPAWN || kind == EK_SPAWNP;
}

/* What a failed exec returns: -1 and errno, or posix_spawn's error number */
static long
exec_fail(const struct exec_req *r, int e)
{
	if (is_spawn(r->kind))
		return e;
	errno = e;
	return -1;
}

static void cover_io_init(struct cover_io *io);

/* execvp's search: the first executable regular file along $PATH */
static const char *
search_path(const char *file, char *out, size_t outlen)
{
	struct cover_io io;

	if (file[0] == '\0' || strchr(file, '/') != NULL)
		return file;
	cover_io_init(&io);
	return cover_search(
		   &io, shim_getenv("PATH"), NULL, file, 1, out, outlen)
	    ? out
	    : file;
}

/* The coverage check's file operations: raw system calls, no hook */
static long
c_open(const char *path)
{
	return SYS4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
}

static long
c_pread(int fd, void *buf, size_t n, off_t off)
{
	return SYS4(SYS_pread64, fd, buf, n, off);
}

static long
c_fstat(int fd, struct stat *st)
{
	return SYS4(SYS_newfstatat, fd, "", st, AT_EMPTY_PATH);
}

static long
c_stat(const char *path, struct stat *st)
{
	return SYS4(SYS_newfstatat, AT_FDCWD, path, st, 0);
}

static long
c_has_caps(int fd)
{
	return SYS4(SYS_fgetxattr, fd, "security.capability", NULL, 0);
}

static long
c_can_exec(const char *path)
{
	return SYS4(SYS_faccessat, AT_FDCWD, path, X_OK, 0);
}

static void
c_close(int fd)
{
	SYS1(SYS_close, fd);
}

static void
cover_io_init(struct cover_io *io)
{
	io->open = c_open;
	io->pread = c_pread;
	io->fstat = c_fstat;
	io->stat = c_stat;
	io->has_caps = c_has_caps;
	io->can_exec = c_can_exec;
	io->close = c_close;
	io->euid = geteuid();
	io->egid = getegid();
	/* agentwrap's kernel floor sets it for the tree */
	io->nnp = SYS3(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0) == 1;
}

/* Why the shim cannot follow the program FD holds (NULL: it can) */
static const char *
uncovered_fd(int fd)
{
	struct cover_io io;
	char path[64];
	long n;

	cover_io_init(&io);
	if ((n = SYS3(SYS_fcntl, fd, F_GETFL, 0)) >= 0 && (n & O_PATH)) {
		/* an O_PATH descriptor cannot be read: read what it names */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		return cover_why_path(&io, path);
	}
	return cover_why_fd(&io, fd);
}

static const char *
uncovered_path(const char *path)
{
	struct cover_io io;

	cover_io_init(&io);
	return cover_why_path(&io, path);
}

/* ENOENT or ENOTDIR if the program to run is not there, else 0 */
static int
missing(const struct exec_req *r, const char *target)
{
	struct stat st;
	long e;

	if (r->kind == EK_FEXECVE ||
	    ((r->kind == EK_EXECVEAT || r->kind == EK_SYS_EXECVEAT) &&
		r->path[0] == '\0'))
		return 0;
	e = SYS4(SYS_newfstatat, AT_FDCWD, target, &st, 0);
	return e == -ENOENT || e == -ENOTDIR ? (int)-e : 0;
}

static int
rank(int v)
{
	return v == VERDICT_ALLOW ? 0 : v == VERDICT_ASK ? 1 : 2;
}

/* The program to be run, as a path, in EXE (or a pointer to the caller's) */
static const char *
exec_target(const struct exec_req *r, char *exe, int *err)
{
	size_t n;
	int e;

	*err = 0;
	switch (r->kind) {
	case EK_EXECVPE:
	case EK_SPAWNP:
		return r->path == NULL ? NULL
				       : search_path(r->path, exe, PATH_MAX);
	case EK_FEXECVE:
		if ((e = judge_dir(r->fd, exe, PATH_MAX)) == ENOTDIR)
			return exe; /* a memfd: judged by its name */
		*err = e;
		return e == 0 ? exe : NULL;
	case EK_EXECVEAT:
	case EK_SYS_EXECVEAT:
		if (r->path == NULL)
			return NULL;
		if (r->path[0] == '\0' && (r->flags & AT_EMPTY_PATH)) {
			e = judge_dir(r->dirfd, exe, PATH_MAX);
			*err = e == ENOTDIR ? 0 : e;
			return *err == 0 ? exe : NULL;
		}
		if (r->path[0] == '/' || r->dirfd == AT_FDCWD)
			return r->path;
		if ((e = judge_dir(r->dirfd, exe, PATH_MAX)) != 0) {
			*err = e;
			return NULL;
		}
		n = strlen(exe);
		if (n + 1 + strlen(r->path) >= PATH_MAX) {
			*err = ENAMETOOLONG;
			return NULL;
		}
		exe[n] = '/';
		strcpy(exe + n + 1, r->path);
		return exe;
	default:
		return r->path;
	}
}

/* Judge R; 0 to go on, or the errno to fail with. Reports as needed.
 * *WATCH: the program is one the shim cannot follow, and the seccomp
 * watch is to follow it (shim_watch before the exec). */
static int
exec_judge(struct shim_call *c, const struct exec_req *r, int *watch)
{
	char exe[PATH_MAX], canon[PATH_MAX], moved[PATH_MAX];
	const char *jv[AW_MSG_MAX_ARGV], *target, *why, *given;
	struct pol_request req;
	struct pol_decision d, d2;
	struct judge_obj o;
	size_t argc = 0, jc, i;
	int e, real;

	if ((target = exec_target(r, exe, &e)) == NULL)
		return e; /* 0: a NULL path, the kernel's EFAULT */
	if (target[0] == '\0')
		return 0; /* ENOENT from the kernel */
	/* a relative program after a chdir action is found from there */
	if (is_spawn(r->kind) && r->fa != NULL &&
	    (e = spawnfa_dir(r->fa, target, moved)) != 0) {
		if (e > 0)
			target = moved;
		else {
			memset(&o, 0, sizeof(o));
			o.op = OP_EXEC;
			o.path = target;
			o.argv = &target;
			o.argc = 1;
			o.port = -1;
			if (judge_event(c, &o, VERDICT_DENY, "posix_spawn",
				"a relative program after an fchdir action: "
				"the directory it is run from is not known",
				shim.audit_only ? 0 : EACCES) == -1)
				return shim_fail_errno(c->cls);
			if (!shim.audit_only)
				return EACCES;
		}
	}
	real = judge_canon(c, AT_FDCWD, target, J_FOLLOW, canon) == 0;
	if (!real)
		strcpy(canon, target[0] == '/' ? target : "?");
	while (r->argv != NULL && r->argv[argc] != NULL)
		argc++;
	jc = argc == 0 ? 1 : argc < AW_MSG_MAX_ARGV ? argc : AW_MSG_MAX_ARGV;
	jv[0] = target;
	for (i = 1; i < jc; i++)
		jv[i] = r->argv[i];

	memset(&req, 0, sizeof(req));
	req.op = OP_EXEC;
	req.cwd = "/";
	req.argv = jv;
	req.argc = jc;
	req.port = -1;
	req.fs = &judge_canon_fs;
	/* a program the shim cannot follow: agentwrap.uncovered may ask or
	 * refuse that alone */
	if (r->kind == EK_FEXECVE)
		why = uncovered_fd(r->fd);
	else if ((r->kind == EK_EXECVEAT || r->kind == EK_SYS_EXECVEAT) &&
	    r->path[0] == '\0' && (r->flags & AT_EMPTY_PATH))
		why = uncovered_fd(r->dirfd);
	else
		why = uncovered_path(target);
	/* the watch follows it where there is one: then it is covered */
	*watch = why != NULL && why != cover_unreadable &&
	    policy_watch(shim_policy());
	if (*watch)
		why = NULL;
	if (why != NULL)
		req.flags |= REQ_UNCOVERED;
	shim_decide(&req, &d);
	/*
	 * The name the caller gave is judged as well ("ls" run as /bin/rm,
	 * "cat" found as /usr/bin/cat); the stricter verdict wins, and the
	 * argv reported is the one that gave it (the caller's on a tie), so
	 * that the supervisor, deciding again on the report, agrees.
	 */
	if (argc > 0 && strcmp(r->argv[0], target) != 0) {
		jv[0] = r->argv[0];
		shim_decide(&req, &d2);
		if (rank((int)d.verdict) > rank((int)d2.verdict))
			jv[0] = target;
		else
			d = d2;
	}
	/*
	 * And as the program it really is: a symlink "myrm" to /bin/rm runs
	 * rm whatever the link is called. Reported as the name that gave the
	 * verdict, the canonical path only when it is stricter.
	 */
	if (real && strcmp(canon, target) != 0 &&
	    (argc == 0 || strcmp(canon, r->argv[0]) != 0)) {
		given = jv[0];
		jv[0] = canon;
		shim_decide(&req, &d2);
		if (rank((int)d2.verdict) > rank((int)d.verdict))
			d = d2;
		else
			jv[0] = given;
	}

	memset(&o, 0, sizeof(o));
	o.op = OP_EXEC;
	o.flags = why != NULL ? AW_MF_UNCOVERED : 0;
	o.path = canon;
	o.argv = jv;
	o.argc = argc > 0 ? argc : 1;
	o.port = -1;
	/*
	 * A program that is not there fails with ENOENT first, as the
	 * kernel would: a shell trying each directory of $PATH for a
	 * forbidden name is not denied six times.
	 */
	if (d.verdict != VERDICT_ALLOW && !shim.audit_only &&
	    (e = missing(r, target)) != 0) {
		if (shim.audit &&
		    judge_event(c, &o, (int)d.verdict, d.rule, d.why, e) == -1)
			return shim_fail_errno(c->cls);
		return e;
	}
	if ((e = judge_finish(c, &o, &d)) != 0)
		return e;

	if (why != NULL) {
		o.op = AW_OP_UNCOVERED;
		if (judge_event(c, &o, VERDICT_ALLOW, "uncovered", why, 0) ==
		    -1)
			return shim_fail_errno(c->cls);
	}
	return 0;
}

/* The environment for the new image (envbuild.h) */
static const struct aw_env *
env_vals(struct aw_env *v)
{
	v->shim = shim.shim;
	v->sock = shim.sock;
	v->holder = shim.holder;
	v->token_hex = shim.token_hex;
	v->audit = shim.audit;
	v->audit_only = shim.audit_only;
	return v;
}

static long
exec_call(const struct exec_req *r, char *const *env)
{
	switch (r->kind) {
	case EK_EXECVE:
		return REAL(execve)(r->path, r->argv, env);
	case EK_EXECVPE:
		return REAL(execvpe)(r->path, r->argv, env);
	case EK_FEXECVE:
		return REAL(fexecve)(r->fd, r->argv, env);
	case EK_EXECVEAT:
		return REAL(execveat)(
		    r->dirfd, r->path, r->argv, env, r->flags);
	case EK_SPAWN:
		return REAL(posix_spawn)(
		    r->pidp, r->path, r->fa, r->attr, r->argv, env);
	case EK_SPAWNP:
		return REAL(posix_spawnp)(
		    r->pidp, r->path, r->fa, r->attr, r->argv, env);
	case EK_SYS_EXECVE:
		return REAL(syscall)(SYS_execve, r->path, r->argv, env);
	case EK_SYS_EXECVEAT:
		return REAL(syscall)(
		    SYS_execveat, r->dirfd, r->path, r->argv, env, r->flags);
	}
	return exec_fail(r, EINVAL);
}

/* ring_hand_watch's MAKE: the watch filter on this thread */
static int
make_watch(void *ctx)
{
	struct sock_filter f[WATCH_BPF_MAX];
	struct sock_fprog p;
	long fd;

	(void)ctx;
	if ((p.len = (unsigned short)watch_bpf(f, WATCH_BPF_MAX)) == 0)
		return -ENOSYS;
	p.filter = f;
	fd = SYS3(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER, &p);
	return (int)fd;
}

/*
 * Before the exec of a program the shim cannot follow: the watch filter
 * on this thread (what it runs inherits it; posix_spawn's child too, and
 * this thread stays watched), its listener handed to the supervisor. A
 * thread that has a listener already (EBUSY, or EPERM from the watch
 * itself) is watched if that listener is ours (WATCH_PROBE_PATH).
 * The supervisor takes the listener with pidfd_getfd, which needs this
 * process dumpable for that moment. 0, or the errno to fail the exec with.
 */
static int
exec_watch(struct shim_call *c, const struct exec_req *r)
{
	struct judge_obj o;
	const char *why;
	long dump;
	int e;

	dump = SYS3(SYS_prctl, PR_GET_DUMPABLE, 0, 0);
	if (dump == 0)
		SYS3(SYS_prctl, PR_SET_DUMPABLE, 1, 0);
	e = ring_hand_watch(shim.sock, shim.token, make_watch, NULL);
	if (dump == 0)
		SYS3(SYS_prctl, PR_SET_DUMPABLE, 0, 0);
	if (e == 0)
		return 0;
	/* EBUSY: a listener is in this thread's chain already; EPERM: the
	 * watch refuses a second one. Ours, inherited, answers the probe. */
	if (e == -EBUSY || e == -EPERM) {
		long r = SYS4(SYS_openat, AT_FDCWD, WATCH_PROBE_PATH,
		    O_RDONLY | O_CLOEXEC, 0);

		if (r == -WATCH_PROBE_ERRNO)
			return 0;
		if (r >= 0)
			SYS3(SYS_close, r, 0, 0);
		why = "a seccomp listener that is not agentwrap's is in the "
		      "way, so the watch cannot follow the program";
	} else
		why = e == -ENOSYS || e == -EINVAL
		    ? "no seccomp user-notify filter could be made here"
		    : "the supervisor did not take the watch's listener";
	memset(&o, 0, sizeof(o));
	o.op = AW_OP_UNCOVERED;
	o.path = r->path != NULL ? r->path : "?";
	o.argv = &o.path;
	o.argc = 1;
	o.port = -1;
	if (judge_event(c, &o, VERDICT_DENY, AW_RULE_WATCH, why, EACCES) == -1)
		return shim_fail_errno(c->cls);
	return EACCES;
}

/*
 * Judge R (entered with shim_enter), then run it with the shim's
 * environment. Returns what the hooked function returns.
 */
static long
exec_run(struct shim_call *c, const struct exec_req *r)
{
	struct aw_env ev;
	const char *user;
	size_t size;
	void *buf;
	char **env;
	long ret;
	int e, mapped, watch = 0;

	if ((e = exec_judge(c, r, &watch)) != 0 ||
	    (watch && (e = exec_watch(c, r)) != 0)) {
		shim_leave(c, e);
		return exec_fail(r, e);
	}
	size = aw_env_size(r->envp, env_vals(&ev), &user);
	mapped = size > ENV_STACK_MAX;
	if (mapped) {
		/* XXX in a vfork child this maps into the parent too */
		buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED) {
			shim_leave(c, E2BIG);
			return exec_fail(r, E2BIG);
		}
	} else
		buf = alloca(size);
	env = aw_env_build(buf, r->envp, &ev, user);
	shim_leave(c, 0);
	ret = exec_call(r, env);
	if (mapped) {
		e = errno;
		munmap(buf, size);
		errno = e;
	}
	return ret;
}

static void
req_init(struct exec_req *r, int kind)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->dirfd = AT_FDCWD;
	r->fd = -1;
}

/* Enter an exec hook: PASS runs PASSCALL, FAIL returns FAILRET */
#define EXEC_ENTER(c, name, passcall, failret)                                 \
	do {                                                                   \
		switch (shim_enter(&(c), name, SHIM_EXEC)) {                   \
		case SHIM_PASS:                                                \
			return passcall;                                       \
		case SHIM_JUDGE:                                               \
			break;                                                 \
		default:                                                       \
			return failret;                                        \
		}                                                              \
	} while (0)

SHIM_EXPORT int
execve(const char *path, char *const argv[], char *const envp[])
{
	struct shim_call c;
	struct exec_req r;

	if (!READY(execve))
		return errno = ENOSYS, -1;
	EXEC_ENTER(c, "execve", REAL(execve)(path, argv, envp), -1);
	req_init(&r, EK_EXECVE);
	r.path = path;
	r.argv = argv;
	r.envp = envp;
	return (int)exec_run(&c, &r);
}

SHIM_EXPORT int
execv(const char *path, char *const argv[])
{
	struct shim_call c;
	struct exec_req r;

	if (!READY(execv) || !READY(execve))
		return errno = ENOSYS, -1;
	EXEC_ENTER(c, "execv", REAL(execv)(path, argv), -1);
	req_init(&r, EK_EXECVE);
	r.path = path;
	r.argv = argv;
	r.envp = environ;
	return (int)exec_run(&c, &r);
}

SHIM_EXPORT int
execvp(const char *file, char *const argv[])
{
	struct shim_call c;
	struct exec_req r;

	if (!READY(execvp) || !READY(execvpe))
		return errno = ENOSYS, -1;
	EXEC_ENTER(c, "execvp", REAL(execvp)(file, argv), -1);
	req_init(&r, EK_EXECVPE);
	r.path = file;
	r.argv = argv;
	r.envp = environ;
	return (int)exec_run(&c, &r);
}

SHIM_EXPORT int
execvpe(const char *file, char *const argv[], char *const envp[])
{
	struct shim_call c;
	struct exec_req r;

	if (!READY(execvpe))
		return errno = ENOSYS, -1;
	EXEC_ENTER(c, "execvpe", REAL(execvpe)(file, argv, envp), -1);
	req_init(&r, EK_EXECVPE);
	r.path = file;
	r.argv = argv;
	r.envp = envp;
	return (int)exec_run(&c, &r);
}

/*
 * execl and friends: the list into an array on the stack, its NULL
 * included (ARG is never NULL: glibc declares it nonnull).
 */
#define COLLECT_ARGS(av, arg, ap)                                              \
	do {                                                                   \
		size_t n_, i_;                                                 \
		va_list cp_;                                                   \
                                                                               \
		va_copy(cp_, ap);                                              \
		for (n_ = 1; va_arg(cp_, const char *) != NULL; n_++)          \
			;                                                      \
		va_end(cp_);                                                   \
		(av) = alloca((n_ + 1) * sizeof(char *));                      \
		(av)[0] = (char *)(arg);                                       \
		for (i_ = 1; i_ <= n_; i_++)                                   \
			(av)[i_] = va_arg(ap, char *);                         \
	} while (0)

SHIM_EXPORT int
execl(const char *path, const char *arg, ...)
{
	struct shim_call c;
	struct exec_req r;
	char **av;
	va_list ap;

	if (!READY(execve))
		return errno = ENOSYS, -1;
	va_start(ap, arg);
	COLLECT_ARGS(av, arg, ap);
	va_end(ap);
	EXEC_ENTER(c, "execl", REAL(execve)(path, av, environ), -1);
	req_init(&r, EK_EXECVE);
	r.path = path;
	r.argv = av;
	r.envp = environ;
	return (int)exec_run(&c, &r);
}

SHIM_EXPORT int
execlp(const char *file, const char *arg, ...)
{
	struct shim_call c;
	struct exec_req r;
	char **av;
	va_list ap;

	if (!READY(execvp) || !READY(execvpe))
		return errno = ENOSYS, -1;
	va_start(ap, arg);
	COLLECT_ARGS(av, arg, ap);
	va_end(ap);
	EXEC_ENTER(c, "execlp", REAL(execvp)(file, av), -1);
	req_init(&r, EK_EXECVPE);
	r.path = file;
	r.argv = av;
	r.envp = environ;
	return (int)exec_run(&c, &r);
}

SHIM_EXPORT int
execle(const char *path, const char *arg, ...)
{
	struct shim_call c;
	struct exec_req r;
	char **av, *const *envp;
	va_list ap;

	if (!READY(execve))
		return errno = ENOSYS, -1;
	va_start(ap, arg);
	COLLECT_ARGS(av, arg, ap);
	envp = va_arg(ap, char *const *); /* after the list's NULL */
	va_end(ap);
	EXEC_ENTER(c, "execle", REAL(execve)(path, av, envp), -1);
	req_init(&r, EK_EXECVE);
	r.path = path;
	r.argv = av;
	r.envp = envp;
	return (int)exec_run(&c, &r);
}

SHIM_EXPORT int
fexecve(int fd, char *const argv[], char *const envp[])
{
	struct shim_call c;
	struct exec_req r;

	if (!READY(fexecve))
		return errno = ENOSYS, -1;
	EXEC_ENTER(c, "fexecve", REAL(fexecve)(fd, argv, envp), -1);
	req_init(&r, EK_FEXECVE);
	r.fd = fd;
	r.argv = argv;
	r.envp = envp;
	return (int)exec_run(&c, &r);
}

SHIM_EXPORT int
execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
    int flags)
{
	struct shim_call c;
	struct exec_req r;

	if (!READY(execveat))
		return errno = ENOSYS, -1;
	EXEC_ENTER(
	    c, "execveat", REAL(execveat)(dirfd, path, argv, envp, flags), -1);
	req_init(&r, EK_EXECVEAT);
	r.dirfd = dirfd;
	r.path = path;
	r.flags = flags;
	r.argv = argv;
	r.envp = envp;
	return (int)exec_run(&c, &r);
}

SHIM_EXPORT int
posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	struct shim_call c;
	struct exec_req r;

	if (!READY(posix_spawn))
		return ENOSYS;
	EXEC_ENTER(c, "posix_spawn",
	    REAL(posix_spawn)(pid, path, fa, attr, argv, envp), errno);
	req_init(&r, EK_SPAWN);
	r.pidp = pid;
	r.path = path;
	r.fa = fa;
	r.attr = attr;
	r.argv = argv;
	r.envp = envp;
	return (int)exec_run(&c, &r);
}

SHIM_EXPORT int
posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
    const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	struct shim_call c;
	struct exec_req r;

	if (!READY(posix_spawnp))
		return ENOSYS;
	EXEC_ENTER(c, "posix_spawnp",
	    REAL(posix_spawnp)(pid, file, fa, attr, argv, envp), errno);
	req_init(&r, EK_SPAWNP);
	r.pidp = pid;
	r.path = file;
	r.fa = fa;
	r.attr = attr;
	r.argv = argv;
	r.envp = envp;
	return (int)exec_run(&c, &r);
}

/* syscall(SYS_execve / SYS_execveat, ...), from sys.c, entered */
long
exec_syscall(
    struct shim_call *c, long nr, long a, long b, long d, long e, long f)
{
	struct exec_req r;

	if (nr == SYS_execve) {
		req_init(&r, EK_SYS_EXECVE);
		r.path = (const char *)a;
		r.argv = (char *const *)b;
		r.envp = (char *const *)d;
	} else {
		req_init(&r, EK_SYS_EXECVEAT);
		r.dirfd = (int)a;
		r.path = (const char *)b;
		r.argv = (char *const *)d;
		r.envp = (char *const *)e;
		r.flags = (int)f;
	}
	return exec_run(c, &r);
}

/*
 * system(3), as POSIX describes it, on the real posix_spawn so the shell
 * gets the shim: SIGINT and SIGQUIT ignored and SIGCHLD blocked in the
 * caller while the command runs.
 */
static pthread_mutex_t sys_lock = PTHREAD_MUTEX_INITIALIZER;
static int sys_count;
static struct sigaction sys_oint, sys_oquit;

SHIM_EXPORT int
system(const char *command)
{
	static char sh[] = "sh", dashc[] = "-c";
	struct sigaction ign;
	struct shim_call c;
	struct exec_req r;
	posix_spawnattr_t attr;
	sigset_t chld, omask, def;
	char *argv[4];
	pid_t pid;
	int status, e;

	if (!READY(system) || !READY(posix_spawn))
		return errno = ENOSYS, -1;
	EXEC_ENTER(c, "system", REAL(system)(command), -1);
	if (command == NULL) {
		shim_leave(&c, 0);
		return SYS4(SYS_faccessat, AT_FDCWD, "/bin/sh", X_OK, 0) == 0;
	}
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigemptyset(&def);
	pthread_mutex_lock(&sys_lock);
	if (sys_count++ == 0) {
		sigaction(SIGINT, &ign, &sys_oint);
		sigaction(SIGQUIT, &ign, &sys_oquit);
	}
	if (sys_oint.sa_handler != SIG_IGN)
		sigaddset(&def, SIGINT);
	if (sys_oquit.sa_handler != SIG_IGN)
		sigaddset(&def, SIGQUIT);
	pthread_mutex_unlock(&sys_lock);
	sigprocmask(SIG_BLOCK, &chld, &omask);

	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &omask);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(
	    &attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	argv[0] = sh;
	argv[1] = dashc;
	argv[2] = (char *)command;
	argv[3] = NULL;
	req_init(&r, EK_SPAWN);
	r.pidp = &pid;
	r.path = "/bin/sh";
	r.attr = &attr;
	r.argv = argv;
	r.envp = environ;
	if ((e = (int)exec_run(&c, &r)) == 0) {
		while (waitpid(pid, &status, 0) == -1)
			if (errno != EINTR) {
				status = -1;
				break;
			}
	} else
		status = W_EXITCODE(127, 0);
	posix_spawnattr_destroy(&attr);

	pthread_mutex_lock(&sys_lock);
	if (--sys_count == 0) {
		sigaction(SIGINT, &sys_oint, NULL);
		sigaction(SIGQUIT, &sys_oquit, NULL);
	}
	pthread_mutex_unlock(&sys_lock);
	sigprocmask(SIG_SETMASK, &omask, NULL);
	if (e != 0)
		errno = e;
	return status;
}

/* popen(3)/pclose(3) on the real posix_spawn: the streams this shim opened */
#define POPEN_MAX 256

static struct {
	FILE *f;
	pid_t pid;
	int fd;
} popens[POPEN_MAX];
static pthread_mutex_t popen_lock = PTHREAD_MUTEX_INITIALIZER;

void
exec_atfork_child(void)
{
	pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;

	memcpy(&popen_lock, &fresh, sizeof(fresh));
	memcpy(&sys_lock, &fresh, sizeof(fresh));
	sys_count = 0;
}

static int
popen_slot(void)
{
	int i;

	for (i = 0; i < POPEN_MAX; i++)
		if (popens[i].f == NULL)
			return i;
	return -1;
}

SHIM_EXPORT FILE *
popen(const char *command, const char *mode)
{
	static char sh[] = "sh", dashc[] = "-c";
	posix_spawn_file_actions_t fa;
	struct shim_call c;
	struct exec_req r;
	char *argv[4];
	const char *m;
	int rd, cloexec = 0, p[2], pe, ce, target, slot, e, i;
	pid_t pid;
	FILE *f;

	if (!READY(popen) || !READY(posix_spawn))
		return errno = ENOSYS, NULL;
	EXEC_ENTER(c, "popen", REAL(popen)(command, mode), NULL);
	if (mode == NULL || (mode[0] != 'r' && mode[0] != 'w') ||
	    command == NULL) {
		shim_leave(&c, EINVAL);
		return NULL;
	}
	for (m = mode + 1; *m != '\0'; m++) {
		if (*m == 'e')
			cloexec = 1;
		else {
			shim_leave(&c, EINVAL);
			return NULL;
		}
	}
	rd = mode[0] == 'r';
	if (pipe2(p, O_CLOEXEC) == -1) {
		shim_leave(&c, errno);
		return NULL;
	}
	pe = rd ? p[0] : p[1];
	ce = rd ? p[1] : p[0];
	target = rd ? STDOUT_FILENO : STDIN_FILENO;
	if (ce == target) {
		/* a dup2 onto itself would keep the close-on-exec flag */
		e = (int)SYS3(SYS_fcntl, ce, F_DUPFD_CLOEXEC, 3);
		SYS1(SYS_close, ce);
		if (e < 0) {
			SYS1(SYS_close, pe);
			shim_leave(&c, -e);
			return NULL;
		}
		ce = e;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, ce, target);
	pthread_mutex_lock(&popen_lock);
	if ((slot = popen_slot()) == -1) {
		pthread_mutex_unlock(&popen_lock);
		posix_spawn_file_actions_destroy(&fa);
		SYS1(SYS_close, pe);
		SYS1(SYS_close, ce);
		shim_leave(&c, EMFILE);
		return NULL;
	}
	/* streams of earlier popen calls are not the new child's business */
	for (i = 0; i < POPEN_MAX; i++)
		if (popens[i].f != NULL)
			posix_spawn_file_actions_addclose(&fa, popens[i].fd);
	argv[0] = sh;
	argv[1] = dashc;
	argv[2] = (char *)command;
	argv[3] = NULL;
	req_init(&r, EK_SPAWN);
	r.pidp = &pid;
	r.path = "/bin/sh";
	r.fa = &fa;
	r.argv = argv;
	r.envp = environ;
	e = (int)exec_run(&c, &r);
	posix_spawn_file_actions_destroy(&fa);
	SYS1(SYS_close, ce);
	if (e != 0) {
		pthread_mutex_unlock(&popen_lock);
		SYS1(SYS_close, pe);
		errno = e;
		return NULL;
	}
	if (!cloexec)
		SYS3(SYS_fcntl, pe, F_SETFD, 0);
	if ((f = fdopen(pe, rd ? "r" : "w")) == NULL) {
		e = errno;
		pthread_mutex_unlock(&popen_lock);
		SYS1(SYS_close, pe);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		errno = e;
		return NULL;
	}
	popens[slot].f = f;
	popens[slot].pid = pid;
	popens[slot].fd = pe;
	pthread_mutex_unlock(&popen_lock);
	return f;
}

SHIM_EXPORT int
pclose(FILE *stream)
{
	pid_t pid = -1;
	int i, status;

	if (stream != NULL) {
		pthread_mutex_lock(&popen_lock);
		for (i = 0; i < POPEN_MAX; i++)
			if (popens[i].f == stream) {
				pid = popens[i].pid;
				popens[i].f = NULL;
				break;
			}
		pthread_mutex_unlock(&popen_lock);
	}
	if (pid == -1) {
		if (!READY(pclose))
			return errno = ENOSYS, -1;
		return REAL(pclose)(stream);
	}
	fclose(stream);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return status;
}

/*
 * wordexp(3) runs each command substitution in /bin/sh through glibc's own
 * exec, past every hook, with the environment the shim hid: a shell that
 * runs without the shim. So a command substitution is refused with
 * WRDE_CMDSUB, as under WRDE_NOCMD, and reported as a denied exec of
 * /bin/sh (rule "wordexp"); everything else expands as asked. glibc's own
 * parser tells which is which: the words are expanded with WRDE_NOCMD.
 */
SHIM_EXPORT int
wordexp(const char *words, wordexp_t *p, int flags)
{
	const char *argv[3];
	struct shim_call c;
	struct judge_obj o;
	int r;

	if (!READY(wordexp))
		return WRDE_NOSPACE;
	switch (shim_enter(&c, "wordexp", SHIM_EXEC)) {
	case SHIM_PASS:
		return REAL(wordexp)(words, p, flags);
	case SHIM_JUDGE:
		break;
	default: /* failing closed: expand, but run nothing */
		return REAL(wordexp)(words, p, flags | WRDE_NOCMD);
	}
	shim_leave(&c, 0);
	r = REAL(wordexp)(words, p, flags | WRDE_NOCMD);
	if (r != WRDE_CMDSUB || (flags & WRDE_NOCMD) || words == NULL)
		return r;
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = words;
	memset(&o, 0, sizeof(o));
	o.op = OP_EXEC;
	o.path = argv[0];
	o.argv = argv;
	o.argc = 3;
	o.port = -1;
	if (judge_event(&c, &o, VERDICT_DENY, "wordexp",
		"wordexp() runs a command substitution in a shell the shim "
		"cannot follow: refused, as under WRDE_NOCMD",
		shim.audit_only ? 0 : shim_fail_errno(SHIM_EXEC)) == -1)
		return WRDE_CMDSUB;
	/* a failed expansion leaves P as it was: expand again as asked */
	if (shim.audit_only)
		return REAL(wordexp)(words, p, flags);
	return WRDE_CMDSUB;
}
