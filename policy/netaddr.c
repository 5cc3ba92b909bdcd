/*
 * netaddr: IP literals, host names and domain-rule patterns for the network
 * policy (see netaddr.h for the contract).
 *
 * Pure and runs in the supervisor's policy engine, where it parses untrusted
 * input: no I/O, no allocation, no mutable globals, no locale-dependent
 * ctype, no libc resolver or inet_* calls.  The IP parsers are written here
 * rather than borrowed from libc because the policy must recognise exactly
 * the literal forms glibc's resolver accepts (inet_aton's octal, hex and
 * short forms included): a form we missed would be taken for a host name
 * and matched against name rules, while libc would still connect to the
 * address it spells.  tests/unit/check_netaddr.c checks the parsers against
 * glibc's own.
 *
 * Every parser works on an explicit (pointer, length) range cut from a
 * NUL-terminated string, so nothing reads past the end, and numbers are
 * accumulated with a cap so that arbitrarily long digit strings cannot
 * overflow.
 */

#include <string.h>

#include "netaddr.h"

#define IFNAME_MAX 15 /* Linux IFNAMSIZ - 1 */
#define LABEL_MAX 63
#define V4_CAP 0x100000000ULL /* any value above 0xffffffff */

/* ASCII-only character classes: the C library's depend on the locale. */
static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int
to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int
netaddr_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * One inet_aton part starting at s[*ip], which is a digit: strtoul(3) base 0
 * semantics.  "0x" not followed by a hex digit is the number 0 followed by
 * an 'x', as in strtoul; the caller then rejects the 'x'.  The result is
 * capped at V4_CAP, which every caller rejects, as glibc rejects any part
 * above 0xffffffff (or ERANGE).
 */
static uint64_t
aton_part(const char *s, size_t n, size_t *ip)
{
	size_t i = *ip;
	uint64_t v = 0;
	int base = 10, d;

	if (s[i] == '0') {
		base = 8;
		if (i + 2 < n && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
		    netaddr_hex_value(s[i + 2]) >= 0) {
			base = 16;
			i += 2;
		}
	}
	for (; i < n; i++) {
		d = netaddr_hex_value(s[i]);
		if (d < 0 || d >= base)
			break;
		v = v * base + d;
		if (v > 0xffffffffULL)
			v = V4_CAP;
	}
	*ip = i;
	return v;
}

/*
 * IPv4 as glibc's __inet_aton_exact (what getaddrinfo uses): 1 to 4 parts,
 * each starting with a digit; all but the last are one byte, the last fills
 * the remaining bytes.  Nothing may follow, not even the whitespace plain
 * inet_aton(3) tolerates.
 */
static int
parse_ipv4_aton(const char *s, size_t n, uint8_t out[4])
{
	static const uint32_t lastmax[4] = { 0xffffffff, 0xffffff, 0xffff,
		0xff };
	uint8_t b[4] = { 0, 0, 0, 0 };
	size_t i = 0, parts = 0, k;
	uint64_t v;

	for (;;) {
		if (i >= n || !is_digit(s[i]))
			return -1;
		v = aton_part(s, n, &i);
		if (i < n && s[i] == '.') {
			if (parts == 3 || v > 0xff)
				return -1;
			b[parts++] = (uint8_t)v;
			i++;
			continue;
		}
		break;
	}
	if (i != n || v > lastmax[parts])
		return -1;
	for (k = 0; k < 4; k++)
		out[k] = b[k] | (uint8_t)(v >> (8 * (3 - k)));
	return 0;
}

/*
 * The strict dotted quad that inet_pton(3) allows at the end of an IPv6
 * literal: exactly four decimal bytes, no leading zeros.
 */
static int
parse_ipv4_strict(const char *s, size_t n, uint8_t out[4])
{
	uint8_t b[4] = { 0, 0, 0, 0 };
	unsigned cur = 0, octets = 0;
	int digit = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (is_digit(s[i])) {
			if (digit && cur == 0)
				return -1;
			cur = cur * 10 + (unsigned)(s[i] - '0');
			if (cur > 255)
				return -1;
			if (!digit) {
				if (++octets > 4)
					return -1;
				digit = 1;
			}
			b[octets - 1] = (uint8_t)cur;
		} else if (s[i] == '.' && digit) {
			if (octets == 4)
				return -1;
			cur = 0;
			digit = 0;
		} else
			return -1;
	}
	if (octets < 4)
		return -1;
	memcpy(out, b, 4);
	return 0;
}

