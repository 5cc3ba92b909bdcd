/*
 * pathres.c: path canonicalisation for the policy engine (see pathres.h).
 *
 * Trust domain: pure; may run inside the watched process.  The walk never
 * allocates, never prints and keeps its state on the stack; the only
 * system calls in this file are the readlinkat(2) behind pathres_real_fs,
 * which the walk reaches through the callback like any other filesystem,
 * and the statx(2) behind pathres_lstat().
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pathres.h"
#include "rawsys.h"

#define PEND_END PATH_MAX

/*
 * State of one walk.  The unprocessed rest of the path lives right-aligned
 * in pend[], so a link target can be read into the free space in front of
 * it and spliced in with one memmove: a single PATH_MAX buffer is the whole
 * stack budget, which matters inside a shim running on someone else's
 * thread stack.  pend[] is not NUL-terminated; it ends at PEND_END.
 */
struct walk {
	const struct pathres_fs *fs; /* NULL: lexical only */
	char *out;
	size_t outlen;
	size_t olen; /* strlen(out) */
	int nlinks;
	bool missing; /* past a missing component */
	char pend[PATH_MAX];
};

/* Drop the last component of out; "/" stays "/". */
static void
walk_pop(struct walk *w)
{
	size_t i = w->olen;

	while (i > 1 && w->out[i - 1] != '/')
		i--;
	w->olen = i > 1 ? i - 1 : 1;
	w->out[w->olen] = '\0';
}

static int
walk_append(struct walk *w, const char *name, size_t len)
{
	size_t sep = w->olen > 1;

	/* olen + sep + len + NUL must fit; olen < outlen always holds. */
	if (sep + len >= w->outlen - w->olen)
		return -ENAMETOOLONG;
	if (sep)
		w->out[w->olen++] = '/';
	memcpy(w->out + w->olen, name, len);
	w->olen += len;
	w->out[w->olen] = '\0';
	return 0;
}

/*
 * Walk the N bytes of S (N < PATH_MAX) on top of what out holds already.
 * FOLLOW_LAST decides for the final component only: a link met anywhere
 * else is a directory the kernel must traverse, so it is always expanded.
 * A last link is only expanded when FOLLOW_LAST is set, so its target is
 * walked with the flag set, as the kernel follows trailing link bodies.
 */
static int
walk_path(struct walk *w, const char *s, size_t n, bool follow_last)
{
	char *p = w->pend;
	size_t r, c, clen, dst;
	ssize_t tlen;
	bool last;
	int e, error;

	r = PEND_END - n;
	memcpy(p + r, s, n);
	for (;;) {
		while (r < PEND_END && p[r] == '/')
			r++;
		if (r == PEND_END)
			return 0;
		c = r;
		while (r < PEND_END && p[r] != '/')
			r++;
		clen = r - c;
		/*
		 * A name followed by a slash, even a trailing one, is a
		 * directory the kernel must traverse ("link/" follows link),
		 * so only a name at the very end is "last".
		 */
		last = r == PEND_END;

		if (clen == 1 && p[c] == '.')
			continue;
		if (clen == 2 && p[c] == '.' && p[c + 1] == '.') {
			/* out is canonical, so this is the physical parent. */
			walk_pop(w);
			continue;
		}
		if ((error = walk_append(w, p + c, clen)) != 0)
			return error;
		if (w->missing || (last && !follow_last))
			continue;

		/*
		 * The component is in out now, so all of pend[0, r) is free:
		 * read the target there (r >= clen >= 1, never a zero-length
		 * buffer, which readlink(2) would answer with EINVAL).
		 */
		e = 0;
		tlen = w->fs->readlink(w->fs->ctx, w->out, p, r, &e);
		if (tlen < 0) {
			if (e == EINVAL)
				continue;
			if (e == ENOENT || e == ENOTDIR) {
				w->missing = true;
				continue;
			}
			return e > 0 ? -e : -EIO;
		}
		/* Equal to the buffer may be truncated; target + rest must
		 * also stay below PATH_MAX, and this checks both. */
		if ((size_t)tlen >= r)
			return -ENAMETOOLONG;
		if (tlen == 0)
			return -ENOENT;
		/* A NUL would silently cut the result short. */
		if (memchr(p, '\0', (size_t)tlen) != NULL)
			return -EINVAL;
		if (++w->nlinks > PATHRES_MAXSYMLINKS)
			return -ELOOP;

		/* pend[r] is '/' or the end, so no separator is needed. */
		dst = r - (size_t)tlen;
		memmove(p + dst, p, (size_t)tlen);
		r = dst;
		walk_pop(w);
		if (p[r] == '/') {
			w->olen = 1;
			w->out[1] = '\0';
		}
	}
}

