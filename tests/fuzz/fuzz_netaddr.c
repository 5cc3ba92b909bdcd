/*
 * libFuzzer target for policy/netaddr.c, which parses untrusted input.
 *
 * The input up to its first NUL is fed as one string to every parser
 * (netaddr_parse_ip, netaddr_norm_host, hostpat_parse,
 * netaddr_split_hostport); then, split at its first newline, as a pattern
 * and a host for hostpat_match.  Besides the sanitizers' own checks, it
 * aborts when an invariant of the contract in netaddr.h breaks:
 *  - parse -> format -> parse yields an equal address (same family, bytes
 *    and scope) and the same text;
 *  - the parser accepts exactly what glibc's inet_aton (exact form) and
 *    inet_pton accept, with the same bytes;
 *  - outputs fit the documented sizes, small buffers fail cleanly (they are
 *    heap-allocated to their exact size so that ASan sees any overrun);
 *  - normalisation is idempotent, patterns re-parse from their own text,
 *    and matching agrees with the documented semantics.
 */

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",       \
			    __FILE__, __LINE__, #cond);                        \
			abort();                                               \
		}                                                              \
	} while (0)

static const struct netaddr zero_addr;

static int
is_zero_addr(const struct netaddr *a)
{
	return memcmp(a, &zero_addr, sizeof(*a)) == 0;
}

/* A copy in a heap block of exactly len bytes (len >= 1), for ASan. */
static char *
exact_buf(size_t len)
{
	char *p = malloc(len);

	CHECK(p != NULL);
	memset(p, 'Z', len);
	return p;
}

/* glibc's view of s: __inet_aton_exact for IPv4, inet_pton for IPv6. */
static int
glibc_parse(const char *s, int *family, uint8_t bytes[16])
{
	struct in_addr in4;

	memset(bytes, 0, 16);
	if (strchr(s, ':') != NULL) {
		*family = AF_INET6;
		return inet_pton(AF_INET6, s, bytes) == 1;
	}
	*family = AF_INET;
	/* inet_aton ignores what follows whitespace; the exact form fails. */
	if (inet_aton(s, &in4) == 0 || strpbrk(s, " \t\n\v\f\r") != NULL)
		return 0;
	memcpy(bytes, &in4, 4);
	return 1;
}

static void
check_ip(const char *s)
{
	struct netaddr a, b, v4;
	char text[NETADDR_STRLEN], again[NETADDR_STRLEN];
	char norm[NETADDR_HOSTLEN], *small;
	struct hostpat p;
	enum netaddr_class c;
	uint8_t gb[16];
	size_t n, len;
	int gfam, gok, ours;

	ours = netaddr_parse_ip(s, &a) == 0;
	if (strchr(s, '[') == NULL && strchr(s, '%') == NULL) {
		gok = glibc_parse(s, &gfam, gb);
		CHECK(ours == gok);
		if (gok) {
			CHECK(a.family == gfam);
			CHECK(memcmp(a.addr, gb, 16) == 0);
		}
	}
	if (!ours) {
		CHECK(is_zero_addr(&a));
		return;
	}
	CHECK(a.family == AF_INET || a.family == AF_INET6);
	if (a.family == AF_INET) {
		CHECK(a.scope_id == 0);
		for (n = 4; n < 16; n++)
			CHECK(a.addr[n] == 0);
	}

	/* Round trip. */
	CHECK(netaddr_format(&a, text, sizeof(text)) == 0);
	n = strlen(text);
	CHECK(n > 0 && n < NETADDR_STRLEN);
	CHECK(netaddr_parse_ip(text, &b) == 0);
	CHECK(b.family == a.family);
	CHECK(memcmp(b.addr, a.addr, 16) == 0);
	CHECK(b.scope_id == a.scope_id);
	CHECK(netaddr_equal(&a, &b) && netaddr_equal(&b, &a));
	CHECK(netaddr_format(&b, again, sizeof(again)) == 0);
	CHECK(strcmp(text, again) == 0);

	/* Every too-small buffer fails and is left empty; the exact fits. */
	for (len = 1; len <= n + 1; len++) {
		small = exact_buf(len);
		if (len <= n) {
			CHECK(netaddr_format(&a, small, len) == -1);
			CHECK(small[0] == '\0');
		} else {
			CHECK(netaddr_format(&a, small, len) == 0);
			CHECK(strcmp(small, text) == 0);
		}
		free(small);
	}

	/* Classification. */
	c = netaddr_classify(&a);
	CHECK(c >= NETADDR_PUBLIC && c <= NETADDR_OTHER_SPECIAL);
	CHECK(strcmp(netaddr_class_name(c), "unknown") != 0);
	CHECK(netaddr_is_public(&a) == (c == NETADDR_PUBLIC));
	CHECK(netaddr_classify(&b) == c);
	if (netaddr_embedded_ipv4(&a, &v4) == 0) {
		CHECK(v4.family == AF_INET);
		/* No embedding turns a non-public IPv4 address public. */
		if (c == NETADDR_PUBLIC)
			CHECK(netaddr_is_public(&v4));
	} else
		CHECK(is_zero_addr(&v4));
	if (a.family == AF_INET) {
		/* Its v4-mapped form is the same address, same class. */
		memset(&b, 0, sizeof(b));
		b.family = AF_INET6;
		b.addr[10] = b.addr[11] = 0xff;
		memcpy(b.addr + 12, a.addr, 4);
		CHECK(netaddr_equal(&a, &b));
		CHECK(netaddr_classify(&b) == c);
	}

	/* Host normalisation gives the canonical text; a pattern matches it. */
	CHECK(netaddr_norm_host(s, norm, sizeof(norm), NULL) == 0);
	CHECK(strcmp(norm, text) == 0);
	CHECK(hostpat_parse(s, &p, NULL) == 0);
	CHECK(p.kind == HOSTPAT_IP);
	CHECK(strcmp(p.host, text) == 0);
	CHECK(hostpat_match(&p, s));
	CHECK(hostpat_match(&p, text));
}

