/*
 * check_policy.c: the decision tables in tests/policy/NAME.tsv, one Check test
 * per request line.
 *
 * A table is a sequence of sections. Directive lines set up a section:
 *   %reset                 start over: defaults, workspace /ws, home /home/u
 *   %config TOML-LINE      append a line to the section's config document
 *   %set KEY=VALUE         a -c assignment, applied after the document
 *   %workspace DIR         -C
 *   %add-dir DIR           --add-dir
 *   %tmpdir DIR            $TMPDIR at load time
 *   %file PATH             a config file agentwrap read
 *   %output PATH OPTION    a file agentwrap writes (--audit PATH)
 *   %link PATH TARGET      a symlink in the fake filesystem (everything else
 *                          exists and is not a link)
 *   %stat PATH TYPE AGE    what an lstat of PATH says to the git rules: TYPE
 *                          file, dir, link or absent, AGE old (changed
 *                          before the policy was compiled) or new; any
 *                          other path is absent
 *   %resolve NAME [ADDR,...]  what NAME resolves to (nothing: it does not)
 *   %grant allow|deny OP OBJECT...  a session grant, added after compiling:
 *                          OP read write unix connect bind exec; OBJECT a
 *                          path, a host, or 1-2 argv words then optionally
 *                          @EXE (the program they ran as)
 * Request lines are TAB-separated: OP, ARG, VERDICT, RULE-SUBSTRING
 *   OP: read write write-nofollow entry rename link exec connect resolve
 *       bind unix; rename and link take "SRC DST"; exec takes argv words.
 * Lines starting with '#' and blank lines are ignored.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "policy.h"

#define MAXL 64
#define LINE 2048

struct section {
	char toml[8192];
	char *sets[MAXL];
	size_t nsets;
	char workspace[256];
	char *add_dirs[MAXL];
	size_t nadd;
	char tmpdir[256];
	char *files[MAXL];
	size_t nfiles;
	char *outputs[MAXL];
	size_t noutputs;
	char *links[MAXL][2];
	size_t nlinks;
	char *res_name[MAXL];
	char *res_addrs[MAXL];
	size_t nres;
	char *grants[MAXL];
	size_t ngrants;
	char *stats[MAXL][3];
	size_t nstats;
};

struct tcase_line {
	const struct section *sec;
	char where[300];
	char op[32];
	char arg[1024];
	char verdict[16];
	char rule[256];
};

static struct tcase_line *cases;
static size_t ncases;

static ssize_t
fake_readlink(void *ctx, const char *path, char *buf, size_t len, int *err)
{
	const struct section *s = ctx;
	size_t i, n;

	for (i = 0; i < s->nlinks; i++)
		if (strcmp(s->links[i][0], path) == 0) {
			n = strlen(s->links[i][1]);
			if (n > len)
				n = len;
			memcpy(buf, s->links[i][1], n);
			return (ssize_t)n;
		}
	*err = EINVAL;
	return -1;
}

static int
fake_lstat(void *ctx, const char *path, struct pathres_stat *st)
{
	static const char *const types[] = { "absent", "file", "dir", "link",
		"other" };
	const struct section *s = ctx;
	size_t i, t;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < s->nstats; i++) {
		if (strcmp(s->stats[i][0], path) != 0)
			continue;
		for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
			if (strcmp(types[t], s->stats[i][1]) == 0)
				st->type = (int)t;
		/* old: 1970; new: 2100, after any compile time */
		st->ctime_sec =
		    strcmp(s->stats[i][2], "new") == 0 ? 4102444800LL : 1;
		return 0;
	}
	return 0;
}

static int
fake_resolve(void *ctx, const char *name, struct netaddr *out, size_t max)
{
	const struct section *s = ctx;
	char buf[LINE], *tok, *save = NULL;
	size_t i, n = 0;

	for (i = 0; i < s->nres; i++) {
		if (strcmp(s->res_name[i], name) != 0)
			continue;
		snprintf(buf, sizeof(buf), "%s", s->res_addrs[i]);
		for (tok = strtok_r(buf, ",", &save); tok && n < max;
		     tok = strtok_r(NULL, ",", &save))
			if (netaddr_parse_ip(tok, &out[n]) == 0)
				n++;
		return (int)n;
	}
	return 0;
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

static void
section_reset(struct section *s)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->workspace, "/ws");
}

