/*
 * Unit tests for policy/netaddr.c: IP literal parsing, formatting,
 * comparison and classification, host-name normalisation, domain patterns
 * and host:port splitting.  Table-driven; each table row is one loop test.
 *
 * The IP parser is also checked against glibc itself (inet_aton, inet_pton,
 * getaddrinfo with AI_NUMERICHOST): on a table of tricky strings and on a
 * deterministic stream of generated ones, netaddr_parse_ip must accept
 * exactly what glibc accepts and yield the same bytes.  Only this test calls
 * those functions; the module must not.
 */

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* netaddr_parse_ip + netaddr_format: accepted forms */

struct ip_ok {
	const char *in;
	int family;
	const char *canon;
	uint32_t scope;
};

static const struct ip_ok ip_ok[] = {
	/* inet_aton forms */
	{ "127.0.0.1", AF_INET, "127.0.0.1", 0 },
	{ "2130706433", AF_INET, "127.0.0.1", 0 },
	{ "0x7f.1", AF_INET, "127.0.0.1", 0 },
	{ "127.1", AF_INET, "127.0.0.1", 0 },
	{ "0177.0.0.1", AF_INET, "127.0.0.1", 0 },
	{ "0177.1", AF_INET, "127.0.0.1", 0 },
	{ "0x7f000001", AF_INET, "127.0.0.1", 0 },
	{ "0X7F.0.0.1", AF_INET, "127.0.0.1", 0 },
	{ "0x7F.0x0.0X0.0x1", AF_INET, "127.0.0.1", 0 },
	{ "017700000001", AF_INET, "127.0.0.1", 0 },
	{ "127.0.1", AF_INET, "127.0.0.1", 0 },
	{ "127.65535", AF_INET, "127.0.255.255", 0 },
	{ "1.2.3.4", AF_INET, "1.2.3.4", 0 },
	{ "0", AF_INET, "0.0.0.0", 0 },
	{ "00", AF_INET, "0.0.0.0", 0 },
	{ "0x0", AF_INET, "0.0.0.0", 0 },
	{ "0.0.0.0", AF_INET, "0.0.0.0", 0 },
	{ "4294967295", AF_INET, "255.255.255.255", 0 },
	{ "0xffffffff", AF_INET, "255.255.255.255", 0 },
	{ "037777777777", AF_INET, "255.255.255.255", 0 },
	{ "1.16777215", AF_INET, "1.255.255.255", 0 },
	{ "1.2.65535", AF_INET, "1.2.255.255", 0 },
	{ "1.2.3.255", AF_INET, "1.2.3.255", 0 },
	{ "0xff.0377.255.0", AF_INET, "255.255.255.0", 0 },
	{ "010.010.010.010", AF_INET, "8.8.8.8", 0 },
	{ "10.1", AF_INET, "10.0.0.1", 0 },
	{ "0000000000000000000000000000000000000001", AF_INET, "0.0.0.1", 0 },
	{ "0x000000000000000000000000000000000001", AF_INET, "0.0.0.1", 0 },
	{ "192.168.0x1.01", AF_INET, "192.168.1.1", 0 },
	/* inet_pton IPv6 forms */
	{ "::", AF_INET6, "::", 0 },
	{ "::1", AF_INET6, "::1", 0 },
	{ "0:0:0:0:0:0:0:1", AF_INET6, "::1", 0 },
	{ "0000:0000:0000:0000:0000:0000:0000:0001", AF_INET6, "::1", 0 },
	{ "[::1]", AF_INET6, "::1", 0 },
	{ "[fe80::1%252]", AF_INET6, "fe80::1%2", 2 },
	{ "::ffff:127.0.0.1", AF_INET6, "::ffff:127.0.0.1", 0 },
	{ "::FFFF:7f00:1", AF_INET6, "::ffff:127.0.0.1", 0 },
	{ "0:0:0:0:0:ffff:127.0.0.1", AF_INET6, "::ffff:127.0.0.1", 0 },
	{ "[::ffff:127.0.0.1]", AF_INET6, "::ffff:127.0.0.1", 0 },
	{ "::ffff:0.0.0.0", AF_INET6, "::ffff:0.0.0.0", 0 },
	{ "2001:DB8::1", AF_INET6, "2001:db8::1", 0 },
	{ "2001:0db8:0000:0000:0000:0000:0000:0001", AF_INET6, "2001:db8::1",
	    0 },
	{ "2001:db8:0:0:1:0:0:1", AF_INET6, "2001:db8::1:0:0:1", 0 },
	{ "2001:db8:0:1:1:1:1:1", AF_INET6, "2001:db8:0:1:1:1:1:1", 0 },
	{ "2001:db8::1:1:1:1:1", AF_INET6, "2001:db8:0:1:1:1:1:1", 0 },
	{ "1:2:3:4:5:6:7::", AF_INET6, "1:2:3:4:5:6:7:0", 0 },
	{ "::2:3:4:5:6:7:8", AF_INET6, "0:2:3:4:5:6:7:8", 0 },
	{ "1::", AF_INET6, "1::", 0 },
	{ "1::8", AF_INET6, "1::8", 0 },
	{ "1:0:0:2:0:0:0:3", AF_INET6, "1:0:0:2::3", 0 },
	{ "1:0:0:0:2:0:0:3", AF_INET6, "1::2:0:0:3", 0 },
	{ "1:2:3:4:5:6:7:8", AF_INET6, "1:2:3:4:5:6:7:8", 0 },
	{ "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789", AF_INET6,
	    "abcd:ef01:2345:6789:abcd:ef01:2345:6789", 0 },
	{ "::1.2.3.4", AF_INET6, "::102:304", 0 },
	{ "::0.0.0.0", AF_INET6, "::", 0 },
	{ "1:2:3:4:5:6:1.2.3.4", AF_INET6, "1:2:3:4:5:6:102:304", 0 },
	{ "1::1.2.3.4", AF_INET6, "1::102:304", 0 },
	{ "::ffff:0:1.2.3.4", AF_INET6, "::ffff:0:102:304", 0 },
	{ "64:ff9b::192.0.2.33", AF_INET6, "64:ff9b::c000:221", 0 },
	{ "ff02::1", AF_INET6, "ff02::1", 0 },
	/* scopes */
	{ "fe80::1%eth0", AF_INET6, "fe80::1", 0 },
	{ "fe80::1%enp0s31f6", AF_INET6, "fe80::1", 0 },
	{ "fe80::1%br-1a2b3c4d5e6f", AF_INET6, "fe80::1", 0 },
	{ "fe80::1%eth0.100", AF_INET6, "fe80::1", 0 },
	{ "fe80::1%2", AF_INET6, "fe80::1%2", 2 },
	{ "fe80::1%0", AF_INET6, "fe80::1", 0 },
	{ "fe80::1%0002", AF_INET6, "fe80::1%2", 2 },
	{ "fe80::1%4294967295", AF_INET6, "fe80::1%4294967295", 4294967295U },
	{ "[fe80::1%2]", AF_INET6, "fe80::1%2", 2 },
	{ "[fe80::1%lo]", AF_INET6, "fe80::1", 0 },
	{ "::1%1", AF_INET6, "::1%1", 1 },
	{ "::ffff:1.2.3.4%7", AF_INET6, "::ffff:1.2.3.4%7", 7 },
};

