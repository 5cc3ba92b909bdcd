/*
 * Unit tests for policy/dnsmsg.c, the bounded reader and writer of DNS
 * messages: a query made here reads back as its question; every A and
 * AAAA record of every section is found, the answer section's first; a
 * message that does not add up (counts the bytes do not hold, a record
 * past the end, an address of the wrong length, a pointer or a dot in a
 * question) is refused, and each cut-short prefix of a good answer is
 * read without a read past its end (ASan, heap copies of exact size).
 */
#include <sys/socket.h>

#include <arpa/inet.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dnsmsg.h"

/* A reply to "good.test" A: one A in the answer section, a CNAME in
 * authority, an AAAA and a TXT in additional, names compressed */
static const uint8_t reply[] = {
	0xab,
	0xcd,
	0x81,
	0x80,
	0,
	1,
	0,
	1,
	0,
	1,
	0,
	2,
	/* question */
	4,
	'g',
	'o',
	'o',
	'd',
	4,
	't',
	'e',
	's',
	't',
	0,
	0,
	1,
	0,
	1,
	/* answer: A 93.184.215.14 */
	0xc0,
	12,
	0,
	1,
	0,
	1,
	0,
	0,
	0,
	60,
	0,
	4,
	93,
	184,
	215,
	14,
	/* authority: CNAME x.test */
	0xc0,
	12,
	0,
	5,
	0,
	1,
	0,
	0,
	0,
	60,
	0,
	4,
	1,
	'x',
	0xc0,
	17,
	/* additional: AAAA ::1, TXT "hi" */
	0xc0,
	12,
	0,
	28,
	0,
	1,
	0,
	0,
	0,
	60,
	0,
	16,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	1,
	0xc0,
	12,
	0,
	16,
	0,
	1,
	0,
	0,
	0,
	60,
	0,
	3,
	2,
	'h',
	'i',
};

static int
addrs(const uint8_t *m, size_t len, struct netaddr *a, size_t max, size_t *nan)
{
	uint8_t *copy = malloc(len ? len : 1);
	int n;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, m, len);
	n = dnsmsg_addrs(copy, len, a, max, nan);
	free(copy);
	return n;
}

START_TEST(query_reads_back)
{
	uint8_t q[DNSMSG_QUERY_MAX];
	struct dnsmsg_q qq;
	char name[300];
	int n;

	n = dnsmsg_query(q, sizeof(q), 0x1234, "pypi.org", 16, 1);
	ck_assert_int_eq(n, 12 + 10 + 4);
	ck_assert_int_eq(q[0], 0x12);
	ck_assert_int_eq(q[2], 0x01);
	ck_assert_int_eq(dnsmsg_question(q, (size_t)n, &qq), 0);
	ck_assert_str_eq(qq.name, "pypi.org");
	ck_assert_int_eq(qq.type, 16);
	ck_assert_int_eq(qq.klass, 1);
	ck_assert_uint_eq(qq.end, (size_t)n);
	/* not host names, or too long */
	ck_assert_int_eq(dnsmsg_query(q, sizeof(q), 0, "a..b", 1, 1), -1);
	ck_assert_int_eq(dnsmsg_query(q, sizeof(q), 0, ".a", 1, 1), -1);
	ck_assert_int_eq(dnsmsg_query(q, sizeof(q), 0, "", 1, 1), -1);
	memset(name, 'a', 64);
	name[64] = '\0';
	ck_assert_int_eq(dnsmsg_query(q, sizeof(q), 0, name, 1, 1), -1);
	for (n = 0; n < 260; n++)
		name[n] = n % 2 ? '.' : 'a';
	name[259] = '\0';
	ck_assert_int_eq(dnsmsg_query(q, sizeof(q), 0, name, 1, 1), -1);
	/* no room */
	ck_assert_int_eq(dnsmsg_query(q, 20, 0, "pypi.org", 1, 1), -1);
	/* one final dot is the root's; two are not a name */
	ck_assert_int_eq(dnsmsg_query(q, sizeof(q), 0, "pypi.org.", 1, 1), 26);
	ck_assert_int_eq(dnsmsg_question(q, 26, &qq), 0);
	ck_assert_str_eq(qq.name, "pypi.org");
	ck_assert_int_eq(dnsmsg_query(q, sizeof(q), 0, "pypi.org..", 1, 1), -1);
	ck_assert_int_eq(dnsmsg_query(q, sizeof(q), 0, ".", 1, 1), -1);
	/* the longest name, 253 bytes as text (255 on the wire), and one
	 * longer; a question of it reads back, one longer does not */
	memset(name, 'a', 253);
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0';
	n = dnsmsg_query(q, sizeof(q), 0, name, 1, 1);
	ck_assert_int_eq(n, 12 + 255 + 4);
	ck_assert_int_eq(dnsmsg_question(q, (size_t)n, &qq), 0);
	ck_assert_str_eq(qq.name, name);
	q[12 + 192]++; /* the last label one longer: it takes in the end */
	ck_assert_int_eq(dnsmsg_question(q, (size_t)n, &qq), -1);
	name[253] = 'a';
	name[254] = '\0';
	ck_assert_int_eq(dnsmsg_query(q, sizeof(q), 0, name, 1, 1), -1);
}
END_TEST

