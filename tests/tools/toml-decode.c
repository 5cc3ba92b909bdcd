/*
 * toml-decode.c: toml-test decoder for the policy TOML parser.
 *
 * Test tool, runs on test data: reads TOML on stdin and prints the
 * toml-test "tagged JSON" form of it on stdout (exit 0), or
 * "<stdin>:LINE:COL: message" on stderr (exit 1). The JSON emitter is
 * here rather than jansson so that libpolicy tests need nothing else.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

static void
emit_string(FILE *f, const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	putc('"', f);
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			/* the parser hands out valid UTF-8, passed through */
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				putc(c, f);
			break;
		}
	}
	putc('"', f);
}

/* Shortest %.Ng that reads back as the same double. */
static void
format_double(char *buf, size_t sz, double d)
{
	int prec;

	if (isnan(d)) {
		snprintf(buf, sz, "nan");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, sz, "%s", d < 0 ? "-inf" : "inf");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sz, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

static void
emit_tagged(FILE *f, const char *type, const char *s, size_t n)
{
	fprintf(f, "{\"type\":\"%s\",\"value\":", type);
	emit_string(f, s, n);
	putc('}', f);
}

/* Recursion is bounded by the parser's TOML_MAX_DEPTH. */
static void
emit(FILE *f, const struct toml_value *v)
{
	char buf[64];
	size_t i;

	switch (v->type) {
	case TOML_TABLE:
		putc('{', f);
		for (i = 0; i < v->u.t.n; i++) {
			if (i > 0)
				putc(',', f);
			emit_string(f, v->u.t.kv[i].key, v->u.t.kv[i].keylen);
			putc(':', f);
			emit(f, v->u.t.kv[i].val);
		}
		putc('}', f);
		break;
	case TOML_ARRAY:
		putc('[', f);
		for (i = 0; i < v->u.a.n; i++) {
			if (i > 0)
				putc(',', f);
			emit(f, v->u.a.v[i]);
		}
		putc(']', f);
		break;
	case TOML_STRING:
		emit_tagged(f, "string", v->u.s.ptr, v->u.s.len);
		break;
	case TOML_INTEGER:
		snprintf(buf, sizeof(buf), "%" PRId64, v->u.i);
		emit_tagged(f, "integer", buf, strlen(buf));
		break;
	case TOML_FLOAT:
		format_double(buf, sizeof(buf), v->u.f);
		emit_tagged(f, "float", buf, strlen(buf));
		break;
	case TOML_BOOL:
		emit_tagged(
		    f, "bool", v->u.b ? "true" : "false", v->u.b ? 4 : 5);
		break;
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		emit_tagged(f, toml_type_name(v->type), v->u.s.ptr, v->u.s.len);
		break;
	}
}

int
main(void)
{
	struct toml_value *root;
	struct toml_error err;
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, n;

	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "toml-decode: out of memory\n");
				free(buf);
				return 2;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, stdin);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(stdin)) {
		fprintf(stderr, "toml-decode: read error\n");
		free(buf);
		return 2;
	}
	if (toml_parse(buf, len, &root, &err) == -1) {
		fprintf(
		    stderr, "<stdin>:%d:%d: %s\n", err.line, err.col, err.msg);
		free(buf);
		return 1;
	}
	emit(stdout, root);
	putchar('\n');
	toml_free(root);
	free(buf);
	if (fflush(stdout) == EOF || ferror(stdout))
		return 2;
	return 0;
}