/* FS NULL means lexical: every component is treated as missing. */
static int
resolve(const struct pathres_fs *fs, const char *cwd, const char *path,
    bool follow_last, char *out, size_t outlen)
{
	struct walk w;
	size_t n, cn;
	int error;

	if (out == NULL || outlen == 0)
		return -EINVAL;
	out[0] = '\0';
	if (path == NULL)
		return -EINVAL;
	if (outlen < 2)
		return -ENAMETOOLONG;
	n = strnlen(path, PATH_MAX);
	if (n == 0)
		return -EINVAL;
	if (n == PATH_MAX)
		return -ENAMETOOLONG;

	w.fs = fs;
	w.out = out;
	w.outlen = outlen;
	w.olen = 1;
	w.nlinks = 0;
	w.missing = fs == NULL;
	out[0] = '/';
	out[1] = '\0';

	if (path[0] != '/') {
		if (cwd == NULL || cwd[0] != '/') {
			error = -EINVAL;
			goto fail;
		}
		cn = strnlen(cwd, PATH_MAX);
		if (cn == PATH_MAX) {
			error = -ENAMETOOLONG;
			goto fail;
		}
		/* The cwd is a directory: every component is followed. */
		if ((error = walk_path(&w, cwd, cn, true)) != 0)
			goto fail;
	}
	if ((error = walk_path(&w, path, n, follow_last)) != 0)
		goto fail;
	return 0;

fail:
	out[0] = '\0';
	return error;
}

int
pathres_canon(const struct pathres_fs *fs, const char *cwd, const char *path,
    int flags, char *out, size_t outlen)
{
	if (fs == NULL || fs->readlink == NULL ||
	    (flags & ~PATHRES_FOLLOW_LAST) != 0) {
		if (out != NULL && outlen > 0)
			out[0] = '\0';
		return -EINVAL;
	}
	return resolve(
	    fs, cwd, path, (flags & PATHRES_FOLLOW_LAST) != 0, out, outlen);
}

int
pathres_lexical(const char *cwd, const char *path, char *out, size_t outlen)
{
	return resolve(NULL, cwd, path, false, out, outlen);
}

bool
pathres_under(const char *root, const char *path)
{
	size_t n;

	if (root == NULL || path == NULL || root[0] != '/' || path[0] != '/')
		return false;
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n == 1)
		return true;
	return strncmp(path, root, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/');
}

/*
 * The real filesystem.  syscall(2) rather than readlink(3): inside the
 * shim, readlink is one of the wrapped symbols and calling it would come
 * back into the shim.  errno is restored because the shim must not leak
 * its own failures into the watched program's errno.
 */
static ssize_t
real_readlink(void *ctx, const char *path, char *buf, size_t len, int *err)
{
	int saved = errno;
	long rv;

	(void)ctx;
	rv = syscall(SYS_readlinkat, AT_FDCWD, path, buf, len);
	if (rv < 0)
		*err = errno;
	errno = saved;
	return (ssize_t)rv;
}

static int
real_lstat(void *ctx, const char *path, struct pathres_stat *st)
{
	struct statx sx;
	long r;

	(void)ctx;
	memset(st, 0, sizeof(*st));
	memset(&sx, 0, sizeof(sx));
	r = raw6(SYS_statx, AT_FDCWD, (long)path, AT_SYMLINK_NOFOLLOW,
	    STATX_TYPE | STATX_CTIME, (long)&sx, 0);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0; /* PATHRES_ABSENT */
	if (r < 0)
		return (int)r;
	st->ctime_sec = (long long)sx.stx_ctime.tv_sec;
	st->ctime_nsec = (long)sx.stx_ctime.tv_nsec;
	switch (sx.stx_mode & S_IFMT) {
	case S_IFREG:
		st->type = PATHRES_FILE;
		break;
	case S_IFDIR:
		st->type = PATHRES_DIR;
		break;
	case S_IFLNK:
		st->type = PATHRES_LINK;
		break;
	default:
		st->type = PATHRES_OTHER;
	}
	return 0;
}

const struct pathres_fs pathres_real_fs = { real_readlink, NULL };

int
pathres_lstat(const struct pathres_lstat_fs *sfs, const char *path,
    struct pathres_stat *st)
{
	if (sfs != NULL && sfs->stat != NULL)
		return sfs->stat(sfs->ctx, path, st);
	return real_lstat(NULL, path, st);
}
