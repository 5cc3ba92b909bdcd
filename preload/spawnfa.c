/*
 * spawnfa.c: posix_spawn file actions, judged where the child will run
 * them. The child runs its actions after the fork, out of any hook's reach,
 * so an open action is judged when it is added, in the directory the child
 * will be in: the current one, or where an earlier chdir action leads.
 *
 * Runs inside the watched process, in hooks. One file-actions object is one
 * thread's at a time (POSIX), so a slot per object needs no lock beyond
 * claiming it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

static int
guarding(void)
{
	int m = __atomic_load_n(&shim.mode, __ATOMIC_ACQUIRE);

	return m == SHIM_ACTIVE || m == SHIM_FAILED;
}

/*
 * A chdir action changes what the relative paths of later actions (and a
 * relative program) name in the child, so the directory it leaves the
 * child in is remembered per file-actions object: the canonical path of an
 * addchdir_np target, or "unknown" after an addfchdir_np (the descriptor
 * may name something else by then). A slot is claimed with a
 * compare-and-swap (one file-actions object is one thread's at a time) and
 * given back by init and destroy; with none free a chdir action fails with
 * ENOMEM rather than be forgotten.
 */
#define NDIRS 32

enum { FA_DIR_KNOWN = 1, FA_DIR_UNKNOWN };

static struct {
	const void *fa;
	int state;
	char dir[PATH_MAX];
} fa_dirs[NDIRS];

static int
fa_dir_find(const void *fa)
{
	int i;

	for (i = 0; fa != NULL && i < NDIRS; i++)
		if (__atomic_load_n(&fa_dirs[i].fa, __ATOMIC_ACQUIRE) == fa)
			return i;
	return -1;
}

/* FA's slot, claimed if it has none (state 0 then); -1 if none is free */
static int
fa_dir_claim(const void *fa)
{
	const void *none;
	int i;

	if ((i = fa_dir_find(fa)) >= 0)
		return i;
	for (i = 0; i < NDIRS; i++) {
		none = NULL;
		if (__atomic_compare_exchange_n(&fa_dirs[i].fa, &none, fa, 0,
			__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			fa_dirs[i].state = 0;
			return i;
		}
	}
	return -1;
}

static void
fa_dir_drop(const void *fa)
{
	int i;

	if ((i = fa_dir_find(fa)) >= 0)
		__atomic_store_n(&fa_dirs[i].fa, NULL, __ATOMIC_RELEASE);
}

int
spawnfa_dir(const posix_spawn_file_actions_t *fa, const char *rel, char *out)
{
	int i, n;

	if (rel == NULL || rel[0] == '/' || (i = fa_dir_find(fa)) < 0 ||
	    fa_dirs[i].state == 0)
		return 0;
	if (fa_dirs[i].state != FA_DIR_KNOWN)
		return -1;
	n = snprintf(out, PATH_MAX, "%s/%s",
	    strcmp(fa_dirs[i].dir, "/") == 0 ? "" : fa_dirs[i].dir, rel);
	return n > 0 && n < PATH_MAX ? 1 : -1;
}

/* The open action of PATH for FA: judged where the child will open it */
static int
judge_fa_open(struct shim_call *c, const posix_spawn_file_actions_t *fa,
    const char *path, int oflag)
{
	char full[PATH_MAX];
	struct judge_obj o;
	int k;

	if ((k = spawnfa_dir(fa, path, full)) == 0)
		return judge_open(c, AT_FDCWD, path, oflag);
	if (k == 1)
		return judge_open(c, AT_FDCWD, full, oflag);
	memset(&o, 0, sizeof(o));
	o.op = (oflag & O_ACCMODE) != O_RDONLY ||
		(oflag & (O_CREAT | O_TRUNC | O_APPEND)) != 0
	    ? OP_WRITE
	    : OP_READ;
	o.path = path;
	o.port = -1;
	if (judge_event(c, &o, VERDICT_DENY, "posix_spawn",
		"a relative open action after an fchdir action: the directory "
		"the child opens it in is not known",
		shim.audit_only ? 0 : EACCES) == -1)
		return shim_fail_errno(c->cls);
	return shim.audit_only ? 0 : EACCES;
}

SHIM_EXPORT int
posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd,
    const char *path, int oflag, mode_t mode)
{
	struct shim_call c;
	int e;

	if (!READY(posix_spawn_file_actions_addopen))
		return ENOSYS;
	/*
	 * The child opens PATH before its exec, where no hook sees it: judge
	 * it now, against the directory the child will be in (the current
	 * one, or where a chdir action before it leads).
	 */
	switch (shim_enter(&c, "posix_spawn_file_actions_addopen", SHIM_FS)) {
	case SHIM_PASS:
		break;
	case SHIM_JUDGE:
		e = judge_fa_open(&c, fa, path, oflag);
		if (shim_leave(&c, e))
			return e;
		break;
	default:
		return errno;
	}
	return REAL(posix_spawn_file_actions_addopen)(
	    fa, fd, path, oflag, mode);
}