/*
 * IPv6 without scope or brackets, accepting exactly what glibc's inet_pton6
 * accepts: groups of 1 to 4 hex digits, at most one "::" standing for at
 * least one zero group, an optional strict dotted quad as the last 32 bits,
 * and a leading ':' only as part of "::".
 */
static int
parse_ipv6(const char *s, size_t n, uint8_t out[16])
{
	uint8_t tmp[16];
	size_t i = 0, tok, tp = 0, gap = 0, moved;
	unsigned val = 0, ndigits = 0;
	int hasgap = 0, d;
	char c;

	memset(tmp, 0, sizeof(tmp));
	if (n == 0)
		return -1;
	if (s[0] == ':') {
		/* The second colon is consumed below as a "::". */
		if (n < 2 || s[1] != ':')
			return -1;
		i = 1;
	}
	tok = i;
	while (i < n) {
		c = s[i++];
		if ((d = netaddr_hex_value(c)) >= 0) {
			if (ndigits == 4)
				return -1;
			val = val << 4 | (unsigned)d;
			ndigits++;
			continue;
		}
		if (c == ':') {
			tok = i;
			if (ndigits == 0) {
				if (hasgap)
					return -1;
				hasgap = 1;
				gap = tp;
				continue;
			}
			if (i == n || tp + 2 > sizeof(tmp))
				return -1;
			tmp[tp++] = (uint8_t)(val >> 8);
			tmp[tp++] = (uint8_t)val;
			val = 0;
			ndigits = 0;
			continue;
		}
		/* The dotted quad starts at the current group and runs to the end. */
		if (c == '.' && tp + 4 <= sizeof(tmp) &&
		    parse_ipv4_strict(s + tok, n - tok, tmp + tp) == 0) {
			tp += 4;
			ndigits = 0;
			break;
		}
		return -1;
	}
	if (ndigits > 0) {
		if (tp + 2 > sizeof(tmp))
			return -1;
		tmp[tp++] = (uint8_t)(val >> 8);
		tmp[tp++] = (uint8_t)val;
	}
	if (hasgap) {
		/* "::" must stand for at least one group. */
		if (tp == sizeof(tmp))
			return -1;
		moved = tp - gap;
		memmove(tmp + sizeof(tmp) - moved, tmp + gap, moved);
		memset(tmp + gap, 0, sizeof(tmp) - moved - gap);
		tp = sizeof(tmp);
	}
	if (tp != sizeof(tmp))
		return -1;
	memcpy(out, tmp, sizeof(tmp));
	return 0;
}

/*
 * The part after '%': a decimal number as glibc's __inet6_scopeid_pton
 * takes it (any number of digits, value at most 2^32-1), or else something
 * that can be a Linux interface name.  glibc would map the name with
 * if_nametoindex; that is I/O, so a name is accepted with scope 0.  The name
 * charset is narrower than what the kernel allows, on purpose: hosts with
 * odd bytes after a '%' are refused rather than guessed at.
 */
static int
parse_scope(const char *s, size_t n, uint32_t *scope)
{
	uint64_t v = 0;
	size_t i;
	int alldigits = 1;

	*scope = 0;
	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			alldigits = 0;
		else if (alldigits) {
			v = v * 10 + (uint64_t)(s[i] - '0');
			if (v > 0xffffffffULL)
				return -1;
		}
	}
	if (alldigits) {
		*scope = (uint32_t)v;
		return 0;
	}
	/* Real interface names start with a letter; that also keeps out "-1"
	 * and "1a", which glibc would reject unless such an interface exists. */
	if (n > IFNAME_MAX || !is_alpha(s[0]))
		return -1;
	for (i = 1; i < n; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '_' &&
		    s[i] != '.' && s[i] != '-')
			return -1;
	return 0;
}

static int
parse_ipv6_scoped(const char *s, size_t n, struct netaddr *out)
{
	const char *pct;
	size_t alen;

	pct = memchr(s, '%', n);
	alen = pct != NULL ? (size_t)(pct - s) : n;
	if (parse_ipv6(s, alen, out->addr) == -1)
		return -1;
	if (pct != NULL &&
	    parse_scope(pct + 1, n - alen - 1, &out->scope_id) == -1)
		return -1;
	out->family = AF_INET6;
	return 0;
}

/* S (N bytes) with an RFC 6874 "%25" made '%', in BUF (CAP bytes): its
 * length, or N and S itself when there is none; 0 if BUF is too small */
