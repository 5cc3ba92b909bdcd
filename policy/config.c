/*
 * config.c: layered configuration. A schema table says which keys agentwrap
 * enforces and of which kind each is; every source (defaults, TOML files,
 * -c assignments, options) goes through the same walk, so a value is checked
 * the same way wherever it comes from, and remembers where that was.
 *
 * Runs in the supervisor; config files and -c values are untrusted input.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "netaddr.h"
#include "pathres.h"

static const char *const sandbox_names[] = { "read-only", "workspace-write",
	"danger-full-access", NULL };
static const char *const approval_names[] = { "untrusted", "on-request",
	"on-failure", "never", NULL };
static const char *const access_names[] = { "write", "read", "ask", "deny",
	NULL };
static const char *const exec_names[] = { "allow", "prompt", "forbidden",
	NULL };
static const char *const domain_names[] = { "allow", "deny", NULL };
static const char *const git_names[] = { "work", "read-only", NULL };
static const char *const uncovered_names[] = { "allow", "ask", "deny", NULL };
static const char *const landlock_names[] = { "auto", "on", "off", NULL };
static const char *const unix_names[] = { "allow", NULL };

enum kind {
	K_TABLE, /* strict: unknown keys are errors */
	K_LENIENT, /* other Codex keys live here: ignore unknown keys */
	K_PROXY, /* features.network_proxy: a table, or a bool shorthand */
	K_ENUM,
	K_BOOL,
	K_SECONDS, /* an integer number of seconds, > 0 */
	K_PATHS, /* array of absolute paths, replaces */
	K_NAMES, /* array of file names, replaces */
	K_MAP, /* table of key = enum name, merged per key */
	K_RULES, /* array of exec rule tables, replaces */
};

struct schema {
	const char *path;
	enum kind kind;
	int id; /* scalar or list id */
	const char *const *names; /* enum / map values */
};

static const struct schema schema[] = {
	{ "", K_LENIENT, 0, NULL },
	{ "sandbox_mode", K_ENUM, CFG_SANDBOX_MODE, sandbox_names },
	{ "approval_policy", K_ENUM, CFG_APPROVAL_POLICY, approval_names },
	{ "approval_timeout", K_SECONDS, CFG_APPROVAL_TIMEOUT, NULL },
	{ "sandbox_workspace_write", K_TABLE, 0, NULL },
	{ "sandbox_workspace_write.writable_roots", K_PATHS, CFG_WRITABLE_ROOTS,
	    NULL },
	{ "sandbox_workspace_write.network_access", K_BOOL, CFG_NETWORK_ACCESS,
	    NULL },
	{ "sandbox_workspace_write.exclude_tmpdir_env_var", K_BOOL,
	    CFG_EXCLUDE_TMPDIR_ENV_VAR, NULL },
	{ "sandbox_workspace_write.exclude_slash_tmp", K_BOOL,
	    CFG_EXCLUDE_SLASH_TMP, NULL },
	{ "features", K_LENIENT, 0, NULL },
	{ "features.network_proxy", K_PROXY, CFG_PROXY_ENABLED, NULL },
	{ "features.network_proxy.enabled", K_BOOL, CFG_PROXY_ENABLED, NULL },
	{ "features.network_proxy.domains", K_MAP, CFG_DOMAINS, domain_names },
	{ "features.network_proxy.unix_sockets", K_MAP, CFG_UNIX_SOCKETS,
	    unix_names },
	{ "features.network_proxy.allow_local_binding", K_BOOL,
	    CFG_ALLOW_LOCAL_BINDING, NULL },
	{ "features.network_proxy.enable_socks5", K_BOOL, CFG_ENABLE_SOCKS5,
	    NULL },
	{ "features.network_proxy.enable_socks5_udp", K_BOOL,
	    CFG_ENABLE_SOCKS5_UDP, NULL },
	{ "features.network_proxy.allow_upstream_proxy", K_BOOL,
	    CFG_ALLOW_UPSTREAM_PROXY, NULL },
	{ "features.network_proxy.dangerously_allow_non_loopback_proxy", K_BOOL,
	    CFG_NON_LOOPBACK_PROXY, NULL },
	{ "features.network_proxy.dangerously_allow_all_unix_sockets", K_BOOL,
	    CFG_ALL_UNIX_SOCKETS, NULL },
	{ "agentwrap", K_TABLE, 0, NULL },
	{ "agentwrap.uncovered", K_ENUM, CFG_UNCOVERED, uncovered_names },
	{ "agentwrap.landlock", K_ENUM, CFG_LANDLOCK, landlock_names },
	{ "agentwrap.strict", K_BOOL, CFG_STRICT, NULL },
	{ "agentwrap.filesystem", K_TABLE, 0, NULL },
	{ "agentwrap.filesystem.paths", K_MAP, CFG_FS_PATHS, access_names },
	{ "agentwrap.filesystem.protected", K_NAMES, CFG_PROTECTED, NULL },
	{ "agentwrap.filesystem.git", K_ENUM, CFG_GIT_MODE, git_names },
	{ "agentwrap.exec", K_TABLE, 0, NULL },
	{ "agentwrap.exec.rules", K_RULES, 0, NULL },
	/* read by the supervisor once every source is applied (loadcfg.c) */
	{ "agentwrap.exec.rules_files", K_PATHS, CFG_RULES_FILES, NULL },
};
#define NSCHEMA (sizeof(schema) / sizeof(schema[0]))

/* Where credentials usually live: reading them needs approval by default. */
static const char *const default_ask_paths[] = { "~/.ssh", "~/.aws", "~/.gnupg",
	"~/.netrc", "~/.git-credentials", "~/.config/gh",
	"~/.docker/config.json", "~/.kube", "~/.azure", "~/.config/gcloud",
	"~/.npmrc", "~/.pypirc", "~/.password-store", NULL };
static const char *const default_protected[] = { ".git", ".codex", ".agents",
	".agentwrap", NULL };

/* The state of one walk over one source */
struct walk {
	struct config *cfg;
	const char *name; /* file name, or "-c" */
	const char *cli; /* the -c assignment, or NULL */
	char *err;
	size_t errlen;
};

