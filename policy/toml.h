/*
 * toml.h: strict TOML 1.0.0 parser.
 *
 * Pure (no I/O, no globals that change results), parses untrusted input:
 * every construct the specification forbids is rejected with a line:col
 * position, nesting is limited to TOML_MAX_DEPTH, and no input makes it
 * crash, recurse without bound or leak.
 */
#ifndef TOML_H
#define TOML_H

#include <stddef.h>
#include <stdint.h>

/* Deepest nesting of tables and arrays below the root (root is 0). */
#define TOML_MAX_DEPTH 128

enum toml_type {
	TOML_TABLE,
	TOML_ARRAY,
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,
	TOML_DATETIME_LOCAL,
	TOML_DATE_LOCAL,
	TOML_TIME_LOCAL
};

struct toml_pos {
	int line, col; /* 1-based; col counts bytes */
};

struct toml_value;

struct toml_kv {
	char *key; /* NUL-terminated; may contain NUL */
	size_t keylen; /* authoritative */
	struct toml_pos pos; /* where this key part is written */
	struct toml_value *val;
};

struct toml_value {
	enum toml_type type;
	/* where the value (or table header / first use) starts */
	struct toml_pos pos;
	union {
		/*
		 * STRING: decoded bytes, NUL-terminated, may contain NUL
		 * (len is authoritative); multi-line strings have CRLF
		 * normalised to LF.
		 * Datetime kinds: the text, normalised ('T' separator and
		 * 'Z' uppercase, a space separator becomes 'T'); fractional
		 * seconds are kept as written.
		 */
		struct {
			char *ptr;
			size_t len;
		} s;
		int64_t i;
		double f;
		int b;
		/* TABLE: in insertion order */
		struct {
			struct toml_kv *kv;
			size_t n;
		} t;
		/* ARRAY */
		struct {
			struct toml_value **v;
			size_t n;
		} a;
	} u;

	/* Private bookkeeping below; callers must not rely on it. */
	size_t cap; /* allocated slots of u.t.kv / u.a.v */
	size_t *hidx; /* TABLE: hash slots, index + 1, 0 empty */
	size_t hcap; /* number of hash slots (power of two) */
	unsigned int flags;
	int depth;
};

struct toml_error {
	int line, col;
	char msg[200]; /* lower case, no trailing period */
};

/*
 * Parse a whole document. Returns 0 and *root (a TABLE) or -1 with *err
 * filled; never prints. A leading UTF-8 BOM is skipped.
 */
int toml_parse(const char *buf, size_t len, struct toml_value **root,
    struct toml_error *err);

/*
 * Parse exactly one TOML value (string, number, bool, datetime, array,
 * inline table) filling the whole input except surrounding whitespace
 * (spaces, tabs, newlines); used for `-c key=VALUE`. Returns 0 and *out, or
 * -1 with *err filled.
 */
int toml_parse_value(const char *buf, size_t len, struct toml_value **out,
    struct toml_error *err);

/*
 * Parse a (possibly dotted, possibly quoted) key such as `a."b.c".d` into
 * parts; surrounding spaces and tabs are ignored. Returns 0 or -1 with *err
 * filled. *parts is a malloc'd array of malloc'd NUL-terminated strings;
 * free with toml_free_key. A part containing NUL is rejected since the
 * result has no lengths.
 */
int toml_parse_key(const char *buf, size_t len, char ***parts, size_t *nparts,
    struct toml_error *err);
void toml_free_key(char **parts, size_t nparts);

/* Free a tree returned by toml_parse or toml_parse_value; NULL is fine. */
void toml_free(struct toml_value *v);

/* Member `key` of a table; NULL if absent or if table is not a table. */
const struct toml_value *toml_get(
    const struct toml_value *table, const char *key);

/* Member by key bytes, for keys that may contain NUL. */
const struct toml_value *toml_get_n(
    const struct toml_value *table, const char *key, size_t keylen);

/*
 * "table", "array", "string", "integer", "float", "boolean", "datetime",
 * "datetime-local", "date-local", "time-local"; "unknown" otherwise.
 */
const char *toml_type_name(enum toml_type t);

#endif /* TOML_H */
