/*
 * gitrules.c: which writes inside a git directory are git's ordinary work
 * (objects, refs, the index, logs, lock files...) and which would make
 * code run later outside the sandbox or change where git reaches (hooks,
 * the config of a repository that existed when the run started, info/,
 * alternates, the pointers of worktrees and .git files). The rule set is
 * written out in docs/config.md ("Git directories").
 *
 * Pure, like policy_decide(), which calls it: all it learns about the
 * filesystem comes through pathres_lstat(), and "existed when the run
 * started" is a status change time before the one the policy was compiled
 * at. Runs in the supervisor and inside every watched process.
 */
#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "policy_int.h"

/* stat calls one judgement may make: deeper paths are refused */
#define GIT_BUDGET 48

struct gitjudge {
	const struct policy *pol;
	const struct pathres_lstat_fs *fs;
	const char *p; /* the canonical path judged */
	const char *src; /* the other end's canonical path (FROM/TO), or NULL */
	int how; /* GIT_OPEN ... */
	int moved; /* -1 unknown, 0 no, 1: a directory is moved */
	int budget;
	const char *why; /* set when protected */
};

/* the repository files: protected in a repository that existed at start */
static const char *const repo_files[] = { "config", "config.worktree",
	"commondir", "gitdir", NULL };

static int
name_is(const char *c, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(c, name, n) == 0;
}

static int
name_in(const char *c, size_t n, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (name_is(c, n, list[i]))
			return 1;
	return 0;
}

/* lstat the first LEN bytes of P plus SUFFIX; -1 on error or no budget */
static int
gstat(struct gitjudge *g, const char *p, size_t len, const char *suffix,
    struct pathres_stat *st)
{
	char buf[PATH_MAX];

	if (g->budget-- <= 0 ||
	    snprintf(buf, sizeof(buf), "%.*s%s", (int)len, p, suffix) >=
		(int)sizeof(buf))
		return -1;
	return pathres_lstat(g->fs, buf, st) == 0 ? 0 : -1;
}

/* 1 if ST names an entry last changed when the policy was compiled, or
 * earlier (policy_settle() makes every later change stamped after it) */
static int
old(const struct gitjudge *g, const struct pathres_stat *st)
{
	return st->type != PATHRES_ABSENT &&
	    (st->ctime_sec < g->pol->t0_sec ||
		(st->ctime_sec == g->pol->t0_sec &&
		    st->ctime_nsec <= g->pol->t0_nsec));
}

/*
 * Whether the git directory X (the first XLEN bytes of the path) belongs
 * to a repository or worktree that existed when the run started: its
 * config or commondir was last changed before then. 1, 0, or -1.
 */
static int
existed(struct gitjudge *g, size_t xlen)
{
	struct pathres_stat st;

	if (gstat(g, g->p, xlen, "/config", &st) == -1)
		return -1;
	if (old(g, &st))
		return 1;
	if (gstat(g, g->p, xlen, "/commondir", &st) == -1)
		return -1;
	return old(g, &st);
}

/* Protected when X existed: say WHY (0 ordinary, 1 protected, -1 error) */
static int
if_existed(struct gitjudge *g, size_t xlen, const char *why)
{
	int r = existed(g, xlen);

	if (r != 0)
		g->why = r > 0 ? why : "it cannot be judged";
	return r != 0;
}

static int
protect(struct gitjudge *g, const char *why)
{
	g->why = why;
	return 1;
}

/* Is the object a rename or link moves a directory? 1, 0, -1 */
static int
moves_dir(struct gitjudge *g)
{
	struct pathres_stat st;

	if (g->moved < 0) {
		if (g->budget-- <= 0 || g->src == NULL ||
		    pathres_lstat(g->fs, g->src, &st) != 0)
			return -1;
		g->moved = st.type == PATHRES_DIR;
	}
	return g->moved;
}

/* The entry of a git directory itself: a `.git`, worktrees/ID, modules/M */
static int
judge_self(struct gitjudge *g, size_t xlen)
{
	struct pathres_stat st;

	if (g->how == GIT_TO)
		return protect(g,
		    "a rename or link cannot put something in the place of a "
		    "git directory");
	if (gstat(g, g->p, xlen, "", &st) == -1)
		return protect(g, "it cannot be judged");
	if (st.type == PATHRES_ABSENT)
		return 0; /* git init, clone, worktree add make it */
	if (st.type == PATHRES_DIR)
		return if_existed(g, xlen,
		    "it is the git directory of a repository that existed "
		    "when the run started");
	if (old(g, &st))
		return protect(g,
		    "it is a .git file that existed when the run started "
		    "(it says where the repository is)");
	return 0;
}

/*
 * hooks/ and info/: protected in every repository, but for what git init
 * copies there (hooks/NAME.sample, info/exclude): in a repository created
 * during the run they are free, in one that existed they may only be made
 * where none is. Whether a write makes, changes or removes the entry is
 * not asked: the shim does not tell the supervisor, and both must agree.
 * N is the number of components below X.
 */