#define PATH_BUF 1024

static void
fail(struct walk *w, struct toml_pos pos, const char *fmt, ...)
{
	char msg[CFG_ERR];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->cli != NULL)
		snprintf(w->err, w->errlen, "-c '%s': %s", w->cli, msg);
	else
		snprintf(w->err, w->errlen, "%s:%d:%d: %s", w->name, pos.line,
		    pos.col, msg);
}

static void
where(struct walk *w, struct toml_pos pos, const char *path, char *out)
{
	if (w->cli != NULL)
		snprintf(out, CFG_WHERE, "-c %s", path);
	else
		snprintf(
		    out, CFG_WHERE, "%s:%d:%d", w->name, pos.line, pos.col);
}

static const struct schema *
schema_find(const char *path)
{
	size_t i;

	for (i = 0; i < NSCHEMA; i++)
		if (strcmp(schema[i].path, path) == 0)
			return &schema[i];
	return NULL;
}

int
config_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[65], prev, tmp, best;

	if (la > 64 || lb > 64)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/* The known child of table PARENT closest to NAME, or NULL if none is close. */
static const char *
suggest(const char *parent, const char *name)
{
	size_t plen = strlen(parent), i;
	const char *best = NULL, *child;
	int bestd = 3, d;

	for (i = 0; i < NSCHEMA; i++) {
		if (plen > 0) {
			if (strncmp(schema[i].path, parent, plen) != 0 ||
			    schema[i].path[plen] != '.')
				continue;
			child = schema[i].path + plen + 1;
		} else
			child = schema[i].path;
		if (*child == '\0' || strchr(child, '.') != NULL)
			continue;
		d = config_edit_distance(name, child);
		if (d < bestd) {
			bestd = d;
			best = child;
		}
	}
	return best;
}

static int
find_name(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static void
names_list(const char *const *names, char *out, size_t len)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; names[i] != NULL; i++) {
		if (i > 0)
			strncat(out, ", ", len - strlen(out) - 1);
		strncat(out, names[i], len - strlen(out) - 1);
	}
}

/* What V is, for "expected a string, got ..." when plain_string() failed. */
static const char *
not_plain(const struct toml_value *v)
{
	return v->type == TOML_STRING ? "a string with an embedded NUL"
				      : toml_type_name(v->type);
}

/* A string value with no NUL inside, or NULL. */
static const char *
plain_string(const struct toml_value *v)
{
	if (v->type != TOML_STRING || strlen(v->u.s.ptr) != v->u.s.len)
		return NULL;
	return v->u.s.ptr;
}

static int
list_set(struct cfg_list *l, size_t i, const char *key, int val, const char *wh)
{
	char *k;

	if ((k = strdup(key)) == NULL)
		return -1;
	free(l->v[i].key);
	l->v[i].key = k;
	l->v[i].val = val;
	snprintf(l->v[i].where, CFG_WHERE, "%s", wh);
	return 0;
}

/* Insert or replace KEY in a map-like list. */
static int
list_put(struct cfg_list *l, const char *key, int val, const char *wh)
{
	struct cfg_entry *nv;
	size_t i;

	/*
	 * A key set again moves to the end: position is what makes "the
	 * later source wins" hold between two spellings of one path.
	 */
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0) {
			struct cfg_entry e = l->v[i];

			memmove(&l->v[i], &l->v[i + 1],
			    (l->n - i - 1) * sizeof(l->v[0]));
			l->v[l->n - 1] = e;
			return list_set(l, l->n - 1, key, val, wh);
		}
	if ((nv = reallocarray(l->v, l->n + 1, sizeof(*nv))) == NULL)
		return -1;
	l->v = nv;
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	if (list_set(l, l->n, key, val, wh) == -1)
		return -1;
	l->n++;
	return 0;
}

static void
list_clear(struct cfg_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].key);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
list_append(struct cfg_list *l, const char *key, int val, const char *wh)
{
	struct cfg_entry *nv;

	if ((nv = reallocarray(l->v, l->n + 1, sizeof(*nv))) == NULL)
		return -1;
	l->v = nv;
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	if (list_set(l, l->n, key, val, wh) == -1)
		return -1;
	l->n++;
	return 0;
}

int
config_expand_home(
    const struct config *cfg, const char *in, char *out, size_t outlen)
{
	int n;

	if (in[0] == '~' && (in[1] == '/' || in[1] == '\0')) {
		if (cfg->home == NULL || cfg->home[0] != '/')
			return -1;
		n = snprintf(out, outlen, "%s%s", cfg->home, in + 1);
	} else
		n = snprintf(out, outlen, "%s", in);
	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}

/* An absolute path (after ~ expansion) or an error naming KEY. */
static int
check_abs(struct walk *w, struct toml_pos pos, const char *key,
    const char *what, const char *s, char *out)
{
	if (s == NULL || *s == '\0') {
		fail(w, pos, "%s: empty path or embedded NUL", key);
		return -1;
	}
	if (s[0] == '~' && (s[1] == '/' || s[1] == '\0')) {
		if (config_expand_home(w->cfg, s, out, PATH_BUF) == -1) {
			fail(w, pos,
			    "%s: cannot expand '%s' without an "
			    "absolute $HOME",
			    key, s);
			return -1;
		}
		return 0;
	}
	if (s[0] != '/') {
		fail(w, pos, "%s: relative path '%s': %s must be absolute", key,
		    s, what);
		return -1;
	}
	if (strlen(s) >= PATH_BUF) {
		fail(w, pos, "%s: path too long", key);
		return -1;
	}
	strcpy(out, s);
	return 0;
}

static int
apply_enum(struct walk *w, const struct schema *sc, const char *path,
    const struct toml_value *v, struct toml_pos kpos)
{
	char list[256];
	const char *s;
	int i;

	if ((s = plain_string(v)) == NULL) {
		names_list(sc->names, list, sizeof(list));
		fail(w, v->pos, "%s: expected a string (one of %s), got %s",
		    path, list, not_plain(v));
		return -1;
	}
	if ((i = find_name(sc->names, s)) == -1) {
		names_list(sc->names, list, sizeof(list));
		fail(w, v->pos, "%s: bad value '%s'; expected one of %s", path,
		    s, list);
		return -1;
	}
	w->cfg->s[sc->id].val = i;
	where(w, kpos, path, w->cfg->s[sc->id].where);
	return 0;
}

