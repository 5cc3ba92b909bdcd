/*
 * Unit tests for supervisor/audit.c: UTF-8 validation and base64 (tables),
 * and the promise of the audit log: for any bytes in a path, argv word or
 * executable name, every record is one line of valid JSON, and the exact
 * bytes come back from the field or its NAME_b64 twin. Also the session
 * records and the footer's counts, and a failed write.
 */
#include <sys/stat.h>

#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "policy.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct u8 {
	const char *s;
	int valid;
};

static const struct u8 u8s[] = {
	{ "", 1 }, { "plain ascii /tmp/x", 1 }, { "\x1b[31m\n\t", 1 },
	{ "caf\xc3\xa9", 1 }, { "\xe2\x82\xac", 1 }, /* U+20AC */
	{ "\xf0\x9f\x98\x80", 1 }, /* U+1F600 */
	{ "\xf4\x8f\xbf\xbf", 1 }, /* U+10FFFF */
	{ "\xef\xbf\xbd", 1 }, /* U+FFFD itself */
	{ "\xff", 0 }, { "\xfe\xff", 0 }, { "\x80", 0 }, /* lone continuation */
	{ "\xc3", 0 }, /* cut short */
	{ "\xe2\x82", 0 }, { "\xc0\xaf", 0 }, /* overlong '/' */
	{ "\xc1\xbf", 0 }, { "\xe0\x80\xaf", 0 }, /* overlong */
	{ "\xf0\x80\x80\xaf", 0 }, /* overlong */
	{ "\xed\xa0\x80", 0 }, /* surrogate U+D800 */
	{ "\xed\xbf\xbf", 0 }, /* surrogate U+DFFF */
	{ "\xf4\x90\x80\x80", 0 }, /* U+110000 */
	{ "\xf5\x80\x80\x80", 0 }, { "a\xc3\xa9\xff", 0 },
	{ "\xc3\x28", 0 }, /* bad continuation */
};

START_TEST(test_utf8)
{
	const struct u8 *t = &u8s[_i];

	ck_assert_int_eq(
	    audit_utf8_valid((const uint8_t *)t->s, strlen(t->s)), t->valid);
}
END_TEST

struct b64 {
	const char *in, *out;
};

/* RFC 4648, section 10 */
static const struct b64 b64s[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
	{ "\xff\xfe\xfd", "//79" },
};

START_TEST(test_base64)
{
	const struct b64 *t = &b64s[_i];
	char out[64];

	audit_base64((const uint8_t *)t->in, strlen(t->in), out);
	ck_assert_str_eq(out, t->out);
}
END_TEST

/* Decode base64 (as written by audit_base64) into OUT; its length. */
static size_t
unb64(const char *s, uint8_t *out)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = 0, i, len = strlen(s);
	uint32_t v;
	int k;

	for (i = 0; i + 3 < len; i += 4) {
		for (v = 0, k = 0; k < 4; k++)
			v = v << 6 |
			    (s[i + k] == '='
				    ? 0
				    : (uint32_t)(strchr(a, s[i + k]) - a));
		out[n++] = (uint8_t)(v >> 16);
		if (s[i + 2] != '=')
			out[n++] = (uint8_t)(v >> 8);
		if (s[i + 3] != '=')
			out[n++] = (uint8_t)v;
	}
	return n;
}

/* The bytes a record holds for KEY: KEY_b64 if present, else KEY. */
static size_t
field_bytes(json_t *o, const char *key, uint8_t *out)
{
	char k64[64];
	json_t *v;

	snprintf(k64, sizeof(k64), "%s_b64", key);
	if ((v = json_object_get(o, k64)) != NULL) {
		ck_assert(json_is_string(v));
		/* and then the plain field must not be valid for those bytes */
		return unb64(json_string_value(v), out);
	}
	v = json_object_get(o, key);
	ck_assert_ptr_nonnull(v);
	memcpy(out, json_string_value(v), json_string_length(v));
	return json_string_length(v);
}

static uint32_t rng = 12345;

static uint8_t
rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return (uint8_t)(rng >> 16);
}

