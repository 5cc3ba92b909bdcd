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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rawsys.h"
#include "shim.h"

struct shim_real shim_real;
struct shim_state shim;
__thread int shim_guard __attribute__((tls_model("initial-exec")));

static const struct {
	const char *name;
	void **slot;
} real_names[] = {
#define HOOK(cls, ret, name, params, prep, judge, call, fail)                  \
	{ #name, (void **)&shim_real.name },
#define HAND(ret, name, params) { #name, (void **)&shim_real.name },
#include "hooks.def"
#undef HOOK
#undef HAND
};

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

int
shim_ready(void **slot, const char *name)
{
	if (*slot == NULL &&
	    __atomic_load_n(&shim.mode, __ATOMIC_ACQUIRE) == SHIM_UNINIT)
		shim_init();
	if (*slot == NULL) {
		shim_missing(name);
		return 0;
	}
	return 1;
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

static void
resolve_reals(void)
{
	size_t i;

	for (i = 0; i < sizeof(real_names) / sizeof(real_names[0]); i++)
		*real_names[i].slot = dlsym(RTLD_NEXT, real_names[i].name);
}

/* "R,S,D": three descriptor numbers */
static int
parse_fds(const char *s, int fd[SHIM_NFDS])
{
	long v;
	int i;

	for (i = 0; i < SHIM_NFDS; i++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = 0;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (*s++ - '0');
			if (v > INT_MAX)
				return -1;
		}
		fd[i] = (int)v;
		if (*s != (i == SHIM_NFDS - 1 ? '\0' : ','))
			return -1;
		if (*s == ',')
			s++;
	}
	return 0;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int
parse_token(const char *s, uint8_t tok[AW_TOKEN_LEN])
{
	int i, hi, lo;

	if (strlen(s) != 2 * AW_TOKEN_LEN)
		return -1;
	for (i = 0; i < AW_TOKEN_LEN; i++) {
		if ((hi = hexval(s[2 * i])) < 0 ||
		    (lo = hexval(s[2 * i + 1])) < 0)
			return -1;
		tok[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int
is_true(const char *s)
{
	return s != NULL && s[0] != '\0' && strcmp(s, "0") != 0;
}

static int
load_snapshot(int fd)
{
	struct stat st;
	void *map;
	int r;

	if (fstat(fd, &st) == -1 || st.st_size <= 0)
		return -1;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return -1;
	r = snapshot_read(map, (size_t)st.st_size, &shim.pol);
	munmap(map, (size_t)st.st_size);
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

static const char *
attach(void)
{
	const char *fds = shim_getenv(AW_ENV_FDS);
	const char *tok = shim_getenv(AW_ENV_TOKEN);
	const char *path = shim_getenv(AW_ENV_SHIM);
	uint8_t token[AW_TOKEN_LEN];
	long n;
	int i;

	if (fds == NULL || parse_fds(fds, shim.fd) == -1)
		return "AGENTWRAP_FDS is missing or malformed";
	if (tok == NULL || parse_token(tok, token) == -1)
		return "AGENTWRAP_TOKEN is missing or malformed";
	memcpy(shim.token_hex, tok, 2 * AW_TOKEN_LEN);
	shim.token_hex[2 * AW_TOKEN_LEN] = '\0';
	for (i = 0; i < SHIM_NFDS; i++)
		if (REAL(fcntl) == NULL ||
		    REAL(fcntl)(shim.fd[i], F_GETFD) == -1)
			return "a descriptor named in AGENTWRAP_FDS is not "
			       "open";
	shim.have_fds = 1;
	if (path != NULL && path[0] == '/' && strlen(path) < sizeof(shim.shim))
		strcpy(shim.shim, path);
	else if (self_path(shim.shim, sizeof(shim.shim)) == -1)
		return "cannot tell the shim's own path (AGENTWRAP_SHIM)";
	shim.audit_only = is_true(shim_getenv(AW_ENV_AUDIT_ONLY));
	shim.audit = shim.audit_only || is_true(shim_getenv(AW_ENV_AUDIT));
	if (ring_attach(&shim.rc, shim.fd[SHIM_FD_RING], shim.fd[SHIM_FD_BELL],
		token) == -1)
		return "cannot attach to the supervisor's ring (bad "
		       "descriptor, "
		       "version or token)";
	if (!ring_supervisor_alive(&shim.rc))
		return "the supervisor is gone";
	if (load_snapshot(shim.fd[SHIM_FD_SNAP]) == -1)
		return "cannot load the policy snapshot";
	n = SYS4(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", shim.exe,
	    sizeof(shim.exe) - 1);
	shim.exe[n > 0 ? n : 0] = '\0';
	shim_fds_for_exec();
	return NULL;
}

static int
ours(const char *e)
{
	return strncmp(e, "AGENTWRAP_", 10) == 0 ||
	    strncmp(e, "LD_PRELOAD=", 11) == 0;
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
 * Take the shim's variables out of the program's view and give it back the
 * LD_PRELOAD it had before agentwrap; exec hooks put them back for children.
 * environ is edited in place, for the same reason as above.
 */
static void
hide_env(void)
{
	static char user[sizeof("LD_PRELOAD=") + PATH_MAX * 2];
	const char *u = shim_getenv(AW_ENV_LD_PRELOAD);
	size_t i, k;
	int placed = 0;

	user[0] = '\0';
	if (u != NULL && u[0] != '\0' &&
	    strlen(u) < sizeof(user) - sizeof("LD_PRELOAD="))
		strcat(strcpy(user, "LD_PRELOAD="), u);
	if (environ == NULL)
		return;
	for (i = k = 0; environ[i] != NULL; i++) {
		if (!ours(environ[i]))
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
	const char *why;
	int mode;

	if (__atomic_exchange_n(&started, 1, __ATOMIC_ACQ_REL))
		return;
	shim_guard++;
	resolve_reals();
	shim.pid = (int)SYS0(SYS_getpid);
	if (shim_getenv(AW_ENV_FDS) == NULL &&
	    shim_getenv(AW_ENV_TOKEN) == NULL) {
		mode = SHIM_INERT;
	} else {
		fdguard_atfork_init();
		if ((why = attach()) != NULL) {
			shim_fail_closed(why);
			mode = SHIM_FAILED;
		} else
			mode = SHIM_ACTIVE;
		hide_env();
	}
	__atomic_store_n(&shim.mode, mode, __ATOMIC_RELEASE);
	shim_guard--;
}

__attribute__((constructor)) static void
shim_ctor(void)
{
	shim_init();
}