static void
load_table(const char *path)
{
	struct section *cur = NULL;
	char line[LINE], *f[4], *p, *sp;
	FILE *fp;
	int lineno = 0, i;

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (cur == NULL || strcmp(line, "%reset") == 0) {
			/* sections are shared by the cases that follow */
			if ((cur = malloc(sizeof(*cur))) == NULL)
				abort();
			section_reset(cur);
			if (strcmp(line, "%reset") == 0)
				continue;
		}
		if (line[0] == '%') {
			sp = strchr(line, ' ');
			p = sp ? sp + 1 : line + strlen(line);
			if (sp)
				*sp = '\0';
			if (strcmp(line, "%config") == 0) {
				strncat(cur->toml, p,
				    sizeof(cur->toml) - strlen(cur->toml) - 2);
				strcat(cur->toml, "\n");
			} else if (strcmp(line, "%set") == 0)
				cur->sets[cur->nsets++] = xstrdup(p);
			else if (strcmp(line, "%workspace") == 0)
				snprintf(cur->workspace, 256, "%s", p);
			else if (strcmp(line, "%add-dir") == 0)
				cur->add_dirs[cur->nadd++] = xstrdup(p);
			else if (strcmp(line, "%tmpdir") == 0)
				snprintf(cur->tmpdir, 256, "%s", p);
			else if (strcmp(line, "%file") == 0)
				cur->files[cur->nfiles++] = xstrdup(p);
			else if (strcmp(line, "%output") == 0)
				cur->outputs[cur->noutputs++] = xstrdup(p);
			else if (strcmp(line, "%link") == 0 &&
			    (sp = strchr(p, ' ')) != NULL) {
				*sp = '\0';
				cur->links[cur->nlinks][0] = xstrdup(p);
				cur->links[cur->nlinks++][1] = xstrdup(sp + 1);
			} else if (strcmp(line, "%stat") == 0) {
				char *w[3], *save = NULL;
				int k;

				for (k = 0; k < 3; k++)
					if ((w[k] = strtok_r(k ? NULL : p, " ",
						 &save)) == NULL) {
						fprintf(stderr,
						    "%s:%d: %%stat PATH TYPE "
						    "AGE\n",
						    path, lineno);
						exit(1);
					}
				for (k = 0; k < 3; k++)
					cur->stats[cur->nstats][k] =
					    xstrdup(w[k]);
				cur->nstats++;
			} else if (strcmp(line, "%grant") == 0) {
				cur->grants[cur->ngrants++] = xstrdup(p);
			} else if (strcmp(line, "%resolve") == 0) {
				sp = strchr(p, ' ');
				if (sp)
					*sp = '\0';
				cur->res_name[cur->nres] = xstrdup(p);
				cur->res_addrs[cur->nres++] =
				    xstrdup(sp ? sp + 1 : "");
			} else {
				fprintf(stderr, "%s:%d: bad directive %s\n",
				    path, lineno, line);
				exit(1);
			}
			if (cur->nsets == MAXL || cur->nadd == MAXL ||
			    cur->nfiles == MAXL || cur->nlinks == MAXL ||
			    cur->nres == MAXL || cur->ngrants == MAXL ||
			    cur->nstats == MAXL || cur->noutputs == MAXL)
				abort();
			continue;
		}
		f[0] = line;
		for (i = 1; i < 4; i++) {
			if ((f[i] = strchr(f[i - 1], '\t')) == NULL) {
				fprintf(stderr,
				    "%s:%d: expected 4 TAB-separated "
				    "fields\n",
				    path, lineno);
				exit(1);
			}
			*f[i]++ = '\0';
		}
		if ((cases = reallocarray(cases, ncases + 1, sizeof(*cases))) ==
		    NULL)
			abort();
		cases[ncases].sec = cur;
		snprintf(cases[ncases].where, 300, "%s:%d", path, lineno);
		snprintf(cases[ncases].op, 32, "%s", f[0]);
		snprintf(cases[ncases].arg, 1024, "%s", f[1]);
		snprintf(cases[ncases].verdict, 16, "%s", f[2]);
		snprintf(cases[ncases].rule, 256, "%s", f[3]);
		ncases++;
	}
	fclose(fp);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
