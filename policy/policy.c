/*
 * policy.c: compile a configuration into the form the decision function
 * reads, and decide requests.
 *
 * policy_compile() runs in the supervisor and touches the filesystem (to
 * canonicalise configured paths and read .git files). policy_decide() is pure:
 * it reads the compiled policy and the request, and learns about the world
 * only through the request's callbacks. Requests are untrusted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "policy.h"
#include "policy_int.h"

#define CFGV(pol, id) ((pol)->cfg->s[(id)].val)

/* Always writable, whatever the mode: terminals and the null devices. */
static const char *const always_writable[] = { "/dev/null", "/dev/zero",
	"/dev/full", "/dev/tty", "/dev/ptmx", NULL };
static const char *const always_writable_trees[] = { "/dev/pts", "/dev/shm",
	NULL };

/*
 * Commands that only read, run without asking under `untrusted`. A command
 * that can run another command (env, xargs, find -exec, sed with w) or write
 * (sort -o, tee) is not here; file writes are judged separately anyway.
 */
static const char *const readonly_cmds[] = { "[", "basename", "cat", "cd",
	"cksum", "cmp", "comm", "cut", "date", "df", "diff", "dirname", "du",
	"echo", "egrep", "expr", "false", "fgrep", "file", "grep", "groups",
	"head", "hostname", "id", "less", "ls", "md5sum", "more", "nl", "nproc",
	"od", "printenv", "printf", "pwd", "readlink", "realpath", "rg",
	"sha1sum", "sha256sum", "sha512sum", "stat", "tail", "test", "tr",
	"tree", "true", "type", "uname", "uniq", "wc", "which", "whoami",
	NULL };
static const char *const system_bin_dirs[] = { "/bin", "/usr/bin",
	"/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin", NULL };
static const char *const readonly_git[] = { "status", "log", "diff", "show",
	NULL };

static const char *const op_names[] = { "read", "write", "exec", "connect",
	"resolve", "unix", "bind" };

const char *
policy_op_name(int op)
{
	return op >= 0 && op <= OP_BIND ? op_names[op] : "?";
}

int
policy_op_parse(const char *name)
{
	int i;

	for (i = 0; name != NULL && i <= OP_BIND; i++)
		if (strcmp(name, op_names[i]) == 0)
			return i;
	return -1;
}

const char *
policy_verdict_name(enum pol_verdict v)
{
	switch (v) {
	case VERDICT_ALLOW:
		return "allow";
	case VERDICT_DENY:
		return "deny";
	case VERDICT_ASK:
		return "ask";
	}
	return "deny";
}

static void
say(struct pol_decision *d, enum pol_verdict v, const char *rule,
    const char *fmt, ...)
{
	va_list ap;
	size_t n;

	d->verdict = v;
	n = strnlen(rule, sizeof(d->rule) - 1);
	memcpy(d->rule, rule, n);
	d->rule[n] = '\0';
	if (d->terse)
		return;
	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
}

static const char *
base_name(const char *s)
{
	const char *p = strrchr(s, '/');

	return p != NULL ? p + 1 : s;
}

