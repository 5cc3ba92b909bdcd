/*
 * check_pathres.c: unit tests for policy/pathres.c.
 *
 * Most cases run against a fake filesystem described by a table, which
 * also checks that the walk only ever asks about canonical paths; a few run
 * against the real filesystem in a mkdtemp directory to keep the fake
 * honest (kernel link limit, /proc/self/cwd, creating through a dangling
 * link).  Test code: runs in the build, trusts its inputs.
 */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pathres.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------
 * Fake filesystem.  Every proper prefix of an entry is an implicit
 * directory; "/" always exists.
 */

enum { D, F, L, E }; /* directory, file, symlink, error on lookup */

struct fake_ent {
	const char *path;
	int kind;
	const char *target; /* L: link target */
	size_t tlen; /* L: 0 means strlen(target) */
	int error; /* E: *err to report */
};

struct fake_fs {
	const struct fake_ent *ents;
	size_t nents;
	int calls;
};

static void
assert_canonical(const char *what, const char *p)
{
	size_t n = strlen(p);

	ck_assert_msg(p[0] == '/', "%s not absolute: \"%s\"", what, p);
	ck_assert_msg(n < PATH_MAX, "%s too long: %zu", what, n);
	ck_assert_msg(strstr(p, "//") == NULL, "%s has //: \"%s\"", what, p);
	ck_assert_msg(
	    n == 1 || p[n - 1] != '/', "%s ends in /: \"%s\"", what, p);
	ck_assert_msg(strstr(p, "/./") == NULL && strstr(p, "/../") == NULL &&
		!(n >= 2 && strcmp(p + n - 2, "/.") == 0) &&
		!(n >= 3 && strcmp(p + n - 3, "/..") == 0),
	    "%s has . or ..: \"%s\"", what, p);
}

static const struct fake_ent *
fake_find(const struct fake_fs *fs, const char *path, size_t len)
{
	size_t i;

	for (i = 0; i < fs->nents; i++)
		if (strlen(fs->ents[i].path) == len &&
		    memcmp(fs->ents[i].path, path, len) == 0)
			return &fs->ents[i];
	return NULL;
}

static bool
fake_is_implicit_dir(const struct fake_fs *fs, const char *path, size_t len)
{
	size_t i;

	if (len == 1)
		return true; /* "/" */
	for (i = 0; i < fs->nents; i++)
		if (strncmp(fs->ents[i].path, path, len) == 0 &&
		    fs->ents[i].path[len] == '/')
			return true;
	return false;
}

static ssize_t
fake_readlink(void *ctx, const char *path, char *buf, size_t len, int *err)
{
	struct fake_fs *fs = ctx;
	const struct fake_ent *ent;
	size_t n, tlen;
	const char *slash;

	fs->calls++;
	assert_canonical("callback path", path);
	ck_assert_msg(strcmp(path, "/") != 0, "callback asked about /");
	ck_assert_msg(len > 0, "callback got a zero-length buffer");
	n = strlen(path);

	if ((ent = fake_find(fs, path, n)) != NULL) {
		switch (ent->kind) {
		case L:
			tlen = ent->tlen ? ent->tlen : strlen(ent->target);
			if (tlen > len)
				tlen = len; /* truncate like readlink(2) */
			memcpy(buf, ent->target, tlen);
			return (ssize_t)tlen;
		case E:
			*err = ent->error;
			return -1;
		default:
			*err = EINVAL;
			return -1;
		}
	}
	if (fake_is_implicit_dir(fs, path, n)) {
		*err = EINVAL;
		return -1;
	}
	/*
	 * Missing.  The walk only asks about children of paths it found to
	 * exist, so the parent is a directory or a file.
	 */
	slash = strrchr(path, '/');
	ent = fake_find(fs, path, slash == path ? 1 : (size_t)(slash - path));
	*err = ent != NULL && ent->kind == F ? ENOTDIR : ENOENT;
	return -1;
}

/* ---------------------------------------------------------------------
 * Table-driven canon cases on one fake tree.
 */

