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
	PK_GITDIR, /* the gitdir a .git file points to: protected */
};

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

#endif /* AGENTWRAP_POLICY_INT_H */
