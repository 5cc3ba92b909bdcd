/*
 * judge.c: from a hooked call's arguments to a verdict: take a path relative
 * to the directory its descriptor really names, canonicalise it once, ask
 * the policy snapshot, and report the call on the ring when it is not
 * allowed or when everything is audited.
 *
 * Runs inside the watched process, inside hooks: no allocation, no stdio,
 * no locks; stack only. The fast path makes no system call beyond the
 * readlinks the canonicalisation needs (and getcwd for a relative path).
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/single_threaded.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <alloca.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

#define JUDGE_SKIP (-1) /* nothing to judge: the kernel answers */

/* A readlink that knows one canonical directory and skips its prefixes */
struct canon_ctx {
	const char *dir;
	size_t dirlen;
};

static ssize_t
canon_readlink(void *ctx, const char *path, char *buf, size_t len, int *err)
{
	const struct canon_ctx *k = ctx;
	size_t n;
	long r;

	if (k->dir != NULL) {
		n = strlen(path);
		if (n <= k->dirlen && memcmp(path, k->dir, n) == 0 &&
		    (k->dir[n] == '/' || k->dir[n] == '\0')) {
			*err = EINVAL;
			return -1;
		}
	}
	r = SYS4(SYS_readlinkat, AT_FDCWD, path, buf, len);
	if (r < 0) {
		*err = (int)-r;
		return -1;
	}
	return (ssize_t)r;
}

/* Every name is a plain entry: what a canonical path needs */
static ssize_t
plain_readlink(void *ctx, const char *path, char *buf, size_t len, int *err)
{
	(void)ctx;
	(void)path;
	(void)buf;
	(void)len;
	*err = EINVAL;
	return -1;
}

const struct pathres_fs judge_canon_fs = { plain_readlink, NULL };

static int
fd_link(int fd, char *out, size_t len)
{
	char proc[32] = "/proc/self/fd/";
	char digits[12];
	size_t n = 0, p = strlen(proc);
	unsigned int v = (unsigned int)fd;
	long r;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		proc[p++] = digits[--n];
	proc[p] = '\0';
	r = SYS4(SYS_readlinkat, AT_FDCWD, proc, out, len - 1);
	if (r < 0) {
		if (SYS3(SYS_fcntl, fd, F_GETFD, 0) < 0)
			return EBADF;
		return EACCES; /* no /proc: nothing can be judged */
	}
	out[r] = '\0';
	return 0;
}

int
judge_dir(int dirfd, char *out, size_t len)
{
	long r;
	int e;

	if (dirfd == AT_FDCWD) {
		r = SYS2(SYS_getcwd, out, len);
		if (r < 0)
			return (int)-r;
		return out[0] == '/' ? 0 : EACCES; /* "(unreachable)" */
	}
	if (dirfd < 0)
		return EBADF;
	if ((e = fd_link(dirfd, out, len)) != 0)
		return e;
	return out[0] == '/' ? 0 : ENOTDIR;
}

enum pol_verdict
shim_decide(struct pol_request *req, struct pol_decision *d)
{
	const struct policy *pol = shim_policy();
	int flags = req->flags;

	/* with --audit every call is reported: one decision, in full */
	if (shim.audit)
		return policy_decide(pol, req, d);
	req->flags = flags | REQ_TERSE;
	policy_decide(pol, req, d);
	req->flags = flags;
	/* what is reported carries its sentence: decide again, in full */
	if (d->verdict != VERDICT_ALLOW)
		policy_decide(pol, req, d);
	return d->verdict;
}

/* DIR (from a descriptor's link) names a directory that was removed */
static int
removed_dir(int fd, const char *dir)
{
	static const char tag[] = " (deleted)";
	size_t n = strlen(dir), t = sizeof(tag) - 1;
	struct stat st;

	return n > t && memcmp(dir + n - t, tag, t) == 0 &&
	    SYS4(SYS_newfstatat, fd, "", &st, AT_EMPTY_PATH) == 0 &&
	    st.st_nlink == 0;
}

#define PIN_PREFIX "/proc/self/fd/"
#define PIN_LEN (PATH_MAX + sizeof(PIN_PREFIX) + 12)
#define PIN_BUFS 4 /* calls pinned at once in one thread (signal handlers) */