/* A chdir action: remember where it leaves the child (fa_dirs above) */
SHIM_EXPORT int
posix_spawn_file_actions_addchdir_np(
    posix_spawn_file_actions_t *fa, const char *path)
{
	char full[PATH_MAX], dir[PATH_MAX];
	struct shim_call c;
	int i, k, fresh, r, state = FA_DIR_UNKNOWN;

	if (!READY(posix_spawn_file_actions_addchdir_np))
		return ENOSYS;
	switch (
	    shim_enter(&c, "posix_spawn_file_actions_addchdir_np", SHIM_FS)) {
	case SHIM_PASS:
		return REAL(posix_spawn_file_actions_addchdir_np)(fa, path);
	case SHIM_JUDGE:
		break;
	default:
		return errno;
	}
	/* relative to the directory an earlier chdir action leads to */
	if (path[0] != '\0' && (k = spawnfa_dir(fa, path, full)) >= 0 &&
	    judge_canon(&c, AT_FDCWD, k == 1 ? full : path, J_FOLLOW, dir) == 0)
		state = FA_DIR_KNOWN;
	shim_leave(&c, 0);
	fresh = fa_dir_find(fa) < 0;
	if ((i = fa_dir_claim(fa)) < 0)
		return ENOMEM;
	if ((r = REAL(posix_spawn_file_actions_addchdir_np)(fa, path)) != 0) {
		if (fresh)
			fa_dir_drop(fa);
		return r;
	}
	if (state == FA_DIR_KNOWN)
		memcpy(fa_dirs[i].dir, dir, strlen(dir) + 1);
	fa_dirs[i].state = state;
	return 0;
}

SHIM_EXPORT int
posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *fa, int fd)
{
	int i, fresh, r;

	if (!READY(posix_spawn_file_actions_addfchdir_np))
		return ENOSYS;
	if (!guarding())
		return REAL(posix_spawn_file_actions_addfchdir_np)(fa, fd);
	fresh = fa_dir_find(fa) < 0;
	if ((i = fa_dir_claim(fa)) < 0)
		return ENOMEM;
	if ((r = REAL(posix_spawn_file_actions_addfchdir_np)(fa, fd)) != 0) {
		if (fresh)
			fa_dir_drop(fa);
		return r;
	}
	fa_dirs[i].state = FA_DIR_UNKNOWN;
	return 0;
}

/* A new or finished file-actions object has no chdir action */
SHIM_EXPORT int
posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	if (!READY(posix_spawn_file_actions_init))
		return ENOSYS;
	fa_dir_drop(fa);
	return REAL(posix_spawn_file_actions_init)(fa);
}

SHIM_EXPORT int
posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	if (!READY(posix_spawn_file_actions_destroy))
		return ENOSYS;
	fa_dir_drop(fa);
	return REAL(posix_spawn_file_actions_destroy)(fa);
}
