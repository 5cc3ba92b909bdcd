/*
 * config.h: agentwrap's configuration: Codex-compatible TOML keys plus the
 * [agentwrap.*] tables, layered from defaults, files and command-line options,
 * each value remembering where it came from.
 *
 * Runs in the supervisor. Parses untrusted input (config files, -c values);
 * every error carries file:line:col and the key.
 */
#ifndef AGENTWRAP_CONFIG_H
#define AGENTWRAP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "toml.h"

#define CFG_WHERE 224 /* "file:line:col" or "default" or "-c key" */
#define CFG_ERR 1024

enum cfg_sandbox {
	SANDBOX_READ_ONLY,
	SANDBOX_WORKSPACE_WRITE,
	SANDBOX_DANGER_FULL_ACCESS,
};

enum cfg_approval {
	APPROVAL_UNTRUSTED,
	APPROVAL_ON_REQUEST,
	APPROVAL_ON_FAILURE,
	APPROVAL_NEVER,
};

/* [agentwrap.filesystem] paths values; also used for compiled rules */
enum cfg_access {
	ACCESS_WRITE,
	ACCESS_READ,
	ACCESS_ASK,
	ACCESS_DENY,
};

enum cfg_exec_decision {
	EXEC_ALLOW,
	EXEC_PROMPT,
	EXEC_FORBIDDEN,
};

/* agentwrap.filesystem.git: what git may write in its git directories */
enum cfg_git {
	GIT_WORK, /* its ordinary files; hooks, config... stay protected */
	GIT_READ_ONLY, /* nothing: the whole directory is protected */
};

/* agentwrap.uncovered: an exec of a program the shim cannot follow */
enum cfg_uncovered {
	UNCOVERED_ALLOW, /* it runs, and is reported as not covered */
	UNCOVERED_ASK, /* it needs approval */
	UNCOVERED_DENY, /* it does not run */
};

/* agentwrap.landlock: when the tree gets a Landlock ruleset */
enum cfg_landlock {
	LANDLOCK_CFG_AUTO, /* when no answer could widen the policy */
	LANDLOCK_CFG_ON,
	LANDLOCK_CFG_OFF,
};

enum cfg_domain_decision {
	DOMAIN_ALLOW,
	DOMAIN_DENY,
};

/* Scalar settings, indexed into config.s[] */
enum cfg_scalar_id {
	CFG_SANDBOX_MODE,
	CFG_APPROVAL_POLICY,
	CFG_WORKSPACE, /* -C; .str */
	CFG_NETWORK_ACCESS,
	CFG_EXCLUDE_TMPDIR_ENV_VAR,
	CFG_EXCLUDE_SLASH_TMP,
	CFG_PROXY_ENABLED,
	CFG_ALLOW_LOCAL_BINDING,
	CFG_ENABLE_SOCKS5,
	CFG_ENABLE_SOCKS5_UDP,
	CFG_ALLOW_UPSTREAM_PROXY,
	CFG_NON_LOOPBACK_PROXY,
	CFG_ALL_UNIX_SOCKETS,
	CFG_APPROVAL_TIMEOUT, /* seconds an open question waits */
	CFG_GIT_MODE, /* agentwrap.filesystem.git: enum cfg_git */
	CFG_UNCOVERED, /* agentwrap.uncovered: enum cfg_uncovered */
	CFG_LANDLOCK, /* agentwrap.landlock: enum cfg_landlock */
	CFG_STRICT, /* agentwrap.strict: the watch for the whole tree */
	CFG_NSCALARS
};

#define CFG_APPROVAL_TIMEOUT_DEFAULT 300
#define CFG_APPROVAL_TIMEOUT_MAX 2147483 /* seconds: INT_MAX ms */

/* Lists and maps, indexed into config.l[] */
enum cfg_list_id {
	CFG_WRITABLE_ROOTS, /* key: absolute path */
	CFG_ADD_DIRS, /* key: absolute path (--add-dir) */
	CFG_DOMAINS, /* key: host pattern, val: cfg_domain_decision */
	CFG_UNIX_SOCKETS, /* key: path or @abstract, val: 0 (allow) */
	CFG_FS_PATHS, /* key: path as written (~ allowed), val: cfg_access */
	CFG_PROTECTED, /* key: a file name */
	CFG_RULES_FILES, /* key: absolute path of a Codex .rules file */
	CFG_NLISTS
};

struct cfg_scalar {
	int val;
	char *str; /* CFG_WORKSPACE only */
	char where[CFG_WHERE];
};

