/*
 * check_toml.c: unit tests for policy/toml.c.
 *
 * Test code, runs on fixed data: values, error positions, toml_parse_value,
 * toml_parse_key, the depth limit, NUL bytes and large inputs. The
 * conformance corpus is covered by tests/toml/run-corpus.py.
 */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Renders a value compactly for comparison: strings quoted with \xHH for
 * non-printable bytes, tables as {k=v,...}, arrays as [v,...].
 */
static void
render(const struct toml_value *v, char *buf, size_t sz)
{
	size_t i, o;
	char tmp[64];

#define PUT(...)                                                               \
	do {                                                                   \
		size_t _l = strlen(buf);                                       \
		if (_l < sz)                                                   \
			snprintf(buf + _l, sz - _l, __VA_ARGS__);              \
	} while (0)
	switch (v->type) {
	case TOML_TABLE:
		PUT("{");
		for (i = 0; i < v->u.t.n; i++) {
			PUT("%s%s=", i ? "," : "", v->u.t.kv[i].key);
			render(v->u.t.kv[i].val, buf, sz);
		}
		PUT("}");
		break;
	case TOML_ARRAY:
		PUT("[");
		for (i = 0; i < v->u.a.n; i++) {
			if (i)
				PUT(",");
			render(v->u.a.v[i], buf, sz);
		}
		PUT("]");
		break;
	case TOML_STRING:
		PUT("\"");
		for (i = 0; i < v->u.s.len; i++) {
			unsigned char c = (unsigned char)v->u.s.ptr[i];
			if (c >= 0x20 && c < 0x7f && c != '\\')
				PUT("%c", c);
			else
				PUT("\\x%02x", c);
		}
		PUT("\"");
		break;
	case TOML_INTEGER:
		PUT("%" PRId64, v->u.i);
		break;
	case TOML_FLOAT:
		if (isnan(v->u.f))
			PUT("nan");
		else {
			/* shortest form that reads back, for readable tables */
			for (o = 1; o <= 17; o++) {
				snprintf(
				    tmp, sizeof(tmp), "%.*g", (int)o, v->u.f);
				if (strtod(tmp, NULL) == v->u.f)
					break;
			}
			PUT("%s", tmp);
		}
		break;
	case TOML_BOOL:
		PUT("%s", v->u.b ? "true" : "false");
		break;
	default:
		PUT("%s:%s", toml_type_name(v->type), v->u.s.ptr);
		break;
	}
#undef PUT
}

/*
 * Documents whose key "v" must hold the given value.
 */
