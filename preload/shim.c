/*
 * shim.c: the shim's start and state: find the real functions, read the
 * AGENTWRAP_* variables, attach to the supervisor's ring, load the policy
 * snapshot, hide the shim's variables from the program, and the entry and
 * exit of every judged hook (re-entry guard, errno, fail closed).
 *
 * Runs inside the watched process. The constructor runs before main in
 * every process of the tree and may allocate; nothing after it does: a new
 * policy generation (a session grant) is loaded into memory mapped with raw
 * system calls, never with malloc.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rawsys.h"
#include "shim.h"

struct shim_real shim_real;
struct shim_state shim;
__thread int shim_guard __attribute__((tls_model("initial-exec")));

/* The real functions are found on first use: a short program calls few of
 * them, and each dlsym costs about 800 instructions (see shim_resolve) */
#define NREAL (sizeof(struct shim_real) / sizeof(void *))
static unsigned char real_tried[NREAL];

long
shim_sys(long nr, long a, long b, long c, long d, long e, long f)
{
#if defined(__x86_64__) || defined(__aarch64__)
	return raw6(nr, a, b, c, d, e, f);
#else
	int saved = errno;
	long ret;

	ret = REAL(syscall)(nr, a, b, c, d, e, f);
	if (ret == -1)
		ret = -errno;
	errno = saved;
	return ret;
#endif
}

static void
say(const char *a, const char *b, const char *c)
{
	char line[512];
	size_t n = 0, k;
	const char *parts[3] = { a, b, c };
	int i;

	for (i = 0; i < 3; i++) {
		if (parts[i] == NULL)
			continue;
		k = strnlen(parts[i], sizeof(line) - 2 - n);
		memcpy(line + n, parts[i], k);
		n += k;
	}
	line[n++] = '\n';
	SYS3(SYS_write, 2, line, n);
}

int
shim_missing(const char *name)
{
	say("agentwrap: shim: libc has no ", name, "; the call fails");
	return ENOSYS;
}

void
shim_say_failed(const char *why)
{
	static int said;

	if (__atomic_exchange_n(&said, 1, __ATOMIC_ACQ_REL))
		return;
	say("agentwrap: shim: ", why,
	    "; every file, exec and network call fails");
}

void *
shim_resolve(void **slot, const char *name)
{
	size_t i = (size_t)(slot - (void **)&shim_real);
	void *p;

	if (i < NREAL && __atomic_load_n(&real_tried[i], __ATOMIC_ACQUIRE) != 0)
		return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	shim_guard++;
	p = dlsym(RTLD_NEXT, name);
	shim_guard--;
	__atomic_store_n(slot, p, __ATOMIC_RELEASE);
	if (i < NREAL)
		__atomic_store_n(&real_tried[i], 1, __ATOMIC_RELEASE);
	return p;
}

int
shim_ready(const char *name)
{
	shim_missing(name);
	return 0;
}

int
shim_fail_errno(int cls)
{
	return cls == SHIM_NET ? EPERM : EACCES;
}

void
shim_fail_closed(const char *why)
{
	size_t n = strnlen(why, sizeof(shim.why) - 1);

	memcpy(shim.why, why, n);
	shim.why[n] = '\0';
	__atomic_store_n(&shim.mode, SHIM_FAILED, __ATOMIC_RELEASE);
	shim_say_failed(shim.why);
}

int
shim_enter(struct shim_call *c, const char *call, int cls)
{
	int mode;

	if (shim_guard)
		return SHIM_PASS;
	mode = __atomic_load_n(&shim.mode, __ATOMIC_ACQUIRE);
	if (mode == SHIM_UNINIT) {
		shim_init();
		mode = __atomic_load_n(&shim.mode, __ATOMIC_ACQUIRE);
	}
	if (mode == SHIM_INERT || mode == SHIM_UNINIT)
		return SHIM_PASS;
	c->call = call;
	c->cls = cls;
	c->saved_errno = errno;
	c->can_pin = c->pin_slot = c->npin = c->nbuf = 0;
	c->pin[0].fd = c->pin[1].fd = -1;
	c->tmpl = NULL;
	if (mode == SHIM_ACTIVE && shim_attach() == -1) {
		errno = shim_fail_errno(cls);
		return SHIM_FAIL;
	}
	mode = __atomic_load_n(&shim.mode, __ATOMIC_ACQUIRE);
	if (mode == SHIM_ACTIVE && !ring_supervisor_alive(&shim.rc))
		shim_fail_closed("the supervisor is gone");
	if (__atomic_load_n(&shim.mode, __ATOMIC_ACQUIRE) != SHIM_ACTIVE) {
		errno = shim_fail_errno(cls);
		return SHIM_FAIL;
	}
	if (ring_snapshot_gen(&shim.rc) !=
	    __atomic_load_n(&shim.snap_gen, __ATOMIC_ACQUIRE))
		shim_refresh();
	return SHIM_JUDGE;
}

