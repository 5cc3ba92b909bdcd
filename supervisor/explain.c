/*
 * explain.c: --explain and --resolve.
 *
 * Runs in the supervisor. What it prints can contain path names and host
 * names from the command line; they are escaped with strnvis(3) so that a
 * name cannot draw on the terminal.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <err.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vis.h>

#include "explain.h"

#define RT_MAX_ADDRS 16

struct resolve_table {
	struct resolve_table *next;
	char host[NETADDR_HOSTLEN];
	struct netaddr addrs[RT_MAX_ADDRS];
	size_t naddrs;
};

int
resolve_table_add(
    struct resolve_table **t, const char *spec, char *err, size_t errlen)
{
	struct resolve_table *e;
	const char *eq, *why = NULL;
	char name[NETADDR_HOSTLEN * 2], *list, *tok, *save = NULL;
	size_t n;

	if ((eq = strchr(spec, '=')) == NULL || eq == spec) {
		snprintf(err, errlen,
		    "--resolve %s: expected HOST=ADDR[,ADDR...]", spec);
		return -1;
	}
	n = (size_t)(eq - spec);
	if (n >= sizeof(name)) {
		snprintf(err, errlen, "--resolve: host name too long");
		return -1;
	}
	memcpy(name, spec, n);
	name[n] = '\0';
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (netaddr_norm_host(name, e->host, sizeof(e->host), &why) == -1) {
		snprintf(
		    err, errlen, "--resolve %s: bad host name: %s", spec, why);
		free(e);
		return -1;
	}
	if ((list = strdup(eq + 1)) == NULL) {
		free(e);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (e->naddrs == RT_MAX_ADDRS ||
		    netaddr_parse_ip(tok, &e->addrs[e->naddrs]) == -1) {
			snprintf(err, errlen,
			    "--resolve %s: '%s' is not an IP "
			    "address (or too many)",
			    spec, tok);
			free(list);
			free(e);
			return -1;
		}
		e->naddrs++;
	}
	free(list);
	e->next = *t;
	*t = e;
	return 0;
}

void
resolve_table_free(struct resolve_table *t)
{
	struct resolve_table *next;

	for (; t != NULL; t = next) {
		next = t->next;
		free(t);
	}
}

int
resolve_table_find(const struct resolve_table *rt, const char *name,
    struct netaddr *out, size_t max)
{
	const struct resolve_table *t;
	size_t n = 0;

	for (t = rt; t != NULL; t = t->next)
		if (strcmp(t->host, name) == 0) {
			for (; n < t->naddrs && n < max; n++)
				out[n] = t->addrs[n];
			return (int)n;
		}
	return RESOLVE_NOT_LISTED;
}

int
resolve_system(const char *name, struct netaddr *out, size_t max)
{
	struct addrinfo hints, *res, *ai;
	size_t n = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return 0;
	for (ai = res; ai != NULL && n < max; ai = ai->ai_next) {
		memset(&out[n], 0, sizeof(out[n]));
		if (ai->ai_family == AF_INET) {
			out[n].family = AF_INET;
			memcpy(out[n].addr,
			    &((struct sockaddr_in *)(void *)ai->ai_addr)
				 ->sin_addr,
			    4);
		} else if (ai->ai_family == AF_INET6) {
			out[n].family = AF_INET6;
			memcpy(out[n].addr,
			    &((struct sockaddr_in6 *)(void *)ai->ai_addr)
				 ->sin6_addr,
			    16);
		} else
			continue;
		n++;
	}
	freeaddrinfo(res);
	return (int)n;
}

int
resolve_lookup(void *ctx, const char *name, struct netaddr *out, size_t max)
{
	int n = resolve_table_find(ctx, name, out, max);

	return n != RESOLVE_NOT_LISTED ? n : resolve_system(name, out, max);
}

static int
usage(void)
{
	fprintf(stderr,
	    "usage: agentwrap [options] --explain read|write PATH\n"
	    "       agentwrap [options] --explain exec COMMAND [ARG...]\n"
	    "       agentwrap [options] --explain connect "
	    "HOST[:PORT]|IP|[IPv6]:PORT\n"
	    "       agentwrap [options] --explain resolve HOST\n"
	    "       agentwrap [options] --explain unix PATH\n"
	    "       agentwrap [options] --explain bind ADDR:PORT\n");
	return 125;
}

int
explain_run(const struct policy *pol, const char *cwd, struct resolve_table *rt,
    int argc, char **argv)
{
	struct pol_request req;
	struct pol_decision d;
	char host[NETADDR_HOSTLEN], *vis;
	const char *kind, *why = NULL;
	int port;

	if (argc < 2)
		return usage();
	memset(&req, 0, sizeof(req));
	req.cwd = cwd;
	req.port = -1;
	req.resolve = resolve_lookup;
	req.resolve_ctx = rt;
	kind = argv[0];
	if (strcmp(kind, "exec") == 0) {
		req.op = OP_EXEC;
		req.argv = (const char *const *)argv + 1;
		req.argc = (size_t)argc - 1;
	} else if (argc != 2)
		return usage();
	else if (strcmp(kind, "read") == 0 || strcmp(kind, "write") == 0) {
		req.op = kind[0] == 'r' ? OP_READ : OP_WRITE;
		req.path = argv[1];
	} else if (strcmp(kind, "unix") == 0) {
		req.op = OP_UNIX;
		req.path = argv[1];
	} else if (strcmp(kind, "connect") == 0 || strcmp(kind, "bind") == 0 ||
	    strcmp(kind, "resolve") == 0) {
		req.op = kind[0] == 'c' ? OP_CONNECT
		    : kind[0] == 'b'	? OP_BIND
					: OP_RESOLVE;
		if (netaddr_split_hostport(
			argv[1], host, sizeof(host), &port, &why) == -1) {
			warnx("--explain %s %s: %s", kind, argv[1], why);
			return 125;
		}
		if (req.op == OP_BIND && port == -1) {
			warnx("--explain bind needs ADDR:PORT");
			return 125;
		}
		req.host = host;
		req.port = port;
	} else
		return usage();
	policy_decide(pol, &req, &d);
	if (stravis(&vis, d.why, VIS_OCTAL | VIS_CSTYLE | VIS_TAB | VIS_NL) ==
	    -1)
		err(125, "stravis");
	printf("%s: %s\n", policy_verdict_name(d.verdict), vis);
	free(vis);
	if (fflush(stdout) != 0)
		return 125;
	return (int)d.verdict;
}