START_TEST(test_any_bytes)
{
	char path[] = "/tmp/check_audit.XXXXXX", line[1 << 16];
	char pbytes[200], ebytes[40], w0[30];
	uint8_t back[400];
	struct audit *a;
	struct aw_msg m;
	json_error_t je;
	json_t *o, *argv64;
	char err[256];
	FILE *f;
	int fd, i, j, n, lines = 0;
	size_t len;

	ck_assert_int_ge(fd = mkstemp(path), 0);
	close(fd);
	ck_assert_int_eq(audit_open(&a, path, err, sizeof(err)), 0);
	for (i = 0; i < 500; i++) {
		/* random non-NUL bytes, biased towards the interesting ones */
		n = 1 + rnd() % 150;
		for (j = 0; j < n; j++) {
			uint8_t c = rnd();

			if (i % 3 == 0 && c < 0x80)
				c |= 0x80;
			pbytes[j] = (char)(c ? c : 'x');
		}
		pbytes[n] = '\0';
		for (j = 0; j < 20; j++)
			ebytes[j] = (char)(rnd() | 1);
		ebytes[20] = '\0';
		for (j = 0; j < 10; j++)
			w0[j] = (char)(rnd() | 0x40);
		w0[10] = '\0';
		memset(&m, 0, sizeof(m));
		m.type = AW_MSG_EVENT;
		m.op = (uint16_t)(i % 7);
		m.verdict = (uint8_t)(i % 3);
		m.pid = i;
		m.port = -1;
		m.ts_ns = 1700000000000000000ull + (uint64_t)i * 1001;
		m.path = pbytes;
		m.exe = ebytes;
		m.argv[0] = w0;
		m.argv[1] = "plain";
		m.argc = 2;
		ck_assert_int_eq(audit_event(a, &m), 0);
	}
	ck_assert_int_eq(audit_end(a, 3, 0), 0);
	ck_assert_int_eq(audit_close(a), 0);

	rng = 12345;
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		len = strlen(line);
		ck_assert(len > 0 && line[len - 1] == '\n');
		o = json_loads(line, 0, &je);
		ck_assert_msg(o != NULL, "line %d: %s", lines + 1, je.text);
		if (lines < 500) {
			/* regenerate what was written */
			n = 1 + rnd() % 150;
			for (j = 0; j < n; j++) {
				uint8_t c = rnd();

				if (lines % 3 == 0 && c < 0x80)
					c |= 0x80;
				pbytes[j] = (char)(c ? c : 'x');
			}
			for (j = 0; j < 20; j++)
				ebytes[j] = (char)(rnd() | 1);
			for (j = 0; j < 10; j++)
				w0[j] = (char)(rnd() | 0x40);
			ck_assert_uint_eq(
			    field_bytes(o, "path", back), (size_t)n);
			ck_assert_int_eq(memcmp(back, pbytes, (size_t)n), 0);
			ck_assert_uint_eq(field_bytes(o, "exe", back), 20);
			ck_assert_int_eq(memcmp(back, ebytes, 20), 0);
			if ((argv64 = json_object_get(o, "argv_b64")) != NULL) {
				ck_assert_uint_eq(
				    unb64(json_string_value(
					      json_array_get(argv64, 0)),
					back),
				    10);
				ck_assert_int_eq(memcmp(back, w0, 10), 0);
				ck_assert_uint_eq(
				    unb64(json_string_value(
					      json_array_get(argv64, 1)),
					back),
				    5);
			} else
				ck_assert_int_eq(
				    memcmp(json_string_value(json_array_get(
					       json_object_get(o, "argv"), 0)),
					w0, 10),
				    0);
			ck_assert_str_eq(
			    json_string_value(json_object_get(o, "verdict")),
			    lines % 3 == 0 ? "allow" : "deny");
			ck_assert_int_eq(
			    json_object_get(o, "ask") != NULL, lines % 3 == 2);
		} else {
			ck_assert_str_eq(
			    json_string_value(json_object_get(o, "type")),
			    "session_end");
			ck_assert_int_eq(
			    json_integer_value(json_object_get(o, "events")),
			    500);
			ck_assert_int_eq(json_integer_value(
					     json_object_get(o, "exit_status")),
			    3);
		}
		json_decref(o);
		lines++;
	}
	fclose(f);
	unlink(path);
	ck_assert_int_eq(lines, 501);
}
END_TEST

