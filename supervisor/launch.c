/*
 * launch.c: the command's start: the snapshot and the environment it is
 * given, and the child between fork and exec (no_new_privs, the kernel
 * floor, Landlock, the exec itself); and the file operations with which
 * the supervisor looks at the program the child will run.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cover.h"
#include "envbuild.h"
#include "floor.h"
#include "landlock.h"
#include "proto.h"
#include "run.h"
#include "launch.h"

extern char **environ;

/* The policy snapshot in a sealed memfd. */
int
launch_snapshot(const struct policy *pol)
{
	uint8_t *buf;
	size_t len, off = 0;
	ssize_t n;
	int fd;

	if (snapshot_write(pol, &buf, &len) == -1) {
		warnx("cannot write the policy snapshot");
		return -1;
	}
	if ((fd = memfd_create("agentwrap-snapshot",
		 MFD_CLOEXEC | MFD_ALLOW_SEALING)) == -1) {
		warn("memfd_create");
		free(buf);
		return -1;
	}
	while (off < len) {
		if ((n = write(fd, buf + off, len - off)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0) {
			warn("writing the policy snapshot");
			free(buf);
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	free(buf);
	if (fcntl(fd, F_ADD_SEALS,
		F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) ==
	    -1) {
		warn("sealing the policy snapshot");
		close(fd);
		return -1;
	}
	return fd;
}

void
launch_env_free(char **env)
{
	free(env);
}

/* The command's environment: ours, plus the variables the shim needs, in
 * one block (envbuild.h) */
char **
launch_env(const char *shim, const char *sock, pid_t holder,
    const uint8_t token[AW_TOKEN_LEN], int audit, int audit_only)
{
	char hex[2 * AW_TOKEN_LEN + 1], hold[16] = "";
	struct aw_env v;
	const char *user;
	size_t i;
	void *buf;

	for (i = 0; i < AW_TOKEN_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", token[i]);
	if (holder > 0)
		snprintf(hold, sizeof(hold), "%d", (int)holder);
	v.shim = shim;
	v.sock = sock;
	v.holder = hold;
	v.token_hex = hex;
	v.audit = audit;
	v.audit_only = audit_only;
	if ((buf = malloc(aw_env_size(environ, &v, &user))) == NULL)
		return NULL;
	return aw_env_build(buf, environ, &v, user);
}

static void
child_fail(int fd, int stage)
{
	int msg[2] = { stage, errno };
	ssize_t r;

	do
		r = write(fd, msg, sizeof(msg));
	while (r == -1 && errno == EINTR);
}

/* The coverage check's file operations, for the first exec */
static long
f_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd == -1 ? -errno : fd;
}

static long
f_pread(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r = pread(fd, buf, n, off);

	return r == -1 ? -errno : r;
}

static long
f_fstat(int fd, struct stat *st)
{
	return fstat(fd, st) == -1 ? -errno : 0;
}

static long
f_stat(const char *path, struct stat *st)
{
	return stat(path, st) == -1 ? -errno : 0;
}

static long
f_has_caps(int fd)
{
	ssize_t r = fgetxattr(fd, "security.capability", NULL, 0);

	return r == -1 ? -errno : r;
}

static long
f_can_exec(const char *path)
{
	return access(path, X_OK) == -1 ? -errno : 0;
}

static void
f_close(int fd)
{
	close(fd);
}

const struct cover_io *
launch_cover_io(void)
{
	static struct cover_io io = { f_open, f_pread, f_fstat, f_stat,
		f_has_caps, f_can_exec, f_close, 0, 0, 1 };

	/* the child runs under no_new_privs (it sets it before the exec,
	 * or nothing runs), with our ids */
	io.euid = geteuid();
	io.egid = getegid();
	return &io;
}

/*
 * Is there a file NAME in some directory of $PATH? execvp() says EACCES
 * when a directory of $PATH cannot be searched, even if the command is in
 * none of them: a shell says "not found" (127) then, and so do we.
 */
static int
found_in_path(const char *name)
{
	char buf[PATH_MAX];

	return cover_search(
	    launch_cover_io(), getenv("PATH"), NULL, name, 0, buf, sizeof(buf));
}

/* Can the shim follow the command itself? The shim's own check (cover.c) */
const char *
launch_uncovered(const char *path)
{
	return cover_why_path(launch_cover_io(), path);
}

/* In the child, between fork and exec. Does not return. */
_Noreturn void
launch_child(const struct run_opts *o, const struct floor_prog *fp, int watch,
    const char *shim, char **argv, char **env, const sigset_t *oldmask,
    int pipe_w, int floor_w)
{
	enum floor_state fs;
	char ferr[120], lwhy[320];
	int lfd, ll;

	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	if (o->chdir_workspace && chdir(o->cfg->s[CFG_WORKSPACE].str) == -1) {
		child_fail(pipe_w, CHILD_CHDIR);
		_exit(RUN_EXIT_AGENTWRAP);
	}
	/* no_new_privs first, and without it nothing runs: the judging of
	 * set-user-ID programs and the floor rest on it */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		child_fail(pipe_w, CHILD_NNP);
		_exit(RUN_EXIT_AGENTWRAP);
	}
	/*
	 * Landlock first, where it cannot refuse what an answer would allow;
	 * asked for (on) and not possible, nothing runs. Then the floor for
	 * the whole tree, last: with the watch (the command is a program the
	 * shim cannot follow, or --strict), every judged call from there on
	 * waits for the supervisor, which waits for our message. The watch's
	 * listener goes to the supervisor and not further (the tree must not
	 * answer its own calls), taken from here with pidfd_getfd: we are
	 * not dumpable, as the supervisor we were forked from is (the exec
	 * sets that again).
	 */
	ll = 0;
	lwhy[0] = '\0';
	fs = FLOOR_NONE;
	ferr[0] = '\0';
	if (landlock_wanted(o->cfg, o->audit_only, lwhy, sizeof(lwhy))) {
		/* --no-landlock, AGENTWRAP_DISABLE: as on a kernel without */
		if (o->no_landlock)
			snprintf(lwhy, sizeof(lwhy),
			    "Landlock is turned off (--no-landlock or "
			    "AGENTWRAP_DISABLE=landlock)");
		else
			ll = landlock_install(o->pol,
			    landlock_network_off(o->cfg), shim, lwhy,
			    sizeof(lwhy));
		if (ll <= 0 && o->cfg->s[CFG_LANDLOCK].val == LANDLOCK_CFG_ON) {
			floor_send(floor_w, -1, fs, ferr, 0, lwhy);
			errno = ENOSYS;
			child_fail(pipe_w, CHILD_LANDLOCK);
			_exit(RUN_EXIT_AGENTWRAP);
		}
		if (ll < 0)
			ll = 0;
	}
	lfd = floor_install(fp, watch, &fs, ferr, sizeof(ferr));
	if (lfd >= 0)
		prctl(PR_SET_DUMPABLE, 1);
	floor_send(floor_w, lfd, fs, ferr, ll, lwhy);
	if (watch && lfd < 0) {
		/* the watch was what made this command safe to run */
		errno = ENOSYS;
		child_fail(pipe_w, CHILD_WATCH);
		_exit(RUN_EXIT_AGENTWRAP);
	}
	if (lfd >= 0) {
		char ack;
		ssize_t r;

		/* until the supervisor has taken it: the exec closes it */
		do
			r = read(floor_w, &ack, 1);
		while (r == -1 && errno == EINTR);
		close(lfd);
		if (r != 1 || ack != 1) {
			errno = EPERM;
			child_fail(pipe_w, CHILD_WATCH);
			_exit(RUN_EXIT_AGENTWRAP);
		}
	}
	close(floor_w);
	/* the last thing before the tree exists: the wait for the coarse
	 * clock overlaps with all the setting up above */
	policy_settle(o->pol);
	execvpe(argv[0], argv, env);
	if (errno == EACCES && strchr(argv[0], '/') == NULL &&
	    !found_in_path(argv[0]))
		errno = ENOENT;
	child_fail(pipe_w, CHILD_EXEC);
	_exit(errno == ENOENT || errno == ENOTDIR ? RUN_EXIT_NOT_FOUND
						  : RUN_EXIT_CANNOT_RUN);
}