load_tables(const char *dir)
{
	char *names[256], path[1024];
	struct dirent *de;
	size_t n = 0, i, len;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		exit(1);
	}
	while ((de = readdir(d)) != NULL && n < 256) {
		len = strlen(de->d_name);
		if (len > 4 && strcmp(de->d_name + len - 4, ".tsv") == 0)
			names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		load_table(path);
		free(names[i]);
	}
}

/* "allow|deny OP OBJECT..." as a session grant of POL */
static void
add_grant(struct policy *pol, const char *spec)
{
	static const char *const ops[] = { "read", "write", "exec", "connect",
		"resolve", "unix", "bind" };
	struct pol_grant g;
	char buf[LINE], *w[8], *save = NULL, *t;
	size_t n = 0, i;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (t = strtok_r(buf, " ", &save); t != NULL && n < 8;
	     t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	ck_assert_msg(n >= 3, "%%grant %s: too short", spec);
	memset(&g, 0, sizeof(g));
	g.allow = strcmp(w[0], "allow") == 0;
	g.op = -1;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(w[1], ops[i]) == 0)
			g.op = (int)i;
	g.path = g.host = w[2];
	g.label = "a test";
	if (g.op == OP_EXEC) {
		for (i = 2; i < n; i++) {
			if (w[i][0] == '@')
				g.exe = w[i] + 1;
			else if (g.argc < 2)
				g.argv[g.argc++] = w[i];
		}
	}
	ck_assert_msg(policy_add_grant(pol, &g) == 0, "%%grant %s", spec);
}

/* A bump allocator over a static area, as the shim's arena */
static uint8_t arena_mem[4 << 20];
static size_t arena_used;

static void *
arena_zalloc(void *ctx, size_t n)
{
	void *p;

	(void)ctx;
	n = (n + 15) & ~(size_t)15;
	if (n > sizeof(arena_mem) - arena_used)
		return NULL;
	p = arena_mem + arena_used;
	arena_used += n;
	memset(p, 0, n);
	return p;
}