START_TEST(questions_refused)
{
	uint8_t m[64];
	struct dnsmsg_q qq;
	size_t len = 27;

	memcpy(m, reply, len);
	ck_assert_int_eq(dnsmsg_question(m, len, &qq), 0);
	ck_assert_str_eq(qq.name, "good.test");
	/* two questions, none */
	m[5] = 2;
	ck_assert_int_eq(dnsmsg_question(m, len, &qq), -1);
	m[5] = 0;
	ck_assert_int_eq(dnsmsg_question(m, len, &qq), -1);
	m[5] = 1;
	/* a dot, a space, a byte past ASCII inside a label */
	m[14] = '.';
	ck_assert_int_eq(dnsmsg_question(m, len, &qq), -1);
	m[14] = ' ';
	ck_assert_int_eq(dnsmsg_question(m, len, &qq), -1);
	m[14] = 0x80;
	ck_assert_int_eq(dnsmsg_question(m, len, &qq), -1);
	m[14] = 'o';
	/* a pointer in the question */
	m[17] = 0xc0;
	ck_assert_int_eq(dnsmsg_question(m, len, &qq), -1);
	m[17] = 4;
	/* the root, type and class cut */
	m[12] = 0;
	ck_assert_int_eq(dnsmsg_question(m, len, &qq), -1);
	m[12] = 4;
	ck_assert_int_eq(dnsmsg_question(m, len - 1, &qq), -1);
	ck_assert_int_eq(dnsmsg_question(m, 11, &qq), -1);
	ck_assert_int_eq(dnsmsg_question(NULL, 0, &qq), -1);
}
END_TEST

START_TEST(every_address_found)
{
	struct netaddr a[4];
	char txt[NETADDR_STRLEN];
	size_t nan;

	ck_assert_int_eq(addrs(reply, sizeof(reply), a, 4, &nan), 2);
	ck_assert_uint_eq(nan, 1);
	netaddr_format(&a[0], txt, sizeof(txt));
	ck_assert_str_eq(txt, "93.184.215.14");
	netaddr_format(&a[1], txt, sizeof(txt));
	ck_assert_str_eq(txt, "::1");
	/* more than MAX: refused, not cut */
	ck_assert_int_eq(addrs(reply, sizeof(reply), a, 1, &nan), -1);
}
END_TEST

START_TEST(malformed_refused)
{
	uint8_t m[sizeof(reply)];
	struct netaddr a[4];
	size_t nan, len;

	/* every prefix but the whole: a record runs past the end */
	for (len = 0; len < sizeof(reply); len++)
		ck_assert_msg(addrs(reply, len, a, 4, &nan) == -1,
		    "a prefix of %zu bytes accepted", len);
	/* a count the bytes do not hold */
	memcpy(m, reply, sizeof(m));
	m[11] = 3;
	ck_assert_int_eq(addrs(m, sizeof(m), a, 4, &nan), -1);
	/* an A record of 5 bytes (the next record shifted to match) */
	memcpy(m, reply, sizeof(m));
	m[38] = 5;
	ck_assert_int_eq(addrs(m, sizeof(m), a, 4, &nan), -1);
	/* an A of another class (of an address's length) is judged all the
	 * same; one of another length is not an address there */
	memcpy(m, reply, sizeof(m));
	m[32] = 3;
	ck_assert_int_eq(addrs(m, sizeof(m), a, 4, &nan), 2);
	ck_assert_uint_eq(nan, 1);
	/* an extended label type (0x40) */
	memcpy(m, reply, sizeof(m));
	m[27] = 0x41;
	ck_assert_int_eq(addrs(m, sizeof(m), a, 4, &nan), -1);
}
END_TEST

START_TEST(reply_made_here)
{
	uint8_t q[DNSMSG_QUERY_MAX], out[512];
	struct netaddr a[3];
	struct dnsmsg_q qq;
	size_t nan;
	int n, ql;

	memset(a, 0, sizeof(a));
	a[0].family = AF_INET;
	inet_pton(AF_INET, "93.184.215.14", a[0].addr);
	a[1].family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", a[1].addr);
	a[2].family = AF_INET;
	inet_pton(AF_INET, "93.184.215.15", a[2].addr);
	ql = dnsmsg_query(q, sizeof(q), 7, "mapped.test", DNSMSG_T_A, 1);
	ck_assert_int_eq(dnsmsg_question(q, (size_t)ql, &qq), 0);
	n = dnsmsg_reply(out, sizeof(out), q, &qq, 0, a, 3, 60);
	ck_assert_int_eq(n, ql + 2 * 16);
	ck_assert_int_eq(dnsmsg_ancount(out), 2);
	ck_assert_int_eq(dnsmsg_rcode(out), 0);
	ck_assert_int_eq(out[2] & 0x80, 0x80);
	ck_assert_int_eq(dnsmsg_addrs(out, (size_t)n, a, 3, &nan), 2);
	ck_assert_uint_eq(nan, 2);
	ck_assert_int_eq(dnsmsg_question(out, (size_t)n, &qq), 0);
	ck_assert_str_eq(qq.name, "mapped.test");
	/* no room for the records */
	ck_assert_int_eq(
	    dnsmsg_reply(out, (size_t)ql + 10, q, &qq, 0, a, 3, 60), -1);
	/* NXDOMAIN */
	n = dnsmsg_reply(out, sizeof(out), q, &qq, DNSMSG_NXDOMAIN, NULL, 0, 0);
	ck_assert_int_eq(n, ql);
	ck_assert_int_eq(dnsmsg_rcode(out), DNSMSG_NXDOMAIN);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dnsmsg");
	TCase *tc = tcase_create("dnsmsg");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, query_reads_back);
	tcase_add_test(tc, questions_refused);
	tcase_add_test(tc, every_address_found);
	tcase_add_test(tc, malformed_refused);
	tcase_add_test(tc, reply_made_here);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
