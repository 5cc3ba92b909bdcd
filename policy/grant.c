/*
 * grant.c: session grants, the rules that "allow for this session" and
 * "deny for this session" answers add to a compiled policy while a command
 * runs (policy.h explains what one covers).
 *
 * Runs in the supervisor (which adds them) and, through the policy
 * snapshot, in the shim (which only reads them). A grant is consulted only
 * for a request the rest of the policy would ask about, so it settles
 * questions and nothing else: a deny stays a deny, an allow an allow.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policy_int.h"

static const char *const system_dirs[] = { "/bin", "/usr/bin", "/usr/local/bin",
	"/sbin", "/usr/sbin", "/usr/local/sbin", NULL };

/* The canonical text of host H (a name or an IP address) into OUT. */
static int
norm_host(const char *h, char *out, size_t cap)
{
	struct netaddr a;
	const char *why;

	if (h == NULL || *h == '\0')
		return -1;
	if (netaddr_parse_ip(h, &a) == 0) {
		netaddr_format(&a, out, cap);
		return 0;
	}
	return netaddr_norm_host(h, out, cap, &why);
}

static char *
dup_or_null(const char *s, int *bad)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*bad = 1;
	return d;
}

static void
grant_free(struct pol_grant *g)
{
	free((char *)g->path);
	free((char *)g->host);
	free((char *)g->argv[0]);
	free((char *)g->argv[1]);
	free((char *)g->exe);
	free((char *)g->label);
	memset(g, 0, sizeof(*g));
}

int
policy_add_grant(struct policy *pol, const struct pol_grant *g)
{
	struct pol_grant *ng, n;
	char host[NETADDR_HOSTLEN];
	size_t i;
	int op = g->op, bad = 0;

	if (pol->arena || pol->ngrants >= POL_MAX_GRANTS)
		return -1;
	memset(&n, 0, sizeof(n));
	switch (op) {
	case OP_READ:
	case OP_WRITE:
	case OP_UNIX:
		if (g->path == NULL ||
		    (g->path[0] != '/' &&
			!(op == OP_UNIX && g->path[0] == '@')) ||
		    strlen(g->path) >= PATH_MAX)
			return -1;
		n.path = dup_or_null(g->path, &bad);
		break;
	case OP_RESOLVE:
	case OP_CONNECT:
	case OP_BIND:
		if (norm_host(g->host, host, sizeof(host)) == -1)
			return -1;
		if (op == OP_RESOLVE)
			op = OP_CONNECT;
		n.host = dup_or_null(host, &bad);
		break;
	case OP_EXEC:
		if (g->argc < 1 || g->argc > 2)
			return -1;
		for (i = 0; i < g->argc; i++) {
			if (g->argv[i] == NULL || g->argv[i][0] == '\0')
				return -1;
			n.argv[i] = dup_or_null(g->argv[i], &bad);
		}
		n.argc = g->argc;
		if (g->exe != NULL && g->exe[0] == '/')
			n.exe = dup_or_null(g->exe, &bad);
		break;
	default:
		return -1;
	}
	n.op = op;
	n.allow = g->allow != 0;
	n.label = dup_or_null(g->label ? g->label : "a session grant", &bad);
	if (bad ||
	    (ng = reallocarray(pol->grants, pol->ngrants + 1, sizeof(*ng))) ==
		NULL) {
		grant_free(&n);
		return -1;
	}
	pol->grants = ng;
	pol->grants[pol->ngrants++] = n;
	return 0;
}

size_t
policy_ngrants(const struct policy *pol)
{
	return pol->ngrants;
}

const struct pol_grant *
policy_grant_at(const struct policy *pol, size_t i)
{
	return i < pol->ngrants ? &pol->grants[i] : NULL;
}

void
grant_free_all(struct policy *pol)
{
	size_t i;

	for (i = 0; i < pol->ngrants; i++)
		grant_free(&pol->grants[i]);
	free(pol->grants);
	pol->grants = NULL;
	pol->ngrants = 0;
}

/* Does the program word W of a request stand for the grant's first word? */
static int
program_match(const struct pol_grant *g, const char *w)
{
	const char *base;
	size_t i, n;

	if (strcmp(w, g->argv[0]) == 0 ||
	    (g->exe != NULL && strcmp(w, g->exe) == 0))
		return 1;
	if (strchr(g->argv[0], '/') != NULL || w[0] != '/')
		return 0;
	base = strrchr(w, '/') + 1;
	if (strcmp(base, g->argv[0]) != 0)
		return 0;
	n = (size_t)(base - w) - 1;
	for (i = 0; system_dirs[i] != NULL; i++)
		if (strlen(system_dirs[i]) == n &&
		    strncmp(system_dirs[i], w, n) == 0)
			return 1;
	return 0;
}

static int
matches(const struct pol_grant *g, int op, const char *path, const char *host,
    const char *const *argv, size_t argc)
{
	switch (op) {
	case OP_READ:
	case OP_WRITE:
	case OP_UNIX:
		return g->op == op && path != NULL && g->path != NULL &&
		    strcmp(g->path, path) == 0;
	case OP_RESOLVE:
	case OP_CONNECT:
	case OP_BIND:
		return g->op == (op == OP_BIND ? OP_BIND : OP_CONNECT) &&
		    host != NULL && g->host != NULL &&
		    strcmp(g->host, host) == 0;
	case OP_EXEC:
		if (g->op != OP_EXEC || argv == NULL || argc < g->argc ||
		    argv[0] == NULL)
			return 0;
		if (!program_match(g, argv[0]))
			return 0;
		return g->argc < 2 ||
		    (argv[1] != NULL && strcmp(argv[1], g->argv[1]) == 0);
	}
	return 0;
}

static const char *
what(int op)
{
	switch (op) {
	case OP_READ:
		return "reading";
	case OP_WRITE:
		return "writing";
	case OP_UNIX:
		return "connecting to the Unix socket";
	case OP_BIND:
		return "binding";
	case OP_EXEC:
		return "running";
	default:
		return "reaching";
	}
}

int
grant_decide(const struct policy *pol, int op, const char *path,
    const char *host, const char *const *argv, size_t argc,
    struct pol_decision *d)
{
	const struct pol_grant *g, *hit = NULL;
	char hostbuf[NETADDR_HOSTLEN];
	const char *obj;
	size_t i;

	if (host != NULL) {
		if (norm_host(host, hostbuf, sizeof(hostbuf)) == -1)
			return 0;
		host = hostbuf;
	}

	/* a deny for the session wins over an allow */
	for (i = 0; i < pol->ngrants; i++) {
		g = &pol->grants[i];
		if (!matches(g, op, path, host, argv, argc))
			continue;
		if (hit == NULL || !g->allow)
			hit = g;
		if (!g->allow)
			break;
	}
	if (hit == NULL)
		return 0;
	obj = path != NULL	       ? path
	    : host != NULL	       ? host
	    : argv != NULL && argc > 0 ? argv[0]
				       : "?";
	d->verdict = hit->allow ? VERDICT_ALLOW : VERDICT_DENY;
	snprintf(d->rule, sizeof(d->rule), "%s", POL_GRANT_RULE);
	if (!d->terse)
		snprintf(d->why, sizeof(d->why),
		    "%s %s is %s for this session (%s)", what(op), obj,
		    hit->allow ? "allowed" : "denied", hit->label);
	return 1;
}