START_TEST(test_timestamp)
{
	char path[] = "/tmp/check_audit.XXXXXX", line[4096];
	struct audit *a;
	struct aw_msg m;
	char err[256];
	FILE *f;
	int fd;

	ck_assert_int_ge(fd = mkstemp(path), 0);
	close(fd);
	ck_assert_int_eq(audit_open(&a, path, err, sizeof(err)), 0);
	memset(&m, 0, sizeof(m));
	m.type = AW_MSG_EVENT;
	m.port = 443;
	m.op = OP_CONNECT;
	m.host = "pypi.org";
	m.flags = AW_MF_AUDIT_ONLY | AW_MF_ARGV_TRUNCATED;
	m.err = 1;
	m.ts_ns = 1700000000123456789ull;
	ck_assert_int_eq(audit_event(a, &m), 0);
	ck_assert_int_eq(audit_close(a), 0);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);
	ck_assert_str_eq(line,
	    "{\"type\":\"event\","
	    "\"ts\":\"2023-11-14T22:13:20.123456Z\",\"pid\":0,\"ppid\":0,"
	    "\"op\":\"connect\",\"argv_truncated\":true,\"host\":\"pypi.org\","
	    "\"port\":443,\"verdict\":\"allow\",\"layer\":\"preload\","
	    "\"errno\":1,\"audit_only\":true}\n");
}
END_TEST

/* The records of approvals: an asked call, a grant, a channel error */
START_TEST(test_approval_records)
{
	char path[] = "/tmp/check_audit.XXXXXX", line[4096];
	static const char bad[] = "{\"id\":1\xff\0x}";
	struct pol_grant g;
	struct audit *a;
	struct aw_msg m;
	char err[256];
	json_t *o;
	FILE *f;
	int fd, n = 0;

	ck_assert_int_ge(fd = mkstemp(path), 0);
	close(fd);
	ck_assert_int_eq(audit_open(&a, path, err, sizeof(err)), 0);
	memset(&m, 0, sizeof(m));
	m.type = AW_MSG_ASK;
	m.op = OP_WRITE;
	m.verdict = VERDICT_ASK;
	m.port = -1;
	m.err = 13;
	m.path = "/etc/hosts";
	m.ts_ns = 1700000000123456789ull;
	ck_assert_int_eq(
	    audit_asked(a, &m, VERDICT_ALLOW, 1,
		"sandbox_workspace_write.writable_roots", "harness", 1234, 7),
	    0);
	ck_assert_int_eq(
	    audit_asked(a, &m, VERDICT_DENY, 1, "x", "timeout", 300000, 8), 0);
	memset(&g, 0, sizeof(g));
	g.op = OP_EXEC;
	g.allow = 1;
	g.argv[0] = "git";
	g.argv[1] = "push";
	g.argc = 2;
	g.exe = "/usr/bin/git";
	ck_assert_int_eq(audit_grant(a, 7, &g,
			     "exec: commands starting with "
			     "[\"git\", \"push\"]",
			     "harness"),
	    0);
	ck_assert_int_eq(audit_approval_error(
			     a, "harness", "not JSON", bad, sizeof(bad) - 1),
	    0);
	ck_assert_int_eq(audit_end(a, 0, 0), 0);
	ck_assert_int_eq(audit_close(a), 0);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		ck_assert_ptr_nonnull(o = json_loads(line, 0, NULL));
		switch (n++) {
		case 0:
			ck_assert_str_eq(line,
			    "{\"type\":\"event\","
			    "\"ts\":\"2023-11-14T22:13:20.123456Z\",\"pid\":0,"
			    "\"ppid\":0,\"op\":\"write\",\"path\":"
			    "\"/etc/hosts\",\"verdict\":\"allow\",\"rule\":"
			    "\"sandbox_workspace_write.writable_roots\","
			    "\"layer\":\"supervisor\",\"ask\":true,"
			    "\"decided_by\":\"harness\",\"wait_ms\":1234,"
			    "\"approval_id\":7}\n");
			break;
		case 1:
			ck_assert_str_eq(
			    json_string_value(json_object_get(o, "verdict")),
			    "deny");
			ck_assert_int_eq(
			    json_integer_value(json_object_get(o, "errno")),
			    13);
			ck_assert_str_eq(
			    json_string_value(json_object_get(o, "decided_by")),
			    "timeout");
			break;
		case 2:
			ck_assert_str_eq(
			    json_string_value(json_object_get(o, "type")),
			    "grant");
			ck_assert_str_eq(
			    json_string_value(json_object_get(o, "decision")),
			    "allow_session");
			ck_assert_str_eq(
			    json_string_value(json_array_get(
				json_object_get(o, "argv_prefix"), 1)),
			    "push");
			ck_assert_str_eq(
			    json_string_value(json_object_get(o, "exe")),
			    "/usr/bin/git");
			break;
		case 3:
			/* any bytes of the line: kept exactly in base64 */
			ck_assert_str_eq(
			    json_string_value(json_object_get(o, "type")),
			    "approval_error");
			ck_assert_str_eq(
			    json_string_value(json_object_get(o, "line_b64")),
			    "eyJpZCI6Mf8AeH0=");
			break;
		case 4:
			ck_assert_int_eq(
			    json_integer_value(json_object_get(o, "asked")), 2);
			ck_assert_int_eq(
			    json_integer_value(json_object_get(o, "grants")),
			    1);
			ck_assert_int_eq(json_integer_value(json_object_get(
					     o, "approval_errors")),
			    1);
			break;
		}
		json_decref(o);
	}
	fclose(f);
	unlink(path);
	ck_assert_int_eq(n, 5);
}
END_TEST