static const struct fake_ent tree[] = {
	{ "/etc/passwd", F, NULL, 0, 0 },
	{ "/tmp", D, NULL, 0, 0 },
	{ "/home/u/other", D, NULL, 0, 0 },
	{ "/home/u/link_to_proj", L, "proj", 0, 0 },
	{ "/home/u/proj/src/main.c", F, NULL, 0, 0 },
	{ "/home/u/proj/...", D, NULL, 0, 0 },
	{ "/home/u/proj/rel", L, "src", 0, 0 },
	{ "/home/u/proj/abs", L, "/etc", 0, 0 },
	{ "/home/u/proj/up", L, "../other", 0, 0 },
	{ "/home/u/proj/chain1", L, "chain2", 0, 0 },
	{ "/home/u/proj/chain2", L, "/home/u/proj/chain3", 0, 0 },
	{ "/home/u/proj/chain3", L, "src/main.c", 0, 0 },
	{ "/home/u/proj/loop1", L, "loop2", 0, 0 },
	{ "/home/u/proj/loop2", L, "loop1", 0, 0 },
	{ "/home/u/proj/self", L, "self", 0, 0 },
	{ "/home/u/proj/dang", L, "/tmp/newdir/newfile", 0, 0 },
	{ "/home/u/proj/dangrel", L, "../notyet", 0, 0 },
	{ "/home/u/proj/deep", L, "/var/lib/deep/a/b", 0, 0 },
	{ "/home/u/proj/dotlink", L, ".", 0, 0 },
	{ "/home/u/proj/dotdot", L, "..", 0, 0 },
	{ "/home/u/proj/slashy", L, "//etc//./", 0, 0 },
	{ "/home/u/proj/tofile", L, "src/main.c", 0, 0 },
	{ "/home/u/proj/toroot", L, "/", 0, 0 },
	{ "/home/u/proj/secret", E, NULL, 0, EACCES },
	{ "/home/u/proj/noerrno", E, NULL, 0, 0 },
	{ "/home/u/proj/empty", L, "", 0, 0 },
	{ "/home/u/proj/nul", L, "a\0b", 3, 0 },
	{ "/var/lib/deep/a/b", D, NULL, 0, 0 },
	{ "/proc/self", L, "4242", 0, 0 },
	{ "/proc/4242/cwd", L, "/home/u/proj/src", 0, 0 },
	{ "/proc/4242/root", L, "/", 0, 0 },
};

#define P "/home/u/proj"
#define FL PATHRES_FOLLOW_LAST

struct canon_case {
	const char *cwd;
	const char *path;
	int flags;
	int ret;
	const char *want;
};

static const struct canon_case canon_cases[] = {
	/* lexical clean-up */
	{ NULL, "/", 0, 0, "/" },
	{ NULL, "//", 0, 0, "/" },
	{ NULL, "/..", 0, 0, "/" },
	{ NULL, "/../../..", FL, 0, "/" },
	{ NULL, "/./.", 0, 0, "/" },
	{ NULL, "/home//u/./proj/", 0, 0, P },
	{ NULL, "///home///u///proj///src///main.c", 0, 0, P "/src/main.c" },
	{ P, ".", 0, 0, P },
	{ P, "./", 0, 0, P },
	{ P, "src/main.c", 0, 0, P "/src/main.c" },
	{ P, "src/../src/./main.c", 0, 0, P "/src/main.c" },
	{ P, "../../../../../etc/passwd", 0, 0, "/etc/passwd" },
	{ "/", "..", 0, 0, "/" },
	{ "/", "etc", 0, 0, "/etc" },
	{ "/home/u/proj/../proj/./", "x", 0, 0, P "/x" },
	/* odd names are names */
	{ P, "...", 0, 0, P "/..." },
	{ P, ".../x", 0, 0, P "/.../x" },
	{ P, "..a/.b/c..", 0, 0, P "/..a/.b/c.." },
	{ P, ".../..", 0, 0, P },
	/* relative and absolute targets, chains */
	{ P, "rel/main.c", 0, 0, P "/src/main.c" },
	{ P, "rel", 0, 0, P "/rel" },
	{ P, "rel", FL, 0, P "/src" },
	{ P, "rel/", 0, 0, P "/src" },
	{ P, "rel/.", 0, 0, P "/src" },
	{ P, "abs/passwd", 0, 0, "/etc/passwd" },
	{ P, "abs/../home", 0, 0, "/home" },
	{ P, "up/x", 0, 0, "/home/u/other/x" },
	{ P, "chain1", FL, 0, P "/src/main.c" },
	{ P, "chain1", 0, 0, P "/chain1" },
	{ P, "chain1/", 0, 0, P "/src/main.c" },
	{ P, "tofile/", 0, 0, P "/src/main.c" },
	{ P, "dotlink/src", 0, 0, P "/src" },
	{ P, "dotlink", FL, 0, P },
	{ P, "dotdot/proj/src", 0, 0, P "/src" },
	{ P, "dotdot/..", 0, 0, "/home" },
	{ P, "slashy/passwd", 0, 0, "/etc/passwd" },
	{ P, "slashy", FL, 0, "/etc" },
	{ P, "toroot/..", 0, 0, "/" },
	{ P, "toroot", FL, 0, "/" },
	/* link/.. is the parent of the target */
	{ P, "deep/..", 0, 0, "/var/lib/deep/a" },
	{ P, "deep/../..", 0, 0, "/var/lib/deep" },
	{ P, "deep/../b/../../a", 0, 0, "/var/lib/deep/a" },
	/* magic links are links */
	{ NULL, "/proc/self/cwd/..", 0, 0, P },
	{ NULL, "/proc/self/cwd", FL, 0, P "/src" },
	{ NULL, "/proc/self/cwd", 0, 0, "/proc/4242/cwd" },
	{ NULL, "/proc/self/root/etc/passwd", 0, 0, "/etc/passwd" },
	{ NULL, "/proc/self/root/..", 0, 0, "/" },
	/* loops */
	{ P, "loop1", FL, -ELOOP, NULL },
	{ P, "loop1", 0, 0, P "/loop1" },
	{ P, "loop1/x", 0, -ELOOP, NULL },
	{ P, "loop1/", 0, -ELOOP, NULL },
	{ P, "self", FL, -ELOOP, NULL },
	/* dangling links */
	{ P, "dang", 0, 0, P "/dang" },
	{ P, "dang", FL, 0, "/tmp/newdir/newfile" },
	{ P, "dang/", 0, 0, "/tmp/newdir/newfile" },
	{ P, "dangrel", FL, 0, "/home/u/notyet" },
	/* after the first missing component everything is lexical */
	{ P, "missing", FL, 0, P "/missing" },
	{ P, "missing/../src", 0, 0, P "/src" },
	{ P, "missing/../rel", FL, 0, P "/rel" },
	{ P, "missing/x/../../abs/", 0, 0, P "/abs" },
	{ P, "missing/../../../../../..", 0, 0, "/" },
	{ NULL, "/tmp/newdir/../x", 0, 0, "/tmp/x" },
	{ P, "src/main.c/x", 0, 0, P "/src/main.c/x" },
	{ P, "src/main.c/../rel", FL, 0, P "/src/rel" },
	{ P, "src/main.c/x", FL, 0, P "/src/main.c/x" }, /* ENOTDIR */
	{ P, "src/main.c/x/../../rel", 0, 0, P "/src/rel" },
	/* the cwd is resolved too */
	{ "/home/u/link_to_proj", "src", 0, 0, P "/src" },
	{ "/home/u/link_to_proj/", "..", 0, 0, "/home/u" },
	{ "/home/u/proj/rel", "main.c", 0, 0, P "/src/main.c" },
	{ "/home/u/proj/missing/..", "rel/x", 0, 0, P "/rel/x" },
	{ "/home/u/proj/loop1", "x", 0, -ELOOP, NULL },
	{ "/proc/self/cwd", "main.c", 0, 0, P "/src/main.c" },
	/* callback errors */
	{ P, "secret", 0, 0, P "/secret" }, /* never asked */
	{ P, "secret", FL, -EACCES, NULL },
	{ P, "secret/x", 0, -EACCES, NULL },
	{ P, "noerrno/x", 0, -EIO, NULL },
	{ P, "empty/x", 0, -ENOENT, NULL },
	{ P, "nul/x", 0, -EINVAL, NULL },
	/* bad arguments */
	{ P, "", 0, -EINVAL, NULL },
	{ NULL, "x", 0, -EINVAL, NULL },
	{ "", "x", 0, -EINVAL, NULL },
	{ "home/u", "x", 0, -EINVAL, NULL },
	{ P, "x", 2, -EINVAL, NULL },
	{ P, NULL, 0, -EINVAL, NULL },
	{ "relative", "/etc/passwd", 0, 0, "/etc/passwd" },
};