static int
in_list(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static int
under_any(const char *const *roots, const char *p)
{
	size_t i;

	for (i = 0; roots[i] != NULL; i++)
		if (pathres_under(roots[i], p))
			return 1;
	return 0;
}

/* Is PATH (whose last component starts at NAME) directly inside one of DIRS? */
static int
in_dir_list(const char *const *dirs, const char *path, const char *name)
{
	size_t i, n = (size_t)(name - path) - 1;

	for (i = 0; dirs[i] != NULL; i++)
		if (strlen(dirs[i]) == n && strncmp(dirs[i], path, n) == 0)
			return 1;
	return 0;
}

int
policy_is_readonly_command(const char *const *argv, size_t argc)
{
	const char *name;

	if (argc == 0 || argv[0] == NULL)
		return 0;
	name = base_name(argv[0]);
	/* "./cat" could be anything the agent wrote: only system copies count */
	if (name != argv[0] && !in_dir_list(system_bin_dirs, argv[0], name))
		return 0;
	if (strcmp(name, "git") == 0)
		return argc >= 2 && in_list(readonly_git, argv[1]);
	return in_list(readonly_cmds, name);
}

/* Compilation */

int
policy_add_path(struct policy *pol, const struct pathres_fs *fs,
    const char *cwd, const char *path, int flags, int kind, int access,
    const char *label, const char *wh)
{
	const char *ud = pol->cfg != NULL ? pol->cfg->unreachable_dir : NULL;
	char canon[PATH_MAX];
	struct pol_path *np, *e;
	int r;

	/*
	 * Behind a directory of another user's that we may not search, a
	 * path that guards is kept as written: the command cannot get there
	 * to be judged. A writable root must still resolve.
	 */
	if ((r = pathres_canon(fs, cwd, path, flags, canon, sizeof(canon))) ==
		-EACCES &&
	    ud != NULL && kind != PK_ROOT &&
	    pathres_lexical(cwd, path, canon, sizeof(canon)) == 0 &&
	    pathres_under(ud, canon))
		r = 0;
	if (r != 0) {
		errno = -r; /* for the caller's message */
		return -1;
	}
	np = reallocarray(pol->paths, pol->npaths + 1, sizeof(*np));
	if (np == NULL)
		return -1;
	pol->paths = np;
	e = &pol->paths[pol->npaths];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->access = access;
	snprintf(e->where, sizeof(e->where), "%s", wh);
	if ((e->path = strdup(canon)) == NULL ||
	    (e->label = strdup(label)) == NULL) {
		free(e->path);
		free(e->label);
		return -1;
	}
	pol->npaths++;
	return 0;
}

static int
add_path(struct policy *pol, const struct pathres_fs *fs, const char *cwd,
    const char *path, int kind, int access, const char *label, const char *wh)
{
	return policy_add_path(
	    pol, fs, cwd, path, PATHRES_FOLLOW_LAST, kind, access, label, wh);
}

static void
roots_text_add(struct policy *pol, const char *path)
{
	size_t len = strlen(pol->roots_text), i;

	for (i = 0; i + 1 < pol->npaths; i++)
		if (pol->paths[i].kind == PK_ROOT &&
		    strcmp(pol->paths[i].path, path) == 0)
			return; /* $TMPDIR=/tmp: name it once */

	snprintf(pol->roots_text + len, sizeof(pol->roots_text) - len, "%s%s",
	    len ? ", " : "", path);
}

/* Is .git among the protected names? Only then are git directories. */
static int
git_listed(const struct config *cfg)
{
	const struct cfg_list *prot = &cfg->l[CFG_PROTECTED];
	size_t i;

	for (i = 0; i < prot->n; i++)
		if (strcmp(prot->v[i].key, ".git") == 0)
			return 1;
	return 0;
}

static int
add_root(struct policy *pol, const struct pathres_fs *fs, const char *path,
    const char *label, const char *wh)
{
	if (add_path(pol, fs, "/", path, PK_ROOT, ACCESS_WRITE, label, wh) ==
	    -1)
		return -1;
	roots_text_add(pol, pol->paths[pol->npaths - 1].path);
	if (git_listed(pol->cfg))
		return gitscan_root(pol, fs, pol->paths[pol->npaths - 1].path);
	return 0;
}

int
policy_compile(const struct config *cfg, const struct pathres_fs *fs,
    struct policy **out, char *err, size_t errlen)
{
	const struct cfg_list *l;
	struct policy *pol;
	char buf[PATH_MAX];
	const char *ws = cfg->s[CFG_WORKSPACE].str, *why = NULL;
	struct timespec t0;
	size_t i;

	*out = NULL;
	if (fs == NULL)
		fs = &pathres_real_fs;
	if (ws == NULL || ws[0] != '/') {
		snprintf(err, errlen, "no workspace directory");
		return -1;
	}
	if ((pol = calloc(1, sizeof(*pol))) == NULL)
		goto nomem;
	pol->cfg = cfg;
	pol->mode = cfg->s[CFG_SANDBOX_MODE].val;
	pol->approval = cfg->s[CFG_APPROVAL_POLICY].val;
	pol->net_on = pol->mode == SANDBOX_DANGER_FULL_ACCESS ||
	    (pol->mode == SANDBOX_WORKSPACE_WRITE &&
		cfg->s[CFG_NETWORK_ACCESS].val);
	pol->proxy = cfg->s[CFG_PROXY_ENABLED].val;
	/* "existed when the run started": changed by now (policy_settle) */
	clock_gettime(CLOCK_REALTIME, &t0);
	pol->t0_sec = (long long)t0.tv_sec;
	pol->t0_nsec = t0.tv_nsec;
	if (git_listed(cfg) && gitscan_global(pol, fs) == -1)
		goto nomem;

	if (add_root(pol, fs, ws, "workspace", cfg->s[CFG_WORKSPACE].where))
		goto badpath;
	if (!cfg->s[CFG_EXCLUDE_SLASH_TMP].val &&
	    add_root(pol, fs, "/tmp", "/tmp", "default"))
		goto badpath;
	if (!cfg->s[CFG_EXCLUDE_TMPDIR_ENV_VAR].val && cfg->tmpdir != NULL &&
	    cfg->tmpdir[0] == '/' &&
	    add_root(pol, fs, cfg->tmpdir, "$TMPDIR", "$TMPDIR"))
		goto badpath;
	l = &cfg->l[CFG_WRITABLE_ROOTS];
	for (i = 0; i < l->n; i++)
		if (add_root(
			pol, fs, l->v[i].key, "writable_roots", l->v[i].where))
			goto badpath;
	l = &cfg->l[CFG_ADD_DIRS];
	for (i = 0; i < l->n; i++)
		if (add_root(pol, fs, l->v[i].key, "--add-dir", l->v[i].where))
			goto badpath;

	l = &cfg->l[CFG_FS_PATHS];
	for (i = 0; i < l->n; i++) {
		if (config_expand_home(cfg, l->v[i].key, buf, sizeof(buf)))
			continue; /* "~" without a $HOME: nothing to guard */
		if (add_path(pol, fs, "/", buf, PK_RULE, l->v[i].val,
			l->v[i].key, l->v[i].where))
			goto badpath;
	}
	/* a config file and, if it is a symlink, the link itself */
	for (i = 0; i < cfg->nfiles; i++)
		if (add_path(pol, fs, "/", cfg->files[i], PK_CONFIG, 0,
			cfg->files[i], "agentwrap config") ||
		    policy_add_path(pol, fs, "/", cfg->files[i], 0, PK_CONFIG,
			0, cfg->files[i], "agentwrap config"))
			goto badpath;
	/* what agentwrap writes: the command may not seed or rewrite it */
	for (i = 0; i < cfg->noutputs; i++)
		if (add_path(pol, fs, "/", cfg->outputs[i].path, PK_OUTPUT, 0,
			cfg->outputs[i].what, cfg->outputs[i].path))
			goto badpath;
	if (cfg->user_config_dir != NULL &&
	    add_path(pol, fs, "/", cfg->user_config_dir, PK_CONFIG, 0,
		cfg->user_config_dir, "agentwrap config"))
		goto badpath;

	l = &cfg->l[CFG_DOMAINS];
	if ((pol->domains = calloc(l->n + 1, sizeof(*pol->domains))) == NULL)
		goto nomem;
	for (i = 0; i < l->n; i++) {
		struct pol_domain *dm = &pol->domains[pol->ndomains];

		if (hostpat_parse(l->v[i].key, &dm->pat, &why) == -1) {
			snprintf(err, errlen,
			    "%s: malformed domain pattern "
			    "'%s': %s",
			    l->v[i].where, l->v[i].key, why);
			policy_free(pol);
			return -1;
		}
		dm->decision = l->v[i].val;
		dm->key = l->v[i].key;
		dm->where = l->v[i].where;
		pol->ndomains++;
	}
	l = &cfg->l[CFG_UNIX_SOCKETS];
	if ((pol->unix_socks = calloc(l->n + 1, sizeof(*pol->unix_socks))) ==
	    NULL)
		goto nomem;
	for (i = 0; i < l->n; i++) {
		struct pol_unix *u = &pol->unix_socks[pol->nunix];

		if (l->v[i].key[0] == '@')
			snprintf(buf, sizeof(buf), "%s", l->v[i].key);
		else if (config_expand_home(
			     cfg, l->v[i].key, buf, sizeof(buf)) ||
		    pathres_canon(fs, "/",
			l->v[i].key[0] == '~' ? buf : l->v[i].key,
			PATHRES_FOLLOW_LAST, buf, sizeof(buf)))
			continue;
		if ((u->path = strdup(buf)) == NULL)
			goto nomem;
		u->key = l->v[i].key;
		pol->nunix++;
	}
	*out = pol;
	return 0;
badpath:
	snprintf(err, errlen, "cannot resolve a configured path: %s",
	    errno ? strerror(errno) : "too long or a symlink loop");
	policy_free(pol);
	return -1;
nomem:
	snprintf(err, errlen, "out of memory");
	policy_free(pol);
	return -1;
}

void
policy_settle(const struct policy *pol)
{
	struct timespec now, nap = { 0, 500000 };
	int i;

	/* file times come from the coarse clock: once it has passed the
	 * compile time, every later change is stamped after it */
	for (i = 0; i < 200; i++) {
		clock_gettime(CLOCK_REALTIME_COARSE, &now);
		if ((long long)now.tv_sec > pol->t0_sec ||
		    ((long long)now.tv_sec == pol->t0_sec &&
			now.tv_nsec > pol->t0_nsec))
			return;
		nanosleep(&nap, NULL);
	}
}

void
policy_free(struct policy *pol)
{
	size_t i;

	if (pol == NULL || pol->arena) /* an arena's memory is not ours */
		return;
	grant_free_all(pol);
	for (i = 0; i < pol->npaths; i++) {
		free(pol->paths[i].path);
		free(pol->paths[i].label);
	}
	free(pol->paths);
	free(pol->domains);
	for (i = 0; i < pol->nunix; i++)
		free(pol->unix_socks[i].path);
	free(pol->unix_socks);
	if (pol->owned_cfg != NULL) {
		config_free(pol->owned_cfg);
		free(pol->owned_cfg);
	}
	free(pol);
}

/* The filesystem */

/* How strict an entry is, for ties and for guards below an entry */
static int
strictness(const struct pol_path *e)
{
	switch (e->kind) {
	case PK_CONFIG:
	case PK_OUTPUT:
		return 5;
	case PK_RULE:
		switch (e->access) {
		case ACCESS_DENY:
			return 4;
		case ACCESS_ASK:
			return 3;
		case ACCESS_READ:
			return 1;
		default:
			return 0;
		}
	case PK_GITDIR:
	case PK_GITPROT:
		return 2;
	default:
		return 0;
	}
}

struct fs_match {
	const struct pol_path
	    *best; /* most specific entry containing the path */
	const struct pol_path
	    *guard; /* strictest guarded entry below it (REQ_ENTRY) */
	const struct pol_path *config; /* a config entry containing it */
	const struct pol_path *cover; /* most specific root or rule */
};

/* Does E, a candidate of LEN bytes, beat CUR (LEN CURLEN) for a path? */
static int
better(const struct pol_path *e, size_t len, const struct pol_path *cur,
    size_t curlen)
{
	/* Ties: between two rules for one path the later (from a later
	 * source) wins; otherwise the stricter. */
	return cur == NULL || len > curlen ||
	    (len == curlen &&
		((e->kind == PK_RULE && cur->kind == PK_RULE) ||
		    strictness(e) > strictness(cur)));
}

static void
fs_match(const struct policy *pol, const char *p, int write, int entry,
    struct fs_match *m)
{
	const struct pol_path *e;
	size_t i, len, blen = 0, clen = 0;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < pol->npaths; i++) {
		e = &pol->paths[i];
		if (!write && e->kind != PK_RULE)
			continue;
		if (pathres_under(e->path, p)) {
			if (e->kind == PK_CONFIG || e->kind == PK_OUTPUT)
				m->config = e;
			len = strlen(e->path);
			if (better(e, len, m->best, blen)) {
				m->best = e;
				blen = len;
			}
			if ((e->kind == PK_ROOT || e->kind == PK_RULE) &&
			    better(e, len, m->cover, clen)) {
				m->cover = e;
				clen = len;
			}
		} else if (entry && strictness(e) >= 2 &&
		    pathres_under(p, e->path)) {
			if (m->guard == NULL ||
			    strictness(e) > strictness(m->guard))
				m->guard = e;
		}
	}
}

