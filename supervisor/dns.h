/*
 * dns.h: the supervisor's resolver and its pin table.
 *
 * Where the domain rules judge names (policy_judges_names), a watched
 * process's getaddrinfo and gethostbyname* ask the supervisor, which
 * resolves the name with its own resolver state (the system's
 * configuration, never the tree's environment), judges every answer, and
 * hands out the addresses itself. getaddrinfo blocks, so lookups run on
 * worker threads of this module, never in the event loop: a request whose
 * name is not known yet waits (its ring slot stays BUSY) while the loop
 * serves everyone else, and is decided again when dns_ready() says its
 * lookup finished or gave up (after DNS_TIMEOUT_MS).
 *
 * Answers are kept for the session (at most DNS_MAX_NAMES names; a name's
 * answer is looked up again after DNS_TTL_MS or what dns_set_ttl says, and until the new one comes
 * decisions that are only re-checks use the old one). The --resolve table
 * answers before any of this and never goes to a thread.
 *
 * The pin table: every address handed out for a name the policy allowed,
 * with that name, for the rest of the session (at most DNS_MAX_PINS, the
 * oldest forgotten first). A connect to a public address no rule names is
 * allowed if it is pinned (pol_pinned_fn): the table lives here, in the
 * supervisor, where no process of the tree can write it.
 *
 * Runs in the supervisor: dns_* from the event loop's thread only.
 */
#ifndef AGENTWRAP_DNS_H
#define AGENTWRAP_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "explain.h"
#include "netaddr.h"

#define DNS_TIMEOUT_MS 2000
#define DNS_TTL_MS 60000
#define DNS_MAX_NAMES 4096
#define DNS_MAX_PINS 4096
#define DNS_MAX_ADDRS 32
#define DNS_WORKERS 2
/* A key of dns_raw's: "#TYPE#CLASS#NAME" */
#define DNS_KEYLEN (NETADDR_HOSTLEN + 16)

/* dns_answer's result when the answer is not known yet */
#define DNS_PENDING (-3)

struct dns;

/* A resolver with the --resolve table RT (may be NULL); NULL when out of
 * memory or threads. */
struct dns *dns_new(const struct resolve_table *rt);
/* The same with LOOKUP in the workers instead of resolve_system (tests) */
typedef int (*dns_lookup_fn)(const char *name, struct netaddr *out, size_t max);
struct dns *dns_new_with(const struct resolve_table *rt, dns_lookup_fn lookup);
/* The raw lookup of dns_raw (tests; resolve_raw in dns.c otherwise):
 * the answer to NAME, TYPE, KLASS into OUT, its length, or 0 if none */
typedef int (*dns_raw_fn)(
    const char *name, int type, int klass, uint8_t *out, size_t cap);
void dns_set_raw_lookup(struct dns *d, dns_raw_fn fn);
/* Stops the workers. A lookup still running is waited for a little (it
 * may be about to finish), then abandoned: its thread is detached and the
 * module left to it, freed with the process (see dns.c). */
void dns_free(struct dns *d);

/* Use an answer again for MS milliseconds (DNS_TTL_MS unless set) */
void dns_set_ttl(struct dns *d, uint64_t ms);

/* The descriptor the loop polls for POLLIN: a lookup finished */
int dns_pollfd(const struct dns *d);
/* Milliseconds until the next lookup gives up (-1: none running) */
int dns_next_ms(const struct dns *d);

/*
 * NAME's answer: how many addresses (at most MAX into OUT), 0 if it does
 * not resolve (or the lookup failed or timed out), or DNS_PENDING if it is
 * not known yet (or is too old and FRESH asks for a new one): a lookup is
 * then started, unless one runs already. With FRESH 0 an old answer is
 * good enough, and an unknown name is not looked up (0).
 */
int dns_answer(struct dns *d, const char *name, int fresh, struct netaddr *out,
    size_t max);

/*
 * The raw DNS interface (res_query and friends): the answer to the query
 * NAME, TYPE, KLASS from the system's name servers, asked by a worker
 * with a resolver state of the supervisor's own (the tree's environment
 * and its own server lists play no part). Its length (at most CAP bytes
 * copied into OUT, as the name server sent them: the caller judges
 * them), 0 if none came (or timed out), or DNS_PENDING: a lookup started,
 * and dns_ready() will name KEY (KEYLEN bytes, DNS_KEYLEN is enough) when
 * it is over. A name in the --resolve table gets an answer made from it
 * (its A or AAAA addresses; NXDOMAIN if listed without any), never a
 * query. Answers are used again as dns_answer's are.
 */
int dns_raw(struct dns *d, const char *name, int type, int klass, uint8_t *out,
    size_t cap, char *key, size_t keylen);

/*
 * Collect finished lookups (and those past DNS_TIMEOUT_MS): calls
 * FN(CTX, NAME) once for each name (or dns_raw key) whose answer became
 * known. FN may call
 * dns_answer() and dns_pin().
 */
void dns_ready(
    struct dns *d, void (*fn)(void *ctx, const char *name), void *ctx);

/* Pin the N addresses A as handed out for NAME */
void dns_pin(
    struct dns *d, const struct netaddr *a, size_t n, const char *name);
/* A pol_pinned_fn (CTX is the struct dns; NULL: nothing is pinned) */
int dns_pinned(void *ctx, const struct netaddr *a, char *name, size_t namelen);
/* A pol_resolve_fn that never blocks: dns_answer(CTX, NAME, 0, ...) */
int dns_cached_fn(void *ctx, const char *name, struct netaddr *out, size_t max);

#endif /* AGENTWRAP_DNS_H */