static const struct {
	const char *doc;
	const char *want;
} values[] = {
	{ "v = 1", "1" },
	{ "v = +17", "17" },
	{ "v = -0", "0" },
	{ "v = 1_000_000", "1000000" },
	{ "v = 9223372036854775807", "9223372036854775807" },
	{ "v = -9223372036854775808", "-9223372036854775808" },
	{ "v = 0x7fffffffffffffff", "9223372036854775807" },
	{ "v = 0xDEAD_beef", "3735928559" },
	{ "v = 0o755", "493" },
	{ "v = 0b1101_0101", "213" },
	{ "v = 0x00000001", "1" },
	{ "v = 3.14", "3.14" },
	{ "v = -0.5e-3", "-0.0005" },
	{ "v = 1e1_0", "1e+10" },
	{ "v = 6.626E-34", "6.626e-34" },
	{ "v = 0e0", "0" },
	{ "v = -inf", "-inf" },
	{ "v = +inf", "inf" },
	{ "v = nan", "nan" },
	{ "v = -nan", "nan" },
	{ "v = true", "true" },
	{ "v = false", "false" },
	{ "v = \"a\\tb\\\"c\\\\\"", "\"a\\x09b\"c\\x5c\"" },
	{ "v = \"\\u00e9\\U0001F600\"", "\"\\xc3\\xa9\\xf0\\x9f\\x98\\x80\"" },
	{ "v = \"x\\u0000y\"", "\"x\\x00y\"" },
	{ "v = 'C:\\temp'", "\"C:\\x5ctemp\"" },
	{ "v = \"\"\"\nab\\\n   \n  cd\"\"\"", "\"abcd\"" },
	{ "v = \"\"\"a\r\nb\"\"\"", "\"a\\x0ab\"" },
	{ "v = \"\"\"a\"\"\"\"\"", "\"a\"\"\"" },
	{ "v = '''\n'x'\n'''", "\"'x'\\x0a\"" },
	{ "v = ''''''", "\"\"" },
	{ "v = 1979-05-27T07:32:00Z", "datetime:1979-05-27T07:32:00Z" },
	{ "v = 1979-05-27 07:32:00.5z", "datetime:1979-05-27T07:32:00.5Z" },
	{ "v = 1979-05-27t07:32:00-07:00",
	    "datetime:1979-05-27T07:32:00-07:00" },
	{ "v = 1979-05-27T07:32:00", "datetime-local:1979-05-27T07:32:00" },
	{ "v = 1979-05-27", "date-local:1979-05-27" },
	{ "v = 1979-05-27 # c", "date-local:1979-05-27" },
	{ "v = 07:32:00.999", "time-local:07:32:00.999" },
	{ "v = 2000-02-29", "date-local:2000-02-29" },
	{ "v = 23:59:60", "time-local:23:59:60" },
	{ "v = [1, 'a', [], {}]", "[1,\"a\",[],{}]" },
	{ "v = [\n 1, # c\n 2,\n]", "[1,2]" },
	{ "v = { a = 1, b.c = 2 }", "{a=1,b={c=2}}" },
	{ "v.a = 1\nv.b = 2", "{a=1,b=2}" },
	{ "[v]\na = 1\n[v.b]\nc = 2", "{a=1,b={c=2}}" },
	{ "[[v]]\na = 1\n[[v]]\n[v.b]", "[{a=1},{b={}}]" },
	{ "[v.x.y]\n[v]\nz = 1", "{x={y={}},z=1}" },
	{ "\xef\xbb\xbfv = 1", "1" },
	{ "v = 1\r\n", "1" },
	{ "\"v\" = 1", "1" },
};

START_TEST(test_values)
{
	struct toml_value *root;
	const struct toml_value *v;
	struct toml_error err;
	char buf[512] = "";
	const char *doc = values[_i].doc;

	ck_assert_msg(toml_parse(doc, strlen(doc), &root, &err) == 0,
	    "%s: %d:%d: %s", doc, err.line, err.col, err.msg);
	ck_assert_int_eq(root->type, TOML_TABLE);
	v = toml_get(root, "v");
	ck_assert_ptr_nonnull(v);
	render(v, buf, sizeof(buf));
	ck_assert_str_eq(buf, values[_i].want);
	toml_free(root);
}
END_TEST

/*
 * Documents that must fail, with the position and a substring of the
 * message.
 */
