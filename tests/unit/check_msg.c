/*
 * Unit tests for supervisor/msg.c: messages round-trip through
 * msg_encode/msg_decode byte for byte; the encoder truncates argv as
 * documented and refuses what the decoder would refuse; every malformation
 * of an encoded message is rejected (and the output cleared). Table-driven;
 * each row is one loop test.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "policy.h"
#include "proto.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const argv3[] = { "sh", "-c", "", NULL };
static const char *const argv1[] = { "/bin/true", NULL };

/* ------------------------------------------------------------------ */
/* Round trips */

struct rt {
	const char *name;
	uint16_t type, op, flags;
	uint8_t verdict, layer;
	int32_t pid, ppid, port, err;
	uint64_t ts;
	const char *call, *path, *path2, *host, *addr, *rule, *exe, *why;
	const char *const *argv;
};

static const struct rt rts[] = {
	{ "bare event", AW_MSG_EVENT, OP_READ, 0, VERDICT_ALLOW,
	    AW_LAYER_PRELOAD, 1, 0, -1, 0, 0, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL },
	{ "rename denied", AW_MSG_EVENT, OP_WRITE, AW_MF_NOFOLLOW | AW_MF_ENTRY,
	    VERDICT_DENY, AW_LAYER_PRELOAD, 4242, 4241, -1, 13,
	    1700000000123456789ull, "renameat2", "/home/u/p/a", "/etc/b", NULL,
	    NULL, "sandbox_workspace_write.writable_roots", "/usr/bin/python3",
	    "writing /etc/b needs approval", NULL },
	{ "exec", AW_MSG_EVENT, OP_EXEC, 0, VERDICT_ALLOW, AW_LAYER_PRELOAD, 7,
	    1, -1, 0, 5, "execve", NULL, NULL, NULL, NULL, "exec", "/bin/sh",
	    NULL, argv3 },
	{ "connect", AW_MSG_EVENT, OP_CONNECT, AW_MF_AUDIT_ONLY, VERDICT_ASK,
	    AW_LAYER_PRELOAD, 9, 8, 443, 1, 6, "connect", NULL, NULL,
	    "pypi.org", "151.101.0.223", "features.network_proxy.domains",
	    "/usr/bin/curl", NULL, NULL },
	{ "uncovered", AW_MSG_EVENT, AW_OP_UNCOVERED, 0, VERDICT_ALLOW,
	    AW_LAYER_PRELOAD, 10, 9, -1, 0, 7, "execve", "/bin/busybox", NULL,
	    NULL, NULL, NULL, "/bin/sh", "a static binary", argv1 },
	{ "malformed op", AW_MSG_EVENT, AW_OP_MALFORMED, 0, VERDICT_DENY,
	    AW_LAYER_SECCOMP, 10, 9, -1, 4095, 8, "openat", NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL },
	{ "bytes in path", AW_MSG_EVENT, OP_READ, 0, VERDICT_DENY,
	    AW_LAYER_PRELOAD, 11, 1, -1, 0, 9, "open",
	    "/tmp/\xff\xfe\x01\x1b[31m\xc3\xa9", NULL, NULL, NULL, NULL, "\x80",
	    "\n", NULL },
	{ "ask", AW_MSG_ASK, OP_UNIX, 0, VERDICT_ALLOW, AW_LAYER_PRELOAD, 12, 1,
	    -1, 0, 10, "connect", "/run/docker.sock", NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL },
	{ "resolve", AW_MSG_RESOLVE, OP_RESOLVE, 0, VERDICT_ALLOW,
	    AW_LAYER_PRELOAD, 13, 1, 0, 0, 11, "getaddrinfo", NULL, NULL,
	    "example.com", NULL, NULL, NULL, NULL, NULL },
	{ "ping", AW_MSG_PING, OP_READ, 0, VERDICT_ALLOW, AW_LAYER_SUPERVISOR,
	    -5, -6, 65535, 0, UINT64_MAX, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL },
	{ "answer with addresses", AW_MSG_RESOLVE, OP_RESOLVE, 0, VERDICT_ALLOW,
	    AW_LAYER_SUPERVISOR, 1, 0, -1, 0, 12, NULL, NULL, NULL, NULL, NULL,
	    "features.network_proxy.domains[\"x\"]", NULL, "x is allowed",
	    argv3 },
	{ "empty strings", AW_MSG_EVENT, OP_BIND, 0, VERDICT_DENY,
	    AW_LAYER_PRELOAD, 1, 1, 80, 0, 13, "", "", "", "", "", "", "", "",
	    NULL },
};

