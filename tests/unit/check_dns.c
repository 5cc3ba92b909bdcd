/*
 * Unit tests for supervisor/dns.c: a lookup never blocks the caller (the
 * answer is DNS_PENDING until dns_ready() hands it over), a lookup that
 * hangs gives up after DNS_TIMEOUT_MS while other names are still answered
 * by the other worker, answers are kept, the --resolve table answers
 * without a lookup, and the pin table remembers what was handed out and
 * forgets the oldest past DNS_MAX_PINS. The workers run a fake lookup
 * that counts its calls and can be told to hang.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include <check.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "dns.h"
#include "dnsmsg.h"

static atomic_int calls;
static atomic_int release; /* hang.test waits until this is set */

static int
fake_lookup(const char *name, struct netaddr *out, size_t max)
{
	atomic_fetch_add(&calls, 1);
	if (strcmp(name, "hang.test") == 0) {
		while (!atomic_load(&release))
			usleep(1000);
		return 0;
	}
	if (strcmp(name, "none.test") == 0 || max < 2)
		return 0;
	memset(out, 0, 2 * sizeof(*out));
	out[0].family = AF_INET;
	inet_pton(AF_INET, "93.184.215.14", out[0].addr);
	out[1].family = AF_INET6;
	inet_pton(AF_INET6, "2606:2800:220:1::1", out[1].addr);
	return 2;
}

static atomic_int rawcalls;

/* A raw lookup: an answer of 20 bytes holding TYPE, or none for
 * none.test */
static int
fake_raw(const char *name, int type, int klass, uint8_t *out, size_t cap)
{
	atomic_fetch_add(&rawcalls, 1);
	if (strcmp(name, "none.test") == 0 || cap < 20)
		return 0;
	memset(out, 0, 20);
	out[0] = (uint8_t)type;
	out[1] = (uint8_t)klass;
	return 20;
}

struct seen {
	char names[8][64];
	int n;
};

static void
on_done(void *ctx, const char *name)
{
	struct seen *s = ctx;

	if (s->n < 8)
		snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", name);
}

/* Serve D as the event loop would until NAME was handed over or MS pass */
static int
wait_for(struct dns *d, struct seen *s, const char *name, int ms)
{
	uint64_t end = clock_mono_ms() + (uint64_t)ms;
	struct pollfd p;
	int i, t;

	while (clock_mono_ms() < end) {
		p.fd = dns_pollfd(d);
		p.events = POLLIN;
		t = dns_next_ms(d);
		poll(&p, 1, t >= 0 && t < 50 ? t : 50);
		dns_ready(d, on_done, s);
		for (i = 0; i < s->n; i++)
			if (strcmp(s->names[i], name) == 0)
				return 1;
	}
	return 0;
}

START_TEST(answers_later_never_in_line)
{
	struct dns *d = dns_new_with(NULL, fake_lookup);
	struct netaddr a[DNS_MAX_ADDRS];
	struct seen s = { 0 };
	uint64_t t0;
	char txt[NETADDR_STRLEN];

	ck_assert_ptr_nonnull(d);
	atomic_store(&calls, 0);
	t0 = clock_mono_ms();
	ck_assert_int_eq(
	    dns_answer(d, "ok.test", 1, a, DNS_MAX_ADDRS), DNS_PENDING);
	/* asked again while it runs: still pending, one lookup */
	ck_assert_int_eq(
	    dns_answer(d, "ok.test", 1, a, DNS_MAX_ADDRS), DNS_PENDING);
	ck_assert_uint_lt(clock_mono_ms() - t0, 100);
	/* a re-check that must not start a lookup: nothing known yet */
	ck_assert_int_eq(dns_answer(d, "other.test", 0, a, DNS_MAX_ADDRS), 0);
	ck_assert(wait_for(d, &s, "ok.test", 2000));
	ck_assert_int_eq(dns_answer(d, "ok.test", 1, a, DNS_MAX_ADDRS), 2);
	netaddr_format(&a[0], txt, sizeof(txt));
	ck_assert_str_eq(txt, "93.184.215.14");
	ck_assert_int_eq(dns_answer(d, "ok.test", 0, a, 1), 1);
	ck_assert_int_eq(atomic_load(&calls), 1);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(
	    dns_answer(d, "none.test", 1, a, DNS_MAX_ADDRS), DNS_PENDING);
	ck_assert(wait_for(d, &s, "none.test", 2000));
	ck_assert_int_eq(dns_answer(d, "none.test", 1, a, DNS_MAX_ADDRS), 0);
	dns_free(d);
}
END_TEST