/*
 * The first protected name among the components that follow C (a point in
 * a canonical path: '/' or its end), skipping .git when SKIP_GIT; *END gets
 * where that component ends. NULL if there is none.
 */
static const char *
protected_name(
    const struct policy *pol, const char *c, int skip_git, const char **end)
{
	const struct cfg_list *l = &pol->cfg->l[CFG_PROTECTED];
	size_t i, n;

	while (*c != '\0') {
		while (*c == '/')
			c++;
		if (*c == '\0')
			break;
		n = strcspn(c, "/");
		for (i = 0; i < l->n; i++)
			if (strlen(l->v[i].key) == n &&
			    memcmp(l->v[i].key, c, n) == 0 &&
			    !(skip_git && strcmp(l->v[i].key, ".git") == 0)) {
				*end = c + n;
				return l->v[i].key;
			}
		c += n;
	}
	return NULL;
}

static void
say_rule(struct pol_decision *d, enum pol_verdict v, const char *verb,
    const char *p, const struct pol_path *e)
{
	char rule[POL_RULE];

	snprintf(
	    rule, sizeof(rule), "agentwrap.filesystem.paths[\"%s\"]", e->label);
	say(d, v, rule, "%s %s %s: %s = \"%s\" (%s)", verb, p,
	    v == VERDICT_ALLOW	   ? "is allowed"
		: v == VERDICT_ASK ? "needs approval"
				   : "is denied",
	    rule, config_access_name(e->access), e->where);
}

static void
say_config(struct pol_decision *d, const char *p, const struct pol_path *e)
{
	if (e->kind == PK_OUTPUT)
		say(d, VERDICT_DENY, "agentwrap-output",
		    "%s is written by agentwrap itself (%s %s): a sandboxed "
		    "command may never change it",
		    p, e->label, e->where);
	else
		say(d, VERDICT_DENY, "agentwrap-config",
		    "%s holds agentwrap's own "
		    "configuration (%s): a sandboxed command may never change "
		    "it",
		    p, e->label);
}

static void
say_protected(struct pol_decision *d, const char *p, const char *name)
{
	say(d, VERDICT_ASK, "agentwrap.filesystem.protected",
	    "writing %s "
	    "needs approval: %s is read-only inside writable roots "
	    "(agentwrap.filesystem.protected)",
	    p, name);
}

/* A write into a git directory that agentwrap.filesystem.git refuses */
static void
say_git(const struct policy *pol, struct pol_decision *d, const char *p,
    const char *why)
{
	const struct cfg_scalar *s = &pol->cfg->s[CFG_GIT_MODE];

	if (why == NULL)
		say(d, VERDICT_ASK, "agentwrap.filesystem.protected",
		    "writing %s needs approval: .git is read-only inside "
		    "writable roots (agentwrap.filesystem.protected, "
		    "agentwrap.filesystem.git = \"%s\" (%s); \"work\" lets git "
		    "write its ordinary files)",
		    p, config_git_name(s->val), s->where);
	else
		say(d, VERDICT_ASK, "agentwrap.filesystem.protected",
		    "writing %s needs approval: %s; agentwrap.filesystem.git = "
		    "\"%s\" (%s) lets git write only its ordinary files in a "
		    "git directory while .git is in "
		    "agentwrap.filesystem.protected",
		    p, why, config_git_name(s->val), s->where);
}

