/*
 * gitscan.c: what the git rules (gitrules.c) need to know when the policy
 * is compiled, for the repository at the top of each writable root: the
 * git directory a `.git` file or symlink names, the common directory of a
 * linked worktree (commondir), where core.hooksPath points (in that
 * repository's config, the user's and the system's), and hooks/, info/
 * or config reached through a symlink. Each is added as an entry of the
 * compiled policy, so the shim decides from the snapshot like the rest.
 *
 * Runs in the supervisor. The files read may have been written by an
 * earlier sandboxed run: reads are bounded, a file that does not parse is
 * skipped, and nothing in one does more than name a path to protect.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"
#include "policy_int.h"

#define GITSCAN_MAX (256 * 1024) /* bytes of a git config looked at */

/* FILE's first CAP-1 bytes, NUL-terminated; its length, or -1 */
static ssize_t
read_small(const char *file, int flags, char *buf, size_t cap)
{
	ssize_t n, len = 0;
	int fd;

	if ((fd = open(file,
		 O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | flags)) == -1)
		return -1;
	while ((size_t)len < cap - 1 &&
	    (n = read(fd, buf + len, cap - 1 - (size_t)len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			close(fd);
			return -1;
		}
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

/* The first line of a small file (a .git file, commondir), or -1 */
static int
read_line(const char *file, int flags, char *out, size_t cap)
{
	if (read_small(file, flags, out, cap) <= 0 ||
	    strlen(out) == cap - 1) /* too long, or a NUL: not a path */
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return out[0] != '\0' ? 0 : -1;
}

/* A canonical entry of KIND for PATH (relative to CWD); a path that has no
 * canonical form protects nothing. 0, or -1 for no memory. */
static int
add(struct policy *pol, const struct pathres_fs *fs, const char *cwd,
    const char *path, int kind, const char *label, const char *wh)
{
	char canon[PATH_MAX];

	if (pathres_canon(
		fs, cwd, path, PATHRES_FOLLOW_LAST, canon, sizeof(canon)) != 0)
		return 0;
	return policy_add_path(
	    pol, fs, "/", canon, PATHRES_FOLLOW_LAST, kind, 0, label, wh);
}

/*
 * One value of a git config line at S, into OUT (CAP bytes; NULL: only
 * skip it): "quoted" parts, \-escapes, a \ at the end of a line goes on
 * with the next, # and ; outside quotes start a comment. Returns where the
 * line ends ('\n' or the end of the text).
 */
static const char *
scan_value(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	int q = 0;

	while (*s != '\0' && *s != '\n') {
		if (!q && (*s == '#' || *s == ';')) {
			s += strcspn(s, "\n");
			break;
		}
		if (*s == '"') {
			q = !q;
			s++;
			continue;
		}
		if (*s == '\\') {
			if (s[1] == '\0')
				break;
			s += 2;
			/* a continued line; \n \t \b are no part of a path */
			if (s[-1] == '\n' || s[-1] == 'n' || s[-1] == 't' ||
			    s[-1] == 'b')
				continue;
			if (out != NULL && o + 1 < cap)
				out[o++] = s[-1];
			continue;
		}
		if (out != NULL && o + 1 < cap)
			out[o++] = *s;
		s++;
	}
	if (out != NULL) {
		while (o > 0 &&
		    (out[o - 1] == ' ' || out[o - 1] == '\t' ||
			out[o - 1] == '\r'))
			o--;
		out[o] = '\0';
	}
	return s;
}

/*
 * The value of core.hooksPath in the git config TEXT (the last one, as git
 * reads it) into OUT; 0, or -1 when it has none. Enough of git's syntax
 * for this one key: [core] sections (any case, no subsection), keys in any
 * case, the value syntax of scan_value(). Includes are not followed.
 */
static int
hookspath(const char *text, char *out, size_t cap)
{
	const char *s = text, *k;
	size_t klen;
	int incore = 0, found = -1;

	while (*s != '\0') {
		s += strspn(s, " \t\r\n");
		if (*s == '[') {
			k = ++s;
			klen = strcspn(k, "] \t\"\n");
			incore = klen == 4 && strncasecmp(k, "core", 4) == 0 &&
			    k[klen] == ']';
			s += strcspn(s, "]\n");
			if (*s == ']')
				s++; /* a key may follow on the same line */
			continue;
		}
		k = s;
		klen = strcspn(k, " \t=\r\n#;[");
		s += klen;
		s += strspn(s, " \t");
		if (incore && klen == 9 &&
		    strncasecmp(k, "hookspath", 9) == 0 && *s == '=') {
			s = scan_value(s + 1 + strspn(s + 1, " \t"), out, cap);
			found = out[0] != '\0' ? 0 : -1;
		} else if (*s == '=')
			s = scan_value(s + 1, NULL, 0);
		else
			s = scan_value(s, NULL, 0);
	}
	return found;
}

/*
 * core.hooksPath in the config FILE: protected. A relative value is taken
 * against WORKTREE (NULL: skipped, as for the user's config when no
 * repository is at hand); an absolute or ~/ one only when ABS is set.
 */
static int
hooks_from(struct policy *pol, const struct pathres_fs *fs, const char *file,
    const char *worktree, int abs)
{
	char *text, val[PATH_MAX], path[PATH_MAX];
	int r = 0, rel;

	if ((text = malloc(GITSCAN_MAX)) == NULL)
		return -1;
	if (read_small(file, 0, text, GITSCAN_MAX) > 0 &&
	    hookspath(text, val, sizeof(val)) == 0) {
		rel = val[0] != '/' && val[0] != '~';
		if (val[0] == '~' &&
		    config_expand_home(pol->cfg, val, path, sizeof(path)) != 0)
			path[0] = '\0';
		else if (val[0] != '~')
			snprintf(path, sizeof(path), "%s", val);
		if (path[0] != '\0' && (rel ? worktree != NULL : abs))
			r = add(pol, fs, rel ? worktree : "/", path, PK_GITPROT,
			    "the hooks directory core.hooksPath names", file);
	}
	free(text);
	return r;
}

/* The user's and the system's git config files, as git finds them */
static int
global_files(const struct policy *pol, char out[3][PATH_MAX])
{
	const char *ucd = pol->cfg->user_config_dir, *home = pol->cfg->home;
	int n = 0;

	/* ${XDG_CONFIG_HOME:-~/.config}/agentwrap: git's is its sibling */
	if (ucd != NULL && strrchr(ucd, '/') != NULL &&
	    snprintf(out[n], PATH_MAX, "%.*s/git/config",
		(int)(strrchr(ucd, '/') - ucd), ucd) < PATH_MAX)
		n++;
	if (home != NULL && home[0] == '/' &&
	    snprintf(out[n], PATH_MAX, "%s/.gitconfig", home) < PATH_MAX)
		n++;
	snprintf(out[n++], PATH_MAX, "/etc/gitconfig");
	return n;
}

int
gitscan_global(struct policy *pol, const struct pathres_fs *fs)
{
	char files[3][PATH_MAX];
	int i, n = global_files(pol, files);

	for (i = 0; i < n; i++)
		if (hooks_from(pol, fs, files[i], NULL, 1) == -1)
			return -1;
	return 0;
}

/* DIR/NAME is a symlink: what it leads to is protected */
static int
symlinked_part(struct policy *pol, const struct pathres_fs *fs, const char *dir,
    const char *name)
{
	struct pathres_stat st;
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		(int)sizeof(path) ||
	    pathres_lstat(NULL, path, &st) != 0 || st.type != PATHRES_LINK)
		return 0;
	return add(
	    pol, fs, "/", path, PK_GITPROT, "the target of the symlink", path);
}

int
gitscan_root(struct policy *pol, const struct pathres_fs *fs, const char *root)
{
	static const char *const parts[] = { "hooks", "info", "config",
		"config.worktree", NULL };
	char dotgit[PATH_MAX], line[PATH_MAX + 16], gd[PATH_MAX], cd[PATH_MAX];
	char file[PATH_MAX], files[3][PATH_MAX];
	struct pathres_stat st;
	int i, n;

	if (snprintf(dotgit, sizeof(dotgit), "%s/.git", root) >=
		(int)sizeof(dotgit) ||
	    pathres_lstat(NULL, dotgit, &st) != 0 || st.type == PATHRES_ABSENT)
		return 0;
	snprintf(gd, sizeof(gd), "%s", dotgit);
	if (st.type == PATHRES_FILE) {
		/* "gitdir: PATH" (worktrees, submodules) */
		if (read_line(dotgit, O_NOFOLLOW, line, sizeof(line)) != 0 ||
		    strncmp(line, "gitdir: ", 8) != 0 ||
		    pathres_canon(fs, root, line + 8, PATHRES_FOLLOW_LAST, gd,
			sizeof(gd)) != 0)
			return 0;
	} else if (st.type == PATHRES_LINK &&
	    pathres_canon(
		fs, "/", dotgit, PATHRES_FOLLOW_LAST, gd, sizeof(gd)) != 0)
		return 0;
	if (strcmp(gd, dotgit) != 0 &&
	    policy_add_path(pol, fs, "/", gd, PATHRES_FOLLOW_LAST, PK_GITDIR, 0,
		".git", dotgit) == -1)
		return -1;
	/* a linked worktree: config and hooks live in the common directory */
	snprintf(cd, sizeof(cd), "%s", gd);
	if (snprintf(file, sizeof(file), "%s/commondir", gd) <
		(int)sizeof(file) &&
	    read_line(file, 0, line, sizeof(line)) == 0 &&
	    pathres_canon(fs, gd, line, PATHRES_FOLLOW_LAST, cd, sizeof(cd)) ==
		0 &&
	    strcmp(cd, gd) != 0 &&
	    policy_add_path(pol, fs, "/", cd, PATHRES_FOLLOW_LAST, PK_GITDIR, 0,
		".git", file) == -1)
		return -1;
	snprintf(file, sizeof(file), "%s/config", cd);
	if (hooks_from(pol, fs, file, root, 1) == -1)
		return -1;
	snprintf(file, sizeof(file), "%s/config.worktree", gd);
	if (hooks_from(pol, fs, file, root, 1) == -1)
		return -1;
	n = global_files(pol, files);
	for (i = 0; i < n; i++)
		if (hooks_from(pol, fs, files[i], root, 0) == -1)
			return -1;
	for (i = 0; parts[i] != NULL; i++)
		if (symlinked_part(pol, fs, cd, parts[i]) == -1 ||
		    (strcmp(cd, gd) != 0 &&
			symlinked_part(pol, fs, gd, parts[i]) == -1))
			return -1;
	return 0;
}