static size_t
unescape_zone(const char *s, size_t n, char *buf, size_t cap, const char **t)
{
	const char *pct = memchr(s, '%', n);
	size_t at;

	*t = s;
	if (pct == NULL || n - (size_t)(pct - s) <= 3 || pct[1] != '2' ||
	    pct[2] != '5')
		return n;
	if (n - 2 > cap)
		return 0;
	at = (size_t)(pct - s) + 1;
	memcpy(buf, s, at);
	memcpy(buf + at, pct + 3, n - at - 2);
	*t = buf;
	return n - 2;
}

/*
 * The inside of brackets, as in a URL: there RFC 6874 writes the zone's
 * '%' as "%25" ("[fe80::1%25eth0]"). "%25" with nothing after it is
 * zone 25, as glibc reads it.
 */
static int
parse_ipv6_bracketed(const char *s, size_t n, struct netaddr *out)
{
	char buf[NETADDR_STRLEN + 8];
	const char *t;

	if ((n = unescape_zone(s, n, buf, sizeof(buf), &t)) == 0)
		return -1;
	return parse_ipv6_scoped(t, n, out);
}

int
netaddr_parse_ip(const char *s, struct netaddr *out)
{
	size_t n;
	int r;

	if (out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	n = strlen(s);
	if (n > 0 && s[0] == '[') {
		/* Brackets are for IPv6 only, as in URLs. */
		if (n < 2 || s[n - 1] != ']')
			return -1;
		r = parse_ipv6_bracketed(s + 1, n - 2, out);
	} else if (memchr(s, ':', n) != NULL)
		r = parse_ipv6_scoped(s, n, out);
	else {
		r = parse_ipv4_aton(s, n, out->addr);
		out->family = AF_INET;
	}
	if (r == -1)
		memset(out, 0, sizeof(*out));
	return r;
}

/* Decimal digits of v at p; returns how many. */
static size_t
put_dec(char *p, uint32_t v)
{
	char rev[10];
	size_t n = 0, i;

	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		p[i] = rev[n - 1 - i];
	return n;
}

/* Lowercase hex of a 16-bit group without leading zeros. */
static size_t
put_hex16(char *p, unsigned v)
{
	static const char digits[] = "0123456789abcdef";
	size_t n = 0;
	int shift;

	for (shift = 12; shift >= 0; shift -= 4)
		if (n > 0 || (v >> shift) != 0 || shift == 0)
			p[n++] = digits[(v >> shift) & 0xf];
	return n;
}

static size_t
put_dotted(char *p, const uint8_t b[4])
{
	size_t n = 0;
	int k;

	for (k = 0; k < 4; k++) {
		if (k > 0)
			p[n++] = '.';
		n += put_dec(p + n, b[k]);
	}
	return n;
}

static int
is_v4mapped(const uint8_t a[16])
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
		0xff };

	return memcmp(a, pfx, sizeof(pfx)) == 0;
}

static size_t
format_ipv6(char *p, const struct netaddr *a)
{
	unsigned w[8];
	int i, best = -1, bestlen = 0, cur = -1, curlen = 0;
	size_t n = 0;

	if (is_v4mapped(a->addr)) {
		memcpy(p, "::ffff:", 7);
		n = 7 + put_dotted(p + 7, a->addr + 12);
		goto scope;
	}
	for (i = 0; i < 8; i++)
		w[i] = (unsigned)a->addr[2 * i] << 8 | a->addr[2 * i + 1];
	/* RFC 5952 4.2: the longest run of two or more zero groups, first wins. */
	for (i = 0; i < 8; i++) {
		if (w[i] != 0) {
			cur = -1;
			continue;
		}
		if (cur == -1) {
			cur = i;
			curlen = 0;
		}
		if (++curlen > bestlen) {
			best = cur;
			bestlen = curlen;
		}
	}
	if (bestlen < 2) {
		best = -1;
		bestlen = 0;
	}
	for (i = 0; i < 8;) {
		if (i == best) {
			p[n++] = ':';
			p[n++] = ':';
			i += bestlen;
			continue;
		}
		if (i > 0 && i != best + bestlen)
			p[n++] = ':';
		n += put_hex16(p + n, w[i]);
		i++;
	}
scope:
	if (a->scope_id != 0) {
		p[n++] = '%';
		n += put_dec(p + n, a->scope_id);
	}
	return n;
}