static void
say_gitprot(struct pol_decision *d, const char *p, const struct pol_path *e)
{
	say(d, VERDICT_ASK, "agentwrap.filesystem.protected",
	    "writing %s needs approval: %s is %s (%s), read-only while .git "
	    "is in agentwrap.filesystem.protected",
	    p, e->path, e->label, e->where);
}

/*
 * A write inside the git directory whose path ends at END in P: 1 (and D
 * filled) if it is refused, 0 if it is git's ordinary work.
 */
static int
git_write(const struct policy *pol, const struct pol_request *req,
    struct pol_decision *d, const char *p, const char *end, int how,
    const char *src)
{
	const char *why;

	if (pol->cfg->s[CFG_GIT_MODE].val != GIT_WORK) {
		say_git(pol, d, p, NULL);
		return 1;
	}
	if (gitrules_judge(pol, req->sfs, end, p, how, src, &why) == 0)
		return 0;
	say_git(pol, d, p, why);
	return 1;
}

/*
 * P (PATH_MAX bytes) gets the canonical path, or "" if there is none.
 * HOW says what the write does to the entry (GIT_OPEN...), SRC is the
 * canonical path of the object a rename or link moves (NULL: P itself).
 */
static void
fs_decide_one(const struct policy *pol, const struct pol_request *req,
    const char *path, struct pol_decision *d, char *p, int how, const char *src)
{
	const struct pathres_fs *fs = req->fs ? req->fs : &pathres_real_fs;
	int write = req->op == OP_WRITE, entry = req->flags & REQ_ENTRY;
	const char *verb = write ? "writing" : "reading", *name, *end;
	const struct pol_path *g, *root;
	struct fs_match m;
	int r, git = git_listed(pol->cfg);

	p[0] = '\0';
	r = pathres_canon(fs, req->cwd ? req->cwd : "/", path,
	    (req->flags & REQ_NOFOLLOW) ? 0 : PATHRES_FOLLOW_LAST, p, PATH_MAX);
	if (r != 0) {
		say(d, VERDICT_DENY, "path", "cannot resolve the path: %s",
		    strerror(-r));
		return;
	}
	fs_match(pol, p, write, write && entry, &m);
	g = m.guard;

	/* agentwrap's own configuration is never writable, in any mode */
	if (write && m.config != NULL) {
		say_config(d, p, m.config);
		return;
	}
	if (write && g != NULL &&
	    (g->kind == PK_CONFIG || g->kind == PK_OUTPUT)) {
		say(d, VERDICT_DENY,
		    g->kind == PK_CONFIG ? "agentwrap-config"
					 : "agentwrap-output",
		    "changing %s would "
		    "move or replace %s, %s",
		    p, g->kind == PK_CONFIG ? g->label : g->where,
		    g->kind == PK_CONFIG ? "agentwrap's own configuration"
					 : "a file agentwrap writes");
		return;
	}
	if (pol->mode == SANDBOX_DANGER_FULL_ACCESS) {
		if (m.best != NULL && m.best->kind == PK_RULE &&
		    m.best->access == ACCESS_DENY)
			say_rule(d, VERDICT_DENY, verb, p, m.best);
		else if (g != NULL && g->kind == PK_RULE &&
		    g->access == ACCESS_DENY)
			say_rule(d, VERDICT_DENY, verb, p, g);
		else
			say(d, VERDICT_ALLOW, "sandbox_mode",
			    "sandbox_mode = danger-full-access (%s) allows "
			    "%s %s",
			    pol->cfg->s[CFG_SANDBOX_MODE].where, verb, p);
		return;
	}
	if (!write) {
		if (m.best != NULL && m.best->access == ACCESS_DENY)
			say_rule(d, VERDICT_DENY, verb, p, m.best);
		else if (m.best != NULL && m.best->access == ACCESS_ASK)
			say_rule(d, VERDICT_ASK, verb, p, m.best);
		else if (m.best != NULL) /* a "read" or "write" entry */
			say_rule(d, VERDICT_ALLOW, verb, p, m.best);
		else
			say(d, VERDICT_ALLOW, "read",
			    "reading %s is allowed: "
			    "every sandbox mode may read outside the paths "
			    "agentwrap.filesystem.paths guards",
			    p);
		return;
	}
	if (m.best != NULL && m.best->kind == PK_RULE &&
	    m.best->access == ACCESS_DENY) {
		say_rule(d, VERDICT_DENY, verb, p, m.best);
		return;
	}
	if (g != NULL && g->kind == PK_RULE && g->access == ACCESS_DENY) {
		say(d, VERDICT_DENY, "agentwrap.filesystem.paths",
		    "changing "
		    "%s would move or replace %s, which "
		    "agentwrap.filesystem.paths denies (%s)",
		    p, g->path, g->where);
		return;
	}
	if (in_list(always_writable, p) ||
	    under_any(always_writable_trees, p)) {
		say(d, VERDICT_ALLOW, "devices", "%s is always writable", p);
		return;
	}
	if (m.best != NULL && m.best->kind == PK_RULE &&
	    m.best->access == ACCESS_ASK) {
		say_rule(d, VERDICT_ASK, verb, p, m.best);
		return;
	}
	if (g != NULL && g->kind == PK_RULE && g->access == ACCESS_ASK) {
		say(d, VERDICT_ASK, "agentwrap.filesystem.paths",
		    "changing "
		    "%s would move or replace %s, which needs approval (%s)",
		    p, g->path, g->where);
		return;
	}
	if (pol->mode == SANDBOX_READ_ONLY) {
		say(d, VERDICT_ASK, "sandbox_mode",
		    "writing %s needs approval: "
		    "sandbox_mode = read-only (%s)",
		    p, pol->cfg->s[CFG_SANDBOX_MODE].where);
		return;
	}
	if (m.best != NULL && m.best->kind == PK_RULE &&
	    m.best->access == ACCESS_READ) {
		say_rule(d, VERDICT_ASK, verb, p, m.best);
		return;
	}
	if (git &&
	    ((m.best != NULL && m.best->kind == PK_GITPROT) ||
		(g != NULL && g->kind == PK_GITPROT))) {
		say_gitprot(d, p, m.best->kind == PK_GITPROT ? m.best : g);
		return;
	}
	if (git && g != NULL && g->kind == PK_GITDIR) {
		say_git(pol, d, p,
		    "it would move or replace a directory that holds a git "
		    "directory");
		return;
	}
	root = m.best;
	if (git && m.best != NULL && m.best->kind == PK_GITDIR) {
		if (git_write(pol, req, d, p, p + strlen(m.best->path), how,
			src ? src : p))
			return;
		/* git's own work: as writable as any file where it lies */
		root = m.cover;
		if (root != NULL && root->kind == PK_RULE &&
		    root->access != ACCESS_WRITE) {
			say_rule(d,
			    root->access == ACCESS_DENY ? VERDICT_DENY
							: VERDICT_ASK,
			    verb, p, root);
			return;
		}
	}
	if (root != NULL) { /* a writable root or a "write" rule */
		name = protected_name(pol, p + strlen(root->path), 0, &end);
		if (name != NULL && git && strcmp(name, ".git") == 0) {
			if (git_write(pol, req, d, p, end, how, src ? src : p))
				return;
			name = protected_name(pol, end, 1, &end);
		}
		if (name != NULL) {
			say_protected(d, p, name);
			return;
		}
		if (root->kind == PK_RULE)
			say_rule(d, VERDICT_ALLOW, verb, p, root);
		else
			say(d, VERDICT_ALLOW,
			    "sandbox_workspace_write.writable_roots",
			    "%s is "
			    "inside the writable root %s (%s)",
			    p, root->path, root->label);
		return;
	}
	say(d, VERDICT_ASK, "sandbox_workspace_write.writable_roots",
	    "writing %s needs approval: it "
	    "is outside the writable roots (%s)",
	    p, pol->roots_text);
}

