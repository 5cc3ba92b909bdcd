/*
 * fuzz_toml.c: libFuzzer target for policy/toml.c.
 *
 * Fuzz harness, feeds untrusted bytes to every entry point of the TOML
 * parser: toml_parse, toml_parse_value and toml_parse_key. Besides the
 * sanitizers it checks the invariants callers rely on: a result on
 * success, none on failure, and an error with a position and a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Walks the tree so that every node is read at least once. */
static size_t
walk(const struct toml_value *v)
{
	size_t n = 1, i;

	switch (v->type) {
	case TOML_TABLE:
		for (i = 0; i < v->u.t.n; i++) {
			if (v->u.t.kv[i].key[v->u.t.kv[i].keylen] != '\0')
				abort();
			if (toml_get_n(v, v->u.t.kv[i].key,
				v->u.t.kv[i].keylen) != v->u.t.kv[i].val)
				abort();
			n += walk(v->u.t.kv[i].val);
		}
		break;
	case TOML_ARRAY:
		for (i = 0; i < v->u.a.n; i++)
			n += walk(v->u.a.v[i]);
		break;
	case TOML_STRING:
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		if (v->u.s.ptr[v->u.s.len] != '\0')
			abort();
		break;
	default:
		break;
	}
	if (v->pos.line < 1 || v->pos.col < 1)
		abort();
	return n;
}

static void
check_error(const struct toml_error *err)
{
	if (err->line < 1 || err->col < 1 || err->msg[0] == '\0' ||
	    memchr(err->msg, '\0', sizeof(err->msg)) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_value *v;
	struct toml_error err;
	char *copy, **parts;
	size_t nparts, i;

	/* an exact-size copy so ASan sees reads past the end */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);

	if (toml_parse(copy, size, &v, &err) == 0) {
		if (v == NULL || v->type != TOML_TABLE)
			abort();
		walk(v);
		toml_free(v);
	} else {
		if (v != NULL)
			abort();
		check_error(&err);
	}

	if (toml_parse_value(copy, size, &v, &err) == 0) {
		if (v == NULL)
			abort();
		walk(v);
		toml_free(v);
	} else {
		if (v != NULL)
			abort();
		check_error(&err);
	}

	if (toml_parse_key(copy, size, &parts, &nparts, &err) == 0) {
		if (parts == NULL || nparts == 0)
			abort();
		for (i = 0; i < nparts; i++)
			if (parts[i] == NULL)
				abort();
		toml_free_key(parts, nparts);
	} else {
		if (parts != NULL || nparts != 0)
			abort();
		check_error(&err);
	}

	free(copy);
	return 0;
}