START_TEST(test_parse_ok)
{
	const struct ip_ok *t = &ip_ok[_i];
	struct netaddr a, b;
	char buf[NETADDR_STRLEN];

	ck_assert_msg(
	    netaddr_parse_ip(t->in, &a) == 0, "rejected \"%s\"", t->in);
	ck_assert_int_eq(a.family, t->family);
	ck_assert_uint_eq(a.scope_id, t->scope);
	ck_assert_int_eq(netaddr_format(&a, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, t->canon);
	/* The canonical text parses back to the same bytes. */
	ck_assert_int_eq(netaddr_parse_ip(buf, &b), 0);
	ck_assert_int_eq(b.family, a.family);
	ck_assert_mem_eq(b.addr, a.addr, 16);
	ck_assert_uint_eq(b.scope_id, a.scope_id);
	ck_assert(netaddr_equal(&a, &b));
}
END_TEST

/* ------------------------------------------------------------------ */
/* netaddr_parse_ip: rejected forms */

static const char *const ip_bad[] = {
	"",
	"[]",
	"[",
	"]",
	"[::1",
	"::1]",
	"[[::1]]",
	"[127.0.0.1]",
	"[1.2.3.4]:80",
	"[::1]x",
	"[::1]:80",
	"x[::1]",
	"[ ::1]",
	/* IPv4 */
	"1.2.3.4.5",
	"1.2.3.",
	"1..2",
	".1.2.3",
	".",
	"..",
	"1.",
	"256.1.1.1",
	"1.256.1.1",
	"1.2.256.1",
	"1.2.3.256",
	"1.2.65536",
	"1.16777216",
	"4294967296",
	"0x100000000",
	"040000000000",
	"99999999999999999999",
	"0x10000000000000000",
	"08",
	"09",
	"0.08",
	"0x",
	"0X",
	"0xg",
	"0x.1",
	"1.0x",
	"1.2.3.4 ",
	" 1.2.3.4",
	"1.2.3.4\n",
	"1.2.3.4\t",
	"1.2.3.4 x",
	"+1",
	"-1",
	"1.2.3.-4",
	"1.+2",
	"1e3",
	"127.0.0.1.",
	"0x7f.1.",
	"127.0.0.1x",
	"localhost",
	"1.2.3.4:80",
	"1.2.3.4/24",
	"1.2.3.4%1",
	"1.2.3.4%eth0",
	"0x7f.0x1.0x",
	"0xx1",
	"00x1",
	"1..",
	"१२३",
	/* IPv6 */
	":",
	":::",
	"1:",
	":1",
	":1::",
	"1::2::3",
	"::1::",
	"1:::2",
	"1:2:3:4:5:6:7:8:9",
	"1:2:3:4:5:6:7:8::",
	"::1:2:3:4:5:6:7:8",
	"1:2:3:4:5:6:7",
	"12345::",
	"00000::",
	"g::",
	"::g",
	"::1.2.3",
	"::1.2.3.4.5",
	"::1.2.3.04",
	"::01.2.3.4",
	"::256.1.1.1",
	"::1.2.3.4:1",
	"::1.2.3.4.",
	"::.1.2.3",
	"::1..2.3",
	"1:2:3:4:5:6:7:1.2.3.4",
	"::1:2:3:4:5:6:1.2.3.4",
	"::0x1",
	"::1 ",
	" ::1",
	":: 1",
	"::1/128",
	"1.2.3.4::",
	"::ffff:0x7f.1",
	"::ffff:127.1",
	"::ffff:2130706433",
	/* scopes */
	"fe80::1%",
	"fe80::1%%1",
	"fe80::1%4294967296",
	"fe80::1%99999999999",
	"fe80::1%eth0/1",
	"fe80::1% eth0",
	"fe80::1%eth0 ",
	"fe80::1%averyveryverylong0",
	"fe80::1%.",
	"fe80::1%..",
	"fe80::1%-1",
	"fe80::1%1a",
	"fe80::1%eth:0",
	"fe80::1%eth0]",
	"[fe80::1%eth0",
	"[fe80::1]%eth0",
	"%1",
	"[%1]",
	"fe80::1%eth0%1",
	"fe80::1%+1",
	"fe80::1%25%1",
};

START_TEST(test_parse_bad)
{
	struct netaddr a;

	memset(&a, 0xa5, sizeof(a));
	ck_assert_msg(netaddr_parse_ip(ip_bad[_i], &a) == -1, "accepted \"%s\"",
	    ip_bad[_i]);
	/* A failed parse leaves nothing half-written. */
	ck_assert_int_eq(a.family, 0);
	ck_assert_uint_eq(a.scope_id, 0);
	ck_assert_uint_eq(a.addr[0] | a.addr[3] | a.addr[15], 0);
}
END_TEST

START_TEST(test_parse_null)
{
	struct netaddr a;

	ck_assert_int_eq(netaddr_parse_ip(NULL, &a), -1);
	ck_assert_int_eq(netaddr_parse_ip("1.2.3.4", NULL), -1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Cross-check against glibc */

static int
has_space(const char *s)
{
	return strpbrk(s, " \t\n\v\f\r") != NULL;
}

/*
 * What glibc's resolver makes of s as a literal, without brackets or scope:
 * __inet_aton_exact for IPv4 (inet_aton ignores anything after whitespace,
 * the exact variant does not, and whitespace can only end a part), inet_pton
 * for anything with a colon.  Returns 1 with family and bytes, or 0.
 */
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
	if (inet_aton(s, &in4) == 0 || has_space(s))
		return 0;
	memcpy(bytes, &in4, 4);
	return 1;
}

/* getaddrinfo(AI_NUMERICHOST): what a program calling it would connect to. */
static int
gai_parse(const char *s, int *family, uint8_t bytes[16], uint32_t *scope)
{
	struct addrinfo hints, *res;
	int ok = 0;

	memset(&hints, 0, sizeof(hints));
	memset(bytes, 0, 16);
	*scope = 0;
	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(s, NULL, &hints, &res) != 0)
		return 0;
	*family = res->ai_family;
	if (res->ai_family == AF_INET) {
		memcpy(bytes,
		    &((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr, 4);
		ok = 1;
	} else if (res->ai_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (void *)res->ai_addr;

		memcpy(bytes, &sin6->sin6_addr, 16);
		*scope = sin6->sin6_scope_id;
		ok = 1;
	}
	freeaddrinfo(res);
	return ok;
}

static void
check_against_glibc(const char *s, int use_gai)
{
	struct netaddr a;
	uint8_t gb[16], xb[16];
	int gfam = 0, xfam = 0, gok, xok, ours;
	uint32_t xscope;

	ours = netaddr_parse_ip(s, &a) == 0;
	gok = glibc_parse(s, &gfam, gb);
	ck_assert_msg(ours == gok, "\"%s\": netaddr %s, glibc %s", s,
	    ours ? "accepts" : "rejects", gok ? "accepts" : "rejects");
	if (gok) {
		ck_assert_int_eq(a.family, gfam);
		ck_assert_msg(memcmp(a.addr, gb, 16) == 0,
		    "\"%s\": bytes differ from glibc", s);
	}
	if (!use_gai)
		return;
	xok = gai_parse(s, &xfam, xb, &xscope);
	ck_assert_msg(ours == xok, "\"%s\": netaddr %s, getaddrinfo %s", s,
	    ours ? "accepts" : "rejects", xok ? "accepts" : "rejects");
	if (xok) {
		ck_assert_int_eq(a.family, xfam);
		ck_assert_msg(memcmp(a.addr, xb, 16) == 0,
		    "\"%s\": bytes differ from getaddrinfo", s);
		ck_assert_uint_eq(a.scope_id, xscope);
	}
}

/* No brackets, no '%': glibc's parsers know neither. */
static const char *const tricky[] = {
	"127.0.0.1",
	"2130706433",
	"0x7f.1",
	"127.1",
	"0177.0.0.1",
	"0",
	"00",
	"000",
	"0x0",
	"0X0",
	"0x",
	"0X",
	"0x.",
	"0x1.",
	"1.0x1",
	"0xg",
	"08",
	"0.8",
	"0.08",
	"018",
	"0.018",
	"1.2.3.4",
	"1.2.3",
	"1.2",
	"1",
	"255.255.255.255",
	"256.255.255.255",
	"4294967295",
	"4294967296",
	"0xffffffff",
	"0x100000000",
	"037777777777",
	"040000000000",
	"18446744073709551615",
	"18446744073709551616",
	"0xffffffffffffffff",
	"0x1ffffffffffffffff",
	"1.16777215",
	"1.16777216",
	"1.2.65535",
	"1.2.65536",
	"1.2.3.255",
	"1.2.3.256",
	"0x1.0x2.0x3.0x4",
	"0x01.0x002.0x0003.0x00004",
	"01.02.03.04",
	"0377.0377.0377.0377",
	"0400.0.0.0",
	"1.2.3.4.",
	"1.2.3.4.5",
	".1.2.3.4",
	"1..2.3",
	"",
	".",
	"1.2.3.4 ",
	"1.2.3.4 junk",
	"1.2.3.4\tx",
	" 1.2.3.4",
	"+1.2.3.4",
	"-1",
	"1.-2.3.4",
	"1.2.3.+4",
	"1e2",
	"1.2.3.4a",
	"0x7fg",
	"0x7f.0x1.0x",
	"0xx1",
	"000000000000000000000000000000000000000000000000000000000000000001",
	"0x00000000000000000000000000000000000000000000000000000000000000ff",
	"999999999999999999999999999999999999999999",
	"127.000000000000001",
	/* IPv6 */
	"::",
	"::1",
	":::",
	":",
	"1:",
	":1",
	"1::",
	"::1:",
	"1::2::3",
	"1:2:3:4:5:6:7:8",
	"1:2:3:4:5:6:7:8:9",
	"1:2:3:4:5:6:7",
	"1:2:3:4:5:6:7::",
	"::1:2:3:4:5:6:7",
	"::1:2:3:4:5:6:7:8",
	"1:2:3:4:5:6:7:8::",
	"1:2:3:4::5:6:7:8",
	"1:2:3::4:5:6:7",
	"0001:0002::",
	"00001::",
	"12345::",
	"fffff::",
	"FFFF::",
	"ffff::ffff",
	"g::",
	"::g",
	"::ffff:127.0.0.1",
	"::ffff:127.0.0.01",
	"::ffff:127.0.0.1.",
	"::ffff:127.0.0",
	"::ffff:127.1",
	"::ffff:0x7f.0.0.1",
	"::ffff:0177.0.0.1",
	"::ffff:256.0.0.1",
	"::ffff:1.2.3.4.5",
	"::1.2.3.4",
	"::0.0.0.0",
	"1:2:3:4:5:6:1.2.3.4",
	"1:2:3:4:5:6:7:1.2.3.4",
	"1:2:3:4:5::1.2.3.4",
	"::1:2:3:4:5:6:1.2.3.4",
	"1:2:3:4:5:6::1.2.3.4",
	"1.2.3.4::",
	"1.2.3.4:1::",
	"::1.2.3.4:1",
	"::.1.2.3",
	"::1..2.3",
	"::1.2..3",
	"::a.b.c.d",
	"::12.34.56.789",
	"::12.34.56.78",
	"::1234.5.6.7",
	"::123.5.6.7",
	"a::1.2.3.4",
	"ab:cd::12.3.4.5",
	"::ffff:1.2.3.4 ",
	" ::1",
	"::1 ",
	":: 1",
	"::1\n",
	"1:2:3:4:5:6:7:8\n",
	"::0:0:0:0:0:0:0",
	"::0:0:0:0:0:0",
	"0:0:0:0:0:0:0::",
	"0:0:0:0:0:0::",
	"::ffff:1.2.3.4:5",
	"2001:db8::1",
	"2001:DB8:0:0:0:0:0:1",
	"fe80::1",
	"fe80:::1",
	"1::2:",
	":1::2",
	"::-1",
	"::+1",
	"::1x",
	"x::1",
	"::1::",
	/* scopes: only numeric ones are comparable with getaddrinfo */
	"fe80::1%1",
	"::1%0",
	"fe80::1%4294967295",
	"fe80::1%4294967296",
	"fe80::1%",
	"fe80::1%%1",
	"fe80::1%00000000000000000001",
	"2001:db8::1%7",
	"fe80::1%1 ",
	"fe80::1%-1",
	"fe80::1%+1",
	"fe80::1%1a",
};

START_TEST(test_glibc_tricky)
{
	const char *s = tricky[_i];

	/* glibc_parse knows no scopes: compare only with getaddrinfo then. */
	if (strchr(s, '%') != NULL) {
		struct netaddr a;
		uint8_t xb[16];
		int xfam = 0, xok, ours;
		uint32_t xscope;

		ours = netaddr_parse_ip(s, &a) == 0;
		xok = gai_parse(s, &xfam, xb, &xscope);
		ck_assert_msg(ours == xok, "\"%s\": netaddr %s, getaddrinfo %s",
		    s, ours ? "accepts" : "rejects",
		    xok ? "accepts" : "rejects");
		if (xok) {
			ck_assert_mem_eq(a.addr, xb, 16);
			ck_assert_uint_eq(a.scope_id, xscope);
		}
		return;
	}
	check_against_glibc(s, 1);
}
END_TEST

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t
rnd(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ULL;
}

/*
 * Strings assembled from number-ish tokens and separators, half in the
 * IPv4 style and half in the IPv6 style, so that a good share are valid
 * literals and the rest fail in every way the parsers can fail.  One loop
 * iteration runs one slice of the stream.
 */
#define RANDOM_SLICES 8
#define RANDOM_PER_SLICE 40000

static const char *const tok4[] = {
	"0",
	"1",
	"7",
	"8",
	"9",
	"00",
	"01",
	"07",
	"08",
	"10",
	"077",
	"099",
	"0x",
	"0X",
	"0x0",
	"0x1f",
	"0XfF",
	"0x100",
	"0xffffff",
	"0xffffffff",
	"0x100000000",
	"255",
	"256",
	"65535",
	"65536",
	"16777215",
	"16777216",
	"4294967295",
	"4294967296",
	"0177",
	"0377",
	"0400",
	"127",
	"a",
	"",
	"0xg",
	"00000000000000000000001",
	"1 ",
	"+1",
};
static const char *const sep4[] = {
	".",
	".",
	".",
	".",
	".",
	".",
	".",
	"..",
	":",
	"",
};
static const char *const tok6[] = {
	"0",
	"1",
	"ff",
	"FFFF",
	"abcd",
	"0000",
	"00000",
	"12345",
	"g",
	"",
	"1f",
	"ffff",
	"7f00",
	"64",
	"ff9b",
	"2001",
	"db8",
	"fe80",
	"fFfF0",
	"0x1",
	"A",
	"10000",
};
static const char *const sep6[] = {
	":",
	":",
	":",
	":",
	":",
	":",
	":",
	":",
	"::",
	"::",
	":::",
	".",
	" ",
};
static const char *const quad[] = {
	"1.2.3.4",
	"127.0.0.1",
	"255.255.255.255",
	"0.0.0.0",
	"256.1.1.1",
	"01.2.3.4",
	"1.2.3",
	"0x7f.0.0.1",
	"1.2.3.4.5",
	"1.2.3.4.",
	"1..2.3",
	"10.0.0.1",
};

static void
gen_literal(uint64_t *st, char *s, size_t size)
{
	const char *const *tok, *const *sep;
	size_t ntok, nsep, len = 0, parts, j, gap;
	int v6 = rnd(st) % 2;

	tok = v6 ? tok6 : tok4;
	ntok = v6 ? NELEM(tok6) : NELEM(tok4);
	sep = v6 ? sep6 : sep4;
	nsep = v6 ? NELEM(sep6) : NELEM(sep4);
	s[0] = '\0';
	parts = 1 + rnd(st) % (v6 ? 9 : 5);
	/* IPv6 needs 8 groups or one "::"; put one in most of the time. */
	gap = v6 && rnd(st) % 3 != 0 ? rnd(st) % (parts + 1) : SIZE_MAX;
	for (j = 0; j < parts && len < size - 32; j++) {
		if (j == gap)
			len += (size_t)snprintf(s + len, size - len, "::");
		else if (j > 0)
			len += (size_t)snprintf(
			    s + len, size - len, "%s", sep[rnd(st) % nsep]);
		len += (size_t)snprintf(
		    s + len, size - len, "%s", tok[rnd(st) % ntok]);
	}
	if (j == gap)
		len += (size_t)snprintf(s + len, size - len, "::");
	if (v6 && rnd(st) % 4 == 0)
		len += (size_t)snprintf(s + len, size - len, "%s%s",
		    rnd(st) % 4 ? ":" : "::", quad[rnd(st) % NELEM(quad)]);
	if (rnd(st) % 16 == 0)
		(void)snprintf(
		    s + len, size - len, "%s", rnd(st) % 2 ? "." : ":");
}

START_TEST(test_glibc_random)
{
	uint64_t st = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
	char s[256];
	size_t k;

	for (k = 0; k < RANDOM_PER_SLICE; k++) {
		gen_literal(&st, s, sizeof(s));
		/* getaddrinfo is slower: check it on a sample. */
		check_against_glibc(s, k % 64 == 0);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* netaddr_format */

START_TEST(test_format_edges)
{
	struct netaddr a;
	char buf[NETADDR_STRLEN];
	char small[40];

	ck_assert_int_eq(
	    netaddr_parse_ip(
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295", &a),
	    0);
	ck_assert_int_eq(netaddr_format(&a, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(strlen(buf), NETADDR_STRLEN - 1);
	ck_assert_int_eq(netaddr_format(&a, buf, NETADDR_STRLEN - 1), -1);
	ck_assert_str_eq(buf, "");

	ck_assert_int_eq(
	    netaddr_parse_ip("1111:2222:3333:4444:5555:6666:7777:8888", &a), 0);
	ck_assert_int_eq(netaddr_format(&a, small, 40), 0);
	ck_assert_str_eq(small, "1111:2222:3333:4444:5555:6666:7777:8888");
	ck_assert_int_eq(netaddr_format(&a, small, 39), -1);
	ck_assert_str_eq(small, "");

	ck_assert_int_eq(netaddr_parse_ip("1.2.3.4", &a), 0);
	ck_assert_int_eq(netaddr_format(&a, small, 8), 0);
	ck_assert_str_eq(small, "1.2.3.4");
	ck_assert_int_eq(netaddr_format(&a, small, 7), -1);
	ck_assert_int_eq(netaddr_format(&a, small, 0), -1);
	ck_assert_int_eq(netaddr_format(&a, NULL, 10), -1);
	ck_assert_int_eq(netaddr_format(NULL, small, sizeof(small)), -1);

	/* An IPv4 address has no scope; a stray scope_id is not printed. */
	a.scope_id = 5;
	ck_assert_int_eq(netaddr_format(&a, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "1.2.3.4");

	memset(&a, 0, sizeof(a));
	a.family = AF_UNIX;
	ck_assert_int_eq(netaddr_format(&a, buf, sizeof(buf)), -1);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* ------------------------------------------------------------------ */
/* netaddr_equal */

struct eq_case {
	const char *a, *b;
	bool eq;
};

static const struct eq_case eq_cases[] = {
	{ "127.0.0.1", "2130706433", true },
	{ "127.0.0.1", "0x7f.1", true },
	{ "127.0.0.1", "::ffff:127.0.0.1", true },
	{ "::ffff:127.0.0.1", "127.0.0.1", true },
	{ "::ffff:7f00:1", "[::ffff:127.0.0.1]", true },
	{ "127.0.0.1", "::127.0.0.1", false },
	{ "127.0.0.1", "64:ff9b::127.0.0.1", false },
	{ "127.0.0.1", "2002:7f00:1::", false },
	{ "127.0.0.1", "127.0.0.2", false },
	{ "::1", "0:0:0:0:0:0:0:1", true },
	{ "::1", "[::1]", true },
	{ "::1", "127.0.0.1", false },
	{ "::1", "::ffff:0.0.0.1", false },
	{ "fe80::1%1", "fe80::1%2", true },
	{ "fe80::1%eth0", "fe80::1", true },
	{ "fe80::1", "fe80::2", false },
	{ "::", "0.0.0.0", false },
	{ "::ffff:0.0.0.0", "0", true },
	{ "2001:db8::1", "2001:DB8:0::1", true },
};

START_TEST(test_equal)
{
	const struct eq_case *t = &eq_cases[_i];
	struct netaddr a, b;

	ck_assert_int_eq(netaddr_parse_ip(t->a, &a), 0);
	ck_assert_int_eq(netaddr_parse_ip(t->b, &b), 0);
	ck_assert_msg(netaddr_equal(&a, &b) == t->eq, "%s vs %s", t->a, t->b);
	ck_assert_msg(netaddr_equal(&b, &a) == t->eq, "%s vs %s", t->b, t->a);
}
END_TEST

START_TEST(test_equal_edges)
{
	struct netaddr a, b;

	ck_assert_int_eq(netaddr_parse_ip("1.2.3.4", &a), 0);
	ck_assert(!netaddr_equal(&a, NULL));
	ck_assert(!netaddr_equal(NULL, &a));
	memset(&b, 0, sizeof(b));
	ck_assert(!netaddr_equal(&b, &b)); /* no family: not an address */
}
END_TEST

/* ------------------------------------------------------------------ */
/* netaddr_classify */

struct class_case {
	const char *in;
	enum netaddr_class c;
};

static const struct class_case class_cases[] = {
	/* IPv4, each range at its edges and just outside */
	{ "0.0.0.0", NETADDR_UNSPECIFIED },
	{ "0", NETADDR_UNSPECIFIED },
	{ "0.0.0.1", NETADDR_OTHER_SPECIAL },
	{ "0.255.255.255", NETADDR_OTHER_SPECIAL },
	{ "1.0.0.0", NETADDR_PUBLIC },
	{ "9.255.255.255", NETADDR_PUBLIC },
	{ "10.0.0.0", NETADDR_PRIVATE },
	{ "10.255.255.255", NETADDR_PRIVATE },
	{ "10.1", NETADDR_PRIVATE },
	{ "11.0.0.0", NETADDR_PUBLIC },
	{ "100.63.255.255", NETADDR_PUBLIC },
	{ "100.64.0.0", NETADDR_CGNAT },
	{ "100.127.255.255", NETADDR_CGNAT },
	{ "100.128.0.0", NETADDR_PUBLIC },
	{ "126.255.255.255", NETADDR_PUBLIC },
	{ "127.0.0.0", NETADDR_LOOPBACK },
	{ "127.0.0.1", NETADDR_LOOPBACK },
	{ "127.255.255.255", NETADDR_LOOPBACK },
	{ "2130706433", NETADDR_LOOPBACK },
	{ "0x7f.1", NETADDR_LOOPBACK },
	{ "0177.1", NETADDR_LOOPBACK },
	{ "128.0.0.0", NETADDR_PUBLIC },
	{ "169.253.255.255", NETADDR_PUBLIC },
	{ "169.254.0.0", NETADDR_LINKLOCAL },
	{ "169.254.169.254", NETADDR_LINKLOCAL },
	{ "169.254.255.255", NETADDR_LINKLOCAL },
	{ "169.255.0.0", NETADDR_PUBLIC },
	{ "172.15.255.255", NETADDR_PUBLIC },
	{ "172.16.0.0", NETADDR_PRIVATE },
	{ "172.31.255.255", NETADDR_PRIVATE },
	{ "172.32.0.0", NETADDR_PUBLIC },
	{ "191.255.255.255", NETADDR_PUBLIC },
	{ "192.0.0.0", NETADDR_OTHER_SPECIAL },
	{ "192.0.0.255", NETADDR_OTHER_SPECIAL },
	{ "192.0.1.0", NETADDR_PUBLIC },
	{ "192.0.2.0", NETADDR_DOCUMENTATION },
	{ "192.0.2.255", NETADDR_DOCUMENTATION },
	{ "192.0.3.0", NETADDR_PUBLIC },
	{ "192.31.196.1", NETADDR_OTHER_SPECIAL },
	{ "192.52.193.1", NETADDR_OTHER_SPECIAL },
	{ "192.88.98.255", NETADDR_PUBLIC },
	{ "192.88.99.0", NETADDR_OTHER_SPECIAL },
	{ "192.88.99.255", NETADDR_OTHER_SPECIAL },
	{ "192.88.100.0", NETADDR_PUBLIC },
	{ "192.167.255.255", NETADDR_PUBLIC },
	{ "192.168.0.0", NETADDR_PRIVATE },
	{ "192.168.1.1", NETADDR_PRIVATE },
	{ "192.168.255.255", NETADDR_PRIVATE },
	{ "192.169.0.0", NETADDR_PUBLIC },
	{ "192.175.48.1", NETADDR_OTHER_SPECIAL },
	{ "198.17.255.255", NETADDR_PUBLIC },
	{ "198.18.0.0", NETADDR_BENCHMARK },
	{ "198.19.255.255", NETADDR_BENCHMARK },
	{ "198.20.0.0", NETADDR_PUBLIC },
	{ "198.51.99.255", NETADDR_PUBLIC },
	{ "198.51.100.0", NETADDR_DOCUMENTATION },
	{ "198.51.100.255", NETADDR_DOCUMENTATION },
	{ "198.51.101.0", NETADDR_PUBLIC },
	{ "203.0.112.255", NETADDR_PUBLIC },
	{ "203.0.113.0", NETADDR_DOCUMENTATION },
	{ "203.0.113.255", NETADDR_DOCUMENTATION },
	{ "203.0.114.0", NETADDR_PUBLIC },
	{ "223.255.255.255", NETADDR_PUBLIC },
	{ "224.0.0.0", NETADDR_MULTICAST },
	{ "224.0.0.251", NETADDR_MULTICAST },
	{ "239.255.255.255", NETADDR_MULTICAST },
	{ "240.0.0.0", NETADDR_RESERVED },
	{ "255.255.255.254", NETADDR_RESERVED },
	{ "255.255.255.255", NETADDR_BROADCAST },
	{ "4294967295", NETADDR_BROADCAST },
	{ "8.8.8.8", NETADDR_PUBLIC },
	{ "1.1.1.1", NETADDR_PUBLIC },
	/* IPv6 */
	{ "::", NETADDR_UNSPECIFIED },
	{ "::1", NETADDR_LOOPBACK },
	{ "[::1]", NETADDR_LOOPBACK },
	{ "::1%1", NETADDR_LOOPBACK },
	{ "::2", NETADDR_OTHER_SPECIAL }, /* compat 0.0.0.2 */
	{ "::ffff:127.0.0.1", NETADDR_LOOPBACK },
	{ "[::ffff:7f00:1]", NETADDR_LOOPBACK },
	{ "::ffff:10.0.0.1", NETADDR_PRIVATE },
	{ "::ffff:0.0.0.0", NETADDR_UNSPECIFIED },
	{ "::ffff:169.254.169.254", NETADDR_LINKLOCAL },
	{ "::ffff:100.64.0.1", NETADDR_CGNAT },
	{ "::ffff:255.255.255.255", NETADDR_BROADCAST },
	{ "::ffff:8.8.8.8", NETADDR_PUBLIC },
	{ "::127.0.0.1", NETADDR_LOOPBACK },
	{ "::10.0.0.1", NETADDR_PRIVATE },
	{ "::8.8.8.8", NETADDR_RESERVED },
	{ "::ffff:0:8.8.8.8", NETADDR_RESERVED },
	{ "::1:0:0:0", NETADDR_RESERVED },
	{ "64:ff9b::8.8.8.8", NETADDR_PUBLIC },
	{ "64:ff9b::127.0.0.1", NETADDR_LOOPBACK },
	{ "64:ff9b::10.1.2.3", NETADDR_PRIVATE },
	{ "64:ff9b::169.254.169.254", NETADDR_LINKLOCAL },
	{ "64:ff9b::", NETADDR_UNSPECIFIED },
	{ "64:ff9b:0:0:1::1", NETADDR_RESERVED },
	{ "64:ff9b:1::1", NETADDR_OTHER_SPECIAL },
	{ "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", NETADDR_OTHER_SPECIAL },
	{ "64:ff9b:2::1", NETADDR_RESERVED },
	{ "100::", NETADDR_OTHER_SPECIAL },
	{ "100::ffff:ffff:ffff:ffff", NETADDR_OTHER_SPECIAL },
	{ "100:0:0:1::", NETADDR_RESERVED },
	{ "2001::", NETADDR_OTHER_SPECIAL },
	{ "2001::1", NETADDR_OTHER_SPECIAL },
	{ "2001:0:4136:e378:8000:63bf:3fff:fdd2", NETADDR_OTHER_SPECIAL },
	{ "2001:1::1", NETADDR_OTHER_SPECIAL },
	{ "2001:2::", NETADDR_BENCHMARK },
	{ "2001:2:0:ffff::1", NETADDR_BENCHMARK },
	{ "2001:2:1::", NETADDR_OTHER_SPECIAL },
	{ "2001:10::1", NETADDR_OTHER_SPECIAL },
	{ "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", NETADDR_OTHER_SPECIAL },
	{ "2001:200::", NETADDR_PUBLIC },
	{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", NETADDR_PUBLIC },
	{ "2001:db8::", NETADDR_DOCUMENTATION },
	{ "2001:db8::1", NETADDR_DOCUMENTATION },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", NETADDR_DOCUMENTATION },
	{ "2001:db9::", NETADDR_PUBLIC },
	{ "3fff::1", NETADDR_DOCUMENTATION },
	{ "3fff:fff:ffff::", NETADDR_DOCUMENTATION },
	{ "3fff:1000::", NETADDR_PUBLIC },
	{ "2002::", NETADDR_UNSPECIFIED }, /* 6to4 of 0.0.0.0 */
	{ "2002:7f00:1::", NETADDR_LOOPBACK },
	{ "2002:a00:1::1", NETADDR_PRIVATE },
	{ "2002:c0a8:101::1", NETADDR_PRIVATE },
	{ "2002:808:808::1", NETADDR_OTHER_SPECIAL },
	{ "2002:ffff:ffff::", NETADDR_BROADCAST },
	{ "2003::1", NETADDR_PUBLIC },
	{ "2620:4f:8000::1", NETADDR_OTHER_SPECIAL },
	{ "2620:4f:8001::1", NETADDR_PUBLIC },
	{ "fbff:ffff::1", NETADDR_RESERVED },
	{ "fc00::", NETADDR_ULA },
	{ "fd12:3456::1", NETADDR_ULA },
	{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NETADDR_ULA },
	{ "fe00::1", NETADDR_RESERVED },
	{ "fe7f:ffff::", NETADDR_RESERVED },
	{ "fe80::", NETADDR_LINKLOCAL },
	{ "fe80::1%eth0", NETADDR_LINKLOCAL },
	{ "[fe80::1%2]", NETADDR_LINKLOCAL },
	{ "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NETADDR_LINKLOCAL },
	{ "fec0::1", NETADDR_PRIVATE },
	{ "feff:ffff::", NETADDR_PRIVATE },
	{ "ff00::", NETADDR_MULTICAST },
	{ "ff02::1", NETADDR_MULTICAST },
	{ "ff0e::1", NETADDR_MULTICAST },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NETADDR_MULTICAST },
	{ "1::", NETADDR_RESERVED },
	{ "4000::1", NETADDR_RESERVED },
	{ "5f00::1", NETADDR_RESERVED },
	{ "e000::1", NETADDR_RESERVED },
	{ "1fff:ffff::", NETADDR_RESERVED },
	{ "2000::", NETADDR_PUBLIC },
	{ "2606:4700:4700::1111", NETADDR_PUBLIC },
	{ "2a00:1450:4001::1", NETADDR_PUBLIC },
	{ "3ffe::1", NETADDR_PUBLIC },
};

START_TEST(test_classify)
{
	const struct class_case *t = &class_cases[_i];
	struct netaddr a;
	enum netaddr_class c;

	ck_assert_msg(netaddr_parse_ip(t->in, &a) == 0, "rejected %s", t->in);
	c = netaddr_classify(&a);
	ck_assert_msg(c == t->c, "%s: got %s, want %s", t->in,
	    netaddr_class_name(c), netaddr_class_name(t->c));
	ck_assert(netaddr_is_public(&a) == (t->c == NETADDR_PUBLIC));
}
END_TEST

START_TEST(test_classify_edges)
{
	struct netaddr a;

	ck_assert_int_eq(netaddr_classify(NULL), NETADDR_RESERVED);
	ck_assert(!netaddr_is_public(NULL));
	memset(&a, 0, sizeof(a));
	a.family = AF_UNIX;
	a.addr[0] = 8;
	ck_assert_int_eq(netaddr_classify(&a), NETADDR_RESERVED);
}
END_TEST

struct name_case {
	enum netaddr_class c;
	const char *name;
};

static const struct name_case name_cases[] = {
	{ NETADDR_PUBLIC, "public" },
	{ NETADDR_LOOPBACK, "loopback" },
	{ NETADDR_PRIVATE, "private" },
	{ NETADDR_LINKLOCAL, "link-local" },
	{ NETADDR_CGNAT, "carrier-grade NAT" },
	{ NETADDR_UNSPECIFIED, "unspecified" },
	{ NETADDR_MULTICAST, "multicast" },
	{ NETADDR_BROADCAST, "broadcast" },
	{ NETADDR_BENCHMARK, "benchmarking" },
	{ NETADDR_DOCUMENTATION, "documentation" },
	{ NETADDR_RESERVED, "reserved" },
	{ NETADDR_ULA, "unique local" },
	{ NETADDR_OTHER_SPECIAL, "special-purpose" },
	{ (enum netaddr_class)99, "unknown" },
	{ (enum netaddr_class) - 1, "unknown" },
};

START_TEST(test_class_name)
{
	ck_assert_str_eq(
	    netaddr_class_name(name_cases[_i].c), name_cases[_i].name);
}
END_TEST

/* ------------------------------------------------------------------ */
/* netaddr_embedded_ipv4 */

struct emb_case {
	const char *in;
	const char *v4; /* NULL: none */
};

static const struct emb_case emb_cases[] = {
	{ "1.2.3.4", "1.2.3.4" },
	{ "::ffff:1.2.3.4", "1.2.3.4" },
	{ "::1.2.3.4", "1.2.3.4" },
	{ "::2", "0.0.0.2" },
	{ "::", NULL },
	{ "::1", NULL },
	{ "64:ff9b::10.0.0.1", "10.0.0.1" },
	{ "2002:c0a8:101::", "192.168.1.1" },
	{ "2001:db8::1", NULL },
	{ "fe80::1", NULL },
	{ "64:ff9b:1::1", NULL },
};

START_TEST(test_embedded)
{
	const struct emb_case *t = &emb_cases[_i];
	struct netaddr a, v4;
	char buf[NETADDR_STRLEN];

	ck_assert_int_eq(netaddr_parse_ip(t->in, &a), 0);
	if (t->v4 == NULL) {
		ck_assert_int_eq(netaddr_embedded_ipv4(&a, &v4), -1);
		ck_assert_int_eq(v4.family, 0);
		return;
	}
	ck_assert_int_eq(netaddr_embedded_ipv4(&a, &v4), 0);
	ck_assert_int_eq(v4.family, AF_INET);
	ck_assert_int_eq(netaddr_format(&v4, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, t->v4);
}
END_TEST

/* ------------------------------------------------------------------ */
/* netaddr_norm_host */

struct host_ok {
	const char *in, *out;
};

#define L63 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk"
#define L64 L63 "l"
/* 4 x 63 + 3 dots = 255; these are cut down to exactly 253 and 254 */
#define N253                                                                   \
	L63 "." L63 "." L63 "."                                                \
	    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghi"
#define N254 N253 "j"

static const struct host_ok host_ok[] = {
	{ "example.com", "example.com" },
	{ "Example.COM", "example.com" },
	{ "example.com.", "example.com" },
	{ "API.OpenAI.com.", "api.openai.com" },
	{ "localhost", "localhost" },
	{ "LOCALHOST.", "localhost" },
	{ "a", "a" },
	{ "_dmarc.example.com", "_dmarc.example.com" },
	{ "_443._tcp.example.com", "_443._tcp.example.com" },
	{ "a-b.c-d", "a-b.c-d" },
	{ "xn--bcher-kva.example", "xn--bcher-kva.example" },
	{ "1a.com", "1a.com" },
	{ "123.example.com", "123.example.com" },
	{ "example.123a", "example.123a" },
	{ "example.0xg", "example.0xg" },
	{ L63 ".com", L63 ".com" },
	{ N253, N253 },
	{ N253 ".", N253 },
	/* IP literals come back canonical */
	{ "127.0.0.1", "127.0.0.1" },
	{ "0x7f.1", "127.0.0.1" },
	{ "2130706433", "127.0.0.1" },
	{ "[::1]", "::1" },
	{ "::FFFF:1.2.3.4", "::ffff:1.2.3.4" },
	{ "fe80::1%3", "fe80::1%3" },
};

START_TEST(test_host_ok)
{
	const struct host_ok *t = &host_ok[_i];
	char out[NETADDR_HOSTLEN];
	const char *err = "unset";

	ck_assert_msg(netaddr_norm_host(t->in, out, sizeof(out), &err) == 0,
	    "rejected \"%s\": %s", t->in, err);
	ck_assert_ptr_null(err);
	ck_assert_str_eq(out, t->out);
	/* Normalising is idempotent. */
	ck_assert_int_eq(netaddr_norm_host(out, out, sizeof(out), NULL), 0);
	ck_assert_str_eq(out, t->out);
}
END_TEST

static const char *const host_bad[] = {
	"",
	".",
	"..",
	".example.com",
	"example..com",
	"example.com..",
	"-a.com",
	"a-.com",
	"a.-b.com",
	"a b",
	" a",
	"a ",
	"a\tb",
	"a\nb",
	"a:80",
	"a/b",
	"http://a",
	"*.a",
	"a*",
	"\xc3\xa9.com",
	"a\x01"
	"b",
	"a@b",
	"a%b",
	"a,b",
	"a;b",
	"a\\b",
	"a\"b",
	"a'b",
	"a!b",
	"[a]",
	L64 ".com",
	N254,
	N254 ".",
	/* numeric last labels: read as addresses elsewhere */
	"127.0.0.1.",
	"1.2.3.4.5",
	"2130706433.",
	"0x7f.0x1x.0x1",
	"foo.0x7f",
	"foo.0X",
	"foo.123",
	"1.2.3.04.",
	"0x7f.0x1.",
};

START_TEST(test_host_bad)
{
	char out[NETADDR_HOSTLEN];
	const char *err = NULL;

	memset(out, 'x', sizeof(out));
	ck_assert_msg(
	    netaddr_norm_host(host_bad[_i], out, sizeof(out), &err) == -1,
	    "accepted \"%s\" as \"%s\"", host_bad[_i], out);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_host_edges)
{
	char out[12];
	const char *err;

	ck_assert_int_eq(netaddr_norm_host("example.com", out, 12, &err), 0);
	ck_assert_str_eq(out, "example.com");
	ck_assert_int_eq(netaddr_norm_host("example.com", out, 11, &err), -1);
	ck_assert_str_eq(out, "");
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(netaddr_norm_host("example.com.", out, 12, NULL), 0);
	ck_assert_int_eq(
	    netaddr_norm_host("::ffff:1.2.3.4", out, 12, &err), -1);
	ck_assert_int_eq(netaddr_norm_host("a", out, 0, &err), -1);
	ck_assert_int_eq(netaddr_norm_host(NULL, out, sizeof(out), &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(netaddr_norm_host("a", NULL, 10, &err), -1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* hostpat_parse */

struct pat_ok {
	const char *in;
	int kind;
	const char *host;
};

static const struct pat_ok pat_ok[] = {
	{ "api.openai.com", HOSTPAT_EXACT, "api.openai.com" },
	{ "API.OpenAI.com.", HOSTPAT_EXACT, "api.openai.com" },
	{ "localhost", HOSTPAT_EXACT, "localhost" },
	{ "*.example.com", HOSTPAT_SUBDOMAINS, "example.com" },
	{ "*.Example.COM.", HOSTPAT_SUBDOMAINS, "example.com" },
	{ "*.com", HOSTPAT_SUBDOMAINS, "com" },
	{ "**.example.com", HOSTPAT_APEX_AND_SUB, "example.com" },
	{ "**.localhost", HOSTPAT_APEX_AND_SUB, "localhost" },
	{ "*", HOSTPAT_ANY, "*" },
	{ "127.0.0.1", HOSTPAT_IP, "127.0.0.1" },
	{ "2130706433", HOSTPAT_IP, "127.0.0.1" },
	{ "0x7f.1", HOSTPAT_IP, "127.0.0.1" },
	{ "::1", HOSTPAT_IP, "::1" },
	{ "[::1]", HOSTPAT_IP, "::1" },
	{ "[::FFFF:10.0.0.1]", HOSTPAT_IP, "::ffff:10.0.0.1" },
	{ "fe80::1%eth0", HOSTPAT_IP, "fe80::1" },
};

START_TEST(test_pat_ok)
{
	const struct pat_ok *t = &pat_ok[_i];
	struct hostpat p;
	const char *err = "unset";

	ck_assert_msg(hostpat_parse(t->in, &p, &err) == 0,
	    "rejected \"%s\": %s", t->in, err);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(p.kind, t->kind);
	ck_assert_str_eq(p.host, t->host);
	if (t->kind == HOSTPAT_IP) {
		struct netaddr a;

		ck_assert_int_eq(netaddr_parse_ip(t->in, &a), 0);
		ck_assert(netaddr_equal(&p.ip, &a));
	} else
		ck_assert_int_eq(p.ip.family, 0);
}
END_TEST

static const char *const pat_bad[] = {
	"",
	"*example.com",
	"a.*.com",
	"***.x",
	"*.",
	"**",
	"**.",
	"*.*",
	"**.*",
	"*.*.example.com",
	"*.example.*",
	"ex*ample.com",
	"example.com*",
	"* .x",
	"*. x",
	" *.x",
	"example.com ",
	" example.com",
	"exa mple.com",
	"example.com:443",
	"*.example.com:443",
	"https://example.com",
	"http://example.com/",
	"example.com/path",
	"//example.com",
	"*.127.0.0.1",
	"**.10.0.0.1",
	"*.1",
	"*.0x7f.1",
	"*.[::1]",
	"*.::1",
	".example.com",
	"example..com",
	"*..example.com",
	"*..",
	"[::1]:80",
	"1.2.3.4:80",
	"1.2.3.4.5",
	"127.0.0.1.",
	"*.-a.com",
	"[example.com]",
	"example.com\n",
	"\xc3\xa9.com",
	"user@example.com",
	"*.foo.123",
	L64 ".com",
	N254,
};

START_TEST(test_pat_bad)
{
	struct hostpat p;
	const char *err = NULL;

	memset(&p, 0x5a, sizeof(p));
	ck_assert_msg(hostpat_parse(pat_bad[_i], &p, &err) == -1,
	    "accepted \"%s\"", pat_bad[_i]);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strncmp(err, "malformed pattern: ", 19) == 0, "%s", err);
	ck_assert_int_eq(p.kind, 0);
	ck_assert_str_eq(p.host, "");
}
END_TEST

START_TEST(test_pat_null)
{
	struct hostpat p;
	const char *err = NULL;

	ck_assert_int_eq(hostpat_parse(NULL, &p, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(hostpat_parse("a", NULL, NULL), -1);
	ck_assert(!hostpat_match(NULL, "a"));
	ck_assert_int_eq(hostpat_parse("a", &p, NULL), 0);
	ck_assert(!hostpat_match(&p, NULL));
	/* A hand-built pattern without a NUL never matches. */
	memset(p.host, 'a', sizeof(p.host));
	ck_assert(!hostpat_match(&p, "a"));
	p.kind = 42;
	p.host[0] = '\0';
	ck_assert(!hostpat_match(&p, "a"));
}
END_TEST

/* ------------------------------------------------------------------ */
/* hostpat_match */

struct match_case {
	const char *pat, *host;
	bool match;
};

static const struct match_case match_cases[] = {
	/* exact */
	{ "api.openai.com", "api.openai.com", true },
	{ "api.openai.com", "API.OPENAI.COM.", true },
	{ "API.openai.com.", "api.openai.com", true },
	{ "api.openai.com", "x.api.openai.com", false },
	{ "api.openai.com", "openai.com", false },
	{ "api.openai.com", "api.openai.com.evil.com", false },
	{ "api.openai.com", "api.openai.co", false },
	{ "api.openai.com", "api.openai.com..", false },
	{ "api.openai.com", "api.openai.com:443", false },
	{ "localhost", "localhost", true },
	{ "localhost", "LocalHost.", true },
	{ "localhost", "127.0.0.1", false },
	{ "localhost", "::1", false },
	{ "example.com", "127.0.0.1", false },
	/* subdomains only */
	{ "*.example.com", "api.example.com", true },
	{ "*.example.com", "a.b.example.com", true },
	{ "*.example.com", "API.Example.Com.", true },
	{ "*.example.com", "1.example.com", true },
	{ "*.example.com", "example.com", false },
	{ "*.example.com", "example.com.", false },
	{ "*.example.com", "badexample.com", false },
	{ "*.example.com", ".example.com", false },
	{ "*.example.com", "example.com.evil.net", false },
	{ "*.example.com", "a..example.com", false },
	{ "*.com", "example.com", true },
	{ "*.com", "com", false },
	/* apex and subdomains */
	{ "**.example.com", "example.com", true },
	{ "**.example.com", "EXAMPLE.COM.", true },
	{ "**.example.com", "a.example.com", true },
	{ "**.example.com", "a.b.example.com", true },
	{ "**.example.com", "notexample.com", false },
	{ "**.example.com", "example.com.au", false },
	{ "**.example.com", "xample.com", false },
	{ "**.example.com", "127.0.0.1", false },
	{ "**.localhost", "localhost", true },
	{ "**.localhost", "a.localhost", true },
	/* any */
	{ "*", "example.com", true },
	{ "*", "a", true },
	{ "*", "8.8.8.8", true },
	{ "*", "[2606:4700::1]", true },
	{ "*", "::ffff:8.8.8.8", true },
	{ "*", "127.0.0.1", false },
	{ "*", "2130706433", false },
	{ "*", "0x7f.1", false },
	{ "*", "10.0.0.1", false },
	{ "*", "192.168.1.1", false },
	{ "*", "169.254.169.254", false },
	{ "*", "0.0.0.0", false },
	{ "*", "::1", false },
	{ "*", "[::1]", false },
	{ "*", "::ffff:127.0.0.1", false },
	{ "*", "fe80::1%eth0", false },
	{ "*", "fd00::1", false },
	{ "*", "2002:7f00:1::", false },
	{ "*", "64:ff9b::10.0.0.1", false },
	{ "*", "localhost", false },
	{ "*", "LOCALHOST.", false },
	{ "*", "foo.localhost", false },
	{ "*", "notlocalhost", true },
	{ "*", "localhost.example.com", true },
	{ "*", "bad host", false },
	{ "*", "", false },
	{ "*", "127.0.0.1.", false },
	{ "*", "0x7f.0x1", false },
	{ "*", "example.com:443", false },
	/* IP */
	{ "127.0.0.1", "127.0.0.1", true },
	{ "127.0.0.1", "2130706433", true },
	{ "127.0.0.1", "0x7f.1", true },
	{ "127.0.0.1", "0177.0.0.1", true },
	{ "127.0.0.1", "127.1", true },
	{ "127.0.0.1", "::ffff:127.0.0.1", true },
	{ "127.0.0.1", "[::ffff:7f00:1]", true },
	{ "2130706433", "127.0.0.1", true },
	{ "127.0.0.1", "127.0.0.2", false },
	{ "127.0.0.1", "::127.0.0.1", false },
	{ "127.0.0.1", "localhost", false },
	{ "127.0.0.1", "127.0.0.1.", false },
	{ "::1", "0:0::1", true },
	{ "::1", "[::1]", true },
	{ "[::1]", "::1", true },
	{ "::1", "127.0.0.1", false },
	{ "fe80::1", "fe80::1%eth0", true },
	{ "fe80::1%2", "fe80::1", true },
};

START_TEST(test_match)
{
	const struct match_case *t = &match_cases[_i];
	struct hostpat p;
	const char *err = NULL;

	ck_assert_msg(
	    hostpat_parse(t->pat, &p, &err) == 0, "%s: %s", t->pat, err);
	ck_assert_msg(hostpat_match(&p, t->host) == t->match,
	    "pattern \"%s\", host \"%s\": want %s", t->pat, t->host,
	    t->match ? "match" : "no match");
}
END_TEST

/* ------------------------------------------------------------------ */
/* netaddr_split_hostport */

struct split_case {
	const char *in;
	int ok;
	const char *host;
	int port;
};

static const struct split_case split_cases[] = {
	{ "example.com", 0, "example.com", -1 },
	{ "example.com:443", 0, "example.com", 443 },
	{ "example.com:0", 0, "example.com", 0 },
	{ "example.com:65535", 0, "example.com", 65535 },
	{ "127.0.0.1", 0, "127.0.0.1", -1 },
	{ "127.0.0.1:80", 0, "127.0.0.1", 80 },
	{ "0x7f.1:80", 0, "0x7f.1", 80 },
	{ "[::1]", 0, "::1", -1 },
	{ "[::1]:8080", 0, "::1", 8080 },
	{ "[::ffff:127.0.0.1]:22", 0, "::ffff:127.0.0.1", 22 },
	{ "[fe80::1%eth0]:22", 0, "fe80::1%eth0", 22 },
	/* RFC 6874: a URL writes the zone's '%' as "%25" */
	{ "[fe80::1%25eth0]:22", 0, "fe80::1%eth0", 22 },
	{ "[fe80::1%25eth0]", 0, "fe80::1%eth0", -1 },
	{ "[fe80::1%2511]", 0, "fe80::1%11", -1 },
	{ "[fe80::1%25]", 0, "fe80::1%25", -1 },
	{ "[fe80::1%25-x]", -1, "", -1 },
	{ "::1", 0, "::1", -1 },
	{ "::1:80", 0, "::1:80", -1 },
	{ "fe80::1%eth0", 0, "fe80::1%eth0", -1 },
	{ "2001:db8::1", 0, "2001:db8::1", -1 },
	{ "a", 0, "a", -1 },
	{ "", -1, "", -1 },
	{ ":80", -1, "", -1 },
	{ "a:", -1, "", -1 },
	{ "a:65536", -1, "", -1 },
	{ "a:99999", -1, "", -1 },
	{ "a:123456", -1, "", -1 },
	{ "a:-1", -1, "", -1 },
	{ "a:+1", -1, "", -1 },
	{ "a:080", -1, "", -1 },
	{ "a:00", -1, "", -1 },
	{ "a: 80", -1, "", -1 },
	{ "a:80 ", -1, "", -1 },
	{ "a:8o", -1, "", -1 },
	{ "a:0x50", -1, "", -1 },
	{ "[::1]:", -1, "", -1 },
	{ "[::1]x", -1, "", -1 },
	{ "[::1]:80x", -1, "", -1 },
	{ "[::1]:80:80", -1, "", -1 },
	{ "[::1", -1, "", -1 },
	{ "[::1]]:80", -1, "", -1 },
	{ "[]:80", -1, "", -1 },
	{ "[]", -1, "", -1 },
	{ "[127.0.0.1]:80", -1, "", -1 },
	{ "[a.b]:80", -1, "", -1 },
	{ "[[::1]]", -1, "", -1 },
	{ "a:b:c", -1, "", -1 },
	{ "1:2:3:4:5:6:7:8:80", -1, "", -1 },
	{ "::1::80", -1, "", -1 },
	{ "a]:80", -1, "", -1 },
	{ "a[b", -1, "", -1 },
	{ "a]", -1, "", -1 },
};

START_TEST(test_split)
{
	const struct split_case *t = &split_cases[_i];
	char host[NETADDR_HOSTLEN];
	const char *err = "unset";
	int port = 12345;

	memset(host, 'x', sizeof(host));
	ck_assert_msg(netaddr_split_hostport(
			  t->in, host, sizeof(host), &port, &err) == t->ok,
	    "\"%s\": want %d", t->in, t->ok);
	ck_assert_str_eq(host, t->host);
	ck_assert_int_eq(port, t->port);
	if (t->ok == 0)
		ck_assert_ptr_null(err);
	else
		ck_assert_ptr_nonnull(err);
}
END_TEST

START_TEST(test_split_edges)
{
	char host[12];
	const char *err;
	int port;

	ck_assert_int_eq(
	    netaddr_split_hostport("example.com:1", host, 12, &port, &err), 0);
	ck_assert_str_eq(host, "example.com");
	ck_assert_int_eq(port, 1);
	ck_assert_int_eq(
	    netaddr_split_hostport("example.com:1", host, 11, &port, &err), -1);
	ck_assert_str_eq(host, "");
	ck_assert_int_eq(port, -1);
	ck_assert_int_eq(
	    netaddr_split_hostport(NULL, host, 12, &port, &err), -1);
	ck_assert_int_eq(
	    netaddr_split_hostport("a", NULL, 12, &port, &err), -1);
	ck_assert_int_eq(netaddr_split_hostport("a", host, 12, NULL, NULL), -1);
	/* Leading zeros in a scope make a long but valid literal. */
	ck_assert_int_eq(
	    netaddr_split_hostport(
		"[fe80::1%000000000000000000000000000000000000000000000001]:1",
		host, 12, &port, &err),
	    -1);
	ck_assert_str_eq(err, "host too long");
}
END_TEST

static Suite *
netaddr_suite(void)
{
	Suite *s = suite_create("netaddr");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_ok, 0, NELEM(ip_ok));
	tcase_add_loop_test(tc, test_parse_bad, 0, NELEM(ip_bad));
	tcase_add_test(tc, test_parse_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("glibc");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_glibc_tricky, 0, NELEM(tricky));
	tcase_add_loop_test(tc, test_glibc_random, 0, RANDOM_SLICES);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_test(tc, test_format_edges);
	tcase_add_loop_test(tc, test_equal, 0, NELEM(eq_cases));
	tcase_add_test(tc, test_equal_edges);
	suite_add_tcase(s, tc);

	tc = tcase_create("classify");
	tcase_add_loop_test(tc, test_classify, 0, NELEM(class_cases));
	tcase_add_test(tc, test_classify_edges);
	tcase_add_loop_test(tc, test_class_name, 0, NELEM(name_cases));
	tcase_add_loop_test(tc, test_embedded, 0, NELEM(emb_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("host");
	tcase_add_loop_test(tc, test_host_ok, 0, NELEM(host_ok));
	tcase_add_loop_test(tc, test_host_bad, 0, NELEM(host_bad));
	tcase_add_test(tc, test_host_edges);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostpat");
	tcase_add_loop_test(tc, test_pat_ok, 0, NELEM(pat_ok));
	tcase_add_loop_test(tc, test_pat_bad, 0, NELEM(pat_bad));
	tcase_add_test(tc, test_pat_null);
	tcase_add_loop_test(tc, test_match, 0, NELEM(match_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("hostport");
	tcase_add_loop_test(tc, test_split, 0, NELEM(split_cases));
	tcase_add_test(tc, test_split_edges);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(netaddr_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