static void
fs_decide(const struct policy *pol, const struct pol_request *req,
    struct pol_decision *d)
{
	struct pol_decision d2;
	char p[PATH_MAX], p2[PATH_MAX];
	int two = req->op == OP_WRITE && req->path2 != NULL;

	if (req->path == NULL || req->path[0] == '\0') {
		say(d, VERDICT_DENY, "path", "empty path");
		return;
	}
	fs_decide_one(pol, req, req->path, d, p,
	    two				   ? GIT_FROM
		: (req->flags & REQ_ENTRY) ? GIT_ENTRY
					   : GIT_OPEN,
	    NULL);
	/* session grants settle what would be asked, each end on its own */
	if (d->verdict == VERDICT_ASK && pol->ngrants > 0)
		grant_decide(pol, req->op, p, NULL, NULL, 0, d);
	if (req->op != OP_WRITE || req->path2 == NULL)
		return;
	if (req->path2[0] == '\0') {
		say(d, VERDICT_DENY, "path", "empty path");
		return;
	}
	/* link and rename: both ends are writes; the stricter one decides */
	d2.verdict = VERDICT_ALLOW;
	d2.rule[0] = d2.why[0] = '\0';
	d2.deferred = 0;
	d2.terse = d->terse;
	fs_decide_one(pol, req, req->path2, &d2, p2, GIT_TO, p[0] ? p : NULL);
	if (d2.verdict == VERDICT_ASK && pol->ngrants > 0)
		grant_decide(pol, req->op, p2, NULL, NULL, 0, &d2);
	if (d2.verdict == VERDICT_DENY ||
	    (d2.verdict == VERDICT_ASK && d->verdict == VERDICT_ALLOW))
		*d = d2;
}

/* Exec */

static int
word_match(const struct cfg_exec_word *w, const char *arg, int first)
{
	size_t i;

	for (i = 0; i < w->nalt; i++) {
		if (first && strchr(w->alt[i], '/') == NULL) {
			if (strcmp(w->alt[i], base_name(arg)) == 0)
				return 1;
		} else if (strcmp(w->alt[i], arg) == 0)
			return 1;
	}
	return 0;
}

int
policy_rule_matches(
    const struct cfg_exec_rule *r, const char *const *argv, size_t argc)
{
	size_t i;

	if (argc < r->nword)
		return 0;
	for (i = 0; i < r->nword; i++)
		if (argv[i] == NULL ||
		    !word_match(&r->word[i], argv[i], i == 0))
			return 0;
	return 1;
}

static void
exec_decide(const struct policy *pol, const struct pol_request *req,
    struct pol_decision *d)
{
	const struct cfg_exec_rule *best = NULL, *r;
	char rule[POL_RULE];
	size_t i;

	if (req->argc == 0 || req->argv == NULL || req->argv[0] == NULL ||
	    req->argv[0][0] == '\0') {
		say(d, VERDICT_DENY, "exec", "empty command");
		return;
	}
	for (i = 0; i < pol->cfg->nrules; i++) {
		r = &pol->cfg->rules[i];
		if (policy_rule_matches(r, req->argv, req->argc) &&
		    (best == NULL || r->decision > best->decision))
			best = r;
	}
	if (best != NULL) {
		snprintf(rule, sizeof(rule), "agentwrap.exec.rules (%s)",
		    best->where);
		switch (best->decision) {
		case EXEC_FORBIDDEN:
			say(d, VERDICT_DENY, rule,
			    "%s is forbidden by the exec "
			    "rule at %s%s%s",
			    req->argv[0], best->where,
			    best->justification ? ": " : "",
			    best->justification ? best->justification : "");
			return;
		case EXEC_PROMPT:
			say(d, VERDICT_ASK, rule,
			    "running %s needs approval: "
			    "exec rule at %s says prompt%s%s",
			    req->argv[0], best->where,
			    best->justification ? ": " : "",
			    best->justification ? best->justification : "");
			return;
		default:
			say(d, VERDICT_ALLOW, rule,
			    "%s is allowed by the exec "
			    "rule at %s",
			    req->argv[0], best->where);
			return;
		}
	}
	if (pol->approval == APPROVAL_UNTRUSTED &&
	    !policy_is_readonly_command(req->argv, req->argc)) {
		say(d, VERDICT_ASK, "approval_policy",
		    "running %s needs "
		    "approval: approval_policy = untrusted (%s) asks before "
		    "any command that no exec rule allows and that is not a "
		    "known read-only command",
		    req->argv[0], pol->cfg->s[CFG_APPROVAL_POLICY].where);
		return;
	}
	if (pol->approval == APPROVAL_UNTRUSTED)
		say(d, VERDICT_ALLOW, "readonly-commands",
		    "%s is a known "
		    "read-only command",
		    req->argv[0]);
	else
		say(d, VERDICT_ALLOW, "exec",
		    "no exec rule matches %s; it runs "
		    "inside the sandbox",
		    req->argv[0]);
}