static const struct {
	const char *doc;
	int line, col;
	const char *msg;
} errors[] = {
	{ "a = 1\na = 2", 2, 1, "duplicate key 'a'" },
	{ "a.b = 1\na.b = 2", 2, 3, "duplicate key 'a.b'" },
	{ "a = 1\na.b = 2", 2, 1, "already defined as an integer" },
	{ "[a]\n[a]", 2, 2, "table 'a' already defined" },
	{ "[a]\nb.c = 1\n[a.b]", 3, 4, "already defined by dotted keys" },
	{ "[a.b.c]\n[a]\nb.d = 1", 3, 1, "cannot add keys to table 'b'" },
	{ "a = {}\n[a.b]", 2, 2, "inline table 'a'" },
	{ "a = {b = 1}\na.c = 2", 2, 1, "inline table 'a'" },
	{ "a = {b = {}, b.c = 1}", 1, 14, "inline table 'b'" },
	{ "a = []\n[[a]]", 2, 3, "static array 'a'" },
	{ "[[a]]\n[a]", 2, 2, "array of tables" },
	{ "a = {b = 1,}", 1, 12, "trailing comma" },
	{ "a = {b = 1\n}", 1, 11, "newline not allowed" },
	{ "a = 01", 1, 5, "leading zeros" },
	{ "a = 1__0", 1, 6, "'_' must be between digits" },
	{ "a = 1_", 1, 6, "'_' must be between digits" },
	{ "a = _1", 1, 5, "invalid value" },
	{ "a = 9223372036854775808", 1, 5, "integer out of range" },
	{ "a = -9223372036854775809", 1, 5, "integer out of range" },
	{ "a = 0x8000000000000000", 1, 5, "integer out of range" },
	{ "a = 0X1", 1, 6, "invalid integer" },
	{ "a = +0x1", 1, 7, "invalid integer" },
	{ "a = 1.", 1, 7, "expected a digit" },
	{ "a = .1", 1, 5, "invalid value" },
	{ "a = 1e", 1, 7, "expected a digit" },
	{ "a = 1.2.3", 1, 8, "invalid float" },
	{ "a = 1e400", 1, 5, "float out of range" },
	{ "a = truex", 1, 9, "invalid value" },
	{ "a = 2023-02-29", 1, 13, "day 29 out of range" },
	{ "a = 1900-02-29", 1, 13, "day 29 out of range" },
	{ "a = 2023-13-01", 1, 10, "month 13" },
	{ "a = 2023-04-31", 1, 13, "day 31" },
	{ "a = 24:00:00", 1, 5, "hour out of range" },
	{ "a = 12:60:00", 1, 8, "minute out of range" },
	{ "a = 12:00:61", 1, 11, "second out of range" },
	{ "a = 12:00", 1, 10, "expected HH:MM:SS" },
	{ "a = 12:00:00Z", 1, 13, "invalid date-time" },
	{ "a = 1979-05-27T07:32:00+24:00", 1, 25, "offset: hour" },
	{ "a = 1979-05-27T", 1, 16, "expected HH:MM:SS" },
	{ "a = \"\\x41\"", 1, 6, "invalid escape sequence '\\x'" },
	{ "a = \"\\ud800\"", 1, 6, "not a unicode scalar value" },
	{ "a = \"\\U00110000\"", 1, 6, "not a unicode scalar value" },
	{ "a = \"\\u12\"", 1, 6, "expected 4 hex digits" },
	{ "a = \"abc", 1, 5, "unterminated string" },
	{ "a = \"abc\nd\"", 1, 9, "newline in single-line string" },
	{ "a = \"\"\"abc", 1, 5, "unterminated multi-line string" },
	{ "a = \"\"\"a\\ b\"\"\"", 1, 9, "invalid escape sequence" },
	{ "a = 'x\x01'", 1, 7, "control character U+0001" },
	{ "# c\x7f", 1, 4, "control character U+007F" },
	{ "a = 1\rb = 2", 1, 6, "carriage return" },
	{ "a = \"\xc3\x28\"", 1, 6, "invalid utf-8" },
	{ "a = \"\xed\xa0\x80\"", 1, 6, "invalid utf-8" },
	{ "a = \"\xc0\xaf\"", 1, 6, "invalid utf-8" },
	{ "a = \"\xf4\x90\x80\x80\"", 1, 6, "invalid utf-8" },
	{ "a = 1 b = 2", 1, 7, "expected end of line" },
	{ "a = ", 1, 5, "expected value, found end of input" },
	{ "a", 1, 2, "expected '=' after key" },
	{ "= 1", 1, 1, "expected key" },
	{ "a. = 1", 1, 4, "expected key" },
	{ "\"\"\"a\"\"\" = 1", 1, 1, "multi-line string not allowed as key" },
	{ "[a", 1, 3, "expected ']'" },
	{ "[[a]\n", 1, 5, "expected ']]'" },
	{ "[]", 1, 2, "expected key" },
	{ "[a]x", 1, 4, "expected end of line" },
	{ "a = [1 2]", 1, 8, "expected ',' or ']'" },
	{ "a = [1,,2]", 1, 8, "invalid value" },
	{ "a = [", 1, 6, "unterminated array" },
	{ "a = {", 1, 6, "expected key" },
	{ "x = 1\n\n   y = \"\\q\"", 3, 9, "invalid escape sequence '\\q'" },
	{ "\xef\xbb\xbf\xef\xbb\xbf", 1, 4, "expected key" },
};