static void
check_host(const char *s)
{
	char out[NETADDR_HOSTLEN], again[NETADDR_HOSTLEN], *small;
	struct netaddr a;
	struct hostpat p;
	const char *err = "unset";
	size_t n, i;
	int isip;

	isip = netaddr_parse_ip(s, &a) == 0;
	memset(out, 'Z', sizeof(out));
	if (netaddr_norm_host(s, out, sizeof(out), &err) == -1) {
		CHECK(err != NULL);
		CHECK(out[0] == '\0');
		return;
	}
	CHECK(err == NULL);
	n = strlen(out);
	CHECK(n > 0 && n <= NETADDR_HOST_MAX);
	if (!isip) {
		/* A normalised name is never an IP literal in any form. */
		CHECK(netaddr_parse_ip(out, &a) == -1);
		for (i = 0; i < n; i++)
			CHECK(!(out[i] >= 'A' && out[i] <= 'Z'));
		CHECK(out[n - 1] != '.');
	}
	/* Idempotent, also in place. */
	CHECK(netaddr_norm_host(out, again, sizeof(again), NULL) == 0);
	CHECK(strcmp(out, again) == 0);
	CHECK(netaddr_norm_host(again, again, sizeof(again), NULL) == 0);
	CHECK(strcmp(out, again) == 0);
	/* Exact-size output fits, one byte less does not. */
	small = exact_buf(n + 1);
	CHECK(netaddr_norm_host(s, small, n + 1, NULL) == 0);
	CHECK(strcmp(small, out) == 0);
	free(small);
	small = exact_buf(n);
	CHECK(netaddr_norm_host(s, small, n, &err) == -1);
	CHECK(err != NULL && small[0] == '\0');
	free(small);
	/* The host as an exact pattern matches itself. */
	if (!isip) {
		CHECK(hostpat_parse(s, &p, NULL) == 0);
		CHECK(p.kind == HOSTPAT_EXACT);
		CHECK(strcmp(p.host, out) == 0);
		CHECK(hostpat_match(&p, s));
		CHECK(hostpat_match(&p, out));
	}
}

static void
check_pattern(const char *s)
{
	struct hostpat p, q;
	char text[NETADDR_HOSTLEN + 8], sub[NETADDR_HOSTLEN + 8];
	const char *err = "unset";
	size_t n;
	int kind;

	memset(&p, 'Z', sizeof(p));
	if (hostpat_parse(s, &p, &err) == -1) {
		CHECK(err != NULL);
		CHECK(strncmp(err, "malformed pattern: ", 19) == 0);
		CHECK(p.kind == 0 && p.host[0] == '\0');
		CHECK(is_zero_addr(&p.ip));
		return;
	}
	CHECK(err == NULL);
	CHECK(p.kind >= HOSTPAT_EXACT && p.kind <= HOSTPAT_IP);
	n = strnlen(p.host, sizeof(p.host));
	CHECK(n > 0 && n <= NETADDR_HOST_MAX);
	CHECK(p.kind == HOSTPAT_IP || is_zero_addr(&p.ip));

	/* The pattern re-parses from its own normalised text. */
	switch (p.kind) {
	case HOSTPAT_SUBDOMAINS:
		snprintf(text, sizeof(text), "*.%s", p.host);
		break;
	case HOSTPAT_APEX_AND_SUB:
		snprintf(text, sizeof(text), "**.%s", p.host);
		break;
	default:
		snprintf(text, sizeof(text), "%s", p.host);
		break;
	}
	CHECK(hostpat_parse(text, &q, NULL) == 0);
	CHECK(q.kind == p.kind);
	CHECK(strcmp(q.host, p.host) == 0);
	CHECK(netaddr_equal(&q.ip, &p.ip) || p.kind != HOSTPAT_IP);

	/* Documented semantics on hosts built from the pattern. */
	kind = p.kind;
	snprintf(sub, sizeof(sub), "x.%s", p.host);
	switch (kind) {
	case HOSTPAT_EXACT:
		CHECK(hostpat_match(&p, p.host));
		CHECK(!hostpat_match(&p, sub));
		break;
	case HOSTPAT_SUBDOMAINS:
		CHECK(!hostpat_match(&p, p.host));
		CHECK(hostpat_match(&p, sub) == (n + 2 <= NETADDR_HOST_MAX));
		break;
	case HOSTPAT_APEX_AND_SUB:
		CHECK(hostpat_match(&p, p.host));
		CHECK(hostpat_match(&p, sub) == (n + 2 <= NETADDR_HOST_MAX));
		break;
	case HOSTPAT_ANY:
		CHECK(hostpat_match(&p, "example.com"));
		CHECK(!hostpat_match(&p, "localhost"));
		break;
	case HOSTPAT_IP:
		CHECK(hostpat_match(&p, p.host));
		CHECK(!hostpat_match(&p, "localhost"));
		break;
	}
	if (kind != HOSTPAT_IP) {
		CHECK(!hostpat_match(&p, "127.0.0.1"));
		CHECK(!hostpat_match(&p, "2130706433"));
		CHECK(!hostpat_match(&p, "::1"));
		CHECK(!hostpat_match(&p, "[::ffff:10.0.0.1]"));
	}
}