static int
judge_hooks_info(struct gitjudge *g, size_t xlen, int hooks, const char *c2,
    size_t n2, int n)
{
	struct pathres_stat st;
	const char *what = hooks
	    ? "it is in .git/hooks, whose files git runs later (only new "
	      "*.sample files may be made there)"
	    : "it is in .git/info, which stays read-only (only a new "
	      "info/exclude may be made)";
	int exempt, r;

	exempt = n == 2 &&
	    (hooks ? n2 > 7 && memcmp(c2 + n2 - 7, ".sample", 7) == 0
		   : name_is(c2, n2, "exclude"));
	if ((!exempt && n != 1) || g->how == GIT_FROM || g->how == GIT_TO)
		return protect(g, what);
	if ((r = existed(g, xlen)) <= 0)
		return r < 0 ? protect(g, "it cannot be judged") : 0;
	if (n == 1)
		return protect(g, what);
	if (gstat(g, g->p, strlen(g->p), "", &st) == -1)
		return protect(g, "it cannot be judged");
	return st.type == PATHRES_ABSENT ? 0 : protect(g, what);
}

static int judge_dir(struct gitjudge *, size_t);

/* modules/NAME...: NAME may hold '/', so every split that is a git
 * directory (holds a config) is judged, the strictest counts */
static int
judge_modules(struct gitjudge *g, size_t from)
{
	struct pathres_stat st;
	size_t k = from;
	int r;

	for (;;) {
		while (g->p[k] != '\0' && g->p[k] != '/')
			k++;
		if (gstat(g, g->p, k, "/config", &st) == -1)
			return protect(g, "it cannot be judged");
		if (st.type != PATHRES_ABSENT && (r = judge_dir(g, k)) != 0)
			return r;
		if (g->p[k] == '\0')
			return 0;
		k++;
	}
}

/*
 * Judge the path below the git directory X (its first XLEN bytes): 0 for
 * git's ordinary work, 1 protected (g->why says why).
 */
static int
judge_dir(struct gitjudge *g, size_t xlen)
{
	const char *c1, *c2 = NULL, *c3 = NULL, *s;
	size_t n1, n2 = 0, n3 = 0;
	int n = 0, r;

	if (g->p[xlen] == '\0')
		return judge_self(g, xlen);
	c1 = g->p + xlen + 1;
	n1 = strcspn(c1, "/");
	for (s = c1; *s != '\0'; n++) {
		s += strcspn(s, "/");
		if (*s == '/')
			s++;
	}
	if (n >= 2) {
		c2 = c1 + n1 + 1;
		n2 = strcspn(c2, "/");
	}
	if (n >= 3) {
		c3 = c2 + n2 + 1;
		n3 = strcspn(c3, "/");
	}
	/* a directory moved in or out would bring or take unjudged files */
	if (g->how == GIT_FROM || g->how == GIT_TO) {
		if ((r = moves_dir(g)) != 0 &&
		    if_existed(g, xlen,
			r < 0 ? "it cannot be judged"
			      : "it would move a directory into or out of "
				"the git directory of a repository that "
				"existed when the run started"))
			return 1;
	}
	if (name_is(c1, n1, "hooks") || name_is(c1, n1, "info"))
		return judge_hooks_info(
		    g, xlen, name_is(c1, n1, "hooks"), c2, n2, n);
	if (name_in(c1, n1, repo_files))
		return if_existed(g, xlen,
		    "it is the config or a pointer file (config, "
		    "config.worktree, commondir, gitdir) of a repository "
		    "that existed when the run started");
	if ((name_is(c1, n1, "remotes") || name_is(c1, n1, "branches")) &&
	    n >= 2)
		return if_existed(g, xlen,
		    "it names a remote of a repository that existed when the "
		    "run started");
	if (name_is(c1, n1, "objects") &&
	    (n == 1 ||
		(name_is(c2, n2, "info") &&
		    (n == 2 ||
			(n == 3 &&
			    (name_is(c3, n3, "alternates") ||
				name_is(c3, n3, "http-alternates")))))))
		return if_existed(g, xlen,
		    "it would change where a repository that existed when "
		    "the run started reads its objects (objects/info/"
		    "alternates)");
	if (name_is(c1, n1, "worktrees") && n >= 2)
		return judge_dir(g, (size_t)(c2 + n2 - g->p));
	if (name_is(c1, n1, "modules") && n >= 2)
		return judge_modules(g, (size_t)(c2 - g->p));
	return 0;
}

int
gitrules_judge(const struct policy *pol, const struct pathres_lstat_fs *fs,
    const char *gitdir_end, const char *p, int how, const char *src,
    const char **why)
{
	struct gitjudge g;
	const char *s;
	int r;

	memset(&g, 0, sizeof(g));
	g.pol = pol;
	g.fs = fs;
	g.p = p;
	g.src = src;
	g.how = how;
	g.moved = -1;
	g.budget = GIT_BUDGET;
	*why = NULL;
	/* no name of git's own has a second .git inside a git directory */
	for (s = gitdir_end; (s = strstr(s, "/.git")) != NULL; s += 5)
		if (s[5] == '/' || s[5] == '\0') {
			*why = "it is a .git inside a git directory";
			return 1;
		}
	r = judge_dir(&g, (size_t)(gitdir_end - p));
	if (r != 0)
		*why = g.why != NULL ? g.why : "it cannot be judged";
	return r != 0;
}