int
netaddr_format(const struct netaddr *a, char *buf, size_t len)
{
	char tmp[NETADDR_STRLEN];
	size_t n;

	if (buf != NULL && len > 0)
		buf[0] = '\0';
	if (a == NULL || buf == NULL)
		return -1;
	if (a->family == AF_INET)
		n = put_dotted(tmp, a->addr);
	else if (a->family == AF_INET6)
		n = format_ipv6(tmp, a);
	else
		return -1;
	if (n + 1 > len)
		return -1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return 0;
}

/* The bytes an address compares by: a v4-mapped address as its IPv4 form. */
static int
addr_key(const struct netaddr *a, const uint8_t **bytes, size_t *len)
{
	if (a->family == AF_INET) {
		*bytes = a->addr;
		*len = 4;
		return AF_INET;
	}
	if (a->family != AF_INET6)
		return -1;
	if (is_v4mapped(a->addr)) {
		*bytes = a->addr + 12;
		*len = 4;
		return AF_INET;
	}
	*bytes = a->addr;
	*len = 16;
	return AF_INET6;
}

bool
netaddr_equal(const struct netaddr *a, const struct netaddr *b)
{
	const uint8_t *ab = NULL, *bb = NULL;
	size_t al = 0, bl = 0;
	int af, bf;

	if (a == NULL || b == NULL)
		return false;
	af = addr_key(a, &ab, &al);
	bf = addr_key(b, &bb, &bl);
	return af != -1 && af == bf && memcmp(ab, bb, al) == 0;
}

struct v4range {
	uint32_t net;
	uint8_t len;
	uint8_t class;
};

/* First match wins, so more specific entries come first. */
static const struct v4range v4special[] = {
	{ 0x00000000, 32, NETADDR_UNSPECIFIED }, /* 0.0.0.0 */
	{ 0x00000000, 8, NETADDR_OTHER_SPECIAL }, /* "this network" */
	{ 0x0a000000, 8, NETADDR_PRIVATE }, /* 10/8 */
	{ 0x64400000, 10, NETADDR_CGNAT }, /* 100.64/10 */
	{ 0x7f000000, 8, NETADDR_LOOPBACK }, /* 127/8 */
	{ 0xa9fe0000, 16, NETADDR_LINKLOCAL }, /* 169.254/16 */
	{ 0xac100000, 12, NETADDR_PRIVATE }, /* 172.16/12 */
	{ 0xc0000000, 24, NETADDR_OTHER_SPECIAL }, /* 192.0.0/24 IETF */
	{ 0xc0000200, 24, NETADDR_DOCUMENTATION }, /* 192.0.2/24 */
	{ 0xc01fc400, 24, NETADDR_OTHER_SPECIAL }, /* 192.31.196/24 AS112 */
	{ 0xc034c100, 24, NETADDR_OTHER_SPECIAL }, /* 192.52.193/24 AMT */
	{ 0xc0586300, 24, NETADDR_OTHER_SPECIAL }, /* 192.88.99/24 6to4 */
	{ 0xc0a80000, 16, NETADDR_PRIVATE }, /* 192.168/16 */
	{ 0xc0af3000, 24, NETADDR_OTHER_SPECIAL }, /* 192.175.48/24 AS112 */
	{ 0xc6120000, 15, NETADDR_BENCHMARK }, /* 198.18/15 */
	{ 0xc6336400, 24, NETADDR_DOCUMENTATION }, /* 198.51.100/24 */
	{ 0xcb007100, 24, NETADDR_DOCUMENTATION }, /* 203.0.113/24 */
	{ 0xe0000000, 4, NETADDR_MULTICAST }, /* 224/4 */
	{ 0xffffffff, 32, NETADDR_BROADCAST }, /* limited broadcast */
	{ 0xf0000000, 4, NETADDR_RESERVED }, /* 240/4 */
};

static enum netaddr_class
classify_v4(const uint8_t b[4])
{
	uint32_t v, mask;
	size_t i;

	v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
	    b[3];
	for (i = 0; i < sizeof(v4special) / sizeof(v4special[0]); i++) {
		mask = 0xffffffffU << (32 - v4special[i].len);
		if ((v & mask) == v4special[i].net)
			return (enum netaddr_class)v4special[i].class;
	}
	return NETADDR_PUBLIC;
}

struct v6range {
	uint8_t pfx[8]; /* no entry needs more than 64 bits */
	uint8_t len;
	uint8_t class;
};