/*
 * New policy generations. Each is loaded into its own arena of anonymous
 * mappings and never freed: another thread (or a signal handler) may still
 * be deciding with the one it replaces. So at most SHIM_MAX_REFRESH are
 * loaded per process; past that the process keeps the last one, and what it
 * would ask goes to the supervisor, which has every grant: the answers stay
 * right, only a round trip slower.
 */
#define SHIM_MAX_REFRESH 64
#define ARENA_CHUNK (256 * 1024)
#define ARENA_MAX_CHUNKS 64

struct arena {
	uint8_t *cur;
	size_t left;
	void *chunk[ARENA_MAX_CHUNKS];
	size_t chunk_len[ARENA_MAX_CHUNKS];
	int nchunk;
};

static void *
map_anon(size_t n)
{
	long p = shim_sys(SYS_mmap, 0, (long)n, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p < 0 && p > -4096 ? NULL : (void *)p;
}

/* N zeroed bytes (fresh anonymous pages are zero) */
static void *
arena_zalloc(void *ctx, size_t n)
{
	struct arena *a = ctx;
	size_t len;
	void *p;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + 15) & ~(size_t)15;
	if (n > a->left) {
		if (a->nchunk == ARENA_MAX_CHUNKS)
			return NULL;
		len =
		    n > ARENA_CHUNK ? (n + 4095) & ~(size_t)4095 : ARENA_CHUNK;
		if ((p = map_anon(len)) == NULL)
			return NULL;
		a->chunk[a->nchunk] = p;
		a->chunk_len[a->nchunk++] = len;
		a->cur = p;
		a->left = len;
	}
	p = a->cur;
	a->cur += n;
	a->left -= n;
	return p;
}

static void
arena_drop(struct arena *a)
{
	int i;

	for (i = 0; i < a->nchunk; i++)
		shim_sys(SYS_munmap, (long)a->chunk[i], (long)a->chunk_len[i],
		    0, 0, 0, 0);
	a->nchunk = 0;
}

void
shim_refresh(void)
{
	struct snapshot_alloc al;
	struct arena a;
	struct policy *pol;
	uint32_t want, got;
	uint8_t *buf;
	long n;

	if (__atomic_exchange_n(&shim.refreshing, 1, __ATOMIC_ACQ_REL))
		return; /* another thread loads it; decide with the old one */
	want = ring_snapshot_gen(&shim.rc);
	if (want == __atomic_load_n(&shim.snap_gen, __ATOMIC_ACQUIRE))
		goto out;
	if (shim.nrefresh >= SHIM_MAX_REFRESH ||
	    (buf = map_anon(AW_SNAP_MAX)) == NULL) {
		__atomic_store_n(&shim.snap_gen, want, __ATOMIC_RELEASE);
		goto out;
	}
	n = ring_snapshot_copy(&shim.rc, buf, AW_SNAP_MAX, &got);
	if (n > 0) {
		memset(&a, 0, sizeof(a));
		al.zalloc = arena_zalloc;
		al.ctx = &a;
		if (snapshot_read_alloc(buf, (size_t)n, &al, &pol) == 0) {
			__atomic_store_n(&shim.pol, pol, __ATOMIC_RELEASE);
			shim.nrefresh++;
		} else
			arena_drop(&a); /* keep the old policy */
		/* either way, this generation is done with */
		__atomic_store_n(&shim.snap_gen, got, __ATOMIC_RELEASE);
	}
	/* else it changed under us: try again on a later call */
	shim_sys(SYS_munmap, (long)buf, AW_SNAP_MAX, 0, 0, 0, 0);
out:
	__atomic_store_n(&shim.refreshing, 0, __ATOMIC_RELEASE);
}

int
shim_leave(struct shim_call *c, int e)
{
	if (e != 0) {
		errno = e;
		return 1;
	}
	errno = c->saved_errno;
	return 0;
}

/* Start */

/*
 * What a vfork child may call first: found now, so that a child sharing
 * its parent's memory never runs dlsym (it takes the loader's lock, which
 * another thread of the parent may hold)
 */