START_TEST(test_errors)
{
	struct toml_value *root = (struct toml_value *)1;
	struct toml_error err;
	const char *doc = errors[_i].doc;

	ck_assert_msg(
	    toml_parse(doc, strlen(doc), &root, &err) == -1, "%s: parsed", doc);
	ck_assert_ptr_null(root);
	ck_assert_msg(strstr(err.msg, errors[_i].msg) != NULL,
	    "%s: message '%s' lacks '%s'", doc, err.msg, errors[_i].msg);
	ck_assert_msg(err.line == errors[_i].line && err.col == errors[_i].col,
	    "%s: at %d:%d, want %d:%d (%s)", doc, err.line, err.col,
	    errors[_i].line, errors[_i].col, err.msg);
	/* house style for messages */
	ck_assert(err.msg[0] != '\0');
	ck_assert(err.msg[strlen(err.msg) - 1] != '.');
}
END_TEST

/* NULL err and a message full of control bytes must be safe. */
START_TEST(test_error_repr)
{
	struct toml_value *root;
	struct toml_error err;
	const char doc[] = "\"\\u001b[31m\\u0085\" = 1\n"
			   "\"\\u001b[31m\\u0085\" = 2";
	char big[2100];
	size_t i, o = 0;

	ck_assert_int_eq(toml_parse(doc, strlen(doc), &root, NULL), -1);
	ck_assert_int_eq(toml_parse(doc, strlen(doc), &root, &err), -1);
	ck_assert_str_eq(err.msg, "duplicate key '\"\\x1b[31m\\xc2\\x85\"'");
	ck_assert_int_eq(err.line, 2);
	/* a long key is cut, the message stays NUL-terminated */
	for (i = 0; i < 2; i++) {
		memset(big + o, 'k', 1000);
		o += 1000;
		o += (size_t)sprintf(big + o, " = %zu\n", i);
	}
	ck_assert_int_eq(toml_parse(big, strlen(big), &root, &err), -1);
	ck_assert(strlen(err.msg) < sizeof(err.msg));
}
END_TEST

/* Positions of values, keys and tables. */
START_TEST(test_positions)
{
	const char doc[] = "a = 1\n"
			   "  b.c = 'x'\n"
			   "[t]\n"
			   "k = [ 1,\n"
			   "  { z = true } ]\n"
			   "[[arr]]\n"
			   "[u.v]\n";
	struct toml_value *root;
	const struct toml_value *v, *w;
	struct toml_error err;

	ck_assert_int_eq(toml_parse(doc, strlen(doc), &root, &err), 0);
	ck_assert_int_eq(root->u.t.kv[0].pos.line, 1);
	ck_assert_int_eq(root->u.t.kv[0].pos.col, 1);
	v = toml_get(root, "a");
	ck_assert_int_eq(v->pos.line, 1);
	ck_assert_int_eq(v->pos.col, 5);
	v = toml_get(root, "b");
	ck_assert_int_eq(v->pos.line, 2);
	ck_assert_int_eq(v->pos.col, 3);
	ck_assert_int_eq(v->u.t.kv[0].pos.col, 5);
	w = toml_get(v, "c");
	ck_assert_int_eq(w->pos.col, 9);
	v = toml_get(root, "t");
	ck_assert_int_eq(v->pos.line, 3);
	ck_assert_int_eq(v->pos.col, 1);
	v = toml_get(v, "k");
	ck_assert_int_eq(v->pos.line, 4);
	ck_assert_int_eq(v->pos.col, 5);
	ck_assert_int_eq(v->u.a.n, 2);
	w = v->u.a.v[1];
	ck_assert_int_eq(w->pos.line, 5);
	ck_assert_int_eq(w->pos.col, 3);
	w = toml_get(w, "z");
	ck_assert_int_eq(w->pos.col, 9);
	v = toml_get(root, "arr");
	ck_assert_int_eq(v->u.a.v[0]->pos.line, 6);
	v = toml_get(root, "u");
	ck_assert_int_eq(v->pos.line, 7);
	ck_assert_int_eq(v->pos.col, 2); /* implicit: first use */
	v = toml_get(v, "v");
	ck_assert_int_eq(v->pos.col, 1); /* the header */
	ck_assert_ptr_null(toml_get(root, "nope"));
	ck_assert_ptr_null(toml_get(toml_get(root, "a"), "x"));
	ck_assert_ptr_null(toml_get(NULL, "x"));
	toml_free(root);
}
END_TEST