/*
 * The /proc/self/fd/PIN/path names a pinned call goes through. They are
 * mapped on a thread's first pin, not kept in TLS: static TLS is zeroed
 * for every thread of every process, and 16 KB of it cost each exec four
 * page faults, for buffers only a multi-threaded process ever uses. A
 * thread's buffers are unmapped when it exits.
 */
struct pinbufs {
	int depth;
	char buf[PIN_BUFS][PIN_LEN];
};
static __thread struct pinbufs *pinbuf
    __attribute__((tls_model("initial-exec")));
static pthread_key_t pin_key;
static int pin_key_ok;

/* runs in the exiting thread: a later destructor that opens a file maps
 * them again rather than using freed memory */
static void
pin_free(void *p)
{
	pinbuf = NULL;
	SYS2(SYS_munmap, p, sizeof(struct pinbufs));
}

/* at start, from the constructor: a first pin in a signal handler then
 * calls no pthread_once (a key below 32 needs no allocation to set) */
void
judge_init(void)
{
	pin_key_ok = pthread_key_create(&pin_key, pin_free) == 0;
}

/* this thread's buffers, mapped on first use; NULL if they cannot be */
static struct pinbufs *
pin_bufs(void)
{
	long p;

	if (pinbuf != NULL)
		return pinbuf;
	p = shim_sys(SYS_mmap, 0, (long)sizeof(struct pinbufs),
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0 && p > -4096)
		return NULL;
	pinbuf = (struct pinbufs *)p;
	if (pin_key_ok)
		pthread_setspecific(pin_key, pinbuf);
	return pinbuf;
}

/*
 * Move a pin out of the numbers the call itself may hand out: a program
 * that opens a file expects the lowest free descriptor, as unwrapped.
 */
static long
pin_high(long fd)
{
	struct rlimit rl;
	long hi = 1000, r;

	if (SYS4(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)hi + 64)
		hi = rl.rlim_cur > 64 ? (long)rl.rlim_cur - 32 : -1;
	if (hi < 0 || fd >= hi)
		return fd;
	if ((r = SYS3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, hi)) < 0)
		return fd;
	SYS1(SYS_close, fd);
	return r;
}

/*
 * Pin the directory the relative PATH is taken from (DIRFD): a descriptor
 * of it in the call's pin slot, its path into DIR. 0, 1 (not pinned: take
 * the directory by name, as a process with one thread may), or an errno.
 * Only a process with more than one thread pays for this: in one with a
 * single thread, no other thread can move the directory under the call.
 */
