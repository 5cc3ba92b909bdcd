/*
 * check_config.c: unit tests for policy/config.c: the schema (every key with
 * its type, enums, strict and lenient tables, did-you-mean), the positions
 * and wording of errors, `-c` assignments, command-line setters, layering of
 * sources, and config_print's output parsing back to the same configuration.
 *
 * Test code: runs in the build, trusts its inputs.
 */

#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#define HOME "/home/tester"
#define TMP "/tmp/tester-tmp"
#define XDG "/xdg"
#define NAME "t.toml"

static struct config cfg;
static char err[CFG_ERR];

static void
cfg_setup(void)
{
	ck_assert_int_eq(config_init(&cfg, HOME, TMP, XDG), 0);
	err[0] = '\0';
}

static void
cfg_teardown(void)
{
	config_free(&cfg);
}

static int
apply_as(struct config *c, const char *name, const char *doc)
{
	return config_apply_toml(c, name, doc, strlen(doc), err, sizeof(err));
}

static int
apply(const char *doc)
{
	return apply_as(&cfg, NAME, doc);
}

static char *
print_cfg(const struct config *c)
{
	char *out;
	size_t len;

	ck_assert_int_eq(config_print(c, &out, &len), 0);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(strlen(out), len);
	return out;
}

static const struct cfg_entry *
list_find(const struct cfg_list *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return &l->v[i];
	return NULL;
}

