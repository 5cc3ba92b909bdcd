/*
 * pathres.h: path canonicalisation for the policy engine, so that a rule
 * written for "/work" is judged against the object the kernel's path walk
 * would reach, not against the string the program happened to pass.
 *
 * Trust domain: pure; may run inside the watched process (the LD_PRELOAD
 * shim) as well as in the supervisor.  No allocation, no stdio, no writable
 * globals, no direct system calls: everything the walk learns about the
 * filesystem comes through a readlink-like callback, which is what makes it
 * testable against a fake filesystem.  Stack use is bounded: one PATH_MAX
 * buffer plus a few words per call.
 *
 * The answer describes the filesystem as the callback saw it.  A concurrent
 * rename or symlink swap can change what the kernel resolves afterwards
 * (TOCTOU); an enforcer must act on the resolved path or forbid symlinks
 * in the walk (openat2 RESOLVE_NO_SYMLINKS), not trust this answer alone.
 */
#ifndef AGENTWRAP_PATHRES_H
#define AGENTWRAP_PATHRES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Link expansions per pathres_canon() call, as the kernel's MAXSYMLINKS. */
#define PATHRES_MAXSYMLINKS 40

/*
 * readlink-like callback: for an absolute canonical-so-far PATH (no "//",
 * no "." or "..", no trailing slash, never "/"), return the link target
 * length (target copied into BUF, not NUL-terminated, like readlink(2)),
 * or -1 with *ERR =
 *	EINVAL	when the path exists and is not a symlink,
 *	ENOENT	when it does not exist,
 *	ENOTDIR	when a prefix is not a directory,
 *	another errno otherwise (EACCES, EIO, ...).
 * LEN is always at least 1.  A return value >= LEN is taken as truncation.
 */
typedef ssize_t (*pathres_readlink_fn)(
    void *ctx, const char *path, char *buf, size_t len, int *err);

/*
 * What an lstat(2) of a canonical PATH tells the policy: the type of the
 * entry (PATHRES_ABSENT when it does not exist: ENOENT, or ENOTDIR for a
 * prefix that is not a directory) and its status change time.  Returns 0,
 * or a negative errno when the entry cannot be looked at (-EACCES...).
 */
enum pathres_type {
	PATHRES_ABSENT,
	PATHRES_FILE,
	PATHRES_DIR,
	PATHRES_LINK,
	PATHRES_OTHER,
};

struct pathres_stat {
	int type; /* enum pathres_type */
	long long ctime_sec;
	long ctime_nsec;
};

typedef int (*pathres_stat_fn)(
    void *ctx, const char *path, struct pathres_stat *st);

struct pathres_fs {
	pathres_readlink_fn readlink;
	void *ctx;
};

/* An lstat of its own (a fake filesystem's) for pathres_lstat() */
struct pathres_lstat_fs {
	pathres_stat_fn stat;
	void *ctx;
};

/*
 * The real filesystem, built on readlinkat(2) called through syscall(2) so
 * that a shim which wraps readlink() does not recurse into itself.  It
 * preserves errno.  It answers for the calling process: /proc/self and
 * /proc/self/fd/N are the caller's, so the supervisor needs its own callback
 * (rewriting /proc/self to /proc/<pid>) to judge a watched process's path.
 */
extern const struct pathres_fs pathres_real_fs;

/*
 * lstat PATH through SFS, or, when SFS is NULL, through statx(2) issued as
 * a raw system call: inside the shim a libc call could come back into one
 * of its hooks.  Preserves errno.  Same results as pathres_stat_fn.
 */
int pathres_lstat(const struct pathres_lstat_fs *sfs, const char *path,
    struct pathres_stat *st);

enum {
	PATHRES_FOLLOW_LAST = 1,
};

/*
 * Canonicalise PATH (absolute, or relative to CWD which must be absolute)
 * into OUT (OUTLEN bytes, normally PATH_MAX):
 *  - collapse "//" and "."; names like "..." or ".a" are ordinary names;
 *  - resolve every symlink in components that exist, at most
 *    PATHRES_MAXSYMLINKS expansions in total; a relative target is
 *    resolved against the link's directory, an absolute one from "/";
 *  - resolve ".." against the resolved parent, so "link/.." is the parent
 *    of the link's target, as in the kernel; ".." above "/" stays "/";
 *  - keep components that do not exist (ENOENT, ENOTDIR) lexically; after
 *    the first missing component the rest is lexical, ".." included (the
 *    kernel would fail such a walk, so no object is reached through it);
 *  - follow a symlink in the last component only with PATHRES_FOLLOW_LAST
 *    or when PATH ends in "/"; a dangling last link then resolves to where
 *    its target would be, since creating through it creates the target.
 * CWD is resolved like the rest of the path rather than trusted: a cwd
 * taken from $PWD may go through a symlink.  CWD is ignored when PATH is
 * absolute and may then be NULL.
 *
 * On success OUT is absolute, canonical, without trailing slash except "/".
 * Returns 0 or a negative errno, and on error leaves OUT empty:
 *	-EINVAL		empty or NULL PATH, relative or NULL CWD for a
 *			relative PATH, unknown FLAGS, NULL FS or OUT, a link
 *			target containing NUL
 *	-ENAMETOOLONG	PATH or CWD of PATH_MAX bytes or more, a result or
 *			intermediate path that does not fit OUTLEN, a link
 *			target that with the rest of the path exceeds PATH_MAX
 *	-ELOOP		more than PATHRES_MAXSYMLINKS expansions
 *	-ENOENT		an empty link target (the kernel fails those too)
 *	-EIO		the callback failed without an errno
 *	-errno		any other callback error (e.g. -EACCES): the path
 *			cannot be judged, so the caller should deny
 *
 * XXX /proc/<pid>/fd/N links to pipes, sockets and anonymous inodes read
 * as "pipe:[123]" and resolve as a relative name in the fd directory; the
 * caller must recognise /proc/.../fd/ results.  Telling them apart needs
 * the object's type, which a readlink callback cannot give.
 */
int pathres_canon(const struct pathres_fs *fs, const char *cwd,
    const char *path, int flags, char *out, size_t outlen);

/*
 * True when PATH equals ROOT or lies below it on a component boundary
 * ("/a/b" is under "/a", "/ab" is not; "/" contains every absolute path).
 * Both should be canonical; a trailing slash on ROOT is tolerated.  NULL,
 * empty or relative arguments give false.
 */
bool pathres_under(const char *root, const char *path);

/*
 * Lexical join of CWD and PATH and normalisation ("//", ".", ".."; ".."
 * above "/" stays "/") without any filesystem access, for config paths that
 * may not exist yet; expands nothing.  Same arguments, OUT contract and
 * errors as pathres_canon() minus those that come from the callback.
 */
int pathres_lexical(
    const char *cwd, const char *path, char *out, size_t outlen);

#endif /* AGENTWRAP_PATHRES_H */