static void
fake_tree(struct fake_fs *fs)
{
	fs->ents = tree;
	fs->nents = nitems(tree);
	fs->calls = 0;
}

START_TEST(test_canon_table)
{
	const struct canon_case *c = &canon_cases[_i];
	struct fake_fs ff;
	struct pathres_fs fs = { fake_readlink, &ff };
	char out[PATH_MAX], again[PATH_MAX];
	int rv;

	fake_tree(&ff);
	memset(out, 'X', sizeof(out));
	rv = pathres_canon(&fs, c->cwd, c->path, c->flags, out, sizeof(out));
	ck_assert_msg(rv == c->ret, "case %d (%s, %s, %d): got %d, want %d", _i,
	    c->cwd, c->path, c->flags, rv, c->ret);
	if (rv != 0) {
		ck_assert_msg(out[0] == '\0', "case %d: out not cleared", _i);
		return;
	}
	ck_assert_msg(strcmp(out, c->want) == 0,
	    "case %d (%s, %s, %d): got \"%s\", want \"%s\"", _i, c->cwd,
	    c->path, c->flags, out, c->want);
	assert_canonical("result", out);

	/* The answer is a fixed point when nothing was lexical. */
	if (strstr(c->path, "missing") == NULL &&
	    (c->cwd == NULL || strstr(c->cwd, "missing") == NULL) &&
	    strstr(c->path, "main.c/") == NULL) {
		rv = pathres_canon(
		    &fs, NULL, out, c->flags, again, sizeof(again));
		ck_assert_int_eq(rv, 0);
		ck_assert_str_eq(again, out);
	}
}
END_TEST

/* The walk must not ask about what it does not need. */
START_TEST(test_canon_calls)
{
	struct fake_fs ff;
	struct pathres_fs fs = { fake_readlink, &ff };
	char out[PATH_MAX];

	fake_tree(&ff);
	ck_assert_int_eq(
	    pathres_canon(&fs, NULL, "/a/b/c/d", FL, out, sizeof(out)), 0);
	ck_assert_int_eq(ff.calls, 1); /* /a missing, rest lexical */

	fake_tree(&ff);
	ck_assert_int_eq(
	    pathres_canon(&fs, NULL, "/etc/passwd", 0, out, sizeof(out)), 0);
	ck_assert_int_eq(ff.calls, 1); /* last not followed */

	fake_tree(&ff);
	ck_assert_int_eq(
	    pathres_canon(&fs, NULL, "/", FL, out, sizeof(out)), 0);
	ck_assert_int_eq(ff.calls, 0);
}
END_TEST