static void
build(const struct section *s, struct config *cfg, struct policy **pol)
{
	struct pathres_fs fs = { fake_readlink, (void *)s };
	char err[2048];
	size_t i;

	ck_assert_int_eq(
	    config_init(cfg, "/home/u", s->tmpdir[0] ? s->tmpdir : NULL, NULL),
	    0);
	ck_assert_msg(config_set_workspace(
			  cfg, s->workspace, "/", "-C", err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_msg(config_apply_toml(cfg, "table", s->toml, strlen(s->toml),
			  err, sizeof(err)) == 0,
	    "%s", err);
	for (i = 0; i < s->nsets; i++)
		ck_assert_msg(config_apply_assignment(
				  cfg, s->sets[i], err, sizeof(err)) == 0,
		    "%s", err);
	for (i = 0; i < s->nadd; i++)
		ck_assert_msg(config_add_dir(cfg, s->add_dirs[i], "/",
				  "--add-dir", err, sizeof(err)) == 0,
		    "%s", err);
	for (i = 0; i < s->nfiles; i++)
		ck_assert_int_eq(config_note_file(cfg, s->files[i]), 0);
	for (i = 0; i < s->noutputs; i++) {
		char path[1024], *sp;

		snprintf(path, sizeof(path), "%s", s->outputs[i]);
		ck_assert_ptr_nonnull(sp = strchr(path, ' '));
		*sp = '\0';
		ck_assert_int_eq(config_note_output(cfg, path, sp + 1), 0);
	}
	ck_assert_msg(
	    policy_compile(cfg, &fs, pol, err, sizeof(err)) == 0, "%s", err);
	for (i = 0; i < s->ngrants; i++)
		add_grant(*pol, s->grants[i]);
}

START_TEST(decision_table)
{
	const struct tcase_line *c = &cases[_i];
	const struct section *s = c->sec;
	struct pathres_fs fs = { fake_readlink, (void *)s };
	struct pathres_lstat_fs sfs = { fake_lstat, (void *)s };
	struct pol_request req;
	struct pol_decision d;
	struct config cfg;
	struct policy *pol;
	char arg[1024], *words[64], *sp, *save = NULL;
	char host[NETADDR_HOSTLEN];
	size_t n = 0;

	build(s, &cfg, &pol);
	memset(&req, 0, sizeof(req));
	req.cwd = s->workspace;
	req.fs = &fs;
	req.sfs = &sfs;
	req.port = -1;
	req.resolve = fake_resolve;
	req.resolve_ctx = (void *)s;
	snprintf(arg, sizeof(arg), "%s", c->arg);
	req.path = arg;
	req.host = arg;
	if (strcmp(c->op, "read") == 0)
		req.op = OP_READ;
	else if (strcmp(c->op, "write") == 0)
		req.op = OP_WRITE;
	else if (strcmp(c->op, "write-nofollow") == 0) {
		req.op = OP_WRITE;
		req.flags = REQ_NOFOLLOW;
	} else if (strcmp(c->op, "entry") == 0) {
		req.op = OP_WRITE;
		req.flags = REQ_NOFOLLOW | REQ_ENTRY;
	} else if (strcmp(c->op, "rename") == 0 || strcmp(c->op, "link") == 0) {
		req.op = OP_WRITE;
		req.flags = REQ_NOFOLLOW | REQ_ENTRY;
		ck_assert_ptr_nonnull(sp = strchr(arg, ' '));
		*sp = '\0';
		req.path2 = sp + 1;
	} else if (strcmp(c->op, "exec") == 0) {
		req.op = OP_EXEC;
		for (sp = strtok_r(arg, " ", &save); sp != NULL && n < 64;
		     sp = strtok_r(NULL, " ", &save))
			words[n++] = sp;
		req.argv = (const char *const *)words;
		req.argc = n;
	} else if (strcmp(c->op, "connect") == 0)
		req.op = OP_CONNECT;
	else if (strcmp(c->op, "resolve") == 0)
		req.op = OP_RESOLVE;
	else if (strcmp(c->op, "bind") == 0)
		req.op = OP_BIND;
	else if (strcmp(c->op, "unix") == 0)
		req.op = OP_UNIX;
	else
		ck_abort_msg("%s: unknown op %s", c->where, c->op);

	if (req.op == OP_CONNECT || req.op == OP_RESOLVE || req.op == OP_BIND) {
		const char *why = NULL;

		/* a target that does not split is given to the policy whole */
		if (netaddr_split_hostport(
			c->arg, host, sizeof(host), &req.port, &why) == 0)
			req.host = host;
	}
	policy_decide(pol, &req, &d);
	/* the shim decides from a snapshot: it must agree word for word */
	{
		struct pol_decision d2;
		struct policy *snap, *cut;
		uint8_t *buf;
		size_t len;

		ck_assert_int_eq(snapshot_write(pol, &buf, &len), 0);
		ck_assert_int_eq(snapshot_read(buf, len, &snap), 0);
		policy_decide(snap, &req, &d2);
		ck_assert_msg(d.verdict == d2.verdict &&
			strcmp(d.rule, d2.rule) == 0 &&
			strcmp(d.why, d2.why) == 0,
		    "%s: snapshot disagrees: %s / %s", c->where, d.why, d2.why);
		/* every truncation of a snapshot is refused */
		ck_assert_int_eq(snapshot_read(buf, len - 1, &cut), -1);
		ck_assert_ptr_null(cut);
		policy_free(snap);
		/* loaded into an arena, as the shim loads a new generation */
		{
			struct snapshot_alloc al = { arena_zalloc, NULL };

			arena_used = 0;
			ck_assert_int_eq(
			    snapshot_read_alloc(buf, len, &al, &snap), 0);
			policy_decide(snap, &req, &d2);
			ck_assert_msg(d.verdict == d2.verdict &&
				strcmp(d.why, d2.why) == 0,
			    "%s: arena snapshot "
			    "disagrees: %s / %s",
			    c->where, d.why, d2.why);
			ck_assert_uint_eq(
			    policy_ngrants(snap), policy_ngrants(pol));
			/* an arena's policy is not ours to free, nor to grow */
			policy_free(snap);
			ck_assert_int_eq(
			    policy_add_grant(snap,
				policy_ngrants(pol)
				    ? policy_grant_at(pol, 0)
				    : &(struct pol_grant){ .op = OP_READ,
					  .path = "/x" }),
			    -1);
		}
		free(buf);
	}
	ck_assert_msg(strcmp(policy_verdict_name(d.verdict), c->verdict) == 0,
	    "%s: %s %s: expected %s, got %s: %s [%s]", c->where, c->op, c->arg,
	    c->verdict, policy_verdict_name(d.verdict), d.why, d.rule);
	ck_assert_msg(strstr(d.rule, c->rule) != NULL,
	    "%s: %s %s: expected rule ~ '%s', got '%s': %s", c->where, c->op,
	    c->arg, c->rule, d.rule, d.why);
	ck_assert_msg(d.why[0] != '\0', "%s: no explanation", c->where);
	policy_free(pol);
	config_free(&cfg);
}
END_TEST

START_TEST(readonly_commands)
{
	static const char *const yes[][3] = {
		{ "ls", "-la", NULL },
		{ "/bin/cat", "x", NULL },
		{ "git", "status", NULL },
		{ "/usr/bin/git", "log", NULL },
	};
	static const char *const no[][3] = {
		{ "rm", "-rf", NULL },
		{ "git", "push", NULL },
		{ "git", NULL, NULL },
		{ "env", "ls", NULL },
		{ "python3", NULL, NULL },
	};
	size_t i, n;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		for (n = 0; yes[i][n] != NULL; n++)
			;
		ck_assert_int_eq(policy_is_readonly_command(yes[i], n), 1);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		for (n = 0; no[i][n] != NULL; n++)
			;
		ck_assert_int_eq(policy_is_readonly_command(no[i], n), 0);
	}
}
END_TEST

/* A filesystem in which nothing below /home/other can be looked at */
static ssize_t
closed_readlink(void *ctx, const char *path, char *buf, size_t len, int *err)
{
	(void)ctx;
	(void)buf;
	(void)len;
	*err = strncmp(path, "/home/other/", 12) == 0 ? EACCES : EINVAL;
	return -1;
}

/*
 * A path the policy guards that cannot be resolved (EACCES) stops the
 * compile, unless it lies behind the unreachable directory loadcfg found
 * (another user's, which the command cannot open up either); a writable
 * root never gets that pass.
 */
static const struct {
	const char *home, *unreachable, *toml;
	int ok;
} closed_cases[] = {
	{ "/home/other", NULL, "", 0 },
	{ "/home/other", "/home/other", "", 1 },
	{ "/home/other", "/home/else", "", 0 },
	{ "/home/other", "/home/other/.ssh", "", 0 },
	{ "/home/u", "/home/other",
	    "[agentwrap.filesystem.paths]\n\"/home/other/k\" = \"deny\"\n", 1 },
	{ "/home/u", NULL,
	    "[agentwrap.filesystem.paths]\n\"/home/other/k\" = \"deny\"\n", 0 },
	{ "/home/other", "/home/other",
	    "[sandbox_workspace_write]\nwritable_roots = [\"/home/other/w\"]\n",
	    0 },
};

START_TEST(unreachable_paths)
{
	struct pathres_fs fs = { closed_readlink, NULL };
	struct config cfg;
	struct policy *pol = NULL;
	char err[2048];
	int r;

	ck_assert_int_eq(
	    config_init(&cfg, closed_cases[_i].home, NULL, NULL), 0);
	ck_assert_int_eq(
	    config_set_workspace(&cfg, "/ws", "/", "-C", err, sizeof(err)), 0);
	ck_assert_msg(config_apply_toml(&cfg, "t", closed_cases[_i].toml,
			  strlen(closed_cases[_i].toml), err, sizeof(err)) == 0,
	    "%s", err);
	if (closed_cases[_i].unreachable != NULL)
		ck_assert_ptr_nonnull(
		    cfg.unreachable_dir = strdup(closed_cases[_i].unreachable));
	err[0] = '\0';
	r = policy_compile(&cfg, &fs, &pol, err, sizeof(err));
	ck_assert_msg(
	    r == (closed_cases[_i].ok ? 0 : -1), "case %d: %s", _i, err);
	if (r == -1)
		ck_assert_msg(
		    strstr(err, "Permission denied") != NULL, "%s", err);
	policy_free(pol);
	config_free(&cfg);
}
END_TEST

int
main(void)
{
	const char *dir = getenv("POLICY_TABLES");
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("tables");
	SRunner *sr;
	int nfail;

	load_tables(dir ? dir : "tests/policy");
	if (ncases < 100) {
		fprintf(
		    stderr, "only %zu decision table cases found\n", ncases);
		return 1;
	}
	tcase_add_loop_test(tc, decision_table, 0, (int)ncases);
	tcase_add_test(tc, readonly_commands);
	tcase_add_loop_test(tc, unreachable_paths, 0,
	    (int)(sizeof(closed_cases) / sizeof(closed_cases[0])));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