/*
 * agentwrap.uncovered: a program the shim cannot follow runs with nothing
 * judging its own calls (until the seccomp layer exists); asking or
 * refusing that is a rule on its own, and the stricter verdict wins.
 */
static void
uncovered_decide(const struct policy *pol, const struct pol_request *req,
    struct pol_decision *d)
{
	const struct cfg_scalar *s = &pol->cfg->s[CFG_UNCOVERED];

	if (!(req->flags & REQ_UNCOVERED) || d->verdict == VERDICT_DENY ||
	    s->val == UNCOVERED_ALLOW)
		return;
	if (s->val == UNCOVERED_DENY)
		say(d, VERDICT_DENY, "agentwrap.uncovered",
		    "%s cannot be followed by the shim, so nothing would check "
		    "its own calls; agentwrap.uncovered = deny (%s) refuses "
		    "such programs",
		    req->argv[0], s->where);
	else if (d->verdict == VERDICT_ALLOW)
		say(d, VERDICT_ASK, "agentwrap.uncovered",
		    "running %s needs approval: the shim cannot follow it, so "
		    "nothing would check its own calls; agentwrap.uncovered = "
		    "ask (%s)",
		    req->argv[0], s->where);
}

/* The network */

static const struct pol_domain *
domain_match(const struct policy *pol, const char *host, int decision)
{
	size_t i;

	for (i = 0; i < pol->ndomains; i++)
		if (pol->domains[i].decision == decision &&
		    hostpat_match(&pol->domains[i].pat, host))
			return &pol->domains[i];
	return NULL;
}

/*
 * An exact allow rule naming this local address: an IP rule for that very
 * address, or (for a loopback address) a "localhost" rule. Wildcards never
 * count. IP rules are looked at first, so the order of the rules does not
 * matter.
 */
static const struct pol_domain *
local_exception(
    const struct policy *pol, const struct netaddr *a, int allow_localhost)
{
	const struct pol_domain *dm;
	size_t i;

	for (i = 0; i < pol->ndomains; i++) {
		dm = &pol->domains[i];
		if (dm->decision == DOMAIN_ALLOW &&
		    dm->pat.kind == HOSTPAT_IP && netaddr_equal(&dm->pat.ip, a))
			return dm;
	}
	if (!allow_localhost || netaddr_classify(a) != NETADDR_LOOPBACK)
		return NULL;
	for (i = 0; i < pol->ndomains; i++) {
		dm = &pol->domains[i];
		if (dm->decision == DOMAIN_ALLOW &&
		    dm->pat.kind == HOSTPAT_EXACT &&
		    strcmp(dm->pat.host, "localhost") == 0)
			return dm;
	}
	return NULL;
}

/* A deny rule naming this address as an IP literal. */
static const struct pol_domain *
ip_denied(const struct policy *pol, const struct netaddr *a)
{
	size_t i;

	for (i = 0; i < pol->ndomains; i++)
		if (pol->domains[i].decision == DOMAIN_DENY &&
		    pol->domains[i].pat.kind == HOSTPAT_IP &&
		    netaddr_equal(&pol->domains[i].pat.ip, a))
			return &pol->domains[i];
	return NULL;
}

static void
say_domain(struct pol_decision *d, enum pol_verdict v,
    const struct pol_domain *dm, const char *fmt, const char *host)
{
	char rule[POL_RULE], why[POL_WHY / 2];

	snprintf(rule, sizeof(rule), "features.network_proxy.domains[\"%s\"]",
	    dm->key);
	snprintf(why, sizeof(why), fmt, host);
	say(d, v, rule, "%s: %s = \"%s\" (%s)", why, rule,
	    dm->decision == DOMAIN_ALLOW ? "allow" : "deny", dm->where);
}

/* 127.0.0.1, or ::ffff:127.0.0.1 (a dual-stack socket's way to it, as
 * Java's): where agentwrap's proxy listens */
static int
is_proxy_addr(const struct netaddr *a)
{
	static const uint8_t mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
		0xff, 127, 0, 0, 1 };

	if (a->family == AF_INET)
		return a->addr[0] == 127 && a->addr[1] == 0 &&
		    a->addr[2] == 0 && a->addr[3] == 1;
	return a->family == AF_INET6 && memcmp(a->addr, mapped, 16) == 0;
}

/*
 * An IP literal: a deny rule; then a local or private address only by an
 * exact allow rule (that IP, or localhost for a loopback one), or with
 * allow_local_binding = true; then the allowlist. Codex's proxy lets the
 * allowlist decide local addresses too with allow_local_binding = true,
 * since it sees the name; here a static program's connect shows only the
 * address, and a name with a private answer is refused before anything is
 * pinned for it, so that would refuse an allowed name's private address.
 * The one local address allowed without a rule is agentwrap's own proxy
 * (a connect to its port); a public address no rule names is allowed if
 * the supervisor handed it out for an allowed name (pinned).
 */
static void
net_ip_decide(const struct policy *pol, const struct pol_request *req,
    const char *host, const struct netaddr *a, struct pol_decision *d)
{
	const struct pol_domain *dm;
	enum netaddr_class c = netaddr_classify(a);
	char txt[NETADDR_STRLEN], name[NETADDR_HOSTLEN];

	netaddr_format(a, txt, sizeof(txt));
	if ((dm = domain_match(pol, host, DOMAIN_DENY)) != NULL) {
		say_domain(d, VERDICT_DENY, dm, "%s is denied", txt);
		return;
	}
	if (c != NETADDR_PUBLIC) {
		if (pol->proxy_port > 0 && req->port == pol->proxy_port &&
		    is_proxy_addr(a) && req->op == OP_CONNECT) {
			say(d, VERDICT_ALLOW, "features.network_proxy.enabled",
			    "127.0.0.1:%d is agentwrap's own proxy",
			    pol->proxy_port);
			return;
		}
		if ((dm = local_exception(pol, a, 1)) != NULL) {
			say_domain(d, VERDICT_ALLOW, dm,
			    "%s is a local address "
			    "named by an exact allow rule",
			    txt);
			return;
		}
		if (CFGV(pol, CFG_ALLOW_LOCAL_BINDING)) {
			say(d, VERDICT_ALLOW,
			    "features.network_proxy.allow_local_binding",
			    "%s is %s; allow_local_binding = true (%s) allows "
			    "local and private destinations",
			    txt, netaddr_class_name(c),
			    pol->cfg->s[CFG_ALLOW_LOCAL_BINDING].where);
			return;
		}
		say(d, VERDICT_DENY,
		    "features.network_proxy.allow_local_binding",
		    "%s is a %s "
		    "address; allow_local_binding = false blocks local and "
		    "private destinations unless an exact allow rule names "
		    "the address or localhost",
		    txt, netaddr_class_name(c));
		return;
	}
	if ((dm = domain_match(pol, host, DOMAIN_ALLOW)) != NULL) {
		say_domain(d, VERDICT_ALLOW, dm, "%s is allowed", txt);
		return;
	}
	/* a public address the supervisor handed out for an allowed name */
	if (req->pinned != NULL &&
	    req->pinned(req->pinned_ctx, a, name, sizeof(name))) {
		say(d, VERDICT_ALLOW, "features.network_proxy.domains",
		    "%s was handed out by agentwrap's resolver for %s, a name "
		    "the policy allows",
		    txt, name);
		return;
	}
	say(d, VERDICT_ASK, "features.network_proxy.domains",
	    "connecting to "
	    "%s needs approval: no rule in "
	    "features.network_proxy.domains allows it",
	    txt);
}