START_TEST(hung_lookup_gives_up_others_go_on)
{
	struct dns *d = dns_new_with(NULL, fake_lookup);
	struct netaddr a[DNS_MAX_ADDRS];
	struct seen s = { 0 };
	uint64_t t0 = clock_mono_ms(), t;

	ck_assert_ptr_nonnull(d);
	atomic_store(&release, 0);
	ck_assert_int_eq(
	    dns_answer(d, "hang.test", 1, a, DNS_MAX_ADDRS), DNS_PENDING);
	/* the other worker answers another name meanwhile */
	ck_assert_int_eq(
	    dns_answer(d, "ok.test", 1, a, DNS_MAX_ADDRS), DNS_PENDING);
	ck_assert(wait_for(d, &s, "ok.test", 1500));
	ck_assert_uint_lt(clock_mono_ms() - t0, 1500);
	ck_assert_int_eq(dns_answer(d, "ok.test", 1, a, DNS_MAX_ADDRS), 2);
	/* the hung one is handed over at its deadline as not resolving */
	ck_assert(wait_for(d, &s, "hang.test", DNS_TIMEOUT_MS + 1500));
	t = clock_mono_ms() - t0;
	ck_assert_uint_ge(t, DNS_TIMEOUT_MS - 50);
	ck_assert_int_eq(dns_answer(d, "hang.test", 1, a, DNS_MAX_ADDRS), 0);
	atomic_store(&release, 1);
	dns_free(d);
}
END_TEST

START_TEST(table_answers_without_lookup)
{
	struct resolve_table *rt = NULL;
	struct netaddr a[DNS_MAX_ADDRS];
	struct dns *d;
	char err[200];

	ck_assert_int_eq(resolve_table_add(
			     &rt, "mapped.test=10.1.2.3,::1", err, sizeof(err)),
	    0);
	ck_assert_int_eq(
	    resolve_table_add(&rt, "gone.test=", err, sizeof(err)), 0);
	d = dns_new_with(rt, fake_lookup);
	ck_assert_ptr_nonnull(d);
	atomic_store(&calls, 0);
	ck_assert_int_eq(dns_answer(d, "mapped.test", 1, a, DNS_MAX_ADDRS), 2);
	ck_assert_int_eq(dns_answer(d, "gone.test", 1, a, DNS_MAX_ADDRS), 0);
	ck_assert_int_eq(atomic_load(&calls), 0);
	dns_free(d);
	resolve_table_free(rt);
}
END_TEST

START_TEST(pins)
{
	struct dns *d = dns_new_with(NULL, fake_lookup);
	struct netaddr a, b;
	char name[NETADDR_HOSTLEN];
	unsigned i;

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(netaddr_parse_ip("93.184.215.14", &a), 0);
	ck_assert_int_eq(dns_pinned(d, &a, name, sizeof(name)), 0);
	dns_pin(d, &a, 1, "example.test");
	ck_assert_int_eq(dns_pinned(d, &a, name, sizeof(name)), 1);
	ck_assert_str_eq(name, "example.test");
	/* the same address in another form is the same address */
	ck_assert_int_eq(netaddr_parse_ip("1572394766", &b), 0);
	ck_assert_int_eq(dns_pinned(d, &b, name, sizeof(name)), 1);
	ck_assert_int_eq(netaddr_parse_ip("93.184.215.15", &b), 0);
	ck_assert_int_eq(dns_pinned(d, &b, name, sizeof(name)), 0);
	ck_assert_int_eq(dns_pinned(NULL, &a, name, sizeof(name)), 0);
	/* bounded: the oldest is forgotten first */
	for (i = 0; i < DNS_MAX_PINS; i++) {
		memset(&b, 0, sizeof(b));
		b.family = AF_INET6;
		b.addr[0] = 0x20;
		b.addr[12] = (uint8_t)(i >> 24);
		b.addr[13] = (uint8_t)(i >> 16);
		b.addr[14] = (uint8_t)(i >> 8);
		b.addr[15] = (uint8_t)i;
		dns_pin(d, &b, 1, "many.test");
	}
	ck_assert_int_eq(dns_pinned(d, &a, name, sizeof(name)), 0);
	ck_assert_int_eq(dns_pinned(d, &b, name, sizeof(name)), 1);
	dns_free(d);
}
END_TEST

/* Raw queries: their own entries (a key per name, type and class), a
 * lookup on a worker, the answer kept; --resolve names made here */
