/*
 * explain.h: `agentwrap --explain KIND ...`: decide one request with the
 * effective policy and print `allow|deny|ask: why`; and the --resolve table
 * that answers name resolution without DNS.
 *
 * Runs in the supervisor.
 */
#ifndef AGENTWRAP_EXPLAIN_H
#define AGENTWRAP_EXPLAIN_H

#include <stddef.h>

#include "policy.h"

struct resolve_table;

/* Add a --resolve HOST=ADDR[,ADDR...] entry; an empty list means the name
 * does not resolve. 0 or -1 with a message. */
int resolve_table_add(
    struct resolve_table **t, const char *spec, char *err, size_t errlen);
void resolve_table_free(struct resolve_table *t);
/* NAME's addresses from the table RT (at most MAX; how many, 0 for a name
 * listed with none), or RESOLVE_NOT_LISTED */
#define RESOLVE_NOT_LISTED (-2)
int resolve_table_find(const struct resolve_table *rt, const char *name,
    struct netaddr *out, size_t max);
/* NAME's addresses from the system resolver (getaddrinfo: it blocks; not
 * in the event loop, see dns.h): how many, 0 if it does not resolve */
int resolve_system(const char *name, struct netaddr *out, size_t max);
/* A pol_resolve_fn: the table first, then the system resolver (blocks). */
int resolve_lookup(
    void *ctx, const char *name, struct netaddr *out, size_t max);

/*
 * Run --explain with ARGV (the words after --explain). Prints the verdict
 * line on stdout; returns the exit status (0 allow, 1 deny, 2 ask), or 125
 * after printing a usage error on stderr.
 */
int explain_run(const struct policy *pol, const char *cwd,
    struct resolve_table *rt, int argc, char **argv);

#endif /* AGENTWRAP_EXPLAIN_H */