/* ---------------------------------------------------------------------
 * Link chains: PATHRES_MAXSYMLINKS expansions succeed, one more is ELOOP.
 */

#define CHAIN_MAX (PATHRES_MAXSYMLINKS + 2)

START_TEST(test_chain_fake)
{
	static char names[CHAIN_MAX][32], targets[CHAIN_MAX][32];
	struct fake_ent ents[CHAIN_MAX + 1];
	struct fake_fs ff = { ents, 0, 0 };
	struct pathres_fs fs = { fake_readlink, &ff };
	char out[PATH_MAX];
	int i, n = _i, rv;

	/* /c/l0 -> l1 -> ... -> l(n-1) -> /c/end: n links to expand. */
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "/c/l%d", i);
		if (i == n - 1)
			snprintf(targets[i], sizeof(targets[i]), "/c/end");
		else
			snprintf(targets[i], sizeof(targets[i]), "l%d", i + 1);
		ents[i] = (struct fake_ent){ names[i], L, targets[i], 0, 0 };
	}
	ents[n] = (struct fake_ent){ "/c/end", F, NULL, 0, 0 };
	ff.nents = (size_t)n + 1;

	rv = pathres_canon(&fs, NULL, "/c/l0", FL, out, sizeof(out));
	if (n <= PATHRES_MAXSYMLINKS) {
		ck_assert_int_eq(rv, 0);
		ck_assert_str_eq(out, "/c/end");
	} else
		ck_assert_int_eq(rv, -ELOOP);
}
END_TEST

/* ---------------------------------------------------------------------
 * Lengths: exact limits, overflow of every buffer, never a write past
 * outlen.
 */

static void
fill(char *buf, size_t len, const char *unit)
{
	size_t i, ulen = strlen(unit);

	for (i = 0; i < len; i++)
		buf[i] = unit[i % ulen];
	buf[len] = '\0';
}