/*
 * toml_parse_value: input, expected rendering (NULL: must fail), and for
 * failures the column.
 */
static const struct {
	const char *in;
	const char *want;
	int col;
} pvalues[] = {
	{ "42", "42", 0 },
	{ "  42 \n", "42", 0 },
	{ "'x'", "\"x\"", 0 },
	{ "[1,\n2]", "[1,2]", 0 },
	{ "{a = 1, b = [true]}", "{a=1,b=[true]}", 0 },
	{ "1979-05-27", "date-local:1979-05-27", 0 },
	{ "-1.5", "-1.5", 0 },
	{ "\"\\u0000\"", "\"\\x00\"", 0 },
	{ "", NULL, 1 },
	{ "   ", NULL, 4 },
	{ "42 43", NULL, 4 },
	{ "bare", NULL, 1 },
	{ "a = 1", NULL, 1 },
	{ "1 # c", NULL, 3 },
	{ "{a = 1, a = 2}", NULL, 9 },
	{ "\"abc", NULL, 1 },
	{ "[1", NULL, 3 },
};

START_TEST(test_parse_value)
{
	struct toml_value *v = (struct toml_value *)1;
	struct toml_error err;
	char buf[256] = "";
	const char *in = pvalues[_i].in;
	int r;

	r = toml_parse_value(in, strlen(in), &v, &err);
	if (pvalues[_i].want == NULL) {
		ck_assert_msg(r == -1, "'%s' parsed", in);
		ck_assert_ptr_null(v);
		ck_assert_int_eq(err.line, 1);
		ck_assert_msg(err.col == pvalues[_i].col, "'%s': col %d (%s)",
		    in, err.col, err.msg);
		return;
	}
	ck_assert_msg(r == 0, "'%s': %s", in, err.msg);
	render(v, buf, sizeof(buf));
	ck_assert_str_eq(buf, pvalues[_i].want);
	toml_free(v);
}
END_TEST

/* toml_parse_key: input, parts joined with '|' (NULL: must fail). */
static const struct {
	const char *in;
	const char *want;
	size_t n;
} pkeys[] = {
	{ "a", "a", 1 },
	{ " a.b . c ", "a|b|c", 3 },
	{ "a.\"b.c\".d", "a|b.c|d", 3 },
	{ "'x y'.\"\\u00e9\"", "x y|\xc3\xa9", 2 },
	{ "\"\"", "", 1 },
	{ "1.2", "1|2", 2 },
	{ "sandbox_workspace_write.network_access",
	    "sandbox_workspace_write|network_access", 2 },
	{ "", NULL, 0 },
	{ "a.", NULL, 0 },
	{ ".a", NULL, 0 },
	{ "a..b", NULL, 0 },
	{ "a b", NULL, 0 },
	{ "a=1", NULL, 0 },
	{ "\"a\\u0000b\"", NULL, 0 },
	{ "\"abc", NULL, 0 },
	{ "a.\"\"\"b\"\"\"", NULL, 0 },
	{ "\xff", NULL, 0 },
};

START_TEST(test_parse_key)
{
	struct toml_error err;
	char **parts, buf[256] = "";
	const char *in = pkeys[_i].in;
	size_t n, i;
	int r;

	r = toml_parse_key(in, strlen(in), &parts, &n, &err);
	if (pkeys[_i].want == NULL) {
		ck_assert_msg(r == -1, "'%s' parsed", in);
		ck_assert_ptr_null(parts);
		ck_assert_int_eq(n, 0);
		ck_assert(err.msg[0] != '\0');
		return;
	}
	ck_assert_msg(r == 0, "'%s': %s", in, err.msg);
	ck_assert_int_eq(n, pkeys[_i].n);
	for (i = 0; i < n; i++) {
		if (i)
			strcat(buf, "|");
		strcat(buf, parts[i]);
	}
	ck_assert_str_eq(buf, pkeys[_i].want);
	toml_free_key(parts, n);
}
END_TEST