static int
apply_bool(struct walk *w, int id, const char *path, const struct toml_value *v,
    struct toml_pos kpos)
{
	if (v->type != TOML_BOOL) {
		fail(w, v->pos, "%s: expected a boolean, got %s", path,
		    toml_type_name(v->type));
		return -1;
	}
	w->cfg->s[id].val = v->u.b != 0;
	where(w, kpos, path, w->cfg->s[id].where);
	return 0;
}

static int
apply_seconds(struct walk *w, int id, const char *path,
    const struct toml_value *v, struct toml_pos kpos)
{
	if (v->type != TOML_INTEGER) {
		fail(w, v->pos,
		    "%s: expected an integer number of seconds, "
		    "got %s",
		    path, toml_type_name(v->type));
		return -1;
	}
	if (v->u.i < 1 || v->u.i > CFG_APPROVAL_TIMEOUT_MAX) {
		fail(w, v->pos, "%s: %lld is out of range: 1 to %d seconds",
		    path, (long long)v->u.i, CFG_APPROVAL_TIMEOUT_MAX);
		return -1;
	}
	w->cfg->s[id].val = (int)v->u.i;
	where(w, kpos, path, w->cfg->s[id].where);
	return 0;
}

static int
valid_name(const char *s)
{
	return s != NULL && *s != '\0' && strchr(s, '/') == NULL &&
	    strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static int
apply_array(struct walk *w, const struct schema *sc, const char *path,
    const struct toml_value *v, struct toml_pos kpos)
{
	struct cfg_list *l = &w->cfg->l[sc->id];
	struct cfg_list nl = { 0 };
	char buf[PATH_BUF], wh[CFG_WHERE];
	const char *s;
	size_t i;

	if (v->type != TOML_ARRAY) {
		fail(w, v->pos, "%s: expected an array of strings, got %s",
		    path, toml_type_name(v->type));
		return -1;
	}
	where(w, kpos, path, wh);
	for (i = 0; i < v->u.a.n; i++) {
		const struct toml_value *e = v->u.a.v[i];

		if ((s = plain_string(e)) == NULL) {
			fail(w, e->pos, "%s: expected a string, got %s", path,
			    not_plain(e));
			goto bad;
		}
		if (sc->kind == K_PATHS) {
			if (check_abs(w, e->pos, path,
				sc->id == CFG_RULES_FILES ? "rules files"
							  : "writable roots",
				s, buf) == -1)
				goto bad;
		} else {
			if (!valid_name(s)) {
				fail(w, e->pos,
				    "%s: '%s' is not a file name "
				    "(no '/', not '.' or '..')",
				    path, s);
				goto bad;
			}
			snprintf(buf, sizeof(buf), "%s", s);
		}
		if (list_append(&nl, buf, 0, wh) == -1) {
			fail(w, e->pos, "%s: out of memory", path);
			goto bad;
		}
	}
	list_clear(l);
	*l = nl;
	snprintf(l->where, CFG_WHERE, "%s", wh);
	return 0;
bad:
	list_clear(&nl);
	return -1;
}

/* Check one key of a map table; fill OUT with what to store. */
static int
map_key(struct walk *w, const struct schema *sc, const char *path,
    const struct toml_kv *kv, int val, char *out)
{
	struct hostpat hp;
	const char *why = NULL;
	char abs[PATH_BUF];

	if (strlen(kv->key) != kv->keylen || kv->keylen == 0) {
		fail(w, kv->pos, "%s: empty key or embedded NUL", path);
		return -1;
	}
	switch (sc->id) {
	case CFG_DOMAINS:
		if (hostpat_parse(kv->key, &hp, &why) == -1) {
			fail(w, kv->pos,
			    "%s: malformed domain pattern '%s': %s", path,
			    kv->key, why);
			return -1;
		}
		if (hp.kind == HOSTPAT_ANY && val == DOMAIN_DENY) {
			fail(w, kv->pos,
			    "%s: a global '*' deny is not allowed; "
			    "'*' is only valid for allow rules",
			    path);
			return -1;
		}
		snprintf(out, PATH_BUF, "%s", kv->key);
		return 0;
	case CFG_UNIX_SOCKETS:
		if (kv->key[0] == '@') {
			if (kv->key[1] == '\0') {
				fail(w, kv->pos,
				    "%s: empty abstract socket "
				    "name '@'",
				    path);
				return -1;
			}
			snprintf(out, PATH_BUF, "%s", kv->key);
			return 0;
		}
		return check_abs(
		    w, kv->pos, path, "socket paths", kv->key, out);
	default:
		if (check_abs(w, kv->pos, path, "filesystem paths", kv->key,
			abs) == -1)
			return -1;
		/* keep "~" as written: it is shown back to the user */
		snprintf(out, PATH_BUF, "%s", kv->key);
		return 0;
	}
}

static int
apply_map_entry(struct walk *w, const struct schema *sc, const char *path,
    const char *key, const struct toml_value *val, struct toml_pos kpos)
{
	struct cfg_list *l = &w->cfg->l[sc->id];
	char out[PATH_BUF], wh[CFG_WHERE], list[128];
	struct toml_kv kv = { (char *)key, strlen(key), kpos,
		(struct toml_value *)val };
	const char *s;
	int v;

	names_list(sc->names, list, sizeof(list));
	if ((s = plain_string(val)) == NULL ||
	    (v = find_name(sc->names, s)) == -1) {
		fail(w, val->pos, "%s: bad value for '%s'; expected one of %s",
		    path, key, list);
		return -1;
	}
	if (map_key(w, sc, path, &kv, v, out) == -1)
		return -1;
	where(w, kpos, path, wh);
	if (list_put(l, out, v, wh) == -1) {
		fail(w, kpos, "%s: out of memory", path);
		return -1;
	}
	return 0;
}

static int
apply_map(struct walk *w, const struct schema *sc, const char *path,
    const struct toml_value *v)
{
	size_t i;

	if (v->type != TOML_TABLE) {
		fail(w, v->pos, "%s: expected a table, got %s", path,
		    toml_type_name(v->type));
		return -1;
	}
	for (i = 0; i < v->u.t.n; i++) {
		const struct toml_kv *kv = &v->u.t.kv[i];

		if (strlen(kv->key) != kv->keylen) {
			fail(w, kv->pos, "%s: key with an embedded NUL", path);
			return -1;
		}
		if (apply_map_entry(w, sc, path, kv->key, kv->val, kv->pos) ==
		    -1)
			return -1;
	}
	return 0;
}

void
config_rule_free(struct cfg_exec_rule *r)
{
	size_t i, j;

	for (i = 0; i < r->nword; i++) {
		for (j = 0; j < r->word[i].nalt; j++)
			free(r->word[i].alt[j]);
		free(r->word[i].alt);
	}
	free(r->word);
	free(r->justification);
	memset(r, 0, sizeof(*r));
}

static int
rule_word(struct walk *w, const char *path, const struct toml_value *e,
    struct cfg_exec_word *word)
{
	const struct toml_value *const *alts = &e;
	size_t n = 1, i;
	const char *s;

	if (e->type == TOML_ARRAY) {
		alts = (const struct toml_value *const *)e->u.a.v;
		n = e->u.a.n;
		if (n == 0) {
			fail(w, e->pos,
			    "%s: empty list of alternatives in "
			    "pattern",
			    path);
			return -1;
		}
	}
	if ((word->alt = calloc(n, sizeof(char *))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((s = plain_string(alts[i])) == NULL || *s == '\0') {
			fail(w, alts[i]->pos,
			    "%s: pattern words must be "
			    "non-empty strings (or lists of them)",
			    path);
			return -1;
		}
		if ((word->alt[i] = strdup(s)) == NULL)
			return -1;
		word->nalt++;
	}
	return 0;
}

static int
rule_parse(struct walk *w, const char *path, const struct toml_value *t,
    struct cfg_exec_rule *r)
{
	const struct toml_value *pat = NULL, *dec = NULL, *just = NULL;
	const char *s, *sg;
	size_t i;

	if (t->type != TOML_TABLE) {
		fail(w, t->pos, "%s: each rule must be a table, got %s", path,
		    toml_type_name(t->type));
		return -1;
	}
	for (i = 0; i < t->u.t.n; i++) {
		const struct toml_kv *kv = &t->u.t.kv[i];

		if (strcmp(kv->key, "pattern") == 0)
			pat = kv->val;
		else if (strcmp(kv->key, "decision") == 0)
			dec = kv->val;
		else if (strcmp(kv->key, "justification") == 0)
			just = kv->val;
		else {
			sg = NULL;
			if (config_edit_distance(kv->key, "pattern") <= 2)
				sg = "pattern";
			else if (config_edit_distance(kv->key, "decision") <= 2)
				sg = "decision";
			else if (config_edit_distance(
				     kv->key, "justification") <= 3)
				sg = "justification";
			fail(w, kv->pos, "unknown key '%s' in %s%s%s%s",
			    kv->key, path, sg ? "; did you mean '" : "",
			    sg ? sg : "", sg ? "'?" : "");
			return -1;
		}
	}
	if (pat == NULL) {
		fail(w, t->pos, "%s: rule without a pattern", path);
		return -1;
	}
	if (pat->type != TOML_ARRAY || pat->u.a.n == 0) {
		fail(
		    w, pat->pos, "%s: pattern must be a non-empty array", path);
		return -1;
	}
	if ((r->word = calloc(pat->u.a.n, sizeof(*r->word))) == NULL)
		return -1;
	for (i = 0; i < pat->u.a.n; i++) {
		r->nword++;
		if (rule_word(w, path, pat->u.a.v[i], &r->word[i]) == -1)
			return -1;
	}
	r->decision = EXEC_ALLOW;
	if (dec != NULL) {
		if ((s = plain_string(dec)) == NULL ||
		    (r->decision = find_name(exec_names, s)) == -1) {
			fail(w, dec->pos,
			    "%s: decision must be one of allow, "
			    "prompt, forbidden",
			    path);
			return -1;
		}
	}
	if (just != NULL) {
		if ((s = plain_string(just)) == NULL) {
			fail(w, just->pos, "%s: justification must be a string",
			    path);
			return -1;
		}
		if ((r->justification = strdup(s)) == NULL)
			return -1;
	}
	where(w, t->pos, path, r->where);
	return 0;
}

static int
apply_rules(struct walk *w, const char *path, const struct toml_value *v,
    struct toml_pos kpos)
{
	struct cfg_exec_rule *nr;
	size_t i, n;
	struct config *cfg = w->cfg;

	if (v->type != TOML_ARRAY) {
		fail(w, v->pos, "%s: expected an array of tables, got %s", path,
		    toml_type_name(v->type));
		return -1;
	}
	n = v->u.a.n;
	if ((nr = calloc(n ? n : 1, sizeof(*nr))) == NULL) {
		fail(w, v->pos, "%s: out of memory", path);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (rule_parse(w, path, v->u.a.v[i], &nr[i]) == -1) {
			if (w->err[0] == '\0')
				fail(w, v->u.a.v[i]->pos, "%s: out of memory",
				    path);
			for (;; i--) {
				config_rule_free(&nr[i]);
				if (i == 0)
					break;
			}
			free(nr);
			return -1;
		}
	}
	for (i = 0; i < cfg->nrules; i++)
		config_rule_free(&cfg->rules[i]);
	free(cfg->rules);
	cfg->rules = nr;
	cfg->nrules = n;
	where(w, kpos, path, cfg->rules_where);
	return 0;
}

static int apply_value(struct walk *, const struct schema *, const char *,
    const struct toml_value *, struct toml_pos);

/* KEY is not in the schema under PARENT: an error, or ignored in a lenient table. */
static int
unknown_key(struct walk *w, const struct schema *parent, const char *key,
    struct toml_pos pos)
{
	const char *sg = suggest(parent->path, key);
	char table[PATH_BUF];

	if (parent->kind == K_LENIENT && sg == NULL)
		return 0; /* another Codex feature's key */
	if (parent->path[0] == '\0')
		snprintf(table, sizeof(table), "the top level");
	else
		snprintf(table, sizeof(table), "[%s]", parent->path);
	if (sg != NULL)
		fail(w, pos, "unknown key '%s' in %s; did you mean '%s'?", key,
		    table, sg);
	else
		fail(w, pos, "unknown key '%s' in %s", key, table);
	return -1;
}

static int
child_path(struct walk *w, const char *parent, const char *key, size_t keylen,
    struct toml_pos pos, char *out)
{
	int n;

	if (strlen(key) != keylen) {
		fail(w, pos, "key with an embedded NUL");
		return -1;
	}
	n = snprintf(out, PATH_BUF, "%s%s%s", parent, *parent ? "." : "", key);
	if (n < 0 || n >= PATH_BUF) {
		fail(w, pos, "key too long");
		return -1;
	}
	return 0;
}

static int
apply_table(struct walk *w, const struct schema *sc, const char *path,
    const struct toml_value *v)
{
	const struct schema *csc;
	char cpath[PATH_BUF];
	size_t i;

	if (v->type != TOML_TABLE) {
		fail(w, v->pos, "%s: expected a table, got %s", path,
		    toml_type_name(v->type));
		return -1;
	}
	for (i = 0; i < v->u.t.n; i++) {
		const struct toml_kv *kv = &v->u.t.kv[i];

		if (child_path(
			w, sc->path, kv->key, kv->keylen, kv->pos, cpath) == -1)
			return -1;
		if ((csc = schema_find(cpath)) == NULL) {
			if (unknown_key(w, sc, kv->key, kv->pos) == -1)
				return -1;
			continue;
		}
		if (apply_value(w, csc, cpath, kv->val, kv->pos) == -1)
			return -1;
	}
	return 0;
}

static int
apply_value(struct walk *w, const struct schema *sc, const char *path,
    const struct toml_value *v, struct toml_pos kpos)
{
	switch (sc->kind) {
	case K_TABLE:
	case K_LENIENT:
		return apply_table(w, sc, path, v);
	case K_PROXY:
		if (v->type == TOML_BOOL)
			return apply_bool(w, sc->id, path, v, kpos);
		if (v->type != TOML_TABLE) {
			fail(w, v->pos,
			    "%s: expected a boolean or a table, got "
			    "%s",
			    path, toml_type_name(v->type));
			return -1;
		}
		return apply_table(w, sc, path, v);
	case K_ENUM:
		return apply_enum(w, sc, path, v, kpos);
	case K_BOOL:
		return apply_bool(w, sc->id, path, v, kpos);
	case K_SECONDS:
		return apply_seconds(w, sc->id, path, v, kpos);
	case K_PATHS:
	case K_NAMES:
		return apply_array(w, sc, path, v, kpos);
	case K_MAP:
		return apply_map(w, sc, path, v);
	case K_RULES:
		return apply_rules(w, path, v, kpos);
	}
	return -1;
}

/*
 * Codex profiles: `profile = "NAME"` selects [profiles.NAME], whose keys
 * apply on top of the file's top level. A profile that is named but missing
 * is an error: silently running with other settings would surprise.
 */
static int
apply_profile(struct walk *w, const struct toml_value *root)
{
	const struct toml_value *name, *all, *prof;
	const char *s;

	if ((name = toml_get(root, "profile")) == NULL)
		return 0;
	if ((s = plain_string(name)) == NULL) {
		fail(w, name->pos, "profile: expected a string, got %s",
		    toml_type_name(name->type));
		return -1;
	}
	if ((all = toml_get(root, "profiles")) == NULL ||
	    (prof = toml_get(all, s)) == NULL) {
		fail(w, name->pos,
		    "profile '%s' is selected but there is no "
		    "[profiles.%s] table",
		    s, s);
		return -1;
	}
	return apply_value(w, &schema[0], "", prof, name->pos);
}

int
config_apply_toml(struct config *cfg, const char *name, const char *buf,
    size_t len, char *err, size_t errlen)
{
	struct walk w = { cfg, name, NULL, err, errlen };
	struct toml_error te;
	struct toml_value *root = NULL;
	struct toml_pos pos = { 1, 1 };
	int r;

	err[0] = '\0';
	if (toml_parse(buf, len, &root, &te) == -1) {
		snprintf(
		    err, errlen, "%s:%d:%d: %s", name, te.line, te.col, te.msg);
		return -1;
	}
	r = apply_value(&w, &schema[0], "", root, pos);
	if (r == 0)
		r = apply_profile(&w, root);
	toml_free(root);
	return r;
}

/* Length of [s, end) without trailing blanks: "key = value" works too. */
static size_t
trim_len(const char *s, const char *end)
{
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return (size_t)(end - s);
}

int
config_apply_assignment(
    struct config *cfg, const char *assignment, char *err, size_t errlen)
{
	struct walk w = { cfg, "-c", assignment, err, errlen };
	struct toml_error te;
	struct toml_value *v = NULL;
	const struct schema *sc = &schema[0], *csc;
	char path[PATH_BUF], cpath[PATH_BUF];
	char **parts = NULL;
	size_t nparts = 0, i;
	const char *eq, *val;
	struct toml_pos pos = { 1, 1 };
	int r = -1;

	err[0] = '\0';
	if ((eq = strchr(assignment, '=')) == NULL) {
		fail(&w, pos, "expected key=value");
		return -1;
	}
	if (toml_parse_key(assignment, trim_len(assignment, eq), &parts,
		&nparts, &te) == -1) {
		fail(&w, pos, "bad key: %s", te.msg);
		return -1;
	}
	val = eq + 1;
	while (*val == ' ' || *val == '\t')
		val++;
	if (toml_parse_value(val, strlen(val), &v, &te) == -1) {
		/* Not TOML: the raw text is the string, as Codex does. */
		if ((v = calloc(1, sizeof(*v))) == NULL)
			goto out;
		v->type = TOML_STRING;
		v->pos = pos;
		if ((v->u.s.ptr = strdup(val)) == NULL)
			goto out;
		v->u.s.len = strlen(val);
	}
	if (nparts == 1 && strcmp(parts[0], "profile") == 0) {
		/* the [profiles] tables live in the files, already applied */
		fail(&w, pos,
		    "a profile can only be selected in a config file "
		    "(profile = \"NAME\")");
		goto out;
	}
	path[0] = '\0';
	for (i = 0; i < nparts; i++) {
		if (sc->kind == K_MAP && i == nparts - 1) {
			/* one entry of a map: key.path."entry"=VALUE */
			r = apply_map_entry(&w, sc, path, parts[i], v, pos);
			goto out;
		}
		if (sc->kind != K_TABLE && sc->kind != K_LENIENT &&
		    !(sc->kind == K_PROXY)) {
			fail(&w, pos, "%s is not a table", path);
			goto out;
		}
		if (child_path(
			&w, path, parts[i], strlen(parts[i]), pos, cpath) == -1)
			goto out;
		if ((csc = schema_find(cpath)) == NULL) {
			r = unknown_key(&w, sc, parts[i], pos);
			goto out; /* ignored, or an error */
		}
		sc = csc;
		snprintf(path, sizeof(path), "%s", cpath);
	}
	r = apply_value(&w, sc, path, v, pos);
out:
	if (r == -1 && err[0] == '\0')
		fail(&w, pos, "out of memory");
	toml_free(v);
	toml_free_key(parts, nparts);
	return r;
}

static void
set_where(struct cfg_scalar *s, const char *opt)
{
	snprintf(s->where, CFG_WHERE, "%s", opt);
}

int
config_set_sandbox(struct config *cfg, const char *mode, const char *opt,
    char *err, size_t errlen)
{
	int i;

	if ((i = find_name(sandbox_names, mode)) == -1) {
		snprintf(err, errlen,
		    "%s: bad sandbox mode '%s'; expected one "
		    "of read-only, workspace-write, danger-full-access",
		    opt, mode);
		return -1;
	}
	cfg->s[CFG_SANDBOX_MODE].val = i;
	set_where(&cfg->s[CFG_SANDBOX_MODE], opt);
	return 0;
}

int
config_set_approval(struct config *cfg, const char *policy, const char *opt,
    char *err, size_t errlen)
{
	int i;

	if ((i = find_name(approval_names, policy)) == -1) {
		snprintf(err, errlen,
		    "%s: bad approval policy '%s'; expected "
		    "one of untrusted, on-request, on-failure, never",
		    opt, policy);
		return -1;
	}
	cfg->s[CFG_APPROVAL_POLICY].val = i;
	set_where(&cfg->s[CFG_APPROVAL_POLICY], opt);
	return 0;
}

static int
cli_dir(const char *dir, const char *cwd, const char *opt, char *out, char *err,
    size_t errlen)
{
	int n;

	if (dir == NULL || *dir == '\0') {
		snprintf(err, errlen, "%s: empty directory", opt);
		return -1;
	}
	if (pathres_lexical(cwd, dir, out, PATH_BUF) != 0) {
		n = snprintf(err, errlen, "%s: bad directory '%s'", opt, dir);
		(void)n;
		return -1;
	}
	return 0;
}

int
config_set_workspace(struct config *cfg, const char *dir, const char *cwd,
    const char *opt, char *err, size_t errlen)
{
	char abs[PATH_BUF], *s;

	if (cli_dir(dir, cwd, opt, abs, err, errlen) == -1)
		return -1;
	if ((s = strdup(abs)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", opt);
		return -1;
	}
	free(cfg->s[CFG_WORKSPACE].str);
	cfg->s[CFG_WORKSPACE].str = s;
	set_where(&cfg->s[CFG_WORKSPACE], opt);
	return 0;
}

int
config_add_dir(struct config *cfg, const char *dir, const char *cwd,
    const char *opt, char *err, size_t errlen)
{
	char abs[PATH_BUF];

	if (cli_dir(dir, cwd, opt, abs, err, errlen) == -1)
		return -1;
	if (list_append(&cfg->l[CFG_ADD_DIRS], abs, 0, opt) == -1) {
		snprintf(err, errlen, "%s: out of memory", opt);
		return -1;
	}
	return 0;
}

int
config_set_network(struct config *cfg, bool on, const char *opt)
{
	cfg->s[CFG_NETWORK_ACCESS].val = on;
	set_where(&cfg->s[CFG_NETWORK_ACCESS], opt);
	return 0;
}

int
config_note_file(struct config *cfg, const char *file)
{
	char **nf, *s;

	if ((s = strdup(file)) == NULL)
		return -1;
	if ((nf = reallocarray(cfg->files, cfg->nfiles + 1, sizeof(*nf))) ==
	    NULL) {
		free(s);
		return -1;
	}
	cfg->files = nf;
	cfg->files[cfg->nfiles++] = s;
	return 0;
}

int
config_note_output(struct config *cfg, const char *path, const char *what)
{
	struct cfg_output *no;
	char *p, *w;

	p = strdup(path);
	w = strdup(what);
	no = p && w ? reallocarray(cfg->outputs, cfg->noutputs + 1, sizeof(*no))
		    : NULL;
	if (no == NULL) {
		free(p);
		free(w);
		return -1;
	}
	cfg->outputs = no;
	cfg->outputs[cfg->noutputs].path = p;
	cfg->outputs[cfg->noutputs++].what = w;
	return 0;
}

static char *
dup_or_null(const char *s)
{
	return (s != NULL && *s != '\0') ? strdup(s) : NULL;
}

int
config_init(struct config *cfg, const char *home, const char *tmpdir,
    const char *xdg_config_home)
{
	char buf[PATH_BUF];
	size_t i;
	int n;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < CFG_NSCALARS; i++)
		snprintf(cfg->s[i].where, CFG_WHERE, "default");
	for (i = 0; i < CFG_NLISTS; i++)
		snprintf(cfg->l[i].where, CFG_WHERE, "default");
	snprintf(cfg->rules_where, CFG_WHERE, "default");
	cfg->s[CFG_SANDBOX_MODE].val = SANDBOX_WORKSPACE_WRITE;
	cfg->s[CFG_APPROVAL_POLICY].val = APPROVAL_ON_REQUEST;
	cfg->s[CFG_APPROVAL_TIMEOUT].val = CFG_APPROVAL_TIMEOUT_DEFAULT;
	/* what neither the shim nor the seccomp watch can follow */
	cfg->s[CFG_UNCOVERED].val = UNCOVERED_DENY;
	cfg->s[CFG_ENABLE_SOCKS5].val = 1;
	cfg->s[CFG_ENABLE_SOCKS5_UDP].val = 1;
	cfg->s[CFG_ALLOW_UPSTREAM_PROXY].val = 1;
	cfg->home = dup_or_null(home);
	cfg->tmpdir = dup_or_null(tmpdir);
	if (xdg_config_home != NULL && xdg_config_home[0] == '/')
		n = snprintf(buf, sizeof(buf), "%s/agentwrap", xdg_config_home);
	else if (cfg->home != NULL && cfg->home[0] == '/')
		n = snprintf(
		    buf, sizeof(buf), "%s/.config/agentwrap", cfg->home);
	else
		n = -1;
	if (n > 0 && (size_t)n < sizeof(buf) &&
	    (cfg->user_config_dir = strdup(buf)) == NULL)
		goto nomem;
	for (i = 0; default_ask_paths[i] != NULL; i++)
		if (list_append(&cfg->l[CFG_FS_PATHS], default_ask_paths[i],
			ACCESS_ASK, "default") == -1)
			goto nomem;
	for (i = 0; default_protected[i] != NULL; i++)
		if (list_append(&cfg->l[CFG_PROTECTED], default_protected[i], 0,
			"default") == -1)
			goto nomem;
	return 0;
nomem:
	config_free(cfg);
	return -1;
}

void
config_free(struct config *cfg)
{
	size_t i;

	for (i = 0; i < CFG_NSCALARS; i++)
		free(cfg->s[i].str);
	for (i = 0; i < CFG_NLISTS; i++)
		list_clear(&cfg->l[i]);
	for (i = 0; i < cfg->nrules; i++)
		config_rule_free(&cfg->rules[i]);
	free(cfg->rules);
	for (i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg->files);
	for (i = 0; i < cfg->noutputs; i++) {
		free(cfg->outputs[i].path);
		free(cfg->outputs[i].what);
	}
	free(cfg->outputs);
	free(cfg->home);
	free(cfg->tmpdir);
	free(cfg->user_config_dir);
	free(cfg->unreachable_dir);
	memset(cfg, 0, sizeof(*cfg));
}

const char *
config_sandbox_name(int mode)
{
	return (mode >= 0 && mode < 3) ? sandbox_names[mode] : "?";
}

const char *
config_approval_name(int policy)
{
	return (policy >= 0 && policy < 4) ? approval_names[policy] : "?";
}

const char *
config_access_name(int access)
{
	return (access >= 0 && access < 4) ? access_names[access] : "?";
}

const char *
config_exec_decision_name(int d)
{
	return (d >= 0 && d < 3) ? exec_names[d] : "?";
}

const char *
config_git_name(int mode)
{
	return (mode >= 0 && mode < 2) ? git_names[mode] : "?";
}

const char *
config_uncovered_name(int mode)
{
	return (mode >= 0 && mode < 3) ? uncovered_names[mode] : "?";
}

const char *
config_landlock_name(int mode)
{
	return (mode >= 0 && mode < 3) ? landlock_names[mode] : "?";
}

/*
 * Printing. Values from the command line can hold any bytes, so strings are
 * written as TOML basic strings with every control byte and every byte that
 * is not valid UTF-8 escaped; the output always parses back.
 */
static int
utf8_len(const unsigned char *p)
{
	uint32_t cp;
	int n, i;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		n = 2, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		n = 4, cp = p[0] & 0x07;
	else
		return -1;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	return n;
}

static void
put_esc(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
			continue;
		}
		if ((n = utf8_len(p)) < 0) {
			/* not UTF-8: show the byte as U+FFFD's escape */
			fprintf(f, "\\uFFFD");
			p++;
			continue;
		}
		fwrite(p, 1, (size_t)n, f);
		p += n;
	}
}