static void
fill_msg(struct aw_msg *m, const struct rt *r)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->type = r->type;
	m->op = r->op;
	m->flags = r->flags;
	m->verdict = r->verdict;
	m->layer = r->layer;
	m->pid = r->pid;
	m->ppid = r->ppid;
	m->port = r->port;
	m->err = r->err;
	m->ts_ns = r->ts;
	m->call = r->call;
	m->path = r->path;
	m->path2 = r->path2;
	m->host = r->host;
	m->addr = r->addr;
	m->rule = r->rule;
	m->exe = r->exe;
	m->why = r->why;
	for (i = 0; r->argv != NULL && r->argv[i] != NULL; i++)
		m->argv[i] = r->argv[i];
	m->argc = (uint32_t)i;
}

static void
assert_str(const char *want, const char *got)
{
	if (want == NULL)
		ck_assert_ptr_null(got);
	else {
		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(want, got);
	}
}

START_TEST(test_round_trip)
{
	const struct rt *r = &rts[_i];
	struct aw_msg m, d;
	uint8_t buf[AW_SLOT_DATA], copy[AW_SLOT_DATA], again[AW_SLOT_DATA];
	int n, n2;
	uint32_t i;

	fill_msg(&m, r);
	n = msg_encode(buf, sizeof(buf), &m);
	ck_assert_msg(n >= AW_MSG_HDR_LEN, "%s: encode %d", r->name, n);
	/* exactly enough room is enough; one byte less is not */
	ck_assert_int_eq(msg_encode(again, (size_t)n, &m), n);
	ck_assert_int_eq(memcmp(buf, again, (size_t)n), 0);
	if (r->argv == NULL)
		ck_assert_int_eq(msg_encode(again, (size_t)n - 1, &m), -1);
	ck_assert_uint_eq(msg_peek_ts(buf, (size_t)n), r->ts);

	memcpy(copy, buf, (size_t)n);
	ck_assert_int_eq(msg_decode(copy, (size_t)n, &d), 0);
	ck_assert_uint_eq(d.type, r->type);
	ck_assert_uint_eq(d.op, r->op);
	ck_assert_uint_eq(d.flags, r->flags);
	ck_assert_uint_eq(d.verdict, r->verdict);
	ck_assert_uint_eq(d.layer, r->layer);
	ck_assert_int_eq(d.pid, r->pid);
	ck_assert_int_eq(d.ppid, r->ppid);
	ck_assert_int_eq(d.port, r->port);
	ck_assert_int_eq(d.err, r->err);
	ck_assert_uint_eq(d.ts_ns, r->ts);
	assert_str(r->call, d.call);
	assert_str(r->path, d.path);
	assert_str(r->path2, d.path2);
	assert_str(r->host, d.host);
	assert_str(r->addr, d.addr);
	assert_str(r->rule, d.rule);
	assert_str(r->exe, d.exe);
	assert_str(r->why, d.why);
	if (r->path != NULL)
		ck_assert_uint_eq(d.path_len, strlen(r->path));
	if (r->path2 != NULL)
		ck_assert_uint_eq(d.path2_len, strlen(r->path2));
	ck_assert_uint_eq(d.argc, m.argc);
	for (i = 0; i < m.argc; i++)
		ck_assert_str_eq(d.argv[i], m.argv[i]);

	n2 = msg_encode(again, sizeof(again), &d);
	ck_assert_int_eq(n2, n);
	ck_assert_int_eq(memcmp(again, buf, (size_t)n), 0);
}
END_TEST

/* A DNS message: bytes of any value (NULs too), after every string, kept
 * whole when argv must give way */