static void
resolve_exec_reals(void)
{
	(void)REAL(execve);
	(void)REAL(execvpe);
	(void)REAL(fexecve);
	(void)REAL(execveat);
	(void)REAL(posix_spawn);
	(void)REAL(posix_spawnp);
	(void)REAL(syscall);
}

static int
is_true(const char *s)
{
	return s != NULL && s[0] != '\0' && strcmp(s, "0") != 0;
}

/*
 * The policy snapshot in FD, read into the first arena: a static buffer,
 * so that a process that never sees a new generation maps nothing more
 * for its policy. A snapshot too big for it goes to mapped chunks.
 */
static uint8_t first_arena[64 * 1024] __attribute__((aligned(16)));

static int
load_snapshot(int fd)
{
	struct snapshot_alloc al;
	struct arena a;
	struct stat st;
	size_t len, off = 0;
	uint8_t *buf;
	long n;
	int r;

	if (SYS4(SYS_newfstatat, fd, "", &st, AT_EMPTY_PATH) != 0 ||
	    st.st_size <= 0 || st.st_size > AW_SNAP_MAX)
		return -1;
	len = (size_t)st.st_size;
	memset(&a, 0, sizeof(a));
	al.zalloc = arena_zalloc;
	al.ctx = &a;
	a.cur = first_arena;
	a.left = sizeof(first_arena);
	/* the bytes first, the policy after them in the same arena */
	if ((buf = arena_zalloc(&a, len)) == NULL)
		return -1;
	while (off < len) {
		n = shim_sys(SYS_pread64, fd, (long)(buf + off),
		    (long)(len - off), (long)off, 0, 0);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	if ((r = snapshot_read_alloc(buf, len, &al, &shim.pol)) != 0)
		arena_drop(&a);
	return r;
}

/* Our own path, for the LD_PRELOAD of children, if AGENTWRAP_SHIM is absent */
static int
self_path(char *out, size_t len)
{
	Dl_info info;

	if (dladdr((void *)self_path, &info) == 0 || info.dli_fname == NULL ||
	    info.dli_fname[0] != '/' || strlen(info.dli_fname) >= len)
		return -1;
	strcpy(out, info.dli_fname);
	return 0;
}

/* The AGENTWRAP_* variables (NULL: absent) */
struct shim_env {
	const char *sock, *token, *shim, *holder, *audit, *audit_only;
	const char *ld_preload;
};

/* A decimal pid */
static int
parse_pid(const char *s, long *out)
{
	long v = 0;

	if (*s < '1' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (*s - '0')) > 0x7fffffff)
			return -1;
	if (*s != '\0')
		return -1;
	*out = v;
	return 0;
}

/* What ring_connect's error means, for the one line on stderr */
static const char *
connect_why(int e)
{
	switch (e) {
	case -ECONNREFUSED:
	case -ENOENT:
		return "the supervisor is gone";
	case -ETIMEDOUT:
		return "the supervisor did not answer the attach request";
	case -EPERM:
		return "the supervisor refused this process (a wrong "
		       "AGENTWRAP_TOKEN, or not of its tree)";
	case -EPROTO:
		return "the supervisor's answer to the attach request is "
		       "malformed, or its ring does not match AGENTWRAP_TOKEN";
	case -EMFILE:
	case -ENFILE:
		return "no descriptor free to attach to the supervisor";
	default:
		return "cannot reach the supervisor's attach socket";
	}
}

/*
 * At start: read what the variables say, so that children get them back
 * whatever the program does to its environment. Nothing is asked of the
 * supervisor yet (shim_attach). NULL, or why the shim must fail closed.
 */
static const char *
setup(const struct shim_env *ev)
{
	const char *sock = ev->sock, *tok = ev->token, *path = ev->shim;
	const char *hold = ev->holder;

	if (sock == NULL || sock[0] == '\0' ||
	    strlen(sock) >= sizeof(shim.sock))
		return "AGENTWRAP_SOCK is missing or malformed";
	if (tok == NULL || ring_parse_token(tok, shim.token) == -1)
		return "AGENTWRAP_TOKEN is missing or malformed";
	strcpy(shim.sock, sock);
	memcpy(shim.token_hex, tok, 2 * AW_TOKEN_LEN);
	shim.token_hex[2 * AW_TOKEN_LEN] = '\0';
	if (path != NULL && path[0] == '/' && strlen(path) < sizeof(shim.shim))
		strcpy(shim.shim, path);
	else if (self_path(shim.shim, sizeof(shim.shim)) == -1)
		return "cannot tell the shim's own path (AGENTWRAP_SHIM)";
	shim.audit_only = is_true(ev->audit_only);
	shim.audit = shim.audit_only || is_true(ev->audit);
	/* children try the holder too, whether it works for us or not (a
	 * child of another uid may find it does not) */
	if (hold != NULL && strlen(hold) < sizeof(shim.holder) &&
	    parse_pid(hold, &shim.holder_pid) == 0)
		strcpy(shim.holder, hold);
	return NULL;
}