static void
put_str(FILE *f, const char *s)
{
	fputc('"', f);
	put_esc(f, s);
	fputc('"', f);
}

/*
 * "  # WHERE\n". WHERE can hold a config file's name, any bytes: escaped
 * like a string so that a newline in it cannot end the comment and add
 * TOML of its own, nor a byte that is not UTF-8 make the output unparsable.
 */
static void
put_where(FILE *f, const char *where)
{
	fputs("  # ", f);
	put_esc(f, where);
	fputc('\n', f);
}

static void
put_bool(FILE *f, const struct config *cfg, int id, const char *key)
{
	fprintf(f, "%s = %s", key, cfg->s[id].val ? "true" : "false");
	put_where(f, cfg->s[id].where);
}

static void
put_map(FILE *f, const struct config *cfg, int id, const char *table,
    const char *const *names)
{
	const struct cfg_list *l = &cfg->l[id];
	size_t i;

	fprintf(f, "\n[%s]\n", table);
	if (l->n == 0)
		fprintf(f, "# (none)\n");
	for (i = 0; i < l->n; i++) {
		put_str(f, l->v[i].key);
		fprintf(f, " = \"%s\"", names[l->v[i].val]);
		put_where(f, l->v[i].where);
	}
}

static void
put_strlist(FILE *f, const struct cfg_list *l, const char *key)
{
	size_t i;

	fprintf(f, "%s = [", key);
	for (i = 0; i < l->n; i++) {
		fprintf(f, "%s", i ? ", " : "");
		put_str(f, l->v[i].key);
	}
	fputc(']', f);
	put_where(f, l->where);
}