START_TEST(test_write_failure)
{
	struct audit *a;
	struct aw_msg m;
	char err[256], spec[32];
	int fd;

	/* by name a device is refused: no policy keeps the command off it */
	ck_assert_int_eq(audit_open(&a, "/dev/full", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file with one name"));
	ck_assert_int_ge(fd = open("/dev/full", O_WRONLY | O_CLOEXEC), 3);
	snprintf(spec, sizeof(spec), "fd:%d", fd);
	ck_assert_int_eq(audit_open(&a, spec, err, sizeof(err)), 0);
	memset(&m, 0, sizeof(m));
	m.type = AW_MSG_EVENT;
	m.port = -1;
	ck_assert_int_eq(audit_event(a, &m), -1);
	ck_assert(audit_failed(a));
	ck_assert_int_eq(audit_close(a), -1);
	close(fd);
	ck_assert_int_eq(audit_open(&a, "fd:-1", err, sizeof(err)), -1);
	ck_assert_int_eq(audit_open(&a, "fd:x", err, sizeof(err)), -1);
	ck_assert_int_eq(
	    audit_open(&a, "/nonexistent/dir/log", err, sizeof(err)), -1);
}
END_TEST

/* a log with another name (symlink, hard link) is refused, not truncated */
START_TEST(test_open_refuses)
{
	char dir[] = "/tmp/check_audit.XXXXXX", f[64], l[64], h[64], err[256];
	struct audit *a;
	struct stat st;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(f, sizeof(f), "%s/log", dir);
	snprintf(l, sizeof(l), "%s/sym", dir);
	snprintf(h, sizeof(h), "%s/hard", dir);
	ck_assert_ptr_nonnull(fp = fopen(f, "w"));
	fputs("keep\n", fp);
	fclose(fp);
	ck_assert_int_eq(symlink("log", l), 0);
	ck_assert_int_eq(audit_open(&a, l, err, sizeof(err)), -1);
	ck_assert_int_eq(link(f, h), 0);
	ck_assert_int_eq(audit_open(&a, f, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "one name"));
	ck_assert_int_eq(stat(f, &st), 0);
	ck_assert_int_eq(st.st_size, 5);
	ck_assert_int_eq(unlink(h), 0);
	ck_assert_int_eq(audit_open(&a, f, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(f, &st), 0);
	ck_assert_int_eq(st.st_size, 0); /* now ours: truncated */
	ck_assert_int_eq(audit_close(a), 0);
	unlink(f);
	unlink(l);
	rmdir(dir);
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc;

	tc = tcase_create("encoding");
	tcase_add_loop_test(tc, test_utf8, 0, (int)NELEM(u8s));
	tcase_add_loop_test(tc, test_base64, 0, (int)NELEM(b64s));
	suite_add_tcase(s, tc);

	tc = tcase_create("records");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_any_bytes);
	tcase_add_test(tc, test_timestamp);
	tcase_add_test(tc, test_approval_records);
	tcase_add_test(tc, test_write_failure);
	tcase_add_test(tc, test_open_refuses);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(audit_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