#define MAXADDR 32

/*
 * Codex's order for a name: a deny rule; then, while allow_local_binding
 * = false, the name is resolved and blocked if the lookup fails or any
 * answer is local or private (unless an exact rule names that address,
 * or the name is localhost named exactly); then the allowlist. A name no
 * rule allows is asked only once it is known not to be local. Any answer
 * that a deny rule names as an IP blocks the name too.
 */
static void
net_name_decide(const struct policy *pol, const struct pol_request *req,
    const char *host, struct pol_decision *d)
{
	const struct pol_domain *dm, *allow;
	struct netaddr addrs[MAXADDR];
	char txt[NETADDR_STRLEN];
	enum netaddr_class c;
	int n = 0, i, lookup, local_ok = CFGV(pol, CFG_ALLOW_LOCAL_BINDING);

	if ((dm = domain_match(pol, host, DOMAIN_DENY)) != NULL) {
		say_domain(d, VERDICT_DENY, dm, "%s is denied", host);
		return;
	}
	allow = domain_match(pol, host, DOMAIN_ALLOW);
	/* Looked up: an allowed name; and one no rule allows while local
	 * destinations are blocked, if a person may be asked about it (a
	 * local one is then denied, never asked). Not one that nobody will
	 * be asked about: its lookup would only carry the name out. With
	 * local destinations allowed, an allowed name's answers are looked
	 * at for the IP deny rules only; a failed lookup then just gives no
	 * address to connect to. */
	lookup = allow != NULL ||
	    (!local_ok && pol->approval != APPROVAL_NEVER &&
		pol->approval != APPROVAL_ON_FAILURE);
	if (lookup)
		n = req->resolve
		    ? req->resolve(req->resolve_ctx, host, addrs, MAXADDR)
		    : 0;
	if (lookup && n <= 0 && !local_ok) {
		say(d, VERDICT_DENY, "dns",
		    "%s does not resolve; a name whose "
		    "lookup fails is blocked",
		    host);
		return;
	}
	if (n > MAXADDR)
		n = MAXADDR;
	for (i = 0; i < n; i++) {
		netaddr_format(&addrs[i], txt, sizeof(txt));
		if ((dm = ip_denied(pol, &addrs[i])) != NULL) {
			say_domain(d, VERDICT_DENY, dm,
			    "%s resolves to a "
			    "denied address",
			    host);
			return;
		}
		c = netaddr_classify(&addrs[i]);
		if (c == NETADDR_PUBLIC || local_ok)
			continue;
		/* localhost named exactly, or that local address named exactly */
		if (local_exception(pol, &addrs[i],
			allow != NULL && allow->pat.kind == HOSTPAT_EXACT &&
			    strcmp(allow->pat.host, "localhost") == 0) != NULL)
			continue;
		say(d, VERDICT_DENY,
		    "features.network_proxy.allow_local_binding",
		    "%s resolves "
		    "to %s, a %s address; names that resolve to non-public "
		    "addresses stay blocked while allow_local_binding = false",
		    host, txt, netaddr_class_name(c));
		return;
	}
	if (allow == NULL) {
		say(d, VERDICT_ASK, "features.network_proxy.domains",
		    "reaching %s needs approval: no rule in "
		    "features.network_proxy.domains allows it",
		    host);
		return;
	}
	say_domain(d, VERDICT_ALLOW, allow, "%s is allowed", host);
}

static void
net_decide(const struct policy *pol, const struct pol_request *req,
    struct pol_decision *d)
{
	const char *what = req->op == OP_BIND ? "binding"
	    : req->op == OP_RESOLVE	      ? "resolving"
					      : "connecting to";
	char host[NETADDR_HOSTLEN];
	struct netaddr a;
	const char *why = NULL;
	int isip;

	if (req->host == NULL || req->host[0] == '\0') {
		say(d, VERDICT_DENY, "network", "empty host");
		return;
	}
	isip = netaddr_parse_ip(req->host, &a) == 0;
	if (!isip &&
	    netaddr_norm_host(req->host, host, sizeof(host), &why) == -1) {
		say(d, VERDICT_DENY, "network", "malformed host name: %s", why);
		return;
	}
	if (isip)
		netaddr_format(&a, host, sizeof(host));
	if (pol->mode == SANDBOX_DANGER_FULL_ACCESS) {
		say(d, VERDICT_ALLOW, "sandbox_mode",
		    "sandbox_mode = "
		    "danger-full-access (%s) allows the network",
		    pol->cfg->s[CFG_SANDBOX_MODE].where);
		return;
	}
	if (pol->mode == SANDBOX_READ_ONLY) {
		say(d, VERDICT_ASK, "sandbox_mode",
		    "%s %s needs approval: "
		    "sandbox_mode = read-only keeps the network off",
		    what, host);
		return;
	}
	if (!pol->net_on) {
		say(d, VERDICT_ASK, "sandbox_workspace_write.network_access",
		    "%s %s needs approval: network access is off "
		    "(sandbox_workspace_write.network_access = false, %s)",
		    what, host, pol->cfg->s[CFG_NETWORK_ACCESS].where);
		return;
	}
	if (!pol->proxy) {
		say(d, VERDICT_ALLOW, "sandbox_workspace_write.network_access",
		    "network access is on (%s) and features.network_proxy is "
		    "off: outbound access is unrestricted",
		    pol->cfg->s[CFG_NETWORK_ACCESS].where);
		return;
	}
	if (req->op == OP_BIND) {
		if (CFGV(pol, CFG_ALLOW_LOCAL_BINDING))
			say(d, VERDICT_ALLOW,
			    "features.network_proxy.allow_local_binding",
			    "binding %s is allowed: allow_local_binding = true "
			    "(%s)",
			    host, pol->cfg->s[CFG_ALLOW_LOCAL_BINDING].where);
		else
			say(d, VERDICT_DENY,
			    "features.network_proxy.allow_local_binding",
			    "binding %s is blocked: allow_local_binding = "
			    "false",
			    host);
		return;
	}
	if (isip)
		net_ip_decide(pol, req, req->host, &a, d);
	else
		net_name_decide(pol, req, host, d);
}