/*
 * Get the ring and the snapshot (the holder's descriptors, else the
 * supervisor's socket), map the ring, load the snapshot, and close every
 * descriptor used, so that the program finds its descriptor table as it
 * would be unwrapped. NULL, or why the shim must fail closed.
 */
static const char *
connect_ring(void)
{
	const char *why = NULL;
	int snap_fd, r = -1;

	if (shim.holder_pid > 0)
		r = ring_open_held(
		    &shim.rc, shim.holder_pid, shim.token, &snap_fd);
	if (r != 0 &&
	    (r = ring_connect(&shim.rc, shim.sock, shim.token, &snap_fd)) != 0)
		return connect_why(r);
	if (!ring_supervisor_alive(&shim.rc))
		why = "the supervisor is gone";
	else if (load_snapshot(snap_fd) == -1)
		why = "cannot load the policy snapshot";
	SYS1(SYS_close, snap_fd);
	return why;
}

/*
 * The first judged call of a process image attaches; a process that makes
 * none (true, test, a filter on its standard input) never asks the
 * supervisor for anything, which is most of what starting a process under
 * agentwrap costs. One thread attaches while others wait; a signal handler
 * that interrupts the attaching thread fails its call closed. Returns 0, or
 * -1 with the call to fail (errno set by the caller).
 */
enum { ATT_NONE, ATT_BUSY, ATT_DONE };

int
shim_attach(void)
{
	int tid, expect = ATT_NONE;
	const char *why;

	if (__atomic_load_n(&shim.attach_state, __ATOMIC_ACQUIRE) == ATT_DONE)
		return 0;
	tid = (int)SYS0(SYS_gettid);
	if (__atomic_compare_exchange_n(&shim.attach_state, &expect, ATT_BUSY,
		0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&shim.attach_tid, tid, __ATOMIC_RELEASE);
		if ((why = connect_ring()) != NULL)
			shim_fail_closed(why);
		__atomic_store_n(
		    &shim.attach_state, ATT_DONE, __ATOMIC_RELEASE);
		return 0;
	}
	if (expect == ATT_DONE)
		return 0;
	if (__atomic_load_n(&shim.attach_tid, __ATOMIC_ACQUIRE) == tid)
		return -1; /* a signal handler inside our own attach */
	while (
	    __atomic_load_n(&shim.attach_state, __ATOMIC_ACQUIRE) != ATT_DONE)
		SYS0(SYS_sched_yield);
	return 0;
}

/*
 * The program's path, read when the first report needs it (most processes
 * report nothing). One thread fills it; a thread that comes meanwhile
 * reports without it.
 */