/* Checked after the ranges that embed IPv4; first match wins. */
static const struct v6range v6special[] = {
	{ { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48, NETADDR_OTHER_SPECIAL },
	{ { 0x01, 0x00 }, 64, NETADDR_OTHER_SPECIAL }, /* discard */
	{ { 0x20, 0x01, 0x00, 0x02, 0x00, 0x00 }, 48, NETADDR_BENCHMARK },
	{ { 0x20, 0x01, 0x00, 0x00 }, 23,
	    NETADDR_OTHER_SPECIAL }, /* IETF, Teredo */
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, NETADDR_DOCUMENTATION },
	{ { 0x3f, 0xff }, 20, NETADDR_DOCUMENTATION }, /* RFC 9637 */
	{ { 0x26, 0x20, 0x00, 0x4f, 0x80, 0x00 }, 48, NETADDR_OTHER_SPECIAL },
	{ { 0xfc }, 7, NETADDR_ULA },
	{ { 0xfe, 0x80 }, 10, NETADDR_LINKLOCAL },
	{ { 0xfe, 0xc0 }, 10, NETADDR_PRIVATE }, /* site-local */
	{ { 0xff }, 8, NETADDR_MULTICAST },
};

/* Does a start with the first len bits of pfx? */
static int
v6_in(const uint8_t a[16], const uint8_t *pfx, unsigned len)
{
	unsigned full = len / 8, rest = len % 8;
	uint8_t mask;

	if (memcmp(a, pfx, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == (pfx[full] & mask);
}

static enum netaddr_class
classify_v6(const uint8_t a[16])
{
	static const uint8_t zero[12];
	static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
	enum netaddr_class c;
	size_t i;

	if (memcmp(a, zero, sizeof(zero)) == 0) {
		if (a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] <= 1)
			return a[15] == 0 ? NETADDR_UNSPECIFIED
					  : NETADDR_LOOPBACK;
		/* IPv4-compatible: deprecated, never treated as public. */
		c = classify_v4(a + 12);
		return c == NETADDR_PUBLIC ? NETADDR_RESERVED : c;
	}
	if (is_v4mapped(a) || memcmp(a, nat64, sizeof(nat64)) == 0)
		return classify_v4(a + 12);
	if (a[0] == 0x20 && a[1] == 0x02) {
		/* 6to4 leads to the embedded IPv4 host through a relay. */
		c = classify_v4(a + 2);
		return c == NETADDR_PUBLIC ? NETADDR_OTHER_SPECIAL : c;
	}
	for (i = 0; i < sizeof(v6special) / sizeof(v6special[0]); i++)
		if (v6_in(a, v6special[i].pfx, v6special[i].len))
			return (enum netaddr_class)v6special[i].class;
	/* Only 2000::/3 is allocated as global unicast. */
	if ((a[0] & 0xe0) != 0x20)
		return NETADDR_RESERVED;
	return NETADDR_PUBLIC;
}

enum netaddr_class
netaddr_classify(const struct netaddr *a)
{
	if (a == NULL)
		return NETADDR_RESERVED;
	if (a->family == AF_INET)
		return classify_v4(a->addr);
	if (a->family == AF_INET6)
		return classify_v6(a->addr);
	return NETADDR_RESERVED;
}

bool
netaddr_is_public(const struct netaddr *a)
{
	return netaddr_classify(a) == NETADDR_PUBLIC;
}

const char *
netaddr_class_name(enum netaddr_class c)
{
	switch (c) {
	case NETADDR_PUBLIC:
		return "public";
	case NETADDR_LOOPBACK:
		return "loopback";
	case NETADDR_PRIVATE:
		return "private";
	case NETADDR_LINKLOCAL:
		return "link-local";
	case NETADDR_CGNAT:
		return "carrier-grade NAT";
	case NETADDR_UNSPECIFIED:
		return "unspecified";
	case NETADDR_MULTICAST:
		return "multicast";
	case NETADDR_BROADCAST:
		return "broadcast";
	case NETADDR_BENCHMARK:
		return "benchmarking";
	case NETADDR_DOCUMENTATION:
		return "documentation";
	case NETADDR_RESERVED:
		return "reserved";
	case NETADDR_ULA:
		return "unique local";
	case NETADDR_OTHER_SPECIAL:
		return "special-purpose";
	}
	return "unknown";
}

int
netaddr_embedded_ipv4(const struct netaddr *a, struct netaddr *v4)
{
	static const uint8_t zero[12];
	static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
	const uint8_t *b = NULL;

	if (v4 == NULL)
		return -1;
	memset(v4, 0, sizeof(*v4));
	if (a == NULL)
		return -1;
	if (a->family == AF_INET)
		b = a->addr;
	else if (a->family == AF_INET6) {
		if (is_v4mapped(a->addr) ||
		    memcmp(a->addr, nat64, sizeof(nat64)) == 0)
			b = a->addr + 12;
		else if (memcmp(a->addr, zero, sizeof(zero)) == 0) {
			/* :: and ::1 are IPv6's own. */
			if (a->addr[12] | a->addr[13] | a->addr[14] ||
			    a->addr[15] > 1)
				b = a->addr + 12;
		} else if (a->addr[0] == 0x20 && a->addr[1] == 0x02)
			b = a->addr + 2;
	}
	if (b == NULL)
		return -1;
	v4->family = AF_INET;
	memcpy(v4->addr, b, 4);
	return 0;
}

/*
 * Host names.  One checker serves netaddr_norm_host and hostpat_parse; each
 * has its own wording of the reasons.
 */
enum name_err {
	NAME_OK,
	NAME_MISSING,
	NAME_EMPTY,
	NAME_EMPTY_LABEL,
	NAME_LABEL_LONG,
	NAME_TOO_LONG,
	NAME_HYPHEN,
	NAME_NUMERIC,
	NAME_SPACE,
	NAME_COLON,
	NAME_SLASH,
	NAME_STAR,
	NAME_CHAR,
	NAME_BUFFER,
	NAME_NERR
};

static const char *const name_errstr[NAME_NERR] = {
	[NAME_OK] = "no error",
	[NAME_MISSING] = "missing host name",
	[NAME_EMPTY] = "empty host name",
	[NAME_EMPTY_LABEL] = "empty label in host name",
	[NAME_LABEL_LONG] = "label longer than 63 characters in host name",
	[NAME_TOO_LONG] = "host name longer than 253 characters",
	[NAME_HYPHEN] = "label starts or ends with '-' in host name",
	[NAME_NUMERIC] = "numeric last label: not a host name nor an IP "
			 "address",
	[NAME_SPACE] = "whitespace in host name",
	[NAME_COLON] = "':' in host name (a port, or not an IPv6 address)",
	[NAME_SLASH] = "'/' in host name",
	[NAME_STAR] = "'*' in host name",
	[NAME_CHAR] = "invalid character in host name (allowed: letters, "
		      "digits, '-', '_', '.')",
	[NAME_BUFFER] = "host name too long for the output buffer",
};

static const char *const pat_errstr[NAME_NERR] = {
	[NAME_OK] = "no error",
	[NAME_MISSING] = "malformed pattern: missing",
	[NAME_EMPTY] = "malformed pattern: empty host name",
	[NAME_EMPTY_LABEL] = "malformed pattern: empty label",
	[NAME_LABEL_LONG] = "malformed pattern: label longer than 63 "
			    "characters",
	[NAME_TOO_LONG] = "malformed pattern: host name longer than 253 "
			  "characters",
	[NAME_HYPHEN] = "malformed pattern: label starts or ends with '-'",
	[NAME_NUMERIC] = "malformed pattern: numeric last label: not a host "
			 "name nor an IP address",
	[NAME_SPACE] = "malformed pattern: whitespace",
	[NAME_COLON] = "malformed pattern: ports are not allowed (or not an "
		       "IPv6 address)",
	[NAME_SLASH] = "malformed pattern: paths and URLs are not allowed, "
		       "give the host name only",
	[NAME_STAR] = "malformed pattern: '*' is only allowed as \"*\", "
		      "\"*.domain\" or \"**.domain\"",
	[NAME_CHAR] = "malformed pattern: invalid character (allowed: "
		      "letters, digits, '-', '_', '.')",
	[NAME_BUFFER] = "malformed pattern: host name too long",
};

/*
 * Would a resolver or URL parser read this last label as a number?  glibc
 * takes all-digit last labels for inet_aton forms, WHATWG URL parsers also
 * "0x" followed by hex digits (even none).
 */
static int
is_numeric_label(const char *s, size_t n)
{
	size_t i = 0;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (i = 2; i < n; i++)
			if (netaddr_hex_value(s[i]) < 0)
				return 0;
		return 1;
	}
	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

/* Check and lowercase the name s[0..n) into out. */
static enum name_err
norm_name(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, start;
	char c;

	if (n == 0)
		return NAME_EMPTY;
	if (s[n - 1] == '.')
		n--;
	if (n == 0)
		return NAME_EMPTY;
	/* Report the first bad character before any length problem. */
	for (i = 0; i < n; i++) {
		c = s[i];
		if (is_alpha(c) || is_digit(c) || c == '-' || c == '_' ||
		    c == '.')
			continue;
		if (is_space(c))
			return NAME_SPACE;
		if (c == ':')
			return NAME_COLON;
		if (c == '/')
			return NAME_SLASH;
		if (c == '*')
			return NAME_STAR;
		return NAME_CHAR;
	}
	if (n > NETADDR_HOST_MAX)
		return NAME_TOO_LONG;
	for (start = 0, i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (i == start)
			return NAME_EMPTY_LABEL;
		if (i - start > LABEL_MAX)
			return NAME_LABEL_LONG;
		if (s[start] == '-' || s[i - 1] == '-')
			return NAME_HYPHEN;
		if (i == n && is_numeric_label(s + start, i - start))
			return NAME_NUMERIC;
		start = i + 1;
	}
	if (n + 1 > outlen)
		return NAME_BUFFER;
	for (i = 0; i < n; i++)
		out[i] = (char)to_lower(s[i]);
	out[n] = '\0';
	return NAME_OK;
}

int
netaddr_norm_host(const char *in, char *out, size_t outlen, const char **err)
{
	struct netaddr a;
	enum name_err e;

	/* out is only written once in is read: they may be the same buffer. */
	if (err != NULL)
		*err = NULL;
	if (in == NULL || out == NULL)
		e = NAME_MISSING;
	else if (netaddr_parse_ip(in, &a) == 0)
		e = netaddr_format(&a, out, outlen) == 0 ? NAME_OK
							 : NAME_BUFFER;
	else
		e = norm_name(in, strlen(in), out, outlen);
	if (e == NAME_OK)
		return 0;
	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (err != NULL)
		*err = name_errstr[e];
	return -1;
}

int
hostpat_parse(const char *s, struct hostpat *out, const char **err)
{
	const char *rest, *why = NULL;
	struct netaddr a;
	enum name_err e;
	int kind;

	if (err != NULL)
		*err = NULL;
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (s == NULL || out == NULL) {
		why = pat_errstr[NAME_MISSING];
		goto fail;
	}
	if (s[0] == '\0') {
		why = "malformed pattern: empty";
		goto fail;
	}
	if (strcmp(s, "*") == 0) {
		out->kind = HOSTPAT_ANY;
		memcpy(out->host, "*", 2);
		return 0;
	}
	if (netaddr_parse_ip(s, &a) == 0) {
		out->kind = HOSTPAT_IP;
		out->ip = a;
		(void)netaddr_format(&a, out->host, sizeof(out->host));
		return 0;
	}
	/* Checked first so that "https://x" is not reported as a port. */
	if (strstr(s, "://") != NULL) {
		why = pat_errstr[NAME_SLASH];
		goto fail;
	}
	if (strncmp(s, "**.", 3) == 0) {
		kind = HOSTPAT_APEX_AND_SUB;
		rest = s + 3;
	} else if (strncmp(s, "*.", 2) == 0) {
		kind = HOSTPAT_SUBDOMAINS;
		rest = s + 2;
	} else {
		kind = HOSTPAT_EXACT;
		rest = s;
	}
	if (kind != HOSTPAT_EXACT) {
		if (rest[0] == '\0') {
			why = "malformed pattern: wildcard without a domain";
			goto fail;
		}
		if (netaddr_parse_ip(rest, &a) == 0) {
			why = "malformed pattern: wildcard over an IP address";
			goto fail;
		}
	}
	e = norm_name(rest, strlen(rest), out->host, sizeof(out->host));
	if (e != NAME_OK) {
		why = pat_errstr[e];
		goto fail;
	}
	out->kind = kind;
	return 0;
fail:
	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (err != NULL)
		*err = why;
	return -1;
}

/* RFC 6761: "localhost" and names below it are loopback. */
static int
is_localhost_name(const char *name, size_t n)
{
	static const char lh[] = "localhost";
	size_t lhn = sizeof(lh) - 1;

	if (n == lhn)
		return memcmp(name, lh, lhn) == 0;
	return n > lhn && name[n - lhn - 1] == '.' &&
	    memcmp(name + n - lhn, lh, lhn) == 0;
}

bool
hostpat_match(const struct hostpat *p, const char *host)
{
	char name[NETADDR_HOSTLEN];
	struct netaddr a;
	size_t hl, pl;

	if (p == NULL || host == NULL)
		return false;
	if (netaddr_parse_ip(host, &a) == 0) {
		if (p->kind == HOSTPAT_IP)
			return netaddr_equal(&p->ip, &a);
		if (p->kind == HOSTPAT_ANY)
			return netaddr_is_public(&a);
		return false;
	}
	if (p->kind == HOSTPAT_IP)
		return false;
	if (norm_name(host, strlen(host), name, sizeof(name)) != NAME_OK)
		return false;
	hl = strlen(name);
	if (p->kind == HOSTPAT_ANY)
		return !is_localhost_name(name, hl);
	/* Defend against a hand-built pattern without its NUL. */
	pl = strnlen(p->host, sizeof(p->host));
	if (pl == 0 || pl == sizeof(p->host))
		return false;
	switch (p->kind) {
	case HOSTPAT_EXACT:
		return hl == pl && memcmp(name, p->host, pl) == 0;
	case HOSTPAT_APEX_AND_SUB:
		if (hl == pl && memcmp(name, p->host, pl) == 0)
			return true;
		/* FALLTHROUGH */
	case HOSTPAT_SUBDOMAINS:
		return hl > pl + 1 && name[hl - pl - 1] == '.' &&
		    memcmp(name + hl - pl, p->host, pl) == 0;
	}
	return false;
}

/* Strict decimal 0..65535: digits only, no leading zeros. */
static int
parse_port(const char *s, int *port)
{
	size_t i, n = strlen(s);
	long v = 0;

	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

int
netaddr_split_hostport(
    const char *s, char *host, size_t hostlen, int *port, const char **err)
{
	const char *h, *end, *colon, *why;
	char zbuf[NETADDR_STRLEN + 8];
	struct netaddr a;
	size_t hn;
	int pv = -1;

	if (err != NULL)
		*err = NULL;
	if (host != NULL && hostlen > 0)
		host[0] = '\0';
	if (port != NULL)
		*port = -1;
	if (s == NULL || host == NULL || port == NULL) {
		why = "missing host";
		goto fail;
	}
	if (s[0] == '[') {
		h = s + 1;
		if ((end = strchr(h, ']')) == NULL) {
			why = "missing ']' after IPv6 address";
			goto fail;
		}
		hn = (size_t)(end - h);
		if (hn == 0) {
			why = "empty host";
			goto fail;
		}
		if (parse_ipv6_bracketed(h, hn, &a) == -1) {
			why = "bracketed host is not an IPv6 address";
			goto fail;
		}
		/* the host as the policy reads it again: "%25" is '%' */
		hn = unescape_zone(h, hn, zbuf, sizeof(zbuf), &h);
		if (end[1] == ':') {
			if (parse_port(end + 2, &pv) == -1) {
				why = "port is not a decimal number 0..65535";
				goto fail;
			}
		} else if (end[1] != '\0') {
			why = "unexpected characters after ']'";
			goto fail;
		}
	} else {
		h = s;
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			/* Two colons: only a bare IPv6 address, whole. */
			if (netaddr_parse_ip(s, &a) == -1) {
				why = "not an IPv6 address (IPv6 with a port "
				      "needs brackets)";
				goto fail;
			}
			hn = strlen(s);
		} else if (colon != NULL) {
			hn = (size_t)(colon - s);
			if (parse_port(colon + 1, &pv) == -1) {
				why = "port is not a decimal number 0..65535";
				goto fail;
			}
		} else
			hn = strlen(s);
		if (hn == 0) {
			why = "empty host";
			goto fail;
		}
		if (memchr(h, '[', hn) != NULL || memchr(h, ']', hn) != NULL) {
			why = "unbalanced brackets in host";
			goto fail;
		}
	}
	if (hn + 1 > hostlen) {
		why = "host too long";
		goto fail;
	}
	memcpy(host, h, hn);
	host[hn] = '\0';
	*port = pv;
	return 0;
fail:
	if (host != NULL && hostlen > 0)
		host[0] = '\0';
	if (port != NULL)
		*port = -1;
	if (err != NULL)
		*err = why;
	return -1;
}
