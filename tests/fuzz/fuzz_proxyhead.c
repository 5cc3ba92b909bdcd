/*
 * fuzz_proxyhead.c: arbitrary bytes as what a client sends agentwrap's
 * proxy. The head parser must never crash or read past the input, and what
 * it accepts must be what proxy.h documents: a host without spaces,
 * controls or '@', a port in range, and for an absolute-URI request a head
 * to send on that is in origin form, ends where a head ends, and carries
 * no hop-by-hop header but the one Connection: close it adds. The same
 * bytes then go to the SOCKS5 parser, whose answers are checked the same
 * way, and (as a string) to the parser of an upstream proxy's URL.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proxy.h"

static void
check_head(const struct proxy_req *r)
{
	static const char *const hop[] = { "connection:", "keep-alive:",
		"proxy-connection:", "proxy-authorization:",
		"proxy-authenticate:", "te:", "trailer:", "upgrade:" };
	const char *h = r->head, *end = r->head + r->head_len, *l, *sp;
	size_t i, nclose = 0;

	if (h == NULL || r->head_len < 4 || memcmp(end - 4, "\r\n\r\n", 4) != 0)
		abort();
	/* one blank line: the end */
	for (l = h; l + 4 <= end; l++)
		if (memcmp(l, "\r\n\r\n", 4) == 0 && l + 4 != end)
			abort();
	/* METHOD /... */
	if ((sp = memchr(h, ' ', r->head_len)) == NULL || sp + 1 >= end ||
	    sp[1] != '/')
		abort();
	for (l = memchr(h, '\n', r->head_len) + 1; l < end - 2;) {
		const char *le = memchr(l, '\r', (size_t)(end - l));

		if (le == NULL)
			abort();
		for (i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
			if ((size_t)(le - l) >= strlen(hop[i]) &&
			    strncasecmp(l, hop[i], strlen(hop[i])) == 0) {
				if (i != 0 ||
				    (size_t)(le - l) !=
					strlen("Connection: close") ||
				    strncmp(l, "Connection: close", 17) != 0)
					abort();
				nclose++;
			}
		l = le + 2;
	}
	if (nclose != 1)
		abort();
}

/* A host a parser accepted: no space, control, '@' or '/' */
static void
check_host(const char *h)
{
	if (h[0] == '\0')
		abort();
	for (; *h != '\0'; h++)
		if ((unsigned char)*h <= ' ' || *h == '@' || *h == '/' ||
		    *h == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_req r;
	char why[160], *copy;
	int v;

	/* a copy of exactly SIZE bytes: ASan sees any read past it */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	why[0] = '\0';
	v = proxy_parse_head(copy, size, &r, why, sizeof(why));
	switch (v) {
	case 0:
		if (size >= PROXY_HEAD_MAX || memmem(copy, size, "\r\n\r\n", 4))
			abort();
		break;
	case 1:
		if (r.port < 1 || r.port > 65535 || r.host[0] == '\0' ||
		    r.consumed < 4 || r.consumed > size ||
		    r.consumed > PROXY_HEAD_MAX)
			abort();
		check_host(r.host);
		if (r.connect && r.head != NULL)
			abort();
		if (!r.connect)
			check_head(&r);
		proxy_req_free(&r);
		break;
	case 400:
	case 431:
	case 503:
	case 505:
		if (why[0] == '\0')
			abort();
		break;
	default:
		abort();
	}
	/* the same bytes as a SOCKS5 client's */
	why[0] = '\0';
	v = proxy_parse_socks(copy, size, &r, why, sizeof(why));
	switch (v) {
	case 0:
		/* the longest greeting and request: 257 + 4 + 256 + 2 */
		if (size >= 519)
			abort();
		break;
	case 1:
		/* CONNECT to a port, or UDP ASSOCIATE (port 0: any) */
		if (r.port < (r.udp ? 0 : 1) || r.port > 65535 ||
		    r.host[0] == '\0' || r.greet_len < 3 ||
		    r.consumed <= r.greet_len || r.consumed > size ||
		    r.connect == r.udp || r.head != NULL)
			abort();
		check_host(r.host);
		break;
	case PROXY_SOCKS_NOAUTH:
	case PROXY_SOCKS_ERR | 1:
	case PROXY_SOCKS_ERR | 7:
	case PROXY_SOCKS_ERR | 8:
		if (why[0] == '\0')
			abort();
		break;
	default:
		abort();
	}
	/* as a datagram to the UDP relay */
	why[0] = '\0';
	v = proxy_parse_socks_udp(copy, size, &r, why, sizeof(why));
	if ((v == -1 && why[0] == '\0') || (v != 0 && v != -1))
		abort();
	if (v == 0) {
		if (r.port < 1 || r.port > 65535 || r.host[0] == '\0' ||
		    r.consumed < 8 || r.consumed > size)
			abort();
		check_host(r.host);
	}
	/* the same bytes, up to a NUL, as an upstream proxy's URL */
	{
		char url[1024], auth[520];
		size_t k = size < sizeof(url) - 1 ? size : sizeof(url) - 1;

		memcpy(url, copy, k);
		url[k] = '\0';
		why[0] = '\0';
		v = proxy_parse_upstream(
		    url, &r, auth, sizeof(auth), why, sizeof(why));
		if (v == -1 && why[0] == '\0')
			abort();
		if (v == 0 &&
		    (r.port < 1 || r.port > 65535 || r.host[0] == '\0' ||
			strspn(auth,
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx"
			    "yz"
			    "0123456789+/=") != strlen(auth)))
			abort();
		if (v != 0 && v != -1)
			abort();
	}
	free(copy);
	return 0;
}