START_TEST(raw_queries)
{
	struct resolve_table *rt = NULL;
	struct dns *d;
	struct seen s = { 0 };
	struct dnsmsg_q q;
	struct netaddr a[4];
	uint8_t out[DNSMSG_MAX];
	char key[DNS_KEYLEN], key2[DNS_KEYLEN], err[200];
	size_t nan;
	int n;

	ck_assert_int_eq(resolve_table_add(&rt, "mapped.test=93.184.215.14,::1",
			     err, sizeof(err)),
	    0);
	ck_assert_int_eq(
	    resolve_table_add(&rt, "gone.test=", err, sizeof(err)), 0);
	d = dns_new_with(rt, fake_lookup);
	ck_assert_ptr_nonnull(d);
	dns_set_raw_lookup(d, fake_raw);
	atomic_store(&rawcalls, 0);
	ck_assert_int_eq(
	    dns_raw(d, "ok.test", 16, 1, out, sizeof(out), key, sizeof(key)),
	    DNS_PENDING);
	ck_assert_str_eq(key, "#16#1#ok.test");
	/* another type is another query */
	ck_assert_int_eq(
	    dns_raw(d, "ok.test", 1, 1, out, sizeof(out), key2, sizeof(key2)),
	    DNS_PENDING);
	ck_assert(wait_for(d, &s, key, 2000));
	ck_assert(wait_for(d, &s, key2, 2000));
	ck_assert_int_eq(
	    dns_raw(d, "ok.test", 16, 1, out, sizeof(out), key, sizeof(key)),
	    20);
	ck_assert_int_eq(out[0], 16);
	/* kept: no second lookup; a short buffer gets what fits */
	ck_assert_int_eq(
	    dns_raw(d, "ok.test", 1, 1, out, 8, key, sizeof(key)), 8);
	ck_assert_int_eq(out[0], 1);
	ck_assert_int_eq(atomic_load(&rawcalls), 2);
	/* the address answer of the same name is its own entry */
	ck_assert_int_eq(dns_answer(d, "ok.test", 0, a, 4), 0);
	/* no answer */
	ck_assert_int_eq(
	    dns_raw(d, "none.test", 1, 1, out, sizeof(out), key, sizeof(key)),
	    DNS_PENDING);
	ck_assert(wait_for(d, &s, key, 2000));
	ck_assert_int_eq(
	    dns_raw(d, "none.test", 1, 1, out, sizeof(out), key, sizeof(key)),
	    0);
	/* --resolve: made here, never looked up */
	atomic_store(&rawcalls, 0);
	n = dns_raw(d, "mapped.test", 1, 1, out, sizeof(out), key, sizeof(key));
	ck_assert_int_gt(n, DNSMSG_HDR);
	ck_assert_int_eq(dnsmsg_question(out, (size_t)n, &q), 0);
	ck_assert_str_eq(q.name, "mapped.test");
	ck_assert_int_eq(dnsmsg_rcode(out), DNSMSG_NOERROR);
	ck_assert_int_eq(dnsmsg_addrs(out, (size_t)n, a, 4, &nan), 1);
	ck_assert_int_eq(a[0].family, AF_INET);
	n = dns_raw(
	    d, "mapped.test", 28, 1, out, sizeof(out), key, sizeof(key));
	ck_assert_int_eq(dnsmsg_addrs(out, (size_t)n, a, 4, &nan), 1);
	ck_assert_int_eq(a[0].family, AF_INET6);
	n = dns_raw(
	    d, "mapped.test", 16, 1, out, sizeof(out), key, sizeof(key));
	ck_assert_int_eq(dnsmsg_ancount(out), 0);
	ck_assert_int_eq(dnsmsg_rcode(out), DNSMSG_NOERROR);
	n = dns_raw(d, "gone.test", 1, 1, out, sizeof(out), key, sizeof(key));
	ck_assert_int_gt(n, DNSMSG_HDR);
	ck_assert_int_eq(dnsmsg_rcode(out), DNSMSG_NXDOMAIN);
	ck_assert_int_eq(atomic_load(&rawcalls), 0);
	dns_free(d);
	resolve_table_free(rt);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dns");
	TCase *tc = tcase_create("dns");
	SRunner *sr;
	int nf;

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, answers_later_never_in_line);
	tcase_add_test(tc, hung_lookup_gives_up_others_go_on);
	tcase_add_test(tc, table_answers_without_lookup);
	tcase_add_test(tc, pins);
	tcase_add_test(tc, raw_queries);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
