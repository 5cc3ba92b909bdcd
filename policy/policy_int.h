/*
 * policy_int.h: the compiled policy's layout, shared by policy.c (which
 * builds and reads it) and snapshot.c (which writes and loads it). Not for
 * other modules.
 */
#ifndef AGENTWRAP_POLICY_INT_H
#define AGENTWRAP_POLICY_INT_H

#include "config.h"
#include "netaddr.h"
#include "policy.h"

/* What a path entry in the compiled policy is */
enum pk {
	PK_ROOT, /* a writable root */
	PK_RULE, /* [agentwrap.filesystem] paths entry, with an access */
	PK_CONFIG, /* agentwrap's own configuration: never writable */
	PK_GITDIR, /* a git directory found at a root (a .git file names it) */
	PK_GITPROT, /* core.hooksPath, or a part of a git directory reached
		       through a symlink: protected outright */
	PK_OUTPUT, /* --audit, --save-grants: never writable */
};
#define PK_LAST PK_OUTPUT

struct pol_path {
	char *path; /* canonical */
	int kind; /* enum pk */
	int access; /* PK_RULE: enum cfg_access */
	char *label; /* as the user wrote it, or a name */
	char where[CFG_WHERE];
};

struct pol_domain {
	struct hostpat pat;
	int decision; /* enum cfg_domain_decision */
	const char *key; /* as written (points into cfg) */
	const char *where;
};

struct pol_unix {
	char *path; /* canonical, or "@name" */
	const char *key;
};

struct policy {
	const struct config *cfg; /* outlives the policy */
	struct config *owned_cfg; /* loaded from a snapshot: freed with it */
	int mode;
	int approval;
	int net_on;
	int proxy;
	int watch; /* the seccomp watch is there for uncovered programs */
	int proxy_port; /* agentwrap's proxy on 127.0.0.1, or 0 */
	struct pol_path *paths;
	size_t npaths;
	struct pol_domain *domains;
	size_t ndomains;
	struct pol_unix *unix_socks;
	size_t nunix;
	char roots_text[1024]; /* "/home/u/proj, /tmp" */
	struct pol_grant *grants; /* session grants (grant.c) */
	size_t ngrants;
	int arena; /* loaded into an arena: never freed */
	long long t0_sec; /* when it was compiled (CLOCK_REALTIME) */
	long t0_nsec;
};

/*
 * grant.c: if a grant matches (OP, and the canonical PATH, normalised
 * HOST or ARGV the decision used), fill D from it and return 1; else 0.
 * Only called for a request that would otherwise be asked.
 */
int grant_decide(const struct policy *pol, int op, const char *path,
    const char *host, const char *const *argv, size_t argc,
    struct pol_decision *d);
void grant_free_all(struct policy *pol);

/*
 * Canonicalise PATH (relative to CWD) through FS with pathres FLAGS and
 * add it as an entry of KIND. 0, or -1 (no canonical form, no memory).
 */
int policy_add_path(struct policy *pol, const struct pathres_fs *fs,
    const char *cwd, const char *path, int flags, int kind, int access,
    const char *label, const char *wh);

/*
 * gitscan.c, at compile time: what the git rules need to know of the
 * repository at the top of writable ROOT (canonical), and of the user's
 * and the system's git config (gitscan_global). 0, or -1 (no memory).
 */
int gitscan_root(
    struct policy *pol, const struct pathres_fs *fs, const char *root);
int gitscan_global(struct policy *pol, const struct pathres_fs *fs);

/*
 * gitrules.c: how a write changes an entry of a git directory: keeps its
 * name (open, truncate, chmod...), makes or removes it (mkdir, unlink...),
 * or is the old (FROM) or new (TO) name of a rename or link.
 */
#define GIT_OPEN 0
#define GIT_ENTRY 1
#define GIT_FROM 2
#define GIT_TO 3

/*
 * P (canonical) lies in a git directory whose path ends where GITDIR_END
 * points into P. Returns 1 with *WHY (a clause: "it is ...") if the write
 * HOW must be refused, 0 if it is git's ordinary work. SRC is the other
 * end of a rename or link (canonical), or NULL. The filesystem is looked
 * at through FS (pathres_lstat; NULL: the real filesystem).
 */
int gitrules_judge(const struct policy *pol, const struct pathres_lstat_fs *fs,
    const char *gitdir_end, const char *p, int how, const char *src,
    const char **why);

#endif /* AGENTWRAP_POLICY_INT_H */