static int
ends_with_label(const char *name, const char *dom)
{
	size_t n = strlen(name), d = strlen(dom);

	return n > d + 1 && name[n - d - 1] == '.' &&
	    strcmp(name + n - d, dom) == 0;
}

static void
check_match(const char *pat, const char *host)
{
	char norm[NETADDR_HOSTLEN];
	struct netaddr a;
	struct hostpat p;
	bool m;

	if (hostpat_parse(pat, &p, NULL) == -1)
		return;
	m = hostpat_match(&p, host);
	if (netaddr_parse_ip(host, &a) == 0) {
		switch (p.kind) {
		case HOSTPAT_IP:
			CHECK(m == netaddr_equal(&p.ip, &a));
			break;
		case HOSTPAT_ANY:
			CHECK(m == netaddr_is_public(&a));
			break;
		default:
			CHECK(!m);
		}
		return;
	}
	if (netaddr_norm_host(host, norm, sizeof(norm), NULL) == -1) {
		CHECK(!m);
		return;
	}
	/* Matching sees through case and the trailing dot. */
	CHECK(hostpat_match(&p, norm) == m);
	switch (p.kind) {
	case HOSTPAT_IP:
		CHECK(!m);
		break;
	case HOSTPAT_EXACT:
		CHECK(m == (strcmp(norm, p.host) == 0));
		break;
	case HOSTPAT_SUBDOMAINS:
		CHECK(m == ends_with_label(norm, p.host));
		break;
	case HOSTPAT_APEX_AND_SUB:
		CHECK(m ==
		    (strcmp(norm, p.host) == 0 ||
			ends_with_label(norm, p.host)));
		break;
	case HOSTPAT_ANY:
		CHECK(m ==
		    (strcmp(norm, "localhost") != 0 &&
			!ends_with_label(norm, "localhost")));
		break;
	}
}

static void
check_split(const char *s)
{
	char host[NETADDR_HOSTLEN], host2[NETADDR_HOSTLEN];
	char text[NETADDR_HOSTLEN + 16], *small;
	const char *err = "unset";
	struct netaddr a;
	int port = 7, port2;
	size_t n;

	memset(host, 'Z', sizeof(host));
	if (netaddr_split_hostport(s, host, sizeof(host), &port, &err) == -1) {
		CHECK(err != NULL);
		CHECK(host[0] == '\0' && port == -1);
		return;
	}
	CHECK(err == NULL);
	CHECK(port >= -1 && port <= 65535);
	n = strlen(host);
	CHECK(n > 0 && n < sizeof(host));
	CHECK(strchr(host, '[') == NULL && strchr(host, ']') == NULL);
	if (s[0] == '[' || strchr(host, ':') != NULL) {
		CHECK(netaddr_parse_ip(host, &a) == 0);
		CHECK(a.family == AF_INET6);
	}
	/* Joined back, it splits the same. */
	if (strchr(host, ':') != NULL)
		snprintf(text, sizeof(text), "[%s]", host);
	else
		snprintf(text, sizeof(text), "%s", host);
	if (port != -1)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    ":%d", port);
	CHECK(netaddr_split_hostport(
		  text, host2, sizeof(host2), &port2, NULL) == 0);
	CHECK(strcmp(host, host2) == 0 && port == port2);
	/* Exact-size host buffer fits, one byte less does not. */
	small = exact_buf(n + 1);
	CHECK(netaddr_split_hostport(s, small, n + 1, &port2, NULL) == 0);
	CHECK(strcmp(small, host) == 0);
	free(small);
	small = exact_buf(n);
	CHECK(netaddr_split_hostport(s, small, n, &port2, &err) == -1);
	CHECK(err != NULL && small[0] == '\0' && port2 == -1);
	free(small);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *nl;

	/* Every valid input is far shorter; longer only slows the search. */
	if (size > 1024)
		return 0;
	s = malloc(size + 1);
	CHECK(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';

	check_ip(s);
	check_host(s);
	check_pattern(s);
	check_split(s);
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		check_match(s, nl + 1);
		check_match(nl + 1, s);
	}
	free(s);
	return 0;
}