/* "v = " open^n mid close^n */
static char *
nested(const char *open, const char *mid, const char *close, int n)
{
	size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close);
	char *s, *q;
	int i;

	s = malloc(4 + (size_t)n * (lo + lc) + lm + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, "v = ", 4);
	q = s + 4;
	for (i = 0; i < n; i++, q += lo)
		memcpy(q, open, lo);
	memcpy(q, mid, lm);
	q += lm;
	for (i = 0; i < n; i++, q += lc)
		memcpy(q, close, lc);
	*q = '\0';
	return s;
}

/*
 * v is at depth 1 and each repetition adds levels levels; the deepest
 * allowed container is at TOML_MAX_DEPTH.
 */
static const struct {
	const char *open, *mid, *close;
	int levels;
} deep[] = {
	{ "[", "", "]", 1 },
	{ "{a=", "1", "}", 1 },
	{ "[{a=", "1", "}]", 2 },
	{ "{a.b=", "1", "}", 2 },
};

START_TEST(test_depth)
{
	struct toml_value *root;
	struct toml_error err;
	char *s;
	int n;

	for (n = 1; n * deep[_i].levels <= TOML_MAX_DEPTH + 2; n++) {
		s = nested(deep[_i].open, deep[_i].mid, deep[_i].close, n);
		if (n * deep[_i].levels <= TOML_MAX_DEPTH) {
			ck_assert_msg(
			    toml_parse(s, strlen(s), &root, &err) == 0,
			    "depth %d: %s", n, err.msg);
			toml_free(root);
		} else {
			ck_assert_int_eq(
			    toml_parse(s, strlen(s), &root, &err), -1);
			ck_assert_msg(
			    strstr(err.msg, "nesting") != NULL, "%s", err.msg);
		}
		free(s);
	}
	/* far beyond the limit: must fail, not blow the stack */
	s = nested(deep[_i].open, deep[_i].mid, deep[_i].close, 100000);
	ck_assert_int_eq(toml_parse(s, strlen(s), &root, &err), -1);
	free(s);
}
END_TEST

/* Dotted keys and headers count towards the same limit. */
START_TEST(test_depth_keys)
{
	struct toml_value *root;
	struct toml_error err;
	char buf[2048];
	size_t o;
	int i;

	/* [a.a.....a] with TOML_MAX_DEPTH parts is fine, one more is not */
	o = 0;
	buf[o++] = '[';
	for (i = 0; i < TOML_MAX_DEPTH; i++)
		o += (size_t)snprintf(
		    buf + o, sizeof(buf) - o, "%sa", i ? "." : "");
	buf[o++] = ']';
	buf[o] = '\0';
	ck_assert_int_eq(toml_parse(buf, o, &root, &err), 0);
	toml_free(root);
	memcpy(buf + o - 1, ".a]", 4);
	ck_assert_int_eq(toml_parse(buf, o + 2, &root, &err), -1);
	/* full-depth header plus a dotted key below it */
	memcpy(buf + o - 1, "]\nb.c = 1", 10);
	ck_assert_int_eq(toml_parse(buf, strlen(buf), &root, &err), -1);
	ck_assert_msg(strstr(err.msg, "nesting") != NULL, "%s", err.msg);
	ck_assert_int_eq(err.line, 2);
	/* a value right at the bottom is still fine */
	memcpy(buf + o - 1, "]\nb = 1", 8);
	ck_assert_int_eq(toml_parse(buf, strlen(buf), &root, &err), 0);
	toml_free(root);
	/* and an array there is one level too many */
	memcpy(buf + o - 1, "]\nb = []", 9);
	ck_assert_int_eq(toml_parse(buf, strlen(buf), &root, &err), -1);
}
END_TEST