int
config_print(const struct config *cfg, char **out, size_t *outlen)
{
	static const struct {
		int id;
		const char *key;
	} proxy_bools[] = {
		{ CFG_PROXY_ENABLED, "enabled" },
		{ CFG_ALLOW_LOCAL_BINDING, "allow_local_binding" },
		{ CFG_ENABLE_SOCKS5, "enable_socks5" },
		{ CFG_ENABLE_SOCKS5_UDP, "enable_socks5_udp" },
		{ CFG_ALLOW_UPSTREAM_PROXY, "allow_upstream_proxy" },
		{ CFG_NON_LOOPBACK_PROXY,
		    "dangerously_allow_non_loopback_proxy" },
		{ CFG_ALL_UNIX_SOCKETS, "dangerously_allow_all_unix_sockets" },
	};
	FILE *f;
	size_t i, j, k;

	*out = NULL;
	*outlen = 0;
	if ((f = open_memstream(out, outlen)) == NULL)
		return -1;
	fprintf(f,
	    "# agentwrap effective configuration; after each value, "
	    "where it came from\n");
	for (i = 0; i < cfg->nfiles; i++) {
		fprintf(f, "# config file read: ");
		put_str(f, cfg->files[i]);
		fputc('\n', f);
	}
	for (i = 0; i < cfg->noutputs; i++) {
		fprintf(f,
		    "# written by agentwrap (%s), never by the command: ",
		    cfg->outputs[i].what);
		put_str(f, cfg->outputs[i].path);
		fputc('\n', f);
	}
	fprintf(f, "# workspace (-C): ");
	put_str(f, cfg->s[CFG_WORKSPACE].str ? cfg->s[CFG_WORKSPACE].str : "");
	put_where(f, cfg->s[CFG_WORKSPACE].where);
	for (i = 0; i < cfg->l[CFG_ADD_DIRS].n; i++) {
		fprintf(f, "# extra writable root (--add-dir): ");
		put_str(f, cfg->l[CFG_ADD_DIRS].v[i].key);
		fputc('\n', f);
	}
	fprintf(f, "sandbox_mode = \"%s\"",
	    config_sandbox_name(cfg->s[CFG_SANDBOX_MODE].val));
	put_where(f, cfg->s[CFG_SANDBOX_MODE].where);
	fprintf(f, "approval_policy = \"%s\"",
	    config_approval_name(cfg->s[CFG_APPROVAL_POLICY].val));
	put_where(f, cfg->s[CFG_APPROVAL_POLICY].where);
	fprintf(f, "approval_timeout = %d", cfg->s[CFG_APPROVAL_TIMEOUT].val);
	put_where(f, cfg->s[CFG_APPROVAL_TIMEOUT].where);

	fprintf(f, "\n[sandbox_workspace_write]\n");
	put_strlist(f, &cfg->l[CFG_WRITABLE_ROOTS], "writable_roots");
	put_bool(f, cfg, CFG_NETWORK_ACCESS, "network_access");
	put_bool(f, cfg, CFG_EXCLUDE_TMPDIR_ENV_VAR, "exclude_tmpdir_env_var");
	put_bool(f, cfg, CFG_EXCLUDE_SLASH_TMP, "exclude_slash_tmp");

	fprintf(f, "\n[features.network_proxy]\n");
	for (i = 0; i < sizeof(proxy_bools) / sizeof(proxy_bools[0]); i++)
		put_bool(f, cfg, proxy_bools[i].id, proxy_bools[i].key);
	put_map(f, cfg, CFG_DOMAINS, "features.network_proxy.domains",
	    domain_names);
	put_map(f, cfg, CFG_UNIX_SOCKETS, "features.network_proxy.unix_sockets",
	    unix_names);

	fprintf(f, "\n[agentwrap]\n");
	fprintf(f, "uncovered = \"%s\"",
	    config_uncovered_name(cfg->s[CFG_UNCOVERED].val));
	put_where(f, cfg->s[CFG_UNCOVERED].where);
	fprintf(f, "landlock = \"%s\"",
	    config_landlock_name(cfg->s[CFG_LANDLOCK].val));
	put_where(f, cfg->s[CFG_LANDLOCK].where);
	fprintf(f, "strict = %s", cfg->s[CFG_STRICT].val ? "true" : "false");
	put_where(f, cfg->s[CFG_STRICT].where);

	fprintf(f, "\n[agentwrap.filesystem]\n");
	put_strlist(f, &cfg->l[CFG_PROTECTED], "protected");
	fprintf(f, "git = \"%s\"", config_git_name(cfg->s[CFG_GIT_MODE].val));
	put_where(f, cfg->s[CFG_GIT_MODE].where);
	put_map(
	    f, cfg, CFG_FS_PATHS, "agentwrap.filesystem.paths", access_names);

	/* a comment: the files' rules are among those printed below */
	fprintf(f, "\n# agentwrap.exec.");
	put_strlist(f, &cfg->l[CFG_RULES_FILES], "rules_files");
	fprintf(f, "# agentwrap.exec.rules: ");
	put_esc(f, cfg->rules_where);
	fputc('\n', f);
	for (i = 0; i < cfg->nrules; i++) {
		const struct cfg_exec_rule *r = &cfg->rules[i];

		fprintf(f, "[[agentwrap.exec.rules]]");
		put_where(f, r->where);
		fprintf(f, "pattern = [");
		for (j = 0; j < r->nword; j++) {
			fprintf(f, "%s", j ? ", " : "");
			if (r->word[j].nalt > 1)
				fputc('[', f);
			for (k = 0; k < r->word[j].nalt; k++) {
				fprintf(f, "%s", k ? ", " : "");
				put_str(f, r->word[j].alt[k]);
			}
			if (r->word[j].nalt > 1)
				fputc(']', f);
		}
		fprintf(f, "]\ndecision = \"%s\"\n",
		    config_exec_decision_name(r->decision));
		if (r->justification != NULL) {
			fprintf(f, "justification = ");
			put_str(f, r->justification);
			fputc('\n', f);
		}
	}
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