const char *
shim_exe(void)
{
	static int state; /* 0: not read, 1: being read, 2: read */
	int expect = 0;
	long n;

	if (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2)
		return shim.exe[0] != '\0' ? shim.exe : NULL;
	if (!__atomic_compare_exchange_n(
		&state, &expect, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return expect == 2 && shim.exe[0] != '\0' ? shim.exe : NULL;
	n = SYS4(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", shim.exe,
	    sizeof(shim.exe) - 1);
	shim.exe[n > 0 ? n : 0] = '\0';
	__atomic_store_n(&state, 2, __ATOMIC_RELEASE);
	return shim.exe[0] != '\0' ? shim.exe : NULL;
}

int
shim_post(const void *buf, size_t len)
{
	return ring_post(&shim.rc, buf, len);
}

int
shim_ask(const void *buf, size_t len)
{
	int v = -1;

	/* no timeout: the supervisor enforces approval_timeout; -1 only
	 * when it is gone */
	if (ring_call(&shim.rc, buf, len, NULL, 0, &v, 0) < 0)
		return -1;
	return v;
}

/* A fork child: its own pid; what other threads were doing is not here */
static void
atfork_child(void)
{
	shim.pid = (int)SYS0(SYS_getpid);
	__atomic_store_n(&shim.refreshing, 0, __ATOMIC_RELEASE);
	/* a thread that was attaching is not in this process: start over */
	if (__atomic_load_n(&shim.attach_state, __ATOMIC_ACQUIRE) == ATT_BUSY) {
		shim.rc.ring = NULL;
		__atomic_store_n(&shim.attach_tid, 0, __ATOMIC_RELEASE);
		__atomic_store_n(
		    &shim.attach_state, ATT_NONE, __ATOMIC_RELEASE);
	}
	exec_atfork_child();
}

/*
 * getenv over environ itself: a program may bring its own getenv, setenv
 * and unsetenv (bash does, over its own variable table, not yet filled
 * when the constructor runs).
 */
const char *
shim_getenv(const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		if (strncmp(environ[i], name, n) == 0 && environ[i][n] == '=')
			return environ[i] + n + 1;
	return NULL;
}

/*
 * The AGENTWRAP_* variables, in one pass over environ: the constructor of
 * every process reads them, and a process with a long environment would
 * pay a scan per variable.
 */
static void
read_env(struct shim_env *ev)
{
	static const struct {
		const char *name; /* without AGENTWRAP_ */
		size_t off;
	} vars[] = {
		{ "SOCK", offsetof(struct shim_env, sock) },
		{ "TOKEN", offsetof(struct shim_env, token) },
		{ "SHIM", offsetof(struct shim_env, shim) },
		{ "HOLDER", offsetof(struct shim_env, holder) },
		{ "AUDIT", offsetof(struct shim_env, audit) },
		{ "AUDIT_ONLY", offsetof(struct shim_env, audit_only) },
		{ "LD_PRELOAD", offsetof(struct shim_env, ld_preload) },
	};
	const char *e, **slot;
	size_t i, j, n;

	memset(ev, 0, sizeof(*ev));
	for (i = 0; environ != NULL && environ[i] != NULL; i++) {
		e = environ[i];
		if (e[0] != 'A' || strncmp(e, "AGENTWRAP_", 10) != 0)
			continue;
		e += 10;
		for (j = 0; j < sizeof(vars) / sizeof(vars[0]); j++) {
			n = strlen(vars[j].name);
			if (strncmp(e, vars[j].name, n) != 0 || e[n] != '=')
				continue;
			slot = (const char **)((char *)ev + vars[j].off);
			if (*slot == NULL) /* the first one, as getenv */
				*slot = e + n + 1;
			break;
		}
	}
}

/*
 * Take the shim's variables out of the program's view and give it back the
 * LD_PRELOAD it had before agentwrap; exec hooks put them back for children.
 * environ is edited in place, for the same reason as above.
 */
static void
hide_env(const struct shim_env *ev)
{
	static char user[sizeof("LD_PRELOAD=") + PATH_MAX * 2];
	const char *u = ev->ld_preload;
	size_t i, k;
	int placed = 0;

	user[0] = '\0';
	if (u != NULL && u[0] != '\0' &&
	    strlen(u) < sizeof(user) - sizeof("LD_PRELOAD="))
		strcat(strcpy(user, "LD_PRELOAD="), u);
	if (environ == NULL)
		return;
	for (i = k = 0; environ[i] != NULL; i++) {
		if (!aw_env_ours(environ[i]))
			environ[k++] = environ[i];
		else if (user[0] != '\0' && !placed &&
		    strncmp(environ[i], "LD_PRELOAD=", 11) == 0) {
			environ[k++] = user; /* where the old one was */
			placed = 1;
		}
	}
	/* AGENTWRAP_LD_PRELOAD itself was dropped: there is room */
	if (user[0] != '\0' && !placed)
		environ[k++] = user;
	environ[k] = NULL;
}

void
shim_init(void)
{
	static int started;
	struct shim_env ev;
	const char *why;
	int mode;

	if (__atomic_exchange_n(&started, 1, __ATOMIC_ACQ_REL))
		return;
	shim_guard++;
	shim.pid = (int)SYS0(SYS_getpid);
	read_env(&ev);
	if (ev.sock == NULL && ev.token == NULL) {
		mode = SHIM_INERT;
	} else {
		resolve_exec_reals();
		judge_init();
		pthread_atfork(NULL, NULL, atfork_child);
		if ((why = setup(&ev)) != NULL) {
			shim_fail_closed(why);
			mode = SHIM_FAILED;
		} else
			mode = SHIM_ACTIVE;
		hide_env(&ev);
	}
	__atomic_store_n(&shim.mode, mode, __ATOMIC_RELEASE);
	shim_guard--;
}

__attribute__((constructor)) static void
shim_ctor(void)
{
	shim_init();
}
