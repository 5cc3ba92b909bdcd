/*
 * dnsmsg.h: DNS messages (RFC 1035), read and written within bounds.
 *
 * The raw DNS interface (res_query and friends) is served by the
 * supervisor: the shim sends the question as a DNS query, the supervisor
 * asks its own name server and judges every address in the answer before
 * the tree sees it. The answer comes from a name server, which may be
 * anybody's: these readers take any bytes, never read past LEN, never
 * follow a compression pointer (they skip names, they do not expand them),
 * and fail on anything that does not add up.
 *
 * Pure: no allocation, no I/O, safe in a hook (the shim builds queries).
 */
#ifndef AGENTWRAP_DNSMSG_H
#define AGENTWRAP_DNSMSG_H

#include <stddef.h>
#include <stdint.h>

#include "netaddr.h"

#define DNSMSG_HDR 12
/* The largest answer handed to the tree (longer ones are cut, TC set) */
#define DNSMSG_MAX 4096
/* The largest query: header, a name of 255 bytes, type and class */
#define DNSMSG_QUERY_MAX (DNSMSG_HDR + 255 + 4)

#define DNSMSG_T_A 1
#define DNSMSG_T_AAAA 28
#define DNSMSG_C_IN 1

#define DNSMSG_NOERROR 0
#define DNSMSG_SERVFAIL 2
#define DNSMSG_NXDOMAIN 3

/* The one question of a message */
struct dnsmsg_q {
	char name[NETADDR_HOSTLEN]; /* as text, without the final dot */
	uint16_t type, klass;
	size_t end; /* the offset just past it */
};

/*
 * The question of the LEN bytes of M: exactly one, its name written out
 * in full (no pointer), every label of printable ASCII without '.', not
 * the root. 0, or -1.
 */
int dnsmsg_question(const uint8_t *m, size_t len, struct dnsmsg_q *q);

/*
 * Every A and AAAA record in the answer, authority and additional
 * sections of M (LEN bytes), of class IN or of any class whose data has
 * an address's length, the answer section's first, into
 * OUT (at most MAX); *NANSWER says how many of them are the answer
 * section's. Returns how many, or -1 if M is malformed (a count that the
 * bytes do not hold, a record that runs past the end, an A record whose
 * data is not 4 bytes, an AAAA not 16) or holds more than MAX.
 */
int dnsmsg_addrs(const uint8_t *m, size_t len, struct netaddr *out, size_t max,
    size_t *nanswer);

/*
 * A query for NAME (TYPE, KLASS; recursion desired) with ID into OUT
 * (CAP bytes); one final dot in NAME is the root's. Returns its length,
 * or -1 if NAME is not a host name of labels 1 to 63 bytes long, or does
 * not fit.
 */
int dnsmsg_query(uint8_t *out, size_t cap, uint16_t id, const char *name,
    uint16_t type, uint16_t klass);

/*
 * An answer to question Q of QUERY (its first Q->end bytes), made here:
 * RCODE, and one record (TTL seconds) for each of the N addresses A of
 * the family Q->type asks for (A or AAAA; none for other types). Returns
 * its length, or -1 if it does not fit CAP.
 */
int dnsmsg_reply(uint8_t *out, size_t cap, const uint8_t *query,
    const struct dnsmsg_q *q, int rcode, const struct netaddr *a, size_t n,
    uint32_t ttl);

/* The header's RCODE and ANCOUNT (LEN must be at least DNSMSG_HDR) */
int dnsmsg_rcode(const uint8_t *m);
int dnsmsg_ancount(const uint8_t *m);

#endif /* AGENTWRAP_DNSMSG_H */