static void
assert_where(const char *got, const char *fmt, ...)
{
	char want[CFG_WHERE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	ck_assert_str_eq(got, want);
}

/* ---------------------------------------------------------------------
 * Every key of the schema, accepted with its type.
 */

enum { SCALAR, LIST };

struct kv_want {
	const char *key;
	int val;
	int line, col; /* where the entry was set */
};

struct good_case {
	const char *doc;
	int what; /* SCALAR or LIST */
	int id;
	int val; /* SCALAR: value */
	int line, col; /* SCALAR, LIST: where */
	int n; /* LIST: entries, -1 to not check */
	struct kv_want e[6]; /* LIST: entries to find */
};

static const struct good_case good_cases[] = {
	{ "sandbox_mode = \"read-only\"", SCALAR, CFG_SANDBOX_MODE,
	    SANDBOX_READ_ONLY, 1, 1, 0, { { 0 } } },
	{ "sandbox_mode = \"workspace-write\"", SCALAR, CFG_SANDBOX_MODE,
	    SANDBOX_WORKSPACE_WRITE, 1, 1, 0, { { 0 } } },
	{ "\n  sandbox_mode = \"danger-full-access\"", SCALAR, CFG_SANDBOX_MODE,
	    SANDBOX_DANGER_FULL_ACCESS, 2, 3, 0, { { 0 } } },
	{ "approval_policy = \"untrusted\"", SCALAR, CFG_APPROVAL_POLICY,
	    APPROVAL_UNTRUSTED, 1, 1, 0, { { 0 } } },
	{ "approval_policy = \"on-request\"", SCALAR, CFG_APPROVAL_POLICY,
	    APPROVAL_ON_REQUEST, 1, 1, 0, { { 0 } } },
	{ "approval_policy = \"on-failure\"", SCALAR, CFG_APPROVAL_POLICY,
	    APPROVAL_ON_FAILURE, 1, 1, 0, { { 0 } } },
	{ "approval_policy = 'never'", SCALAR, CFG_APPROVAL_POLICY,
	    APPROVAL_NEVER, 1, 1, 0, { { 0 } } },
	{ "approval_timeout = 1", SCALAR, CFG_APPROVAL_TIMEOUT, 1, 1, 1, 0,
	    { { 0 } } },
	{ "\napproval_timeout = 2147483", SCALAR, CFG_APPROVAL_TIMEOUT, 2147483,
	    2, 1, 0, { { 0 } } },
	{ "[sandbox_workspace_write]\nnetwork_access = true", SCALAR,
	    CFG_NETWORK_ACCESS, 1, 2, 1, 0, { { 0 } } },
	{ "[sandbox_workspace_write]\nexclude_tmpdir_env_var = true", SCALAR,
	    CFG_EXCLUDE_TMPDIR_ENV_VAR, 1, 2, 1, 0, { { 0 } } },
	{ "[sandbox_workspace_write]\nexclude_slash_tmp = true", SCALAR,
	    CFG_EXCLUDE_SLASH_TMP, 1, 2, 1, 0, { { 0 } } },
	{ "sandbox_workspace_write.network_access = true", SCALAR,
	    CFG_NETWORK_ACCESS, 1, 1, 25, 0, { { 0 } } },
	{ "sandbox_workspace_write = { exclude_slash_tmp = true }", SCALAR,
	    CFG_EXCLUDE_SLASH_TMP, 1, 1, 29, 0, { { 0 } } },
	{ "[features.network_proxy]\nenabled = true", SCALAR, CFG_PROXY_ENABLED,
	    1, 2, 1, 0, { { 0 } } },
	{ "features.network_proxy = true", SCALAR, CFG_PROXY_ENABLED, 1, 1, 10,
	    0, { { 0 } } },
	{ "[features]\nnetwork_proxy = true", SCALAR, CFG_PROXY_ENABLED, 1, 2,
	    1, 0, { { 0 } } },
	{ "features = { network_proxy = { enabled = true } }", SCALAR,
	    CFG_PROXY_ENABLED, 1, 1, 32, 0, { { 0 } } },
	{ "[features.network_proxy]\nallow_local_binding = true", SCALAR,
	    CFG_ALLOW_LOCAL_BINDING, 1, 2, 1, 0, { { 0 } } },
	{ "[features.network_proxy]\nenable_socks5 = false", SCALAR,
	    CFG_ENABLE_SOCKS5, 0, 2, 1, 0, { { 0 } } },
	{ "[features.network_proxy]\nenable_socks5_udp = false", SCALAR,
	    CFG_ENABLE_SOCKS5_UDP, 0, 2, 1, 0, { { 0 } } },
	{ "[features.network_proxy]\nallow_upstream_proxy = false", SCALAR,
	    CFG_ALLOW_UPSTREAM_PROXY, 0, 2, 1, 0, { { 0 } } },
	{ "[features.network_proxy]\n"
	  "dangerously_allow_non_loopback_proxy = true",
	    SCALAR, CFG_NON_LOOPBACK_PROXY, 1, 2, 1, 0, { { 0 } } },
	{ "[features.network_proxy]\n"
	  "dangerously_allow_all_unix_sockets = true",
	    SCALAR, CFG_ALL_UNIX_SOCKETS, 1, 2, 1, 0, { { 0 } } },

	{ "[sandbox_workspace_write]\n"
	  "writable_roots = [\"/a\", \"~/b\", \"~\"]",
	    LIST, CFG_WRITABLE_ROOTS, 0, 2, 1, 3,
	    { { "/a", 0, 2, 1 }, { HOME "/b", 0, 2, 1 }, { HOME, 0, 2, 1 } } },
	{ "[sandbox_workspace_write]\nwritable_roots = []", LIST,
	    CFG_WRITABLE_ROOTS, 0, 2, 1, 0, { { 0 } } },
	{ "[features.network_proxy]\n"
	  "domains = { \"api.openai.com\" = \"allow\", "
	  "\"*.example.com\" = \"deny\" }",
	    LIST, CFG_DOMAINS, 0, 0, 0, 2,
	    { { "api.openai.com", DOMAIN_ALLOW, 2, 13 },
		{ "*.example.com", DOMAIN_DENY, 2, 41 } } },
	{ "[features.network_proxy.domains]\n"
	  "  \"**.x.org\" = \"allow\"\n\"*\" = \"allow\"\n"
	  "'127.0.0.1' = \"allow\"\n\t\"LocalHost.\" = \"allow\"\n"
	  "\"x.com\" = 'deny'\n\"[::1]\" = \"allow\"",
	    LIST, CFG_DOMAINS, 0, 0, 0, 6,
	    { { "**.x.org", DOMAIN_ALLOW, 2, 3 }, { "*", DOMAIN_ALLOW, 3, 1 },
		{ "127.0.0.1", DOMAIN_ALLOW, 4, 1 },
		{ "LocalHost.", DOMAIN_ALLOW, 5, 2 },
		{ "x.com", DOMAIN_DENY, 6, 1 },
		{ "[::1]", DOMAIN_ALLOW, 7, 1 } } },
	{ "[features.network_proxy.unix_sockets]\n"
	  "\"/run/x.sock\" = \"allow\"\n\"@abstract\" = \"allow\"\n"
	  "\"~/s\" = \"allow\"",
	    LIST, CFG_UNIX_SOCKETS, 0, 0, 0, 3,
	    { { "/run/x.sock", 0, 2, 1 }, { "@abstract", 0, 3, 1 },
		{ HOME "/s", 0, 4, 1 } } },
	{ "[agentwrap.filesystem]\n"
	  "paths = { \"/etc/secret\" = \"deny\", \"~/proj\" = \"write\", "
	  "\"/opt\" = \"read\", \"/srv\" = \"ask\" }",
	    LIST, CFG_FS_PATHS, 0, 0, 0, 17,
	    { { "/etc/secret", ACCESS_DENY, 2, 11 },
		{ "~/proj", ACCESS_WRITE, 2, 35 },
		{ "/opt", ACCESS_READ, 2, 55 }, { "/srv", ACCESS_ASK, 2, 72 },
		{ "~/.ssh", ACCESS_ASK, 0, 0 } } },
	{ "[agentwrap.filesystem]\nprotected = [\".git\", \".hg\"]", LIST,
	    CFG_PROTECTED, 0, 2, 1, 2,
	    { { ".git", 0, 2, 1 }, { ".hg", 0, 2, 1 } } },
	{ "agentwrap.filesystem.protected = []", LIST, CFG_PROTECTED, 0, 1, 22,
	    0, { { 0 } } },
};

START_TEST(test_good)
{
	const struct good_case *c = &good_cases[_i];
	const struct cfg_entry *e;
	size_t k;

	ck_assert_msg(apply(c->doc) == 0, "%s: %s", c->doc, err);
	ck_assert_str_eq(err, "");
	if (c->what == SCALAR) {
		ck_assert_int_eq(cfg.s[c->id].val, c->val);
		assert_where(
		    cfg.s[c->id].where, NAME ":%d:%d", c->line, c->col);
		return;
	}
	if (c->n >= 0)
		ck_assert_uint_eq(cfg.l[c->id].n, (size_t)c->n);
	if (c->line != 0)
		assert_where(
		    cfg.l[c->id].where, NAME ":%d:%d", c->line, c->col);
	for (k = 0; k < nitems(c->e) && c->e[k].key != NULL; k++) {
		e = list_find(&cfg.l[c->id], c->e[k].key);
		ck_assert_msg(e != NULL, "no entry %s", c->e[k].key);
		ck_assert_int_eq(e->val, c->e[k].val);
		if (c->e[k].line != 0)
			assert_where(
			    e->where, NAME ":%d:%d", c->e[k].line, c->e[k].col);
		else
			ck_assert_str_eq(e->where, "default");
	}
}
END_TEST

START_TEST(test_good_rules)
{
	const struct cfg_exec_rule *r;

	ck_assert_msg(apply("[agentwrap.exec]\n"
			    "[[agentwrap.exec.rules]]\n"
			    "pattern = [\"git\", [\"push\", \"fetch\"]]\n"
			    "decision = \"prompt\"\n"
			    "justification = \"talks to the network\"\n"
			    "\n"
			    "[[agentwrap.exec.rules]]\n"
			    "pattern = [\"/bin/rm\"]\n"
			    "[[agentwrap.exec.rules]]\n"
			    "pattern = [\"curl\"]\n"
			    "decision = \"forbidden\"\n") == 0,
	    "%s", err);
	ck_assert_uint_eq(cfg.nrules, 3);
	r = &cfg.rules[0];
	ck_assert_uint_eq(r->nword, 2);
	ck_assert_uint_eq(r->word[0].nalt, 1);
	ck_assert_str_eq(r->word[0].alt[0], "git");
	ck_assert_uint_eq(r->word[1].nalt, 2);
	ck_assert_str_eq(r->word[1].alt[0], "push");
	ck_assert_str_eq(r->word[1].alt[1], "fetch");
	ck_assert_int_eq(r->decision, EXEC_PROMPT);
	ck_assert_str_eq(r->justification, "talks to the network");
	assert_where(r->where, NAME ":2:1");
	r = &cfg.rules[1];
	ck_assert_uint_eq(r->nword, 1);
	ck_assert_str_eq(r->word[0].alt[0], "/bin/rm");
	ck_assert_int_eq(r->decision, EXEC_ALLOW); /* the default */
	ck_assert_ptr_null(r->justification);
	assert_where(r->where, NAME ":7:1");
	ck_assert_int_eq(cfg.rules[2].decision, EXEC_FORBIDDEN);

	/* the inline form */
	ck_assert_msg(apply("agentwrap.exec.rules = [ { pattern = [\"rm\"], "
			    "decision = \"forbidden\" } ]") == 0,
	    "%s", err);
	ck_assert_uint_eq(cfg.nrules, 1);
	ck_assert_str_eq(cfg.rules[0].word[0].alt[0], "rm");
	ck_assert_int_eq(cfg.rules[0].decision, EXEC_FORBIDDEN);
	assert_where(cfg.rules_where, NAME ":1:16");

	/* an empty list clears the rules */
	ck_assert_msg(apply("[agentwrap.exec]\nrules = []") == 0, "%s", err);
	ck_assert_uint_eq(cfg.nrules, 0);
}
END_TEST

/* The defaults the issue names. */
START_TEST(test_defaults)
{
	static const char *const ask[] = { "~/.ssh", "~/.aws", "~/.gnupg",
		"~/.netrc", "~/.git-credentials", "~/.config/gh",
		"~/.docker/config.json", "~/.kube" };
	static const char *const prot[] = { ".git", ".codex", ".agents",
		".agentwrap" };
	const struct cfg_entry *e;
	size_t i;

	ck_assert_int_eq(cfg.s[CFG_SANDBOX_MODE].val, SANDBOX_WORKSPACE_WRITE);
	ck_assert_int_eq(cfg.s[CFG_APPROVAL_POLICY].val, APPROVAL_ON_REQUEST);
	ck_assert_int_eq(cfg.s[CFG_NETWORK_ACCESS].val, 0);
	ck_assert_int_eq(cfg.s[CFG_EXCLUDE_TMPDIR_ENV_VAR].val, 0);
	ck_assert_int_eq(cfg.s[CFG_EXCLUDE_SLASH_TMP].val, 0);
	ck_assert_int_eq(cfg.s[CFG_PROXY_ENABLED].val, 0);
	ck_assert_int_eq(cfg.s[CFG_ALLOW_LOCAL_BINDING].val, 0);
	ck_assert_int_eq(cfg.s[CFG_ENABLE_SOCKS5].val, 1);
	ck_assert_int_eq(cfg.s[CFG_ENABLE_SOCKS5_UDP].val, 1);
	ck_assert_int_eq(cfg.s[CFG_ALLOW_UPSTREAM_PROXY].val, 1);
	ck_assert_int_eq(cfg.s[CFG_NON_LOOPBACK_PROXY].val, 0);
	ck_assert_int_eq(cfg.s[CFG_ALL_UNIX_SOCKETS].val, 0);
	for (i = 0; i < CFG_NSCALARS; i++)
		ck_assert_str_eq(cfg.s[i].where, "default");
	ck_assert_uint_eq(cfg.l[CFG_WRITABLE_ROOTS].n, 0);
	ck_assert_uint_eq(cfg.l[CFG_DOMAINS].n, 0);
	ck_assert_uint_eq(cfg.l[CFG_UNIX_SOCKETS].n, 0);
	ck_assert_uint_eq(cfg.nrules, 0);
	for (i = 0; i < nitems(ask); i++) {
		e = list_find(&cfg.l[CFG_FS_PATHS], ask[i]);
		ck_assert_msg(e != NULL, "no default for %s", ask[i]);
		ck_assert_int_eq(e->val, ACCESS_ASK);
	}
	ck_assert_uint_eq(cfg.l[CFG_PROTECTED].n, nitems(prot));
	for (i = 0; i < nitems(prot); i++)
		ck_assert_str_eq(cfg.l[CFG_PROTECTED].v[i].key, prot[i]);
	ck_assert_str_eq(cfg.home, HOME);
	ck_assert_str_eq(cfg.tmpdir, TMP);
	ck_assert_str_eq(cfg.user_config_dir, XDG "/agentwrap");
}
END_TEST

START_TEST(test_user_config_dir)
{
	struct config c;

	ck_assert_int_eq(config_init(&c, HOME, NULL, NULL), 0);
	ck_assert_str_eq(c.user_config_dir, HOME "/.config/agentwrap");
	ck_assert_ptr_null(c.tmpdir);
	config_free(&c);
	/* a relative XDG_CONFIG_HOME is ignored, as the spec says */
	ck_assert_int_eq(config_init(&c, HOME, "", "rel"), 0);
	ck_assert_str_eq(c.user_config_dir, HOME "/.config/agentwrap");
	config_free(&c);
	ck_assert_int_eq(config_init(&c, NULL, NULL, NULL), 0);
	ck_assert_ptr_null(c.user_config_dir);
	ck_assert_ptr_null(c.home);
	/* no $HOME: "~" cannot be expanded, which is an error, not "/" */
	ck_assert_int_eq(
	    apply_as(
		&c, NAME, "sandbox_workspace_write.writable_roots = [\"~/x\"]"),
	    -1);
	ck_assert_msg(strstr(err, "writable_roots") != NULL &&
		strstr(err, "$HOME") != NULL,
	    "%s", err);
	config_free(&c);
}
END_TEST

/* ---------------------------------------------------------------------
 * Errors: wrong types, bad values, unknown keys, bad paths and patterns.
 * Each names the file, line and column of the offending key or value, and
 * the key.
 */

struct bad_case {
	const char *doc;
	int line, col;
	const char *key; /* must appear in the message */
	const char *msg; /* must appear too */
	const char *dym; /* the did-you-mean, or NULL for none */
};

static const struct bad_case bad_cases[] = {
	/* wrong types, one per key */
	{ "sandbox_mode = 1", 1, 16, "sandbox_mode", "expected a string",
	    NULL },
	{ "sandbox_mode = [\"read-only\"]", 1, 16, "sandbox_mode", "got array",
	    NULL },
	{ "approval_policy = true", 1, 19, "approval_policy",
	    "expected a string", NULL },
	{ "approval_timeout = \"300\"", 1, 20, "approval_timeout",
	    "expected an integer number of seconds, got string", NULL },
	{ "approval_timeout = 1.5", 1, 20, "approval_timeout",
	    "expected an integer number of seconds, got float", NULL },
	{ "approval_timeout = 0", 1, 20, "approval_timeout", "out of range",
	    NULL },
	{ "approval_timeout = -5", 1, 20, "approval_timeout", "out of range",
	    NULL },
	{ "approval_timeout = 2147484", 1, 20, "approval_timeout",
	    "out of range", NULL },
	{ "approval_timeot = 5", 1, 1, "approval_timeot", "unknown key",
	    "approval_timeout" },
	{ "sandbox_workspace_write = \"x\"", 1, 27, "sandbox_workspace_write",
	    "expected a table", NULL },
	{ "[sandbox_workspace_write]\nwritable_roots = \"/a\"", 2, 18,
	    "writable_roots", "expected an array", NULL },
	{ "[sandbox_workspace_write]\nwritable_roots = [\"/a\", 1]", 2, 25,
	    "writable_roots", "expected a string", NULL },
	{ "[sandbox_workspace_write]\nnetwork_access = \"true\"", 2, 18,
	    "network_access", "expected a boolean", NULL },
	{ "[sandbox_workspace_write]\nexclude_tmpdir_env_var = 1", 2, 26,
	    "exclude_tmpdir_env_var", "expected a boolean", NULL },
	{ "[sandbox_workspace_write]\nexclude_slash_tmp = 0.5", 2, 21,
	    "exclude_slash_tmp", "expected a boolean", NULL },
	{ "features = 1", 1, 12, "features", "expected a table", NULL },
	{ "features.network_proxy = \"on\"", 1, 26, "network_proxy",
	    "got string", NULL },
	{ "[features.network_proxy]\nenabled = \"yes\"", 2, 11, "enabled",
	    "expected a boolean", NULL },
	{ "[features.network_proxy]\nallow_local_binding = 1", 2, 23,
	    "allow_local_binding", "expected a boolean", NULL },
	{ "[features.network_proxy]\nenable_socks5 = []", 2, 17,
	    "enable_socks5", "expected a boolean", NULL },
	{ "[features.network_proxy]\nenable_socks5_udp = {}", 2, 21,
	    "enable_socks5_udp", "expected a boolean", NULL },
	{ "[features.network_proxy]\nallow_upstream_proxy = \"no\"", 2, 24,
	    "allow_upstream_proxy", "expected a boolean", NULL },
	{ "[features.network_proxy]\n"
	  "dangerously_allow_non_loopback_proxy = 1979-05-27",
	    2, 40, "dangerously_allow_non_loopback_proxy", "expected a boolean",
	    NULL },
	{ "[features.network_proxy]\n"
	  "dangerously_allow_all_unix_sockets = 1.0",
	    2, 38, "dangerously_allow_all_unix_sockets", "expected a boolean",
	    NULL },
	{ "[features.network_proxy]\ndomains = [\"a.com\"]", 2, 11, "domains",
	    "expected a table", NULL },
	{ "[features.network_proxy]\ndomains = { \"a.com\" = true }", 2, 23,
	    "domains", "'a.com'", NULL },
	{ "[features.network_proxy]\nunix_sockets = \"/s\"", 2, 16,
	    "unix_sockets", "expected a table", NULL },
	{ "agentwrap = []", 1, 13, "agentwrap", "expected a table", NULL },
	{ "[agentwrap]\nfilesystem = 1", 2, 14, "filesystem",
	    "expected a table", NULL },
	{ "[agentwrap]\nexec = \"x\"", 2, 8, "exec", "expected a table", NULL },
	{ "[agentwrap.filesystem]\npaths = [\"/x\"]", 2, 9, "paths",
	    "expected a table", NULL },
	{ "[agentwrap.filesystem]\nprotected = \".git\"", 2, 13, "protected",
	    "expected an array", NULL },
	{ "[agentwrap.filesystem]\nprotected = [\".git\", 2]", 2, 22,
	    "protected", "expected a string", NULL },
	{ "[agentwrap.exec]\nrules = { pattern = [\"x\"] }", 2, 9, "rules",
	    "expected an array of tables", NULL },
	{ "[agentwrap.exec]\nrules = [\"ls\"]", 2, 10, "rules",
	    "must be a table", NULL },
	{ "[[agentwrap.exec.rules]]\npattern = \"ls\"", 2, 11, "rules",
	    "pattern must be a non-empty array", NULL },
	{ "[[agentwrap.exec.rules]]\npattern = []", 2, 11, "rules",
	    "pattern must be a non-empty array", NULL },
	{ "[[agentwrap.exec.rules]]\npattern = [\"ls\", 1]", 2, 18, "rules",
	    "pattern words", NULL },
	{ "[[agentwrap.exec.rules]]\npattern = [\"\"]", 2, 12, "rules",
	    "pattern words", NULL },
	{ "[[agentwrap.exec.rules]]\npattern = [[\"a\", 1]]", 2, 18, "rules",
	    "pattern words", NULL },
	{ "[[agentwrap.exec.rules]]\npattern = [[]]", 2, 12, "rules",
	    "empty list of alternatives", NULL },
	{ "[[agentwrap.exec.rules]]\npattern = [\"ls\"]\njustification = 1", 3,
	    17, "justification", "must be a string", NULL },
	{ "[[agentwrap.exec.rules]]\njustification = \"x\"", 1, 1, "rules",
	    "without a pattern", NULL },

	/* bad enum values */
	{ "sandbox_mode = \"readonly\"", 1, 16, "sandbox_mode",
	    "bad value 'readonly'", NULL },
	{ "sandbox_mode = \"Read-Only\"", 1, 16, "sandbox_mode",
	    "read-only, workspace-write, danger-full-access", NULL },
	{ "approval_policy = \"always\"", 1, 19, "approval_policy",
	    "untrusted, on-request, on-failure, never", NULL },
	{ "sandbox_mode = \"read-only\\u0000\"", 1, 16, "sandbox_mode",
	    "embedded NUL", NULL },
	{ "approval_policy = \"\"", 1, 19, "approval_policy", "bad value",
	    NULL },
	{ "[features.network_proxy]\ndomains = { \"a.com\" = \"allowed\" }", 2,
	    23, "domains", "allow, deny", NULL },
	{ "[features.network_proxy]\nunix_sockets = { \"/s\" = \"deny\" }", 2,
	    25, "unix_sockets", "'/s'", NULL },
	{ "[agentwrap.filesystem]\npaths = { \"/x\" = \"rw\" }", 2, 18, "paths",
	    "write, read, ask, deny", NULL },
	{ "[[agentwrap.exec.rules]]\npattern = [\"rm\"]\ndecision = \"deny\"",
	    3, 12, "decision", "allow, prompt, forbidden", NULL },

	/* unknown keys in the tables agentwrap enforces */
	{ "sandbox_mod = \"read-only\"", 1, 1, "sandbox_mod", "the top level",
	    "sandbox_mode" },
	{ "\n\n   aproval_policy = \"never\"", 3, 4, "aproval_policy",
	    "unknown key", "approval_policy" },
	{ "[sandbox_workspace_writ]\nnetwork_access = true", 1, 2,
	    "sandbox_workspace_writ", "unknown key",
	    "sandbox_workspace_write" },
	{ "[sandbox_workspace_write]\nnetwrok_access = true", 2, 1,
	    "netwrok_access", "in [sandbox_workspace_write]",
	    "network_access" },
	{ "[sandbox_workspace_write]\nwritable_root = [\"/a\"]", 2, 1,
	    "writable_root", "unknown key", "writable_roots" },
	{ "[sandbox_workspace_write]\nexclude_slash_temp = true", 2, 1,
	    "exclude_slash_temp", "unknown key", "exclude_slash_tmp" },
	{ "[sandbox_workspace_write]\nmode = \"x\"", 2, 1, "mode",
	    "unknown key 'mode' in [sandbox_workspace_write]", NULL },
	{ "sandbox_workspace_write.netwrok_access = true", 1, 25,
	    "netwrok_access", "unknown key", "network_access" },
	{ "[features.network_proxy]\nenable = true", 2, 1, "enable",
	    "in [features.network_proxy]", "enabled" },
	{ "[features.network_proxy]\ndomain = {}", 2, 1, "domain",
	    "unknown key", "domains" },
	{ "[features.network_proxy]\nallow_local_bindings = true", 2, 1,
	    "allow_local_bindings", "unknown key", "allow_local_binding" },
	{ "[features.network_proxy]\nunix_socket = {}", 2, 1, "unix_socket",
	    "unknown key", "unix_sockets" },
	{ "[features.network_proxy]\nenable_socks4 = true", 2, 1,
	    "enable_socks4", "unknown key", "enable_socks5" },
	{ "[features.network_proxy]\nport = 8080", 2, 1, "port",
	    "unknown key 'port' in [features.network_proxy]", NULL },
	{ "features.network_proxy = { enabled = true, domain = {} }", 1, 44,
	    "domain", "unknown key", "domains" },
	{ "[features]\nnetwork_prox = true", 2, 1, "network_prox",
	    "in [features]", "network_proxy" },
	{ "[features.network_prox]\nenabled = true", 1, 11, "network_prox",
	    "unknown key", "network_proxy" },
	{ "[agentwrap]\nfilesystm = {}", 2, 1, "filesystm", "in [agentwrap]",
	    "filesystem" },
	{ "[agentwrap]\nexecc = {}", 2, 1, "execc", "unknown key", "exec" },
	{ "[agentwrap]\nnetwork = {}", 2, 1, "network",
	    "unknown key 'network' in [agentwrap]", NULL },
	{ "[agentwrap.filesystems]\npaths = {}", 1, 12, "filesystems",
	    "unknown key", "filesystem" },
	{ "[agentwrap.filesystem]\npath = {}", 2, 1, "path",
	    "in [agentwrap.filesystem]", "paths" },
	{ "[agentwrap.filesystem]\nprotect = []", 2, 1, "protect",
	    "unknown key", "protected" },
	{ "[agentwrap.filesystem]\nmounts = []", 2, 1, "mounts",
	    "unknown key 'mounts' in [agentwrap.filesystem]", NULL },
	{ "[agentwrap.exec]\nrule = []", 2, 1, "rule", "in [agentwrap.exec]",
	    "rules" },
	{ "[agentwrap.exec]\ndefault = \"allow\"", 2, 1, "default",
	    "unknown key 'default' in [agentwrap.exec]", NULL },
	{ "[[agentwrap.exec.rules]]\npatern = [\"ls\"]", 2, 1, "patern",
	    "agentwrap.exec.rules", "pattern" },
	{ "[[agentwrap.exec.rules]]\npattern = [\"ls\"]\ndecison = \"allow\"",
	    3, 1, "decison", "unknown key", "decision" },
	{ "[[agentwrap.exec.rules]]\npattern = [\"ls\"]\n"
	  "justificaton = \"x\"",
	    3, 1, "justificaton", "unknown key", "justification" },
	{ "[[agentwrap.exec.rules]]\npattern = [\"ls\"]\nmatch = \"x\"", 3, 1,
	    "match", "unknown key 'match'", NULL },
	{ "agentwrap.exec.rules = [{ pattern = [\"ls\"], decisions = "
	  "\"allow\" }]",
	    1, 45, "decisions", "unknown key", "decision" },

	/* a global '*' deny */
	{ "[features.network_proxy]\ndomains = { \"*\" = \"deny\" }", 2, 13,
	    "domains", "global '*' deny", NULL },
	{ "[features.network_proxy]\n"
	  "domains = { \"a.com\" = \"allow\", \"*\" = \"deny\" }",
	    2, 32, "domains", "global '*' deny", NULL },

	/* paths that must be absolute, names that must be names */
	{ "[sandbox_workspace_write]\nwritable_roots = [\"rel/dir\"]", 2, 19,
	    "writable_roots", "relative path 'rel/dir'", NULL },
	{ "[sandbox_workspace_write]\nwritable_roots = [\"/ok\", \"./x\"]", 2,
	    26, "writable_roots", "relative path './x'", NULL },
	{ "[sandbox_workspace_write]\nwritable_roots = [\"~user/x\"]", 2, 19,
	    "writable_roots", "relative path", NULL },
	{ "[sandbox_workspace_write]\nwritable_roots = [\"\"]", 2, 19,
	    "writable_roots", "empty path", NULL },
	{ "[sandbox_workspace_write]\nwritable_roots = [\"/a\\u0000b\"]", 2, 19,
	    "writable_roots", "NUL", NULL },
	{ "[agentwrap.filesystem]\npaths = { \"secrets\" = \"deny\" }", 2, 11,
	    "paths", "relative path 'secrets'", NULL },
	{ "[agentwrap.filesystem]\npaths = { \"\" = \"deny\" }", 2, 11, "paths",
	    "empty", NULL },
	{ "[features.network_proxy]\nunix_sockets = { \"x.sock\" = "
	  "\"allow\" }",
	    2, 18, "unix_sockets", "relative path 'x.sock'", NULL },
	{ "[features.network_proxy]\nunix_sockets = { \"@\" = \"allow\" }", 2,
	    18, "unix_sockets", "empty abstract", NULL },
	{ "[agentwrap.filesystem]\nprotected = [\"a/b\"]", 2, 14, "protected",
	    "not a file name", NULL },
	{ "[agentwrap.filesystem]\nprotected = [\"..\"]", 2, 14, "protected",
	    "not a file name", NULL },
	{ "[agentwrap.filesystem]\nprotected = [\".\"]", 2, 14, "protected",
	    "not a file name", NULL },
	{ "[agentwrap.filesystem]\nprotected = [\"\"]", 2, 14, "protected",
	    "not a file name", NULL },

	/* deeper in a document, with comments and other keys around */
	{ "# agentwrap config\nmodel = \"o3\"\n\n[sandbox_workspace_write]\n"
	  "network_access = true   # comment\n  writable_roots = [\n"
	  "    \"/ok\",\n    \"relative\",\n  ]\n",
	    8, 5, "writable_roots", "relative path 'relative'", NULL },
	{ "[mcp_servers.x]\ncommand = \"npx\"\n\n[features.network_proxy]\n"
	  "enabled = true\n\tdomains = { \"ok.com\" = \"allow\", "
	  "\"bad host.com\" = \"allow\" }",
	    6, 34, "domains", "malformed domain pattern 'bad host.com'", NULL },

	/* not TOML at all: the parser's position */
	{ "sandbox_mode = ", 1, 16, "", "", NULL },
	{ "sandbox_mode = \"read-only\"\nsandbox_mode = \"never\"", 2, 1, "",
	    "", NULL },
	{ "[sandbox_workspace_write\nnetwork_access = true", 1, 25, "", "",
	    NULL },
};

static void
assert_error(const char *doc, const char *e, int line, int col, const char *key,
    const char *msg, const char *dym)
{
	char prefix[64], want[128];

	snprintf(prefix, sizeof(prefix), NAME ":%d:%d: ", line, col);
	ck_assert_msg(strncmp(e, prefix, strlen(prefix)) == 0,
	    "doc <<%s>>: error \"%s\" does not start with \"%s\"", doc, e,
	    prefix);
	ck_assert_msg(strlen(e) > strlen(prefix), "empty message");
	ck_assert_msg(strstr(e + strlen(prefix), key) != NULL,
	    "doc <<%s>>: error \"%s\" does not name \"%s\"", doc, e, key);
	ck_assert_msg(strstr(e, msg) != NULL,
	    "doc <<%s>>: error \"%s\" does not say \"%s\"", doc, e, msg);
	ck_assert_msg(strchr(e, '\n') == NULL, "multi-line error: %s", e);
	if (dym == NULL) {
		ck_assert_msg(strstr(e, "did you mean") == NULL,
		    "doc <<%s>>: unexpected suggestion: %s", doc, e);
		return;
	}
	snprintf(want, sizeof(want), "; did you mean '%s'?", dym);
	ck_assert_msg(strlen(e) >= strlen(want) &&
		strcmp(e + strlen(e) - strlen(want), want) == 0,
	    "doc <<%s>>: error \"%s\" does not end with \"%s\"", doc, e, want);
}

START_TEST(test_bad)
{
	const struct bad_case *c = &bad_cases[_i];

	ck_assert_msg(apply(c->doc) == -1, "accepted: %s", c->doc);
	assert_error(c->doc, err, c->line, c->col, c->key, c->msg, c->dym);
}
END_TEST

/* A rejected document leaves the scalars it did not reach alone and never
 * turns a scalar into something half-set. */
START_TEST(test_bad_keeps_scalars)
{
	ck_assert_int_eq(apply("sandbox_mode = \"read-only\""), 0);
	ck_assert_int_eq(apply("approval_policy = \"bogus\""), -1);
	ck_assert_int_eq(cfg.s[CFG_SANDBOX_MODE].val, SANDBOX_READ_ONLY);
	ck_assert_int_eq(cfg.s[CFG_APPROVAL_POLICY].val, APPROVAL_ON_REQUEST);
	ck_assert_str_eq(cfg.s[CFG_APPROVAL_POLICY].where, "default");
	/* a rejected array does not replace the old one */
	ck_assert_int_eq(apply("agentwrap.filesystem.protected = [\".hg\", "
			       "\"a/b\"]"),
	    -1);
	ck_assert_uint_eq(cfg.l[CFG_PROTECTED].n, 4);
	ck_assert_int_eq(apply("agentwrap.exec.rules = [{ pattern = [\"a\"] }, "
			       "{ pattern = [] }]"),
	    -1);
	ck_assert_uint_eq(cfg.nrules, 0);
}
END_TEST

/* Malformed domain patterns, each in the same place. */
static const char *const bad_domains[] = {
	"**",
	"*.",
	"*.*",
	"*example.com",
	"a.*.com",
	"***.x.com",
	"https://a.com",
	"a.com:443",
	"a.com/path",
	"a b.com",
	"*.10.0.0.1",
	"-a.com",
	"a..com",
	"exa$mple.com",
	"1.2.3.4.5",
	"\\u00fcber.de",
	"a.com\\u0000",
	".",
	"*.-a.com",
};

START_TEST(test_bad_domain)
{
	char doc[256];

	snprintf(doc, sizeof(doc),
	    "[features.network_proxy]\n"
	    "domains = { \"%s\" = \"allow\" }",
	    bad_domains[_i]);
	ck_assert_msg(apply(doc) == -1, "accepted: %s", doc);
	assert_error(doc, err, 2, 13, "domains", "", NULL);
	ck_assert_msg(
	    strstr(err, "malformed") != NULL || strstr(err, "NUL") != NULL,
	    "%s", err);
	ck_assert_uint_eq(cfg.l[CFG_DOMAINS].n, 0);
	/* and through -c */
	snprintf(doc, sizeof(doc),
	    "features.network_proxy.domains="
	    "{ \"%s\" = \"allow\" }",
	    bad_domains[_i]);
	ck_assert_msg(
	    config_apply_assignment(&cfg, doc, err, sizeof(err)) == -1,
	    "accepted: %s", doc);
	ck_assert_msg(strstr(err, "domains") != NULL, "%s", err);
}
END_TEST

/* Keys of other Codex features are ignored, whatever they hold. */
static const char *const ignored_docs[] = {
	"model = \"o3\"",
	"model = \"o3\"\nmodel_provider = \"openai\"\n"
	"model_reasoning_effort = \"high\"\nnotify = [\"notify-send\"]\n"
	"hide_agent_reasoning = true\nproject_doc_max_bytes = 32768",
	"[mcp_servers.x]\ncommand = \"npx\"\nargs = [\"-y\", \"srv\"]\n"
	"env = { \"KEY\" = \"v\" }",
	"[mcp_servers.docs]\nurl = \"https://example.com/mcp\"",
	"[features]\nweb_search = true",
	"[features]\nweb_search_request = true\nunified_exec = false\n"
	"skills = true",
	"[profiles.x]\nsandbox_mode = \"bogus\"\napproval_policy = 1\n"
	"[profiles.x.sandbox_workspace_write]\nnetwrok_access = 1",
	"profile = \"fast\"\n[profiles.fast]\nmodel = \"o4-mini\"",
	"[tui]\nnotifications = true",
	"[projects.\"/home/tester/p\"]\ntrust_level = \"trusted\"",
	"[shell_environment_policy]\ninherit = \"core\"\n"
	"exclude = [\"AWS_*\"]",
	"[history]\npersistence = \"none\"",
	"[model_providers.x]\nname = \"X\"\nbase_url = \"http://x\"",
	"[features]\n[sandbox_workspace_write]\n[agentwrap]\n"
	"[agentwrap.exec]\n",
};

START_TEST(test_ignored)
{
	char *before, *after;

	before = print_cfg(&cfg);
	ck_assert_msg(
	    apply(ignored_docs[_i]) == 0, "<<%s>>: %s", ignored_docs[_i], err);
	after = print_cfg(&cfg);
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
}
END_TEST

/* config_edit_distance, for the suggestions */
static const struct {
	const char *a, *b;
	int d;
} dist_cases[] = {
	{ "", "", 0 },
	{ "a", "", 1 },
	{ "", "abc", 3 },
	{ "sandbox_mod", "sandbox_mode", 1 },
	{ "netwrok_access", "network_access", 2 },
	{ "kitten", "sitting", 3 },
	{ "abc", "abc", 0 },
};

START_TEST(test_edit_distance)
{
	ck_assert_int_eq(
	    config_edit_distance(dist_cases[_i].a, dist_cases[_i].b),
	    dist_cases[_i].d);
	ck_assert_int_eq(
	    config_edit_distance(dist_cases[_i].b, dist_cases[_i].a),
	    dist_cases[_i].d);
}
END_TEST

/* ---------------------------------------------------------------------
 * -c key.path=VALUE
 */

struct cli_good_case {
	const char *assign;
	int what; /* SCALAR, LIST, or -1: nothing */
	int id;
	int val;
	const char *where;
	const char *key; /* LIST: an entry to find */
	size_t n;
};

static const struct cli_good_case cli_good[] = {
	{ "sandbox_mode=read-only", SCALAR, CFG_SANDBOX_MODE, SANDBOX_READ_ONLY,
	    "-c sandbox_mode", NULL, 0 },
	{ "sandbox_mode=\"danger-full-access\"", SCALAR, CFG_SANDBOX_MODE,
	    SANDBOX_DANGER_FULL_ACCESS, "-c sandbox_mode", NULL, 0 },
	{ " sandbox_mode = 'read-only' ", SCALAR, CFG_SANDBOX_MODE,
	    SANDBOX_READ_ONLY, "-c sandbox_mode", NULL, 0 },
	{ "\"sandbox_mode\"=read-only", SCALAR, CFG_SANDBOX_MODE,
	    SANDBOX_READ_ONLY, "-c sandbox_mode", NULL, 0 },
	{ "approval_policy=never", SCALAR, CFG_APPROVAL_POLICY, APPROVAL_NEVER,
	    "-c approval_policy", NULL, 0 },
	{ "approval_policy=on-failure", SCALAR, CFG_APPROVAL_POLICY,
	    APPROVAL_ON_FAILURE, "-c approval_policy", NULL, 0 },
	{ "approval_timeout=30", SCALAR, CFG_APPROVAL_TIMEOUT, 30,
	    "-c approval_timeout", NULL, 0 },
	{ "sandbox_workspace_write.network_access=true", SCALAR,
	    CFG_NETWORK_ACCESS, 1, "-c sandbox_workspace_write.network_access",
	    NULL, 0 },
	{ "sandbox_workspace_write={ exclude_slash_tmp = true }", SCALAR,
	    CFG_EXCLUDE_SLASH_TMP, 1,
	    "-c sandbox_workspace_write.exclude_slash_tmp", NULL, 0 },
	{ "features.network_proxy=true", SCALAR, CFG_PROXY_ENABLED, 1,
	    "-c features.network_proxy", NULL, 0 },
	{ "features.network_proxy.enabled=true", SCALAR, CFG_PROXY_ENABLED, 1,
	    "-c features.network_proxy.enabled", NULL, 0 },
	{ "features.network_proxy.allow_local_binding=true", SCALAR,
	    CFG_ALLOW_LOCAL_BINDING, 1,
	    "-c features.network_proxy.allow_local_binding", NULL, 0 },
	{ "features.network_proxy.enable_socks5=false", SCALAR,
	    CFG_ENABLE_SOCKS5, 0, "-c features.network_proxy.enable_socks5",
	    NULL, 0 },
	{ "features.network_proxy.domains={ \"a.com\" = \"allow\" }", LIST,
	    CFG_DOMAINS, DOMAIN_ALLOW, "-c features.network_proxy.domains",
	    "a.com", 1 },
	{ "features.network_proxy.domains={ \"api.openai.com\" = \"allow\", "
	  "\"example.com\" = \"deny\" }",
	    LIST, CFG_DOMAINS, DOMAIN_DENY, "-c features.network_proxy.domains",
	    "example.com", 2 },
	{ "features.network_proxy.unix_sockets={ \"/run/d.sock\" = "
	  "\"allow\" }",
	    LIST, CFG_UNIX_SOCKETS, 0, "-c features.network_proxy.unix_sockets",
	    "/run/d.sock", 1 },
	{ "sandbox_workspace_write.writable_roots=[\"/srv\", \"~/x\"]", LIST,
	    CFG_WRITABLE_ROOTS, 0, "-c sandbox_workspace_write.writable_roots",
	    HOME "/x", 2 },
	{ "agentwrap.filesystem.paths={ \"/secret\" = \"deny\" }", LIST,
	    CFG_FS_PATHS, ACCESS_DENY, "-c agentwrap.filesystem.paths",
	    "/secret", 14 },
	{ "agentwrap.filesystem.protected=[\".hg\"]", LIST, CFG_PROTECTED, 0,
	    "-c agentwrap.filesystem.protected", ".hg", 1 },
	/* one entry of a map */
	{ "features.network_proxy.domains.\"a.com\"=allow", LIST, CFG_DOMAINS,
	    DOMAIN_ALLOW, "-c features.network_proxy.domains", "a.com", 1 },
	{ "agentwrap.filesystem.paths.\"~/.ssh\"=\"read\"", LIST, CFG_FS_PATHS,
	    ACCESS_READ, "-c agentwrap.filesystem.paths", "~/.ssh", 13 },
	{ "features.network_proxy.unix_sockets.'/run/s'=allow", LIST,
	    CFG_UNIX_SOCKETS, 0, "-c features.network_proxy.unix_sockets",
	    "/run/s", 1 },
	/* ignored: other Codex features */
	{ "model=o3", -1, 0, 0, NULL, NULL, 0 },
	{ "model=\"gpt-5\"", -1, 0, 0, NULL, NULL, 0 },
	{ "features.web_search=true", -1, 0, 0, NULL, NULL, 0 },
	{ "mcp_servers.x.command=npx", -1, 0, 0, NULL, NULL, 0 },
	{ "profiles.x.sandbox_mode=bogus", -1, 0, 0, NULL, NULL, 0 },
};

START_TEST(test_cli_good)
{
	const struct cli_good_case *c = &cli_good[_i];
	const struct cfg_entry *e;
	char *before, *after;

	before = print_cfg(&cfg);
	ck_assert_msg(
	    config_apply_assignment(&cfg, c->assign, err, sizeof(err)) == 0,
	    "%s: %s", c->assign, err);
	if (c->what == SCALAR) {
		ck_assert_int_eq(cfg.s[c->id].val, c->val);
		ck_assert_str_eq(cfg.s[c->id].where, c->where);
	} else if (c->what == LIST) {
		ck_assert_uint_eq(cfg.l[c->id].n, c->n);
		e = list_find(&cfg.l[c->id], c->key);
		ck_assert_msg(e != NULL, "no %s", c->key);
		ck_assert_int_eq(e->val, c->val);
		ck_assert_str_eq(e->where, c->where);
	} else {
		after = print_cfg(&cfg);
		ck_assert_str_eq(after, before);
		free(after);
	}
	free(before);
}
END_TEST

START_TEST(test_cli_rules)
{
	ck_assert_msg(
	    config_apply_assignment(&cfg,
		"agentwrap.exec.rules="
		"[{ pattern = [\"git\", [\"push\", \"pull\"]], decision = "
		"\"prompt\" }]",
		err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_uint_eq(cfg.nrules, 1);
	ck_assert_uint_eq(cfg.rules[0].word[1].nalt, 2);
	ck_assert_int_eq(cfg.rules[0].decision, EXEC_PROMPT);
	ck_assert_str_eq(cfg.rules[0].where, "-c agentwrap.exec.rules");
	ck_assert_str_eq(cfg.rules_where, "-c agentwrap.exec.rules");
}
END_TEST

struct cli_bad_case {
	const char *assign;
	const char *msg;
	const char *dym;
};

static const struct cli_bad_case cli_bad[] = {
	{ "sandbox_mode", "key=value", NULL },
	{ "=read-only", "bad key", NULL },
	{ "sandbox_mode=bogus", "bad value 'bogus'", NULL },
	{ "sandbox_mode=", "sandbox_mode", NULL },
	{ "sandbox_mode=true", "expected a string", NULL },
	{ "sandbox_mod=read-only", "unknown key 'sandbox_mod'",
	    "sandbox_mode" },
	{ "sandbox_mode.x=1", "sandbox_mode is not a table", NULL },
	{ "approval_policy=ask", "approval_policy", NULL },
	{ "approval_timeout=0", "approval_timeout: 0 is out of range", NULL },
	{ "approval_timeout=soon", "expected an integer number of seconds",
	    NULL },
	{ "sandbox_workspace_write.network_access=yes",
	    "network_access: expected a boolean", NULL },
	{ "sandbox_workspace_write.netwrok_access=true",
	    "unknown key 'netwrok_access' in [sandbox_workspace_write]",
	    "network_access" },
	{ "sandbox_workspace_write.writable_roots=/srv",
	    "writable_roots: expected an array", NULL },
	{ "sandbox_workspace_write.writable_roots=[\"srv\"]",
	    "relative path 'srv'", NULL },
	{ "features.network_proxy=maybe", "network_proxy", NULL },
	{ "features.network_proxy.enabled=1", "enabled: expected a boolean",
	    NULL },
	{ "features.network_proxy.domains={ \"*\" = \"deny\" }",
	    "global '*' deny", NULL },
	{ "features.network_proxy.domains=a.com", "domains: expected a table",
	    NULL },
	{ "features.network_proxy.domain={}", "unknown key 'domain'",
	    "domains" },
	{ "features.network_proxy.enabled.x=true", "is not a table", NULL },
	{ "agentwrap.filesystem.paths={ \"rel\" = \"deny\" }",
	    "relative path 'rel'", NULL },
	{ "agentwrap.filesystm.paths={}", "unknown key 'filesystm'",
	    "filesystem" },
	{ "agentwrap.exec.rules=[{ decision = \"allow\" }]",
	    "without a pattern", NULL },
	{ "agentwrap.foo=1", "unknown key 'foo' in [agentwrap]", NULL },
	{ "features.network_proxy.domains.\"*\"=deny", "global '*' deny",
	    NULL },
	{ "features.network_proxy.domains.\"a b\"=allow",
	    "malformed domain pattern 'a b'", NULL },
	{ "features.network_proxy.domains.\"a.com\"=block",
	    "bad value for 'a.com'", NULL },
	{ "agentwrap.filesystem.paths.rel=deny", "relative path 'rel'", NULL },
};

START_TEST(test_cli_bad)
{
	const struct cli_bad_case *c = &cli_bad[_i];
	char prefix[256], want[128];

	ck_assert_msg(
	    config_apply_assignment(&cfg, c->assign, err, sizeof(err)) == -1,
	    "accepted: %s", c->assign);
	snprintf(prefix, sizeof(prefix), "-c '%s': ", c->assign);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
	    "error \"%s\" does not start with \"%s\"", err, prefix);
	ck_assert_msg(strstr(err + strlen(prefix), c->msg) != NULL,
	    "error \"%s\" does not say \"%s\"", err, c->msg);
	if (c->dym == NULL)
		ck_assert_msg(strstr(err, "did you mean") == NULL, "%s", err);
	else {
		snprintf(want, sizeof(want), "; did you mean '%s'?", c->dym);
		ck_assert_msg(strstr(err, want) != NULL,
		    "error \"%s\" does not suggest %s", err, c->dym);
	}
	/* nothing changed */
	ck_assert_int_eq(cfg.s[CFG_SANDBOX_MODE].val, SANDBOX_WORKSPACE_WRITE);
	ck_assert_str_eq(cfg.s[CFG_SANDBOX_MODE].where, "default");
}
END_TEST

/* ---------------------------------------------------------------------
 * Command-line options
 */

START_TEST(test_options)
{
	ck_assert_int_eq(config_set_sandbox(
			     &cfg, "read-only", "--sandbox", err, sizeof(err)),
	    0);
	ck_assert_int_eq(cfg.s[CFG_SANDBOX_MODE].val, SANDBOX_READ_ONLY);
	ck_assert_str_eq(cfg.s[CFG_SANDBOX_MODE].where, "--sandbox");
	ck_assert_int_eq(config_set_sandbox(
			     &cfg, "read_only", "--sandbox", err, sizeof(err)),
	    -1);
	ck_assert_msg(strstr(err, "--sandbox") != NULL &&
		strstr(err, "'read_only'") != NULL,
	    "%s", err);
	ck_assert_int_eq(cfg.s[CFG_SANDBOX_MODE].val, SANDBOX_READ_ONLY);

	ck_assert_int_eq(
	    config_set_approval(&cfg, "untrusted", "-a", err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.s[CFG_APPROVAL_POLICY].val, APPROVAL_UNTRUSTED);
	ck_assert_str_eq(cfg.s[CFG_APPROVAL_POLICY].where, "-a");
	ck_assert_int_eq(
	    config_set_approval(&cfg, "", "-a", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "-a") != NULL, "%s", err);

	ck_assert_int_eq(config_set_workspace(&cfg, "sub/../proj", "/w", "--cd",
			     err, sizeof(err)),
	    0);
	ck_assert_str_eq(cfg.s[CFG_WORKSPACE].str, "/w/proj");
	ck_assert_str_eq(cfg.s[CFG_WORKSPACE].where, "--cd");
	ck_assert_int_eq(
	    config_set_workspace(&cfg, "/abs", "/w", "--cd", err, sizeof(err)),
	    0);
	ck_assert_str_eq(cfg.s[CFG_WORKSPACE].str, "/abs");
	ck_assert_int_eq(
	    config_set_workspace(&cfg, "", "/w", "--cd", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "--cd") != NULL, "%s", err);
	ck_assert_str_eq(cfg.s[CFG_WORKSPACE].str, "/abs");

	ck_assert_int_eq(
	    config_add_dir(&cfg, "../x", "/w/y", "--add-dir", err, sizeof(err)),
	    0);
	ck_assert_int_eq(
	    config_add_dir(&cfg, "/z", "/w/y", "--add-dir", err, sizeof(err)),
	    0);
	ck_assert_uint_eq(cfg.l[CFG_ADD_DIRS].n, 2);
	ck_assert_str_eq(cfg.l[CFG_ADD_DIRS].v[0].key, "/w/x");
	ck_assert_str_eq(cfg.l[CFG_ADD_DIRS].v[1].key, "/z");
	ck_assert_str_eq(cfg.l[CFG_ADD_DIRS].v[0].where, "--add-dir");
	ck_assert_int_eq(
	    config_add_dir(&cfg, "", "/w", "--add-dir", err, sizeof(err)), -1);
	ck_assert_uint_eq(cfg.l[CFG_ADD_DIRS].n, 2);
	/* --add-dir does not touch the config's writable_roots */
	ck_assert_uint_eq(cfg.l[CFG_WRITABLE_ROOTS].n, 0);

	ck_assert_int_eq(config_set_network(&cfg, true, "--network"), 0);
	ck_assert_int_eq(cfg.s[CFG_NETWORK_ACCESS].val, 1);
	ck_assert_str_eq(cfg.s[CFG_NETWORK_ACCESS].where, "--network");
}
END_TEST

START_TEST(test_expand_home)
{
	char out[64];

	ck_assert_int_eq(config_expand_home(&cfg, "~/a", out, sizeof(out)), 0);
	ck_assert_str_eq(out, HOME "/a");
	ck_assert_int_eq(config_expand_home(&cfg, "~", out, sizeof(out)), 0);
	ck_assert_str_eq(out, HOME);
	ck_assert_int_eq(config_expand_home(&cfg, "~x/a", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "~x/a");
	ck_assert_int_eq(config_expand_home(&cfg, "/a~", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "/a~");
	/* truncation is an error, not a shorter path */
	ck_assert_int_eq(config_expand_home(&cfg, "~/abcdef", out, 19), -1);
	ck_assert_int_eq(config_expand_home(&cfg, "~/abcdef", out, 20), 0);
	ck_assert_str_eq(out, HOME "/abcdef");
}
END_TEST

/* ---------------------------------------------------------------------
 * Layering: later sources win; maps merge per key; arrays replace.
 */

START_TEST(test_layer_scalars)
{
	ck_assert_int_eq(
	    apply_as(&cfg, "user.toml",
		"sandbox_mode = \"read-only\"\napproval_policy = \"never\"\n"
		"[sandbox_workspace_write]\nnetwork_access = true\n"),
	    0);
	ck_assert_int_eq(apply_as(&cfg, "extra.toml",
			     "sandbox_mode = \"danger-full-access\"\n"),
	    0);
	ck_assert_int_eq(
	    cfg.s[CFG_SANDBOX_MODE].val, SANDBOX_DANGER_FULL_ACCESS);
	ck_assert_str_eq(cfg.s[CFG_SANDBOX_MODE].where, "extra.toml:1:1");
	/* untouched by the later file */
	ck_assert_int_eq(cfg.s[CFG_APPROVAL_POLICY].val, APPROVAL_NEVER);
	ck_assert_str_eq(cfg.s[CFG_APPROVAL_POLICY].where, "user.toml:2:1");
	ck_assert_int_eq(cfg.s[CFG_NETWORK_ACCESS].val, 1);
	/* then an option, then -c */
	ck_assert_int_eq(config_set_sandbox(&cfg, "workspace-write",
			     "--sandbox", err, sizeof(err)),
	    0);
	ck_assert_int_eq(cfg.s[CFG_SANDBOX_MODE].val, SANDBOX_WORKSPACE_WRITE);
	ck_assert_int_eq(config_apply_assignment(
			     &cfg, "sandbox_mode=read-only", err, sizeof(err)),
	    0);
	ck_assert_int_eq(cfg.s[CFG_SANDBOX_MODE].val, SANDBOX_READ_ONLY);
	ck_assert_str_eq(cfg.s[CFG_SANDBOX_MODE].where, "-c sandbox_mode");
	ck_assert_int_eq(config_apply_assignment(&cfg,
			     "sandbox_workspace_write.network_access=false",
			     err, sizeof(err)),
	    0);
	ck_assert_int_eq(cfg.s[CFG_NETWORK_ACCESS].val, 0);
	/* the shorthand and the table agree on one setting */
	ck_assert_int_eq(apply("features.network_proxy = true"), 0);
	ck_assert_int_eq(apply("[features.network_proxy]\n"
			       "allow_local_binding = true"),
	    0);
	ck_assert_int_eq(cfg.s[CFG_PROXY_ENABLED].val, 1);
	ck_assert_int_eq(
	    config_apply_assignment(
		&cfg, "features.network_proxy.enabled=false", err, sizeof(err)),
	    0);
	ck_assert_int_eq(cfg.s[CFG_PROXY_ENABLED].val, 0);
	ck_assert_int_eq(cfg.s[CFG_ALLOW_LOCAL_BINDING].val, 1);
}
END_TEST

static void
assert_entry(int id, const char *key, int val, const char *where)
{
	const struct cfg_entry *e = list_find(&cfg.l[id], key);

	ck_assert_msg(e != NULL, "no entry %s", key);
	ck_assert_int_eq(e->val, val);
	ck_assert_str_eq(e->where, where);
}

START_TEST(test_layer_maps)
{
	size_t ndef = cfg.l[CFG_FS_PATHS].n;

	ck_assert_int_eq(
	    apply_as(&cfg, "a.toml",
		"[features.network_proxy]\n"
		"domains = { \"a.com\" = \"allow\", \"b.com\" = \"allow\" }\n"
		"unix_sockets = { \"/run/a\" = \"allow\" }\n"
		"[agentwrap.filesystem]\n"
		"paths = { \"/data\" = \"deny\" }\n"),
	    0);
	ck_assert_int_eq(
	    apply_as(&cfg, "b.toml",
		"[features.network_proxy]\n"
		"domains = { \"b.com\" = \"deny\", \"c.com\" = \"allow\" }\n"
		"unix_sockets = { \"/run/b\" = \"allow\" }\n"
		"[agentwrap.filesystem]\n"
		"paths = { \"~/.ssh\" = \"read\" }\n"),
	    0);
	ck_assert_int_eq(
	    config_apply_assignment(&cfg,
		"features.network_proxy.domains={ \"c.com\" = \"deny\", "
		"\"d.com\" = \"allow\" }",
		err, sizeof(err)),
	    0);

	ck_assert_uint_eq(cfg.l[CFG_DOMAINS].n, 4);
	assert_entry(CFG_DOMAINS, "a.com", DOMAIN_ALLOW, "a.toml:2:13");
	assert_entry(CFG_DOMAINS, "b.com", DOMAIN_DENY, "b.toml:2:13");
	assert_entry(CFG_DOMAINS, "c.com", DOMAIN_DENY,
	    "-c features.network_proxy.domains");
	assert_entry(CFG_DOMAINS, "d.com", DOMAIN_ALLOW,
	    "-c features.network_proxy.domains");
	ck_assert_uint_eq(cfg.l[CFG_UNIX_SOCKETS].n, 2);
	assert_entry(CFG_UNIX_SOCKETS, "/run/a", 0, "a.toml:3:18");
	assert_entry(CFG_UNIX_SOCKETS, "/run/b", 0, "b.toml:3:18");
	/* filesystem paths merge with the defaults too */
	ck_assert_uint_eq(cfg.l[CFG_FS_PATHS].n, ndef + 1);
	assert_entry(CFG_FS_PATHS, "/data", ACCESS_DENY, "a.toml:5:11");
	assert_entry(CFG_FS_PATHS, "~/.ssh", ACCESS_READ, "b.toml:5:11");
	assert_entry(CFG_FS_PATHS, "~/.aws", ACCESS_ASK, "default");
}
END_TEST

START_TEST(test_layer_arrays)
{
	ck_assert_int_eq(
	    apply_as(&cfg, "a.toml",
		"[sandbox_workspace_write]\nwritable_roots = [\"/a\", \"/b\"]\n"
		"[agentwrap.filesystem]\nprotected = [\".git\", \".hg\", "
		"\".svn\"]\n"
		"[[agentwrap.exec.rules]]\npattern = [\"a\"]\n"
		"[[agentwrap.exec.rules]]\npattern = [\"b\"]\n"),
	    0);
	ck_assert_uint_eq(cfg.l[CFG_WRITABLE_ROOTS].n, 2);
	ck_assert_uint_eq(cfg.l[CFG_PROTECTED].n, 3);
	ck_assert_uint_eq(cfg.nrules, 2);
	ck_assert_int_eq(
	    apply_as(&cfg, "b.toml",
		"[sandbox_workspace_write]\nwritable_roots = [\"/c\"]\n"
		"[agentwrap.filesystem]\nprotected = [\".jj\"]\n"
		"[[agentwrap.exec.rules]]\npattern = [\"c\"]\n"
		"decision = \"forbidden\"\n"),
	    0);
	ck_assert_uint_eq(cfg.l[CFG_WRITABLE_ROOTS].n, 1);
	ck_assert_str_eq(cfg.l[CFG_WRITABLE_ROOTS].v[0].key, "/c");
	ck_assert_str_eq(cfg.l[CFG_WRITABLE_ROOTS].where, "b.toml:2:1");
	ck_assert_uint_eq(cfg.l[CFG_PROTECTED].n, 1);
	ck_assert_str_eq(cfg.l[CFG_PROTECTED].v[0].key, ".jj");
	ck_assert_uint_eq(cfg.nrules, 1);
	ck_assert_str_eq(cfg.rules[0].word[0].alt[0], "c");
	ck_assert_str_eq(cfg.rules_where, "b.toml:5:18");
	/* -c replaces too; a later file that does not name them keeps them */
	ck_assert_int_eq(
	    config_apply_assignment(&cfg,
		"sandbox_workspace_write.writable_roots=[]", err, sizeof(err)),
	    0);
	ck_assert_uint_eq(cfg.l[CFG_WRITABLE_ROOTS].n, 0);
	ck_assert_int_eq(apply_as(&cfg, "c.toml", "model = \"x\""), 0);
	ck_assert_uint_eq(cfg.l[CFG_PROTECTED].n, 1);
	ck_assert_uint_eq(cfg.nrules, 1);
}
END_TEST

/* ---------------------------------------------------------------------
 * config_print parses back into an equal configuration.
 */

static void
assert_same(const struct config *a, const struct config *b)
{
	size_t i, j, k;

	for (i = 0; i < CFG_NSCALARS; i++)
		if (i != CFG_WORKSPACE)
			ck_assert_msg(a->s[i].val == b->s[i].val,
			    "scalar %zu: %d != %d", i, a->s[i].val,
			    b->s[i].val);
	for (i = 0; i < CFG_NLISTS; i++) {
		if (i == CFG_ADD_DIRS) /* a command-line option only */
			continue;
		ck_assert_msg(a->l[i].n == b->l[i].n, "list %zu: %zu != %zu", i,
		    a->l[i].n, b->l[i].n);
		for (j = 0; j < a->l[i].n; j++) {
			ck_assert_str_eq(a->l[i].v[j].key, b->l[i].v[j].key);
			ck_assert_int_eq(a->l[i].v[j].val, b->l[i].v[j].val);
		}
	}
	ck_assert_uint_eq(a->nrules, b->nrules);
	for (i = 0; i < a->nrules; i++) {
		const struct cfg_exec_rule *ra = &a->rules[i],
					   *rb = &b->rules[i];

		ck_assert_int_eq(ra->decision, rb->decision);
		ck_assert_uint_eq(ra->nword, rb->nword);
		for (j = 0; j < ra->nword; j++) {
			ck_assert_uint_eq(ra->word[j].nalt, rb->word[j].nalt);
			for (k = 0; k < ra->word[j].nalt; k++)
				ck_assert_str_eq(
				    ra->word[j].alt[k], rb->word[j].alt[k]);
		}
		if (ra->justification == NULL)
			ck_assert_ptr_null(rb->justification);
		else
			ck_assert_str_eq(ra->justification, rb->justification);
	}
}

struct rt_case {
	const char *docs[2];
	const char *doc_name; /* NULL: NAME */
	const char *assign[3];
	const char *add_dirs[3];
	const char *workspace;
	const char *file; /* config_note_file */
};

static const struct rt_case rt_cases[] = {
	/* the defaults */
	{ { NULL }, NULL, { NULL }, { NULL }, NULL, NULL },
	/* everything set */
	{ { "sandbox_mode = \"read-only\"\napproval_policy = \"untrusted\"\n"
	    "[sandbox_workspace_write]\n"
	    "writable_roots = [\"/srv\", \"~/out\"]\n"
	    "network_access = true\nexclude_tmpdir_env_var = true\n"
	    "exclude_slash_tmp = true\n"
	    "[features.network_proxy]\nenabled = true\n"
	    "allow_local_binding = true\nenable_socks5 = false\n"
	    "enable_socks5_udp = false\nallow_upstream_proxy = false\n"
	    "dangerously_allow_non_loopback_proxy = true\n"
	    "dangerously_allow_all_unix_sockets = true\n"
	    "domains = { \"*\" = \"allow\", \"bad.example.com\" = \"deny\", "
	    "\"**.Example.ORG.\" = \"allow\", \"[::1]\" = \"allow\" }\n"
	    "unix_sockets = { \"/run/docker.sock\" = \"allow\", "
	    "\"@dbus\" = \"allow\" }\n"
	    "[agentwrap.filesystem]\n"
	    "paths = { \"/etc/shadow\" = \"deny\", \"~/.ssh\" = \"read\", "
	    "\"~\" = \"write\" }\n"
	    "protected = [\".git\", \".hg\"]\n"
	    "[[agentwrap.exec.rules]]\n"
	    "pattern = [\"git\", [\"push\", \"fetch\", \"pull\"], \"origin\"]\n"
	    "decision = \"prompt\"\n"
	    "justification = \"talks to the \\\"network\\\"\\n\\ttwice\"\n"
	    "[[agentwrap.exec.rules]]\npattern = [\"/usr/bin/rm\"]\n"
	    "decision = \"forbidden\"\n"
	    "[[agentwrap.exec.rules]]\npattern = [[\"ls\"]]\n",
	      NULL },
	    NULL, { NULL }, { NULL }, NULL, NULL },
	/* empty arrays */
	{ { "agentwrap.filesystem.protected = []\n"
	    "sandbox_workspace_write.writable_roots = []\n"
	    "agentwrap.exec.rules = []\n",
	      NULL },
	    NULL, { NULL }, { NULL }, NULL, NULL },
	/* odd bytes in every string TOML can carry */
	{ { "[sandbox_workspace_write]\n"
	    "writable_roots = [\"/a\\u0001b\", \"/tab\\there\", "
	    "\"/\\u00fc\\u2603\","
	    " \"/q\\\"uote\\\\back\", \"/new\\nline\", \"/del\\u007f\","
	    " \"/astral\\U0001F600\"]\n"
	    "[agentwrap.filesystem.paths]\n"
	    "\"/x = \\\"write\\\"\\n[agentwrap]\" = \"deny\"\n",
	      NULL },
	    NULL, { NULL }, { NULL }, NULL, NULL },
	/* two layers and -c */
	{ { "[features.network_proxy]\ndomains = { \"a.com\" = \"allow\" }\n"
	    "[agentwrap.filesystem]\npaths = { \"/x\" = \"deny\" }\n",
	      "[features.network_proxy]\ndomains = { \"b.com\" = \"deny\" }\n"
	      "[agentwrap.filesystem]\npaths = { \"~/.aws\" = \"write\" }\n" },
	    NULL,
	    { "sandbox_mode=danger-full-access", "features.network_proxy=true",
		"agentwrap.exec.rules=[{ pattern = [\"x\"] }]" },
	    { NULL }, NULL, NULL },
	/* odd bytes where only the command line can put them */
	{ { "sandbox_mode = \"read-only\"\n", NULL }, NULL, { NULL },
	    { "/a\nsandbox_mode = \"danger-full-access\"",
		"/b\x01\x7f\xff\xfe"
		"\"\\]#",
		"/c\r\n[agentwrap]\nx = 1" },
	    "/ws\n[sandbox_workspace_write]\nnetwork_access = true",
	    "/cfg\nsandbox_mode = \"danger-full-access\"\xc3\x28" },
	/* and in a config file's name */
	{ { "sandbox_mode = \"read-only\"\n"
	    "[features.network_proxy]\ndomains = { \"a.com\" = \"allow\" }\n"
	    "[[agentwrap.exec.rules]]\npattern = [\"x\"]\n",
	      NULL },
	    "/etc/odd\nsandbox_mode = \"danger-full-access\"\n\xff.toml",
	    { NULL }, { NULL }, NULL, NULL },
};

START_TEST(test_round_trip)
{
	const struct rt_case *c = &rt_cases[_i];
	struct config back;
	char *text, *text2;
	size_t k;

	for (k = 0; k < nitems(c->docs) && c->docs[k] != NULL; k++)
		ck_assert_msg(apply_as(&cfg, c->doc_name ? c->doc_name : NAME,
				  c->docs[k]) == 0,
		    "%s", err);
	for (k = 0; k < nitems(c->assign) && c->assign[k] != NULL; k++)
		ck_assert_msg(config_apply_assignment(
				  &cfg, c->assign[k], err, sizeof(err)) == 0,
		    "%s", err);
	for (k = 0; k < nitems(c->add_dirs) && c->add_dirs[k] != NULL; k++)
		ck_assert_msg(config_add_dir(&cfg, c->add_dirs[k], "/",
				  "--add-dir", err, sizeof(err)) == 0,
		    "%s", err);
	if (c->workspace != NULL)
		ck_assert_int_eq(config_set_workspace(&cfg, c->workspace, "/",
				     "--cd", err, sizeof(err)),
		    0);
	if (c->file != NULL)
		ck_assert_int_eq(config_note_file(&cfg, c->file), 0);

	text = print_cfg(&cfg);
	ck_assert_int_eq(config_init(&back, HOME, TMP, XDG), 0);
	ck_assert_msg(config_apply_toml(&back, "printed", text, strlen(text),
			  err, sizeof(err)) == 0,
	    "%s\n---\n%s", err, text);
	assert_same(&cfg, &back);
	/* and the printout of the copy parses to the same again */
	text2 = print_cfg(&back);
	config_free(&back);
	ck_assert_int_eq(config_init(&back, HOME, TMP, XDG), 0);
	ck_assert_msg(config_apply_toml(&back, "printed2", text2, strlen(text2),
			  err, sizeof(err)) == 0,
	    "%s\n---\n%s", err, text2);
	assert_same(&cfg, &back);
	config_free(&back);
	free(text);
	free(text2);
}
END_TEST

/* Each value says where it came from. */
START_TEST(test_print_where)
{
	char *text;

	ck_assert_int_eq(
	    apply_as(&cfg, "/etc/aw.toml", "\nsandbox_mode = \"read-only\"\n"),
	    0);
	ck_assert_int_eq(config_apply_assignment(
			     &cfg, "approval_policy=never", err, sizeof(err)),
	    0);
	ck_assert_int_eq(config_set_network(&cfg, true, "--network"), 0);
	ck_assert_int_eq(
	    config_set_workspace(&cfg, "/w", "/", "--cd", err, sizeof(err)), 0);
	ck_assert_int_eq(
	    config_add_dir(&cfg, "/extra", "/", "--add-dir", err, sizeof(err)),
	    0);
	text = print_cfg(&cfg);
	ck_assert_msg(strstr(text,
			  "sandbox_mode = \"read-only\"  # "
			  "/etc/aw.toml:2:1\n") != NULL,
	    "%s", text);
	ck_assert_msg(strstr(text,
			  "approval_policy = \"never\"  # "
			  "-c approval_policy\n") != NULL,
	    "%s", text);
	ck_assert_msg(
	    strstr(text, "network_access = true  # --network\n") != NULL, "%s",
	    text);
	ck_assert_msg(
	    strstr(text, "exclude_slash_tmp = false  # default\n") != NULL,
	    "%s", text);
	ck_assert_msg(strstr(text, "\"/w\"  # --cd") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "\"/extra\"") != NULL, "%s", text);
	free(text);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("schema");
	tcase_add_checked_fixture(tc, cfg_setup, cfg_teardown);
	tcase_add_loop_test(tc, test_good, 0, nitems(good_cases));
	tcase_add_test(tc, test_good_rules);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_user_config_dir);
	tcase_add_loop_test(tc, test_ignored, 0, nitems(ignored_docs));
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, cfg_setup, cfg_teardown);
	tcase_add_loop_test(tc, test_bad, 0, nitems(bad_cases));
	tcase_add_test(tc, test_bad_keeps_scalars);
	tcase_add_loop_test(tc, test_bad_domain, 0, nitems(bad_domains));
	tcase_add_loop_test(tc, test_edit_distance, 0, nitems(dist_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("cli");
	tcase_add_checked_fixture(tc, cfg_setup, cfg_teardown);
	tcase_add_loop_test(tc, test_cli_good, 0, nitems(cli_good));
	tcase_add_test(tc, test_cli_rules);
	tcase_add_loop_test(tc, test_cli_bad, 0, nitems(cli_bad));
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_expand_home);
	suite_add_tcase(s, tc);

	tc = tcase_create("layers");
	tcase_add_checked_fixture(tc, cfg_setup, cfg_teardown);
	tcase_add_test(tc, test_layer_scalars);
	tcase_add_test(tc, test_layer_maps);
	tcase_add_test(tc, test_layer_arrays);
	suite_add_tcase(s, tc);

	tc = tcase_create("print");
	tcase_add_checked_fixture(tc, cfg_setup, cfg_teardown);
	tcase_add_loop_test(tc, test_round_trip, 0, nitems(rt_cases));
	tcase_add_test(tc, test_print_where);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int nfailed;

	srunner_run_all(sr, CK_ENV);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