/* Raw NUL is rejected where it is; escaped NUL is kept with its length. */
START_TEST(test_nul)
{
	struct toml_value *root;
	const struct toml_value *v;
	struct toml_error err;
	const char raw[] = "a = \"x\0y\"";
	const char esc[] = "\"k\\u0000\" = \"\\u0000\\u0000\"";
	const char comment[] = "a = 1 # \0";

	ck_assert_int_eq(toml_parse(raw, sizeof(raw) - 1, &root, &err), -1);
	ck_assert_int_eq(err.col, 7);
	ck_assert_ptr_nonnull(strstr(err.msg, "U+0000"));
	ck_assert_int_eq(
	    toml_parse(comment, sizeof(comment) - 1, &root, &err), -1);
	ck_assert_int_eq(err.col, 9);
	ck_assert_int_eq(toml_parse(esc, strlen(esc), &root, &err), 0);
	ck_assert_int_eq(root->u.t.n, 1);
	ck_assert_int_eq(root->u.t.kv[0].keylen, 2);
	ck_assert_ptr_null(toml_get(root, "k"));
	v = toml_get_n(root, "k\0", 2);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(v->u.s.len, 2);
	ck_assert(memcmp(v->u.s.ptr, "\0\0", 3) == 0);
	toml_free(root);
	/* the input need not be NUL-terminated: a length cut is honoured */
	ck_assert_int_eq(toml_parse("a = 12345", 6, &root, &err), 0);
	ck_assert_int_eq(toml_get(root, "a")->u.i, 12);
	toml_free(root);
	ck_assert_int_eq(toml_parse(NULL, 0, &root, &err), 0);
	ck_assert_int_eq(root->u.t.n, 0);
	toml_free(root);
}
END_TEST