static void
unix_decide(const struct policy *pol, const struct pol_request *req,
    struct pol_decision *d)
{
	const struct pathres_fs *fs = req->fs ? req->fs : &pathres_real_fs;
	char p[PATH_MAX];
	size_t i;
	int r;

	if (req->path == NULL || req->path[0] == '\0') {
		say(d, VERDICT_DENY, "unix", "empty socket path");
		return;
	}
	if (req->path[0] == '@')
		snprintf(p, sizeof(p), "%s", req->path);
	else if ((r = pathres_canon(fs, req->cwd ? req->cwd : "/", req->path,
		      PATHRES_FOLLOW_LAST, p, sizeof(p))) != 0) {
		say(d, VERDICT_DENY, "unix",
		    "cannot resolve the socket path: "
		    "%s",
		    strerror(-r));
		return;
	}
	if (pol->mode == SANDBOX_DANGER_FULL_ACCESS) {
		say(d, VERDICT_ALLOW, "sandbox_mode",
		    "sandbox_mode = "
		    "danger-full-access allows every Unix socket");
		return;
	}
	if (CFGV(pol, CFG_ALL_UNIX_SOCKETS)) {
		say(d, VERDICT_ALLOW,
		    "features.network_proxy.dangerously_allow_all_unix_sockets",
		    "dangerously_allow_all_unix_sockets = true (%s) allows %s",
		    pol->cfg->s[CFG_ALL_UNIX_SOCKETS].where, p);
		return;
	}
	for (i = 0; i < pol->nunix; i++)
		if (strcmp(pol->unix_socks[i].path, p) == 0) {
			say(d, VERDICT_ALLOW,
			    "features.network_proxy.unix_sockets",
			    "the Unix "
			    "socket %s is allowed by unix_sockets[\"%s\"]",
			    p, pol->unix_socks[i].key);
			return;
		}
	say(d, VERDICT_ASK, "features.network_proxy.unix_sockets",
	    "connecting "
	    "to the Unix socket %s needs approval: it is not in "
	    "features.network_proxy.unix_sockets",
	    p);
	if (pol->ngrants > 0)
		grant_decide(pol, OP_UNIX, p, NULL, NULL, 0, d);
}

enum pol_verdict
policy_decide(const struct policy *pol, const struct pol_request *req,
    struct pol_decision *d)
{
	size_t len;

	/* not a memset: the two sentences are kilobytes, and a decision is
	 * made for nearly every call the shim sees */
	d->verdict = VERDICT_ALLOW;
	d->rule[0] = d->why[0] = '\0';
	d->deferred = 0;
	d->terse = (req->flags & REQ_TERSE) != 0;
	switch (req->op) {
	case OP_READ:
	case OP_WRITE:
		fs_decide(pol, req, d);
		break;
	case OP_EXEC:
		exec_decide(pol, req, d);
		uncovered_decide(pol, req, d);
		break;
	case OP_CONNECT:
	case OP_RESOLVE:
	case OP_BIND:
		net_decide(pol, req, d);
		break;
	case OP_UNIX:
		unix_decide(pol, req, d);
		break;
	default:
		say(d, VERDICT_DENY, "request", "unknown request");
		break;
	}
	/* session grants settle what would be asked (paths: see above) */
	if (d->verdict == VERDICT_ASK && pol->ngrants > 0 &&
	    (req->op == OP_EXEC || req->op == OP_CONNECT ||
		req->op == OP_RESOLVE || req->op == OP_BIND))
		grant_decide(pol, req->op, NULL,
		    req->op == OP_EXEC ? NULL : req->host,
		    req->op == OP_EXEC ? req->argv : NULL, req->argc, d);
	/* The approval policy comes last: it says whether an ask is asked. */
	if (d->verdict == VERDICT_ASK &&
	    (pol->approval == APPROVAL_NEVER ||
		pol->approval == APPROVAL_ON_FAILURE)) {
		d->verdict = VERDICT_DENY;
		d->deferred = pol->approval == APPROVAL_ON_FAILURE;
		len = d->terse ? sizeof(d->why) : strlen(d->why);
		if (len < sizeof(d->why))
			snprintf(d->why + len, sizeof(d->why) - len,
			    "; "
			    "approval_policy = %s (%s) %s",
			    config_approval_name(pol->approval),
			    pol->cfg->s[CFG_APPROVAL_POLICY].where,
			    pol->approval == APPROVAL_NEVER
				? "never asks, so it is "
				  "denied"
				: "denies it now and offers it after a "
				  "failure");
	}
	return d->verdict;
}

void
policy_write_paths(const struct policy *pol,
    void (*fn)(void *arg, const char *path, int tree), void *arg)
{
	const struct pol_path *pp;
	size_t i;

	/* read-only writes nowhere without asking, roots or not */
	for (i = 0; i < pol->npaths && pol->mode != SANDBOX_READ_ONLY; i++) {
		pp = &pol->paths[i];
		if (pp->kind == PK_ROOT ||
		    (pp->kind == PK_RULE && pp->access == ACCESS_WRITE))
			fn(arg, pp->path, 1);
	}
	for (i = 0; always_writable[i] != NULL; i++)
		fn(arg, always_writable[i], 0);
	for (i = 0; always_writable_trees[i] != NULL; i++)
		fn(arg, always_writable_trees[i], 1);
}

void
policy_marks(const struct policy *pol, void (*fn)(void *arg, const char *path),
    void *arg)
{
	size_t i;

	for (i = 0; i < pol->npaths; i++)
		fn(arg, pol->paths[i].path);
}

void
policy_set_watch(struct policy *pol, int on)
{
	pol->watch = on != 0;
}

int
policy_watch(const struct policy *pol)
{
	return pol != NULL && pol->watch;
}

void
policy_set_proxy_port(struct policy *pol, int port)
{
	pol->proxy_port = port;
}

int
policy_judges_names(const struct policy *pol)
{
	return pol != NULL && pol->mode == SANDBOX_WORKSPACE_WRITE &&
	    pol->net_on && pol->proxy;
}