START_TEST(test_len_exact)
{
	static char path[PATH_MAX + 8], out[PATH_MAX];
	static struct fake_ent ents[1];
	struct fake_fs ff = { ents, 0, 0 };
	struct pathres_fs fs = { fake_readlink, &ff };

	/* PATH_MAX - 1 bytes, all missing below /nn: kept as is. */
	memcpy(path, "/nn", 3);
	fill(path + 3, PATH_MAX - 1 - 3, "/x");
	ck_assert_uint_eq(strlen(path), PATH_MAX - 1);
	ck_assert_int_eq(
	    pathres_canon(&fs, NULL, path, FL, out, sizeof(out)), 0);
	ck_assert_str_eq(out, path);
	ck_assert_int_eq(pathres_lexical("/", path, out, sizeof(out)), 0);
	ck_assert_str_eq(out, path);

	/* The same, every prefix existing: the callback sees them all. */
	ents[0] = (struct fake_ent){ path, D, NULL, 0, 0 };
	ff.nents = 1;
	ff.calls = 0;
	ck_assert_int_eq(
	    pathres_canon(&fs, NULL, path, FL, out, sizeof(out)), 0);
	ck_assert_str_eq(out, path);
	ck_assert_int_eq(ff.calls, (PATH_MAX - 1 - 3) / 2 + 1);
	ff.nents = 0;

	/* PATH_MAX - 1 bytes that collapse. */
	fill(path, PATH_MAX - 2, "/");
	strcat(path, "a");
	ck_assert_int_eq(
	    pathres_canon(&fs, NULL, path, 0, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/a");
	memcpy(path, "/nn", 3);
	fill(path + 3, PATH_MAX - 1 - 3, "/x/..");
	ck_assert_uint_eq(strlen(path), PATH_MAX - 1);
	ck_assert_int_eq(
	    pathres_canon(&fs, NULL, path, 0, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/nn/x"); /* 4092 % 5 == 2: ends in "/x" */

	/* PATH_MAX bytes is too long even if it would collapse. */
	fill(path, PATH_MAX, "/");
	ck_assert_int_eq(
	    pathres_canon(&fs, NULL, path, 0, out, sizeof(out)), -ENAMETOOLONG);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(
	    pathres_lexical("/", path, out, sizeof(out)), -ENAMETOOLONG);
	ck_assert_int_eq(
	    pathres_canon(&fs, path, "x", 0, out, sizeof(out)), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_len_outlen)
{
	struct fake_fs ff = { tree, nitems(tree), 0 };
	struct pathres_fs fs = { fake_readlink, &ff };
	char buf[32];
	size_t i;

	/* Fits exactly: 7 bytes + NUL in 8. */
	memset(buf, 'Z', sizeof(buf));
	ck_assert_int_eq(pathres_canon(&fs, NULL, "/abc/de", 0, buf, 8), 0);
	ck_assert_str_eq(buf, "/abc/de");
	for (i = 8; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 'Z');

	/* One more byte does not, and nothing past outlen is touched. */
	memset(buf, 'Z', sizeof(buf));
	ck_assert_int_eq(
	    pathres_canon(&fs, NULL, "/abc/def", 0, buf, 8), -ENAMETOOLONG);
	ck_assert_str_eq(buf, "");
	for (i = 8; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 'Z');

	/* The intermediate path counts: a link name must fit to be read. */
	memset(buf, 'Z', sizeof(buf));
	ck_assert_int_eq(pathres_canon(&fs, NULL, "/aaaaaaaaaa/..", 0, buf, 8),
	    -ENAMETOOLONG);
	for (i = 8; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 'Z');

	/* The link fits, its target does not. */
	memset(buf, 'Z', sizeof(buf));
	ck_assert_int_eq(
	    pathres_canon(&fs, NULL, "/proc/self/cwd", FL, buf, 16),
	    -ENAMETOOLONG);
	for (i = 16; i < sizeof(buf); i++)
		ck_assert_int_eq(buf[i], 'Z');

	/* Too small for "/" at all. */
	memset(buf, 'Z', sizeof(buf));
	ck_assert_int_eq(
	    pathres_canon(&fs, NULL, "/", 0, buf, 1), -ENAMETOOLONG);
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(buf[1], 'Z');
	ck_assert_int_eq(pathres_canon(&fs, NULL, "/", 0, buf, 2), 0);
	ck_assert_str_eq(buf, "/");
	ck_assert_int_eq(pathres_canon(&fs, NULL, "/", 0, buf, 0), -EINVAL);
	ck_assert_int_eq(buf[0], '/');
	ck_assert_int_eq(pathres_canon(&fs, NULL, "/", 0, NULL, 8), -EINVAL);
	ck_assert_int_eq(pathres_canon(NULL, NULL, "/", 0, buf, 8), -EINVAL);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_len_joined)
{
	static char cwd[PATH_MAX], path[PATH_MAX], out[PATH_MAX];
	struct fake_fs ff = { tree, nitems(tree), 0 };
	struct pathres_fs fs = { fake_readlink, &ff };

	/* Each fits PATH_MAX, together they do not. */
	cwd[0] = '/';
	fill(cwd + 1, 3000, "c");
	fill(path, 3000, "p");
	ck_assert_int_eq(
	    pathres_canon(&fs, cwd, path, 0, out, sizeof(out)), -ENAMETOOLONG);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(
	    pathres_lexical(cwd, path, out, sizeof(out)), -ENAMETOOLONG);

	/* ... unless ".." brings the total back down in time. */
	memcpy(path, "../", 3);
	fill(path + 3, 3000, "p");
	ck_assert_int_eq(pathres_canon(&fs, cwd, path, 0, out, sizeof(out)), 0);
	ck_assert_uint_eq(strlen(out), 3001);
}
END_TEST

START_TEST(test_len_target)
{
	static char target[PATH_MAX + 1024], path[PATH_MAX];
	static char out[PATH_MAX];
	struct fake_ent ents[1];
	struct fake_fs ff = { ents, 1, 0 };
	struct pathres_fs fs = { fake_readlink, &ff };

	/* /l -> "/bbb...b" (3000 b): fine with a short rest. */
	target[0] = '/';
	fill(target + 1, 3000, "b");
	ents[0] = (struct fake_ent){ "/l", L, target, 0, 0 };
	memcpy(path, "/l/", 3);
	fill(path + 3, 1000, "c");
	ck_assert_int_eq(
	    pathres_canon(&fs, NULL, path, 0, out, sizeof(out)), 0);
	ck_assert_uint_eq(strlen(out), 3001 + 1 + 1000);
	ck_assert_int_eq(memcmp(out, target, 3001), 0);

	/* Target plus rest beyond PATH_MAX: refused, nothing overflows. */
	fill(path + 3, 1500, "c");
	ck_assert_int_eq(
	    pathres_canon(&fs, NULL, path, 0, out, sizeof(out)), -ENAMETOOLONG);

	/* A target longer than PATH_MAX arrives truncated: refused. */
	fill(target + 1, sizeof(target) - 2, "b");
	ck_assert_int_eq(pathres_canon(&fs, NULL, "/l", FL, out, sizeof(out)),
	    -ENAMETOOLONG);
	/* ... even when the part that arrived would resolve to "/s". */
	fill(target, sizeof(target) - 2, "/");
	memcpy(target, "/s", 2);
	strcat(target, "x");
	ck_assert_int_eq(pathres_canon(&fs, NULL, "/l", FL, out, sizeof(out)),
	    -ENAMETOOLONG);

	/*
	 * Target + "/x" of PATH_MAX bytes does not fit; one less does and
	 * gives a result of exactly PATH_MAX - 1.
	 */
	fill(target + 1, PATH_MAX - 2 - 1, "b");
	ck_assert_int_eq(pathres_canon(&fs, NULL, "/l/x", 0, out, sizeof(out)),
	    -ENAMETOOLONG);
	fill(target + 1, PATH_MAX - 2 - 2, "b");
	ck_assert_int_eq(
	    pathres_canon(&fs, NULL, "/l/x", 0, out, sizeof(out)), 0);
	ck_assert_uint_eq(strlen(out), PATH_MAX - 1);
}
END_TEST

/* ---------------------------------------------------------------------
 * pathres_lexical and pathres_under.
 */

struct lex_case {
	const char *cwd;
	const char *path;
	int ret;
	const char *want;
};

static const struct lex_case lex_cases[] = {
	{ "/a/b", "c", 0, "/a/b/c" },
	{ "/a/b", "../c", 0, "/a/c" },
	{ "/a/b", "../../../..", 0, "/" },
	{ "/a/b", "/x/../../y", 0, "/y" },
	{ "/a/b", ".", 0, "/a/b" },
	{ "/a/b", "./", 0, "/a/b" },
	{ "/a/b", "a//b/", 0, "/a/b/a/b" },
	{ "/a/./b//", "c", 0, "/a/b/c" },
	{ "/a/../..", "c", 0, "/c" },
	{ "/", "..", 0, "/" },
	{ "/", "...", 0, "/..." },
	{ "/a", ".../.x/..y", 0, "/a/.../.x/..y" },
	{ "/proc/self/cwd", "..", 0, "/proc/self" }, /* expands nothing */
	{ NULL, "/abs", 0, "/abs" },
	{ "rel", "/abs", 0, "/abs" },
	{ "/a", "", -EINVAL, NULL },
	{ "rel", "x", -EINVAL, NULL },
	{ NULL, "x", -EINVAL, NULL },
	{ "/a", NULL, -EINVAL, NULL },
};

START_TEST(test_lexical_table)
{
	const struct lex_case *c = &lex_cases[_i];
	char out[PATH_MAX];
	int rv;

	memset(out, 'X', sizeof(out));
	rv = pathres_lexical(c->cwd, c->path, out, sizeof(out));
	ck_assert_msg(rv == c->ret, "case %d (%s, %s): got %d, want %d", _i,
	    c->cwd, c->path, rv, c->ret);
	if (rv == 0)
		ck_assert_str_eq(out, c->want);
	else
		ck_assert_str_eq(out, "");
}
END_TEST

struct under_case {
	const char *root;
	const char *path;
	bool want;
};

static const struct under_case under_cases[] = {
	{ "/", "/", true },
	{ "/", "/a", true },
	{ "/", "/a/b", true },
	{ "/a", "/a", true },
	{ "/a", "/a/b", true },
	{ "/a", "/a/b/c", true },
	{ "/a/b", "/a/b", true },
	{ "/a/", "/a/b", true },
	{ "/a", "/ab", false },
	{ "/a", "/ab/c", false },
	{ "/a/b", "/a", false },
	{ "/a/b", "/a/bc", false },
	{ "/a", "/", false },
	{ "/a", "/b/a", false },
	{ "/a", "a", false },
	{ "a", "a/b", false },
	{ "", "/a", false },
	{ "/a", "", false },
	{ NULL, "/a", false },
	{ "/a", NULL, false },
	{ "/work/repo", "/work/repo.git/config", false },
	{ "/work/repo", "/work/repo/.git/config", true },
};

START_TEST(test_under_table)
{
	const struct under_case *c = &under_cases[_i];

	ck_assert_msg(pathres_under(c->root, c->path) == c->want,
	    "case %d: under(%s, %s) != %d", _i, c->root, c->path, c->want);
}
END_TEST

/* ---------------------------------------------------------------------
 * Real filesystem, in a fresh mkdtemp directory per test.  Check skips a
 * checked teardown when the test fails, so the per-test directories live
 * in one per-tcase directory that an unchecked teardown (run by the
 * parent) always removes.
 */

static char top[PATH_MAX];
static char base[PATH_MAX];

static void
xsnprintf(char *buf, size_t len, const char *fmt, const char *a, const char *b)
{
	int n = snprintf(buf, len, fmt, a, b);

	ck_assert_msg(n >= 0 && (size_t)n < len, "snprintf truncated");
}

static void
mk(const char *sub, const char *linkto)
{
	char p[PATH_MAX];

	xsnprintf(p, sizeof(p), "%s/%s", base, sub);
	if (linkto == NULL)
		ck_assert_msg(
		    mkdir(p, 0700) == 0, "mkdir %s: %s", p, strerror(errno));
	else
		ck_assert_msg(symlink(linkto, p) == 0, "symlink %s: %s", p,
		    strerror(errno));
}

static int
rm_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(p);
}

static void
rm_tree(char *dir)
{
	if (dir[0] != '\0')
		(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	dir[0] = '\0';
}

static void
real_top_setup(void)
{
	char tmpl[PATH_MAX];
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	xsnprintf(tmpl, sizeof(tmpl), "%s/%s", tmp, "check_pathres.XXXXXX");
	ck_assert_msg(mkdtemp(tmpl) != NULL, "mkdtemp: %s", strerror(errno));
	/* TMPDIR itself may go through a link. */
	ck_assert(realpath(tmpl, top) != NULL);
}

static void
real_top_teardown(void)
{
	rm_tree(top);
}

static void
real_setup(void)
{
	char tmpl[PATH_MAX];
	char secret[PATH_MAX];

	xsnprintf(tmpl, sizeof(tmpl), "%s/%s", top, "t.XXXXXX");
	ck_assert_msg(mkdtemp(tmpl) != NULL, "mkdtemp: %s", strerror(errno));
	ck_assert(realpath(tmpl, base) != NULL);

	mk("ws", NULL);
	mk("ws/sub", NULL);
	mk("secret", NULL);
	mk("secret/a", NULL);
	mk("secret/a/b", NULL);
	xsnprintf(secret, sizeof(secret), "%s/%s", base, "secret");
	mk("ws/esc", secret); /* absolute, to outside */
	mk("ws/deep", "../secret/a/b"); /* relative, to outside */
	mk("ws/dang", "../secret/newfile"); /* dangling */
	mk("ws/l1", "l2");
	mk("ws/l2", "l1");
}

static void
real_teardown(void)
{
	rm_tree(base);
}

static void
canon_real(const char *path, int flags, int want_rv, const char *want_sub)
{
	char out[PATH_MAX], want[PATH_MAX];
	int rv;

	rv = pathres_canon(
	    &pathres_real_fs, base, path, flags, out, sizeof(out));
	ck_assert_msg(rv == want_rv, "%s: got %d, want %d", path, rv, want_rv);
	if (want_sub == NULL)
		return;
	xsnprintf(want, sizeof(want), "%s%s", base, want_sub);
	ck_assert_str_eq(out, want);
}

START_TEST(test_real_links)
{
	char ws[PATH_MAX], out[PATH_MAX];

	xsnprintf(ws, sizeof(ws), "%s/%s", base, "ws");
	canon_real("ws/esc/file", 0, 0, "/secret/file");
	ck_assert_int_eq(pathres_canon(&pathres_real_fs, base, "ws/esc/file", 0,
			     out, sizeof(out)),
	    0);
	ck_assert(!pathres_under(ws, out));
	canon_real("ws/esc", 0, 0, "/ws/esc");
	canon_real("ws/esc", FL, 0, "/secret");
	canon_real("ws/deep/..", 0, 0, "/secret/a");
	canon_real("ws/deep/../../..", 0, 0, "");
	canon_real("ws/sub/../esc/../ws", 0, 0, "/ws");
	canon_real("ws/l1", FL, -ELOOP, NULL);
	canon_real("ws/l1/x", 0, -ELOOP, NULL);
	canon_real("ws/l1", 0, 0, "/ws/l1");
	canon_real("ws/missing/../esc", FL, 0, "/ws/esc");

	/* Agree with realpath(3) where it applies. */
	ck_assert(
	    realpath("/proc/self/root/../etc/../proc/self/cwd/..", ws) != NULL);
	ck_assert_int_eq(pathres_canon(&pathres_real_fs, NULL,
			     "/proc/self/root/../etc/../proc/self/cwd/..", 0,
			     out, sizeof(out)),
	    0);
	ck_assert_str_eq(out, ws);
}
END_TEST

/* pathres_lstat on the real filesystem: type, absence, a fresh ctime */
START_TEST(test_real_lstat)
{
	struct pathres_stat st;
	struct timespec before;
	char p[PATH_MAX];
	int fd;

	clock_gettime(CLOCK_REALTIME_COARSE, &before);
	xsnprintf(p, sizeof(p), "%s/%s", base, "ws/new");
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_msg(fd >= 0, "open %s: %s", p, strerror(errno));
	close(fd);
	errno = 1234;
	ck_assert_int_eq(pathres_lstat(NULL, p, &st), 0);
	ck_assert_int_eq(errno, 1234);
	ck_assert_int_eq(st.type, PATHRES_FILE);
	/* made after the coarse clock read: never earlier than it */
	ck_assert(st.ctime_sec > (long long)before.tv_sec ||
	    (st.ctime_sec == (long long)before.tv_sec &&
		st.ctime_nsec >= before.tv_nsec));
	xsnprintf(p, sizeof(p), "%s/%s", base, "ws/sub");
	ck_assert_int_eq(pathres_lstat(NULL, p, &st), 0);
	ck_assert_int_eq(st.type, PATHRES_DIR);
	xsnprintf(p, sizeof(p), "%s/%s", base, "ws/dang");
	ck_assert_int_eq(pathres_lstat(NULL, p, &st), 0);
	ck_assert_int_eq(st.type, PATHRES_LINK);
	xsnprintf(p, sizeof(p), "%s/%s", base, "ws/missing");
	ck_assert_int_eq(pathres_lstat(NULL, p, &st), 0);
	ck_assert_int_eq(st.type, PATHRES_ABSENT);
	xsnprintf(p, sizeof(p), "%s/%s", base, "ws/new/below");
	ck_assert_int_eq(pathres_lstat(NULL, p, &st), 0);
	ck_assert_int_eq(st.type, PATHRES_ABSENT); /* ENOTDIR */
}
END_TEST

/* Creating through a dangling link creates its target: check the kernel. */
START_TEST(test_real_dangling)
{
	char p[PATH_MAX], out[PATH_MAX], want[PATH_MAX];
	int fd;

	canon_real("ws/dang", 0, 0, "/ws/dang");
	canon_real("ws/dang", FL, 0, "/secret/newfile");
	canon_real("ws/dang/", 0, 0, "/secret/newfile");

	xsnprintf(p, sizeof(p), "%s/%s", base, "ws/dang");
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	ck_assert_msg(fd >= 0, "open %s: %s", p, strerror(errno));
	close(fd);
	ck_assert_int_eq(
	    pathres_canon(&pathres_real_fs, NULL, p, FL, out, sizeof(out)), 0);
	ck_assert(realpath(p, want) != NULL);
	ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(test_real_proc_cwd)
{
	char sub[PATH_MAX], ws[PATH_MAX], out[PATH_MAX];
	int dfd, rv, saved_errno;

	dfd = open(".", O_RDONLY | O_DIRECTORY);
	ck_assert(dfd >= 0);
	xsnprintf(sub, sizeof(sub), "%s/%s", base, "ws/sub");
	xsnprintf(ws, sizeof(ws), "%s/%s", base, "ws");
	ck_assert(chdir(sub) == 0);

	ck_assert_int_eq(pathres_canon(&pathres_real_fs, NULL,
			     "/proc/self/cwd/..", 0, out, sizeof(out)),
	    0);
	ck_assert_str_eq(out, ws);
	ck_assert_int_eq(pathres_canon(&pathres_real_fs, NULL, "/proc/self/cwd",
			     FL, out, sizeof(out)),
	    0);
	ck_assert_str_eq(out, sub);
	ck_assert_int_eq(pathres_canon(&pathres_real_fs, "/proc/self/cwd",
			     "../esc/x", 0, out, sizeof(out)),
	    0);
	xsnprintf(ws, sizeof(ws), "%s/%s", base, "secret/x");
	ck_assert_str_eq(out, ws);

	/* errno is the watched program's: the real fs must not touch it. */
	errno = EDOM;
	rv = pathres_canon(&pathres_real_fs, NULL,
	    "/proc/self/cwd/nonexistent/x", FL, out, sizeof(out));
	saved_errno = errno;
	ck_assert(fchdir(dfd) == 0);
	close(dfd);
	ck_assert_int_eq(rv, 0);
	ck_assert_int_eq(saved_errno, EDOM);
}
END_TEST

/* Our limit is the kernel's: compare with stat(2) on a real chain. */
START_TEST(test_real_chain)
{
	char name[64], target[64], p[PATH_MAX], out[PATH_MAX];
	int i, n = _i, rv;
	struct stat st;

	mk("ws/end", NULL);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "ws/c%d", i);
		if (i == n - 1)
			snprintf(target, sizeof(target), "end");
		else
			snprintf(target, sizeof(target), "c%d", i + 1);
		mk(name, target);
	}
	xsnprintf(p, sizeof(p), "%s/%s", base, "ws/c0");
	rv = pathres_canon(&pathres_real_fs, NULL, p, FL, out, sizeof(out));
	if (stat(p, &st) == 0) {
		ck_assert_int_eq(rv, 0);
		xsnprintf(p, sizeof(p), "%s/%s", base, "ws/end");
		ck_assert_str_eq(out, p);
	} else {
		ck_assert_int_eq(errno, ELOOP);
		ck_assert_int_eq(rv, -ELOOP);
	}
	ck_assert_int_eq(rv, n <= PATHRES_MAXSYMLINKS ? 0 : -ELOOP);
}
END_TEST

static Suite *
pathres_suite(void)
{
	Suite *s = suite_create("pathres");
	TCase *tc;

	tc = tcase_create("canon");
	tcase_add_loop_test(tc, test_canon_table, 0, nitems(canon_cases));
	tcase_add_test(tc, test_canon_calls);
	tcase_add_loop_test(tc, test_chain_fake, PATHRES_MAXSYMLINKS - 1,
	    PATHRES_MAXSYMLINKS + 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("length");
	tcase_add_test(tc, test_len_exact);
	tcase_add_test(tc, test_len_outlen);
	tcase_add_test(tc, test_len_joined);
	tcase_add_test(tc, test_len_target);
	suite_add_tcase(s, tc);

	tc = tcase_create("lexical");
	tcase_add_loop_test(tc, test_lexical_table, 0, nitems(lex_cases));
	tcase_add_loop_test(tc, test_under_table, 0, nitems(under_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("realfs");
	tcase_add_unchecked_fixture(tc, real_top_setup, real_top_teardown);
	tcase_add_checked_fixture(tc, real_setup, real_teardown);
	tcase_add_test(tc, test_real_links);
	tcase_add_test(tc, test_real_dangling);
	tcase_add_test(tc, test_real_lstat);
	tcase_add_test(tc, test_real_proc_cwd);
	tcase_add_loop_test(
	    tc, test_real_chain, PATHRES_MAXSYMLINKS, PATHRES_MAXSYMLINKS + 2);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pathres_suite());
	int nfailed;

	srunner_run_all(sr, CK_ENV);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