static char *
xmalloc(size_t n)
{
	char *p = malloc(n);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* Large inputs stay correct (and, through the hash, not quadratic). */
START_TEST(test_huge_table)
{
	const size_t nkeys = 200000;
	struct toml_value *root;
	const struct toml_value *v;
	struct toml_error err;
	char *buf, key[32];
	size_t o = 0, i;

	buf = xmalloc(nkeys * 32);
	o += (size_t)sprintf(buf + o, "[t]\n");
	for (i = 0; i < nkeys; i++)
		o += (size_t)sprintf(buf + o, "k%zu = %zu\n", i, i);
	ck_assert_int_eq(toml_parse(buf, o, &root, &err), 0);
	v = toml_get(root, "t");
	ck_assert_int_eq(v->u.t.n, nkeys);
	for (i = 0; i < nkeys; i += 997) {
		snprintf(key, sizeof(key), "k%zu", i);
		ck_assert_int_eq(toml_get(v, key)->u.i, (int64_t)i);
	}
	ck_assert_int_eq(v->u.t.kv[nkeys - 1].pos.line, (int)nkeys + 1);
	toml_free(root);
	/* the same with a duplicate at the very end */
	o += (size_t)sprintf(buf + o, "k%zu = 0\n", nkeys / 2);
	ck_assert_int_eq(toml_parse(buf, o, &root, &err), -1);
	ck_assert_int_eq(err.line, (int)nkeys + 2);
	ck_assert_ptr_nonnull(strstr(err.msg, "duplicate key"));
	free(buf);
}
END_TEST

START_TEST(test_huge_values)
{
	const size_t n = 8 * 1024 * 1024;
	struct toml_value *root;
	const struct toml_value *v;
	struct toml_error err;
	char *buf;
	size_t o, i;

	/* one 8 MiB string */
	buf = xmalloc(n + 16);
	memcpy(buf, "s = '", 5);
	memset(buf + 5, 'x', n);
	memcpy(buf + 5 + n, "'", 1);
	ck_assert_int_eq(toml_parse(buf, n + 6, &root, &err), 0);
	ck_assert_int_eq(toml_get(root, "s")->u.s.len, n);
	toml_free(root);
	/* unterminated: reported at the opening quote */
	ck_assert_int_eq(toml_parse(buf, n + 5, &root, &err), -1);
	ck_assert_int_eq(err.col, 5);
	free(buf);

	/* a 500k element array on one line, and a 1M digit number */
	buf = xmalloc(n);
	o = (size_t)sprintf(buf, "a = [");
	for (i = 0; i < 500000; i++)
		o += (size_t)sprintf(buf + o, "%zu,", i % 10);
	buf[o++] = ']';
	ck_assert_int_eq(toml_parse(buf, o, &root, &err), 0);
	v = toml_get(root, "a");
	ck_assert_int_eq(v->u.a.n, 500000);
	toml_free(root);
	memcpy(buf, "a = 1", 5);
	memset(buf + 5, '0', 1000000);
	ck_assert_int_eq(toml_parse(buf, 1000005, &root, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "out of range"));
	memcpy(buf + 1000005, ".5", 2);
	ck_assert_int_eq(toml_parse(buf, 1000007, &root, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "out of range"));
	free(buf);

	/* 200k [[aot]] entries and 200k one-line comments */
	buf = xmalloc(n);
	o = 0;
	for (i = 0; i < 200000; i++)
		o += (size_t)sprintf(buf + o, "[[x.y]]\n# c\nz.w = %zu\n", i);
	ck_assert_int_eq(toml_parse(buf, o, &root, &err), 0);
	v = toml_get(toml_get(root, "x"), "y");
	ck_assert_int_eq(v->u.a.n, 200000);
	ck_assert_int_eq(
	    toml_get(toml_get(v->u.a.v[199999], "z"), "w")->u.i, 199999);
	toml_free(root);
	free(buf);
}
END_TEST

START_TEST(test_type_names)
{
	ck_assert_str_eq(toml_type_name(TOML_TABLE), "table");
	ck_assert_str_eq(toml_type_name(TOML_ARRAY), "array");
	ck_assert_str_eq(toml_type_name(TOML_STRING), "string");
	ck_assert_str_eq(toml_type_name(TOML_INTEGER), "integer");
	ck_assert_str_eq(toml_type_name(TOML_FLOAT), "float");
	ck_assert_str_eq(toml_type_name(TOML_BOOL), "boolean");
	ck_assert_str_eq(toml_type_name(TOML_DATETIME), "datetime");
	ck_assert_str_eq(toml_type_name(TOML_DATETIME_LOCAL), "datetime-local");
	ck_assert_str_eq(toml_type_name(TOML_DATE_LOCAL), "date-local");
	ck_assert_str_eq(toml_type_name(TOML_TIME_LOCAL), "time-local");
	ck_assert_str_eq(toml_type_name((enum toml_type)99), "unknown");
}
END_TEST

/* Insertion order is kept, including across implicit tables. */
START_TEST(test_order)
{
	const char doc[] = "z = 1\ny = 2\n[m.n]\n[a]\nx = 3\n";
	struct toml_value *root;
	struct toml_error err;
	char buf[128] = "";

	ck_assert_int_eq(toml_parse(doc, strlen(doc), &root, &err), 0);
	render(root, buf, sizeof(buf));
	ck_assert_str_eq(buf, "{z=1,y=2,m={n={}},a={x=3}}");
	toml_free(root);
}
END_TEST

static Suite *
toml_suite(void)
{
	Suite *s = suite_create("toml");
	TCase *tc;

	tc = tcase_create("values");
	tcase_add_loop_test(tc, test_values, 0, (int)nitems(values));
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_type_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_errors, 0, (int)nitems(errors));
	tcase_add_test(tc, test_error_repr);
	suite_add_tcase(s, tc);

	tc = tcase_create("positions");
	tcase_add_test(tc, test_positions);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_value");
	tcase_add_loop_test(tc, test_parse_value, 0, (int)nitems(pvalues));
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_key");
	tcase_add_loop_test(tc, test_parse_key, 0, (int)nitems(pkeys));
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_loop_test(tc, test_depth, 0, (int)nitems(deep));
	tcase_add_test(tc, test_depth_keys);
	tcase_add_test(tc, test_nul);
	suite_add_tcase(s, tc);

	tc = tcase_create("huge");
	/* sanitizers make these slow; no test fails on time alone */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_huge_table);
	tcase_add_test(tc, test_huge_values);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr;
	int nfail;

	sr = srunner_create(toml_suite());
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