struct cfg_entry {
	char *key;
	int val;
	char where[CFG_WHERE];
};

struct cfg_list {
	struct cfg_entry *v;
	size_t n;
	char where[CFG_WHERE]; /* of the list as a whole */
};

/* One element of an exec rule's pattern: a word, or a list of alternatives */
struct cfg_exec_word {
	char **alt;
	size_t nalt;
};

struct cfg_exec_rule {
	struct cfg_exec_word *word;
	size_t nword;
	int decision; /* cfg_exec_decision */
	char *justification; /* may be NULL */
	char where[CFG_WHERE];
};

/* A file agentwrap writes during the run (--audit, --save-grants) */
struct cfg_output {
	char *path; /* absolute, canonical (main.c refuses any other) */
	char *what; /* the option: "--audit" */
};

struct config {
	struct cfg_scalar s[CFG_NSCALARS];
	struct cfg_list l[CFG_NLISTS];
	struct cfg_exec_rule *rules;
	size_t nrules;
	char rules_where[CFG_WHERE];
	char **files; /* config files read, canonical */
	size_t nfiles;
	struct cfg_output *outputs; /* never writable by the command */
	size_t noutputs;
	char *home; /* $HOME at load time, for ~ */
	char *tmpdir; /* $TMPDIR at load time, or NULL */
	char *user_config_dir; /* ${XDG_CONFIG_HOME:-~/.config}/agentwrap */
	/*
	 * Another user's directory in front of the user config that we may
	 * not search (HOME left over from su), or NULL: the command cannot
	 * reach what lies behind it either, so the policy keeps the paths it
	 * guards there as written instead of failing to resolve them.
	 */
	char *unreachable_dir;
};

/* Fill CFG with the built-in defaults. HOME and TMPDIR may be NULL. 0 or -1. */
int config_init(struct config *cfg, const char *home, const char *tmpdir,
    const char *xdg_config_home);
void config_free(struct config *cfg);
/* Free what one exec rule holds and zero it. */
void config_rule_free(struct cfg_exec_rule *r);

/*
 * Apply a TOML document (the contents of NAME) on top of CFG.
 * Returns 0, or -1 with "NAME:line:col: message" in err.
 */
int config_apply_toml(struct config *cfg, const char *name, const char *buf,
    size_t len, char *err, size_t errlen);

/*
 * Apply one `-c key.path=VALUE` assignment: VALUE is parsed as a TOML value,
 * or else taken as a string, as Codex does. 0 or -1 with a message in err.
 */
int config_apply_assignment(
    struct config *cfg, const char *assignment, char *err, size_t errlen);

/*
 * Apply one setting from a command-line option (-s, -a, -C, --add-dir, -n);
 * OPT names the option for --print-config and errors. CWD makes relative
 * directories absolute. 0 or -1.
 */
int config_set_sandbox(struct config *cfg, const char *mode, const char *opt,
    char *err, size_t errlen);
int config_set_approval(struct config *cfg, const char *policy, const char *opt,
    char *err, size_t errlen);
int config_set_workspace(struct config *cfg, const char *dir, const char *cwd,
    const char *opt, char *err, size_t errlen);
int config_add_dir(struct config *cfg, const char *dir, const char *cwd,
    const char *opt, char *err, size_t errlen);
int config_set_network(struct config *cfg, bool on, const char *opt);

/* Remember that FILE (canonical path) was read, so the policy protects it. */
int config_note_file(struct config *cfg, const char *file);

/* Remember that agentwrap writes PATH (absolute) for option WHAT, so the
 * policy protects it like a config file. 0 or -1. */
int config_note_output(struct config *cfg, const char *path, const char *what);

/* Expand a leading "~/" (or a lone "~") with cfg->home into out. 0 or -1. */
int config_expand_home(
    const struct config *cfg, const char *in, char *out, size_t outlen);

/* The effective configuration as TOML, each value with a comment saying where it came from. */
int config_print(const struct config *cfg, char **out, size_t *outlen);

const char *config_sandbox_name(int mode);
const char *config_approval_name(int policy);
const char *config_access_name(int access);
const char *config_exec_decision_name(int d);
const char *config_git_name(int mode);
const char *config_uncovered_name(int mode);
const char *config_landlock_name(int mode);

/* Levenshtein distance, capped; exported for tests. */
int config_edit_distance(const char *a, const char *b);

#endif /* AGENTWRAP_CONFIG_H */