static int
pin_dir(struct shim_call *c, int dirfd, const char *path, char *dir, size_t len)
{
	struct shim_pin *pn;
	long fd;
	int e;

	if (!c->can_pin || __libc_single_threaded || c->pin_slot < 0 ||
	    c->pin_slot >= SHIM_NPIN || c->pin[c->pin_slot].fd >= 0 ||
	    strlen(path) >= PATH_MAX)
		return 1;
	if (pin_bufs() == NULL)
		return ENOMEM; /* judged by name would lose the race */
	if (dirfd == AT_FDCWD)
		fd = SYS4(SYS_openat, AT_FDCWD, ".",
		    O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	else if (dirfd < 0)
		return EBADF;
	else
		fd = SYS3(SYS_fcntl, dirfd, F_DUPFD_CLOEXEC, 0);
	if (fd == -EBADF)
		return EBADF;
	if (fd < 0)
		return 1; /* no descriptor free: judged by name */
	fd = pin_high(fd);
	if ((e = fd_link((int)fd, dir, len)) != 0 || dir[0] != '/') {
		SYS1(SYS_close, fd);
		return dirfd == AT_FDCWD ? 1 : e != 0 ? e : ENOTDIR;
	}
	if (removed_dir((int)fd, dir)) {
		SYS1(SYS_close, fd);
		return ENOENT;
	}
	pn = &c->pin[c->pin_slot];
	pn->orig = path;
	pn->fd = (int)fd;
	c->npin++;
	return 0;
}

char *
shim_pinned(struct shim_call *c, int slot, const char *path, int tmpl)
{
	const struct shim_pin *pn;
	char *b, d[12];
	size_t n = 0, k;
	unsigned int v;

	if (slot < 0 || slot >= SHIM_NPIN || path == NULL)
		return (char *)path;
	pn = &c->pin[slot];
	if (pn->fd < 0 || pn->orig != path)
		return (char *)path;
	if (pinbuf == NULL || pinbuf->depth >= PIN_BUFS)
		return (char *)path; /* nested too deep: by name */
	b = pinbuf->buf[pinbuf->depth++];
	c->nbuf++;
	memcpy(b, PIN_PREFIX, sizeof(PIN_PREFIX) - 1);
	k = sizeof(PIN_PREFIX) - 1;
	v = (unsigned int)pn->fd;
	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		b[k++] = d[--n];
	b[k++] = '/';
	memcpy(b + k, path, strlen(path) + 1);
	if (tmpl) {
		c->tmpl = (char *)path;
		c->tmpl_pinned = b;
	}
	return b;
}

void
shim_unpin(struct shim_call *c)
{
	int saved = errno, i;
	size_t n, m;

	if (c->tmpl != NULL) {
		/* the random part the call wrote, at the same end */
		n = strlen(c->tmpl);
		m = strlen(c->tmpl_pinned);
		if (m >= n)
			memcpy(c->tmpl, c->tmpl_pinned + m - n, n);
		c->tmpl = NULL;
	}
	for (i = 0; i < SHIM_NPIN; i++)
		if (c->pin[i].fd >= 0) {
			SYS1(SYS_close, c->pin[i].fd);
			c->pin[i].fd = -1;
		}
	if (pinbuf != NULL)
		pinbuf->depth -= c->nbuf;
	c->npin = c->nbuf = 0;
	errno = saved;
}

/*
 * The object a descriptor names (AT_EMPTY_PATH, a NULL path to utimensat).
 * Pipes, sockets and anonymous inodes are no filesystem object: skip.
 */
static int
fd_object(int dirfd, char *out)
{
	int e;

	if (dirfd == AT_FDCWD)
		return judge_dir(dirfd, out, PATH_MAX);
	if (dirfd < 0)
		return JUDGE_SKIP;
	if ((e = fd_link(dirfd, out, PATH_MAX)) != 0)
		return e == EBADF ? JUDGE_SKIP : e;
	return out[0] == '/' ? 0 : JUDGE_SKIP;
}

int
judge_canon(
    struct shim_call *c, int dirfd, const char *path, int how, char *out)
{
	char dir[PATH_MAX];
	struct canon_ctx k = { NULL, 0 };
	struct pathres_fs fs = { canon_readlink, &k };
	struct judge_obj o;
	int r;

	if (path == NULL)
		return (how & J_NULL_FD) ? fd_object(dirfd, out) : JUDGE_SKIP;
	if (path[0] == '\0')
		return (how & J_EMPTY) ? fd_object(dirfd, out) : JUDGE_SKIP;
	if (path[0] != '/') {
		if ((r = pin_dir(c, dirfd, path, dir, sizeof(dir))) == 1)
			r = judge_dir(dirfd, dir, sizeof(dir));
		if (r != 0)
			return r;
		k.dir = dir;
		k.dirlen = strlen(dir);
	}
	r = pathres_canon(&fs, k.dir, path,
	    (how & REQ_NOFOLLOW) ? 0 : PATHRES_FOLLOW_LAST, out, PATH_MAX);
	if (r == 0)
		return 0;
	/*
	 * ELOOP, EACCES (a directory that cannot be searched), ENOENT (an
	 * empty link) are what the kernel would answer; anything else is the
	 * shim's own limit: report it and fail closed.
	 */
	if (r == -ELOOP || r == -EACCES || r == -ENOENT)
		return -r;
	memset(&o, 0, sizeof(o));
	o.op = AW_OP_MALFORMED;
	o.path = path;
	o.port = -1;
	judge_event(c, &o, VERDICT_DENY, "path",
	    r == -ENAMETOOLONG ? "the path is too long to judge"
			       : "the path cannot be judged",
	    shim_fail_errno(c->cls));
	return r == -ENAMETOOLONG ? ENAMETOOLONG : shim_fail_errno(c->cls);
}

static int
allow_quietly(struct shim_call *c, const struct judge_obj *o, const char *rule,
    const char *why)
{
	if (shim.audit && judge_event(c, o, VERDICT_ALLOW, rule, why, 0) == -1)
		return shim_fail_errno(c->cls);
	return 0;
}

static int
decide_path(
    struct shim_call *c, int op, int how, const char *p1, const char *p2)
{
	struct pol_request req;
	struct pol_decision d;
	struct judge_obj o;
	struct stat st;

	memset(&o, 0, sizeof(o));
	o.op = op;
	o.path = p1;
	o.path2 = p2;
	o.port = -1;
	/* the supervisor decides an ask again: the same request, flags
	 * and all (without REQ_ENTRY a move of a guarded path's directory
	 * would be allowed there unasked) */
	o.flags = ((how & REQ_NOFOLLOW) ? AW_MF_NOFOLLOW : 0) |
	    ((how & REQ_ENTRY) ? AW_MF_ENTRY : 0);
	if (p2 == NULL && sysreq_anon_object(p1))
		return allow_quietly(
		    c, &o, "descriptor", "not a filesystem object");
	memset(&req, 0, sizeof(req));
	req.op = op;
	req.flags = how & (REQ_NOFOLLOW | REQ_ENTRY);
	req.cwd = "/";
	req.path = p1;
	req.path2 = p2;
	req.port = -1;
	req.fs = &judge_canon_fs;
	shim_decide(&req, &d);
	if (d.verdict != VERDICT_ALLOW && (how & J_MAKE) && !shim.audit_only &&
	    SYS4(SYS_newfstatat, AT_FDCWD, p2 != NULL ? p2 : p1, &st,
		AT_SYMLINK_NOFOLLOW) == 0) {
		if (shim.audit &&
		    judge_event(c, &o, (int)d.verdict, d.rule, d.why, EEXIST) ==
			-1)
			return shim_fail_errno(c->cls);
		return EEXIST;
	}
	return judge_finish(c, &o, &d);
}

int
judge_path(struct shim_call *c, int op, int dirfd, const char *path, int how)
{
	char canon[PATH_MAX];
	int e;

	if ((e = judge_canon(c, dirfd, path, how, canon)) != 0)
		return e == JUDGE_SKIP ? 0 : e;
	return decide_path(c, op, how, canon, NULL);
}

int
judge_path_at(struct shim_call *c, int op, int dirfd, const char *path,
    int atflags, int how)
{
	if (atflags & AT_SYMLINK_NOFOLLOW)
		how |= J_NOFOLLOW;
	if (atflags & AT_EMPTY_PATH)
		how |= J_EMPTY;
	/* fstat and friends on a descriptor already open: nothing new read */
	if (op == OP_READ &&
	    (path == NULL || (path[0] == '\0' && (how & J_EMPTY))))
		return 0;
	return judge_path(c, op, dirfd, path, how);
}

int
judge_fd_write(struct shim_call *c, int fd)
{
	long fl;

	if (fd < 0 || (fl = SYS3(SYS_fcntl, fd, F_GETFL, 0)) < 0)
		return 0; /* EBADF from the kernel */
	if (!(fl & O_PATH) && (fl & O_ACCMODE) != O_RDONLY)
		return 0; /* the open that gave write access was judged */
	return judge_path(c, OP_WRITE, fd, "", J_EMPTY);
}

int
judge_rename(
    struct shim_call *c, int d1, const char *p1, int d2, const char *p2)
{
	char c1[PATH_MAX], c2[PATH_MAX];
	int e;

	c->pin_slot = 0;
	if ((e = judge_canon(c, d1, p1, J_ENTRY, c1)) != 0)
		return e == JUDGE_SKIP ? 0 : e;
	c->pin_slot = 1;
	if ((e = judge_canon(c, d2, p2, J_ENTRY, c2)) != 0)
		return e == JUDGE_SKIP ? 0 : e;
	return decide_path(c, OP_WRITE, J_ENTRY, c1, c2);
}

int
judge_link(struct shim_call *c, int d1, const char *p1, int d2, const char *p2,
    int atflags)
{
	char c1[PATH_MAX], c2[PATH_MAX];
	int how1 = (atflags & AT_SYMLINK_FOLLOW) ? J_FOLLOW : J_NOFOLLOW, e;

	if (atflags & AT_EMPTY_PATH)
		how1 |= J_EMPTY;
	c->pin_slot = 0;
	if ((e = judge_canon(c, d1, p1, how1, c1)) != 0)
		return e == JUDGE_SKIP ? 0 : e;
	c->pin_slot = 1;
	if ((e = judge_canon(c, d2, p2, J_ENTRY, c2)) != 0)
		return e == JUDGE_SKIP ? 0 : e;
	return decide_path(c, OP_WRITE, J_NEW, c1, c2);
}

/*
 * "/dev/stdout", "/dev/fd/N", "/proc/self/fd/N": a new open of a descriptor
 * the process holds. Returns N, or -1.
 */
static int
reopen_fd(const char *p)
{
	static const char *const pre[] = { "/dev/fd/", "/proc/self/fd/",
		"/proc/thread-self/fd/", NULL };
	const char *s = NULL;
	long v = 0;
	size_t i, n;

	if (strcmp(p, "/dev/stdin") == 0)
		return 0;
	if (strcmp(p, "/dev/stdout") == 0)
		return 1;
	if (strcmp(p, "/dev/stderr") == 0)
		return 2;
	for (i = 0; pre[i] != NULL; i++) {
		n = strlen(pre[i]);
		if (strncmp(p, pre[i], n) == 0) {
			s = p + n;
			break;
		}
	}
	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > INT_MAX / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return (int)v;
}

/* Opening it again asks for no more than the descriptor already gives */
static int
reopen_ok(const char *path, int flags, int write)
{
	long fl;
	int fd, have, want = flags & O_ACCMODE;

	if ((fd = reopen_fd(path)) < 0)
		return 0;
	if ((fl = SYS3(SYS_fcntl, fd, F_GETFL, 0)) < 0)
		return 0;
	have = (fl & O_PATH) ? O_RDONLY : (int)(fl & O_ACCMODE);
	if (!write)
		return have == O_RDONLY || have == O_RDWR;
	if (have == O_RDWR)
		return 1;
	return have == O_WRONLY && want == O_WRONLY;
}

int
judge_open(struct shim_call *c, int dirfd, const char *path, int flags)
{
	struct judge_obj o;
	int op, how, write;

	sysreq_open(flags, &op, &how);
	write = op == OP_WRITE;
	if (path != NULL && path[0] == '/' && reopen_ok(path, flags, write)) {
		memset(&o, 0, sizeof(o));
		o.op = write ? OP_WRITE : OP_READ;
		o.path = path;
		o.port = -1;
		return allow_quietly(c, &o, "descriptor",
		    "a new open of a descriptor the process holds, with no "
		    "more access than it gives");
	}
	return judge_path(c, write ? OP_WRITE : OP_READ, dirfd, path, how);
}

/* fopen's MODE as open flags; -1 if libc would refuse it */
static int
fopen_flags(const char *mode)
{
	int flags;

	if (mode == NULL)
		return -1;
	switch (*mode) {
	case 'r':
		flags = O_RDONLY;
		break;
	case 'w':
		flags = O_WRONLY | O_CREAT | O_TRUNC;
		break;
	case 'a':
		flags = O_WRONLY | O_CREAT | O_APPEND;
		break;
	default:
		return -1;
	}
	for (mode++; *mode != '\0' && *mode != ','; mode++) {
		if (*mode == '+')
			flags = (flags & ~O_ACCMODE) | O_RDWR;
		else if (*mode == 'x')
			flags |= O_EXCL;
	}
	return flags;
}

int
judge_fopen(struct shim_call *c, const char *path, const char *mode)
{
	int flags = fopen_flags(mode);

	if (flags == -1)
		return 0; /* libc fails it with EINVAL */
	return judge_open(c, AT_FDCWD, path, flags);
}

int
judge_freopen(
    struct shim_call *c, const char *path, const char *mode, FILE *stream)
{
	char proc[32];
	int flags = fopen_flags(mode), fd, n;

	if (flags == -1)
		return 0;
	if (path != NULL)
		return judge_open(c, AT_FDCWD, path, flags);
	/* NULL: glibc reopens /proc/self/fd/N with the new mode */
	if (stream == NULL || (fd = fileno_unlocked(stream)) < 0)
		return 0;
	n = snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (n < 0 || (size_t)n >= sizeof(proc))
		return shim_fail_errno(c->cls);
	return judge_open(c, AT_FDCWD, proc, flags);
}

static int send_msg(struct shim_call *c, const struct judge_obj *o, int type,
    int verdict, const char *rule, const char *why, int err);

int
judge_finish(
    struct shim_call *c, const struct judge_obj *o, struct pol_decision *d)
{
	int deny = d->verdict != VERDICT_ALLOW, v;
	int err = deny && !shim.audit_only ? shim_fail_errno(c->cls) : 0;

	if (d->verdict == VERDICT_ASK && !shim.audit_only) {
		/*
		 * Ask, and wait: this thread only, for as long as the question
		 * is open (the supervisor denies it after approval_timeout).
		 * The supervisor records the call and its answer: no event.
		 */
		v = send_msg(
		    c, o, AW_MSG_ASK, VERDICT_ASK, d->rule, d->why, err);
		if (v < 0) {
			shim_fail_closed("the supervisor is gone");
			return err;
		}
		if (v == VERDICT_ALLOW) {
			d->verdict = VERDICT_ALLOW;
			return 0;
		}
		d->verdict = VERDICT_DENY;
		return err;
	}
	if ((deny || shim.audit) &&
	    judge_event(c, o, (int)d->verdict, d->rule, d->why, err) == -1)
		return shim_fail_errno(c->cls);
	return err;
}

static size_t
len_or_0(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

/* Room for M encoded: each field with a generous header, at most a slot */
static size_t
event_size(const struct aw_msg *m)
{
	const char *f[] = { m->call, m->path, m->path2, m->host, m->addr,
		m->rule, m->exe, m->why };
	size_t n = 128, i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		n += 16 + len_or_0(f[i]);
	for (i = 0; i < m->argc; i++)
		n += 1 + strlen(m->argv[i]);
	if (m->dns != NULL)
		n += 16 + m->dns_len;
	return n < AW_SLOT_DATA ? n : AW_SLOT_DATA;
}

/*
 * A message that does not fit a slot even without its explanation and argv
 * has its long strings cut: first to PATH_MAX bytes (a real path is never
 * cut), then, if that is still too much, to CLIP_LAST, where the six string
 * fields, their headers and the message header fit AW_SLOT_DATA whatever
 * they held.
 */
#define CLIP_LAST 2048
#define CLIP_FIELDS 6

/*
 * S cut to MAX bytes into BUF (PATH_MAX + 1 bytes), ending in "..." as one
 * character (U+2026) so that the record shows it was cut; never inside a
 * UTF-8 sequence, never a NUL. S itself when it fits.
 */
static const char *
clip(const char *s, char *buf, size_t max)
{
	size_t n = max - 3;

	if (s == NULL || strnlen(s, max + 1) <= max)
		return s;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(buf, s, n);
	memcpy(buf + n, "\xe2\x80\xa6", 4);
	return buf;
}

/*
 * M did not fit even without its explanation and argv: encode it with its
 * long strings cut, so that the call is reported and audited whatever its
 * size. A question about an object that had to be cut is not asked (an
 * answer, or a session grant, would be about another object): it is
 * reported as denied, and the caller denies it. Returns the length, or -1.
 */
static __attribute__((noinline)) int
encode_clipped(uint8_t *buf, size_t cap, struct aw_msg *m)
{
	const char **f[CLIP_FIELDS] = { &m->path, &m->path2, &m->host, &m->addr,
		&m->exe, &m->rule };
	const char *orig[CLIP_FIELDS];
	char *tmp[CLIP_FIELDS];
	size_t i;
	int n = -1, pass;

	for (i = 0; i < CLIP_FIELDS; i++) {
		orig[i] = *f[i];
		tmp[i] = orig[i] != NULL &&
			strnlen(orig[i], CLIP_LAST + 1) > CLIP_LAST
		    ? alloca(PATH_MAX + 1)
		    : NULL;
	}
	if (m->type == AW_MSG_ASK) {
		m->type = AW_MSG_EVENT;
		m->verdict = VERDICT_DENY;
	}
	for (pass = 0; pass < 2 && n < 0; pass++) {
		for (i = 0; i < CLIP_FIELDS; i++)
			if (tmp[i] != NULL)
				*f[i] = clip(orig[i], tmp[i],
				    pass == 0 ? PATH_MAX : CLIP_LAST);
		m->path_len = len_or_0(m->path);
		m->path2_len = len_or_0(m->path2);
		n = msg_encode(buf, cap, m);
	}
	return n;
}

int
judge_event(struct shim_call *c, const struct judge_obj *o, int verdict,
    const char *rule, const char *why, int err)
{
	return send_msg(c, o, AW_MSG_EVENT, verdict, rule, why, err);
}

/* The header of a message of this process's: TYPE, O's op, VERDICT */
static void
msg_head(struct aw_msg *m, const struct shim_call *c, const struct judge_obj *o,
    int type, int verdict)
{
	struct timespec ts;

	memset(m, 0, sizeof(*m));
	m->type = (uint16_t)type;
	m->op = (uint16_t)o->op;
	m->verdict = (uint8_t)verdict;
	m->layer = AW_LAYER_PRELOAD;
	m->flags = (shim.audit_only ? AW_MF_AUDIT_ONLY : 0) |
	    (o->flags & (AW_MF_UNCOVERED | AW_MF_NOFOLLOW | AW_MF_ENTRY));
	m->pid = (int32_t)SYS0(SYS_getpid);
	m->ppid = (int32_t)SYS0(SYS_getppid);
	m->port = o->host != NULL || o->addr != NULL ? o->port : -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	m->ts_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	m->call = c->call;
	m->host = o->host;
	m->exe = shim_exe();
	m->dns = o->dns;
	m->dns_len = o->dns != NULL ? o->dns_len : 0;
}

int
judge_resolve_ask(struct shim_call *c, const struct judge_obj *o, uint8_t *ans,
    size_t anscap, int *verdict)
{
	struct aw_msg m;
	uint8_t *buf;
	size_t cap;
	int n;

	msg_head(&m, c, o, AW_MSG_RESOLVE, VERDICT_ASK);
	cap = event_size(&m);
	buf = alloca(cap);
	if ((n = msg_encode(buf, cap, &m)) < 0) {
		/* the name is bounded; the program's path may not be */
		m.exe = NULL;
		if ((n = msg_encode(buf, cap, &m)) < 0)
			return -1;
	}
	return ring_call(&shim.rc, buf, (size_t)n, ans, anscap, verdict, 0);
}

/*
 * Encode and send one message: post an event, or ask and wait for the
 * answer. Kept out of line, its buffer sized to the message: a hook that
 * reports nothing carries no buffer, and one that does carries only what it
 * needs (threads with small stacks call hooks too). Returns, for an event,
 * 0; for a question, the verdict to enforce; -1 when the supervisor is
 * gone (an event: the shim then fails closed). An event of a denial is
 * sent as a request too, and waits for its answer (see below).
 */
static __attribute__((noinline)) int
send_msg(struct shim_call *c, const struct judge_obj *o, int type, int verdict,
    const char *rule, const char *why, int err)
{
	uint8_t *buf;
	struct aw_msg m;
	size_t i, cap;
	int n;

	msg_head(&m, c, o, type, verdict);
	m.err = err;
	m.path = o->path;
	m.path2 = o->path2;
	m.path_len = len_or_0(o->path);
	m.path2_len = len_or_0(o->path2);
	m.addr = o->addr;
	m.rule = rule != NULL && rule[0] != '\0' ? rule : NULL;
	m.why = why != NULL && why[0] != '\0' ? why : NULL;
	if (o->argv != NULL) {
		for (i = 0;
		     i < o->argc && i < AW_MSG_MAX_ARGV && o->argv[i] != NULL;
		     i++)
			m.argv[i] = o->argv[i];
		m.argc = (uint32_t)i;
		if (i < o->argc)
			m.flags |= AW_MF_ARGV_TRUNCATED;
	}
	cap = event_size(&m);
	buf = alloca(cap);
	n = msg_encode(buf, cap, &m);
	if (n < 0) { /* too big: the explanation goes first, then argv */
		m.why = NULL;
		n = msg_encode(buf, cap, &m);
	}
	if (n < 0) {
		m.argc = 0;
		m.flags |= AW_MF_ARGV_TRUNCATED;
		n = msg_encode(buf, cap, &m);
	}
	if (n < 0) /* then the strings are cut (a question becomes a denial) */
		n = encode_clipped(buf, cap, &m);
	if (n < 0)
		return type == AW_MSG_ASK ? VERDICT_DENY : 0;
	if (m.type == AW_MSG_ASK)
		return shim_ask(buf, (size_t)n);
	/*
	 * A denial waits for the supervisor to have written its line, so that
	 * the line comes before anything the program says about the failure
	 * (and never in the middle of it). Everything else is posted.
	 */
	if (verdict != VERDICT_ALLOW && !shim.audit_only) {
		if (shim_ask(buf, (size_t)n) == -1) {
			shim_fail_closed("the supervisor is gone");
			return -1;
		}
		return 0;
	}
	if (shim_post(buf, (size_t)n) == -1) {
		shim_fail_closed("the supervisor is gone");
		return -1;
	}
	return type == AW_MSG_ASK ? VERDICT_DENY : 0;
}