START_TEST(test_dns_field)
{
	static const uint8_t q[] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
		4, 'g', 'o', 'o', 'd', 0, 0, 1, 0, 1 };
	static char word[1000];
	struct aw_msg m, d;
	uint8_t buf[AW_SLOT_DATA], copy[AW_SLOT_DATA], again[AW_SLOT_DATA];
	int n, i;

	memset(&m, 0, sizeof(m));
	m.type = AW_MSG_RESOLVE;
	m.op = OP_RESOLVE;
	m.port = -1;
	m.host = "good";
	m.why = "w";
	m.dns = q;
	m.dns_len = sizeof(q);
	n = msg_encode(buf, sizeof(buf), &m);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(msg_encode(again, (size_t)n - 1, &m), -1);
	memcpy(copy, buf, (size_t)n);
	ck_assert_int_eq(msg_decode(copy, (size_t)n, &d), 0);
	ck_assert_ptr_nonnull(d.dns);
	ck_assert_uint_eq(d.dns_len, sizeof(q));
	ck_assert_int_eq(memcmp(d.dns, q, sizeof(q)), 0);
	ck_assert_str_eq(d.host, "good");
	ck_assert_str_eq(d.why, "w");
	ck_assert_int_eq(msg_encode(again, sizeof(again), &d), n);
	ck_assert_int_eq(memcmp(again, buf, (size_t)n), 0);
	/* argv that does not fit is cut, the DNS message is not */
	memset(word, 'a', sizeof(word) - 1);
	for (i = 0; i < 40; i++)
		m.argv[i] = word;
	m.argc = 40;
	n = msg_encode(buf, 8192, &m);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(msg_decode(buf, (size_t)n, &d), 0);
	ck_assert(d.flags & AW_MF_ARGV_TRUNCATED);
	ck_assert_uint_eq(d.dns_len, sizeof(q));
	ck_assert_int_eq(memcmp(d.dns, q, sizeof(q)), 0);
	/* an empty one is not sent */
	m.argc = 0;
	m.dns_len = 0;
	ck_assert_int_eq(msg_encode(buf, sizeof(buf), &m), -1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The encoder: argv truncation and refusals */

START_TEST(test_argv_limits)
{
	static char words[300][8];
	struct aw_msg m, d;
	uint8_t buf[AW_SLOT_DATA];
	int n, i;

	memset(&m, 0, sizeof(m));
	m.type = AW_MSG_EVENT;
	m.op = OP_EXEC;
	m.port = -1;
	for (i = 0; i < AW_MSG_MAX_ARGV; i++) {
		snprintf(words[i], sizeof(words[i]), "w%d", i);
		m.argv[i] = words[i];
	}
	/* exactly the maximum: no truncation */
	m.argc = AW_MSG_MAX_ARGV;
	n = msg_encode(buf, sizeof(buf), &m);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(msg_decode(buf, (size_t)n, &d), 0);
	ck_assert_uint_eq(d.argc, AW_MSG_MAX_ARGV);
	ck_assert_uint_eq(d.flags & AW_MF_ARGV_TRUNCATED, 0);

	/* more words than a message holds: the first 256, flagged */
	m.argc = 300;
	n = msg_encode(buf, sizeof(buf), &m);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(msg_decode(buf, (size_t)n, &d), 0);
	ck_assert_uint_eq(d.argc, AW_MSG_MAX_ARGV);
	ck_assert_uint_eq(d.flags & AW_MF_ARGV_TRUNCATED, AW_MF_ARGV_TRUNCATED);

	/* little room: whole words only, and the fields after argv fit */
	m.argc = 10;
	m.exe = "/bin/echo";
	n = msg_encode(buf, AW_MSG_HDR_LEN + 4 + 9 + 4 + 10, &m);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(msg_decode(buf, (size_t)n, &d), 0);
	ck_assert_uint_eq(d.argc, 3); /* "w0" "w1" "w2" */
	ck_assert_str_eq(d.argv[2], "w2");
	ck_assert_str_eq(d.exe, "/bin/echo");
	ck_assert(d.flags & AW_MF_ARGV_TRUNCATED);

	/* no room for any word: no argv field, flagged */
	n = msg_encode(buf, AW_MSG_HDR_LEN + 14, &m);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(msg_decode(buf, (size_t)n, &d), 0);
	ck_assert_uint_eq(d.argc, 0);
	ck_assert(d.flags & AW_MF_ARGV_TRUNCATED);

	/* a NULL inside argc is a caller error */
	m.argv[1] = NULL;
	ck_assert_int_eq(msg_encode(buf, sizeof(buf), &m), -1);
}
END_TEST

START_TEST(test_long_string)
{
	static char big[70000];
	struct aw_msg m;
	static uint8_t buf[80000];

	memset(big, 'a', sizeof(big) - 1);
	memset(&m, 0, sizeof(m));
	m.type = AW_MSG_EVENT;
	m.port = -1;
	m.path = big;
	/* longer than a field can say */
	ck_assert_int_eq(msg_encode(buf, sizeof(buf), &m), -1);
	/* longer than the buffer */
	big[100] = '\0';
	ck_assert_int_eq(msg_encode(buf, 120, &m), -1);
	ck_assert_int_gt(msg_encode(buf, 160, &m), 0);
	/* a buffer smaller than a header */
	m.path = NULL;
	ck_assert_int_eq(msg_encode(buf, AW_MSG_HDR_LEN - 1, &m), -1);
	ck_assert_int_eq(msg_encode(buf, AW_MSG_HDR_LEN, &m), AW_MSG_HDR_LEN);
}
END_TEST

struct badhdr {
	const char *name;
	int field; /* which one to set */
	int32_t val;
};

enum { F_TYPE, F_OP, F_VERDICT, F_LAYER, F_FLAGS, F_PORT, F_ERR };

static const struct badhdr badhdrs[] = {
	{ "type 0", F_TYPE, 0 },
	{ "type 5", F_TYPE, 5 },
	{ "op 7", F_OP, 7 },
	{ "op 99", F_OP, 99 },
	{ "op 102", F_OP, 102 },
	{ "verdict 3", F_VERDICT, 3 },
	{ "layer 4 (past the proxy)", F_LAYER, 4 },
	{ "flags 0x20", F_FLAGS, 0x20 },
	{ "flags 0x8000", F_FLAGS, 0x8000 },
	{ "port -2", F_PORT, -2 },
	{ "port 65536", F_PORT, 65536 },
	{ "err -1", F_ERR, -1 },
	{ "err 4096", F_ERR, 4096 },
};

static void
set_field(struct aw_msg *m, int field, int32_t v)
{
	switch (field) {
	case F_TYPE:
		m->type = (uint16_t)v;
		break;
	case F_OP:
		m->op = (uint16_t)v;
		break;
	case F_VERDICT:
		m->verdict = (uint8_t)v;
		break;
	case F_LAYER:
		m->layer = (uint8_t)v;
		break;
	case F_FLAGS:
		m->flags = (uint16_t)v;
		break;
	case F_PORT:
		m->port = v;
		break;
	case F_ERR:
		m->err = v;
		break;
	}
}

START_TEST(test_encode_refuses)
{
	const struct badhdr *b = &badhdrs[_i];
	struct aw_msg m;
	uint8_t buf[256];

	memset(&m, 0, sizeof(m));
	m.type = AW_MSG_EVENT;
	m.port = -1;
	ck_assert_int_gt(msg_encode(buf, sizeof(buf), &m), 0);
	set_field(&m, b->field, b->val);
	ck_assert_msg(msg_encode(buf, sizeof(buf), &m) == -1, "%s", b->name);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The decoder: malformations */

struct raw {
	uint8_t b[1024];
	size_t len;
};

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void
put32(uint8_t *p, int32_t v)
{
	memcpy(p, &v, 4);
}

static void
tlv(struct raw *r, uint16_t tag, const void *v, size_t len)
{
	put16(r->b + r->len, tag);
	put16(r->b + r->len + 2, (uint16_t)len);
	memcpy(r->b + r->len + 4, v, len);
	r->len += 4 + len;
}

/* A valid message: EVENT exec with CALL, PATH, ARGV, HOST. */
static void
base(struct raw *r)
{
	memset(r, 0, sizeof(*r));
	put16(r->b + 0, AW_PROTO_VERSION);
	put16(r->b + 2, AW_MSG_EVENT);
	put16(r->b + 4, OP_EXEC);
	put32(r->b + 20, -1); /* port */
	r->len = AW_MSG_HDR_LEN;
	tlv(r, AW_T_CALL, "execve", 7);
	tlv(r, AW_T_PATH, "/bin/sh", 8);
	tlv(r, AW_T_ARGV, "sh\0-c\0true", 11);
	tlv(r, AW_T_HOST, "h", 2);
}

/* A header alone, then the fields given. */
static void
bare(struct raw *r)
{
	base(r);
	r->len = AW_MSG_HDR_LEN;
}

static void
m_empty(struct raw *r)
{
	r->len = 0;
}
static void
m_short_header(struct raw *r)
{
	r->len = AW_MSG_HDR_LEN - 1;
}
static void
m_version0(struct raw *r)
{
	put16(r->b, 0);
}
static void
m_version2(struct raw *r)
{
	put16(r->b, AW_PROTO_VERSION + 1);
}
static void
m_reserved(struct raw *r)
{
	put16(r->b + 10, 1);
}
static void
m_type0(struct raw *r)
{
	put16(r->b + 2, 0);
}
static void
m_type9(struct raw *r)
{
	put16(r->b + 2, 9);
}
static void
m_op(struct raw *r)
{
	put16(r->b + 4, 50);
}
static void
m_flags(struct raw *r)
{
	put16(r->b + 6, 0x100);
}
static void
m_verdict(struct raw *r)
{
	r->b[8] = 7;
}
static void
m_layer(struct raw *r)
{
	r->b[9] = 200;
}
static void
m_port(struct raw *r)
{
	put32(r->b + 20, 70000);
}
static void
m_port_neg(struct raw *r)
{
	put32(r->b + 20, INT32_MIN);
}
static void
m_err(struct raw *r)
{
	put32(r->b + 24, -5);
}
static void
m_trail1(struct raw *r)
{
	r->b[r->len++] = 0;
}
static void
m_trail3(struct raw *r)
{
	r->len += 3;
}
static void
m_cut1(struct raw *r)
{
	r->len--;
}
static void
m_cut_tlv(struct raw *r)
{
	r->len -= 4;
}
static void
m_len_past_end(struct raw *r)
{
	bare(r);
	tlv(r, AW_T_CALL, "open", 5);
	put16(r->b + r->len - 5 - 2, 6);
}
static void
m_len_huge(struct raw *r)
{
	bare(r);
	tlv(r, AW_T_PATH, "/x", 3);
	put16(r->b + AW_MSG_HDR_LEN + 2, 0xffff);
}
static void
m_tag0(struct raw *r)
{
	bare(r);
	tlv(r, 0, "x", 2);
}
static void
m_tag11(struct raw *r)
{
	bare(r);
	tlv(r, 11, "x", 2);
}
static void
m_empty_dns(struct raw *r)
{
	bare(r);
	tlv(r, AW_T_DNS, "", 0);
}
static void
m_dns_then_why(struct raw *r)
{
	bare(r);
	tlv(r, AW_T_DNS, "\0\1", 2);
	tlv(r, AW_T_WHY, "x", 2);
}
static void
m_tagmax(struct raw *r)
{
	bare(r);
	tlv(r, 0xffff, "x", 2);
}
static void
m_dup(struct raw *r)
{
	bare(r);
	tlv(r, AW_T_PATH, "/a", 3);
	tlv(r, AW_T_PATH, "/b", 3);
}
static void
m_order(struct raw *r)
{
	bare(r);
	tlv(r, AW_T_PATH2, "/a", 3);
	tlv(r, AW_T_PATH, "/b", 3);
}
static void
m_dup_after(struct raw *r)
{
	bare(r);
	tlv(r, AW_T_CALL, "x", 2);
	tlv(r, AW_T_WHY, "y", 2);
	tlv(r, AW_T_CALL, "z", 2);
}
static void
m_no_nul(struct raw *r)
{
	bare(r);
	tlv(r, AW_T_PATH, "/a", 2);
}
static void
m_inner_nul(struct raw *r)
{
	bare(r);
	tlv(r, AW_T_PATH, "/a\0b", 5);
}
static void
m_empty_str(struct raw *r)
{
	bare(r);
	tlv(r, AW_T_EXE, "", 0);
}
static void
m_empty_argv(struct raw *r)
{
	bare(r);
	tlv(r, AW_T_ARGV, "", 0);
}
static void
m_argv_no_nul(struct raw *r)
{
	bare(r);
	tlv(r, AW_T_ARGV, "sh\0-c", 5);
}
static void
m_argv_257(struct raw *r)
{
	static const uint8_t zeros[AW_MSG_MAX_ARGV + 1];

	bare(r);
	tlv(r, AW_T_ARGV, zeros, sizeof(zeros));
}
static void
m_rule_nul(struct raw *r)
{
	bare(r);
	tlv(r, AW_T_RULE, "\0\0", 2);
}

struct bad {
	const char *name;
	void (*mutate)(struct raw *);
};

static const struct bad bads[] = {
	{ "empty", m_empty },
	{ "short header", m_short_header },
	{ "version 0", m_version0 },
	{ "version from the future", m_version2 },
	{ "reserved bits", m_reserved },
	{ "type 0", m_type0 },
	{ "type 9", m_type9 },
	{ "unknown op", m_op },
	{ "unknown flag", m_flags },
	{ "bad verdict", m_verdict },
	{ "bad layer", m_layer },
	{ "port too big", m_port },
	{ "port negative", m_port_neg },
	{ "negative errno", m_err },
	{ "one trailing byte", m_trail1 },
	{ "three trailing bytes", m_trail3 },
	{ "last value cut", m_cut1 },
	{ "last field cut into its header", m_cut_tlv },
	{ "length past the end", m_len_past_end },
	{ "length 0xffff", m_len_huge },
	{ "tag 0", m_tag0 },
	{ "unknown tag", m_tag11 },
	{ "empty dns field", m_empty_dns },
	{ "dns before why", m_dns_then_why },
	{ "tag 0xffff", m_tagmax },
	{ "duplicate tag", m_dup },
	{ "tags out of order", m_order },
	{ "duplicate after others", m_dup_after },
	{ "string without NUL", m_no_nul },
	{ "NUL inside a string", m_inner_nul },
	{ "empty string field", m_empty_str },
	{ "empty argv", m_empty_argv },
	{ "argv without final NUL", m_argv_no_nul },
	{ "257 argv words", m_argv_257 },
	{ "rule of two NULs", m_rule_nul },
};

START_TEST(test_malformed)
{
	const struct bad *b = &bads[_i];
	struct aw_msg m;
	struct raw r;
	uint8_t *copy;

	base(&r);
	ck_assert_int_eq(msg_decode(r.b, r.len, &m), 0); /* the base is fine */
	base(&r);
	b->mutate(&r);
	/* heap, exact size: ASan sees any read past the end */
	copy = malloc(r.len ? r.len : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, r.b, r.len);
	memset(&m, 0xa5, sizeof(m));
	ck_assert_msg(
	    msg_decode(copy, r.len, &m) == -1, "%s: accepted", b->name);
	/* a failed decode leaves nothing half-filled */
	ck_assert_ptr_null(m.path);
	ck_assert_ptr_null(m.call);
	ck_assert_uint_eq(m.argc, 0);
	ck_assert_uint_eq(m.type, 0);
	free(copy);
}
END_TEST

START_TEST(test_decode_null)
{
	struct aw_msg m;

	ck_assert_int_eq(msg_decode(NULL, 100, &m), -1);
	ck_assert_uint_eq(msg_peek_ts(NULL, 100), 0);
	ck_assert_uint_eq(msg_peek_ts((const uint8_t *)"short", 5), 0);
}
END_TEST

static Suite *
msg_suite(void)
{
	Suite *s = suite_create("msg");
	TCase *tc;

	tc = tcase_create("round trip");
	tcase_add_loop_test(tc, test_round_trip, 0, (int)NELEM(rts));
	tcase_add_test(tc, test_argv_limits);
	tcase_add_test(tc, test_dns_field);
	tcase_add_test(tc, test_long_string);
	tcase_add_loop_test(tc, test_encode_refuses, 0, (int)NELEM(badhdrs));
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_loop_test(tc, test_malformed, 0, (int)NELEM(bads));
	tcase_add_test(tc, test_decode_null);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(msg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
