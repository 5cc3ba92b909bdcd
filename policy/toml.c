/*
 * toml.c: strict TOML 1.0.0 parser.
 *
 * Pure, parses untrusted input (config files and `-c key=VALUE`). The whole
 * buffer is checked for valid UTF-8 and forbidden control characters first,
 * so the grammar below only has to deal with ASCII structure. Every
 * container is created through new_node(), which enforces TOML_MAX_DEPTH;
 * that bounds both the recursion of the value parser and of toml_free().
 * Positions are computed from byte offsets through a forward-moving cache,
 * so normal parsing stays linear in the input size.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strtod_l */
#endif

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

#define TF_DEFINED 0x01 /* table: opened by a [header] or [[header]] */
#define TF_DOTTED 0x02 /* table: created by a dotted key */
#define TF_INLINE 0x04 /* table: written inline, closed for good */
#define TF_AOT 0x08 /* array: created by [[header]], may grow */

/* Tables below this many keys are searched linearly. */
#define HASH_MIN 8

#define NOT_FOUND ((size_t)-1)

struct parser {
	const char *buf;
	size_t len;
	size_t off;
	struct toml_error *err;
	int failed;
	/* line/col cache, see pos_at() */
	size_t lc_off;
	size_t lc_linestart;
	int lc_line;
};

struct keypart {
	char *s;
	int owned; /* 0 once the tree holds s */
	size_t len;
	size_t off;
	struct toml_pos pos;
};

struct keyparts {
	struct keypart *v;
	size_t n;
	size_t cap;
};

struct sbuf {
	char *p;
	size_t len;
	size_t cap;
};

static int parse_value(struct parser *, int, struct toml_value **);

/*
 * Positions
 */

/*
 * Offsets are looked up in increasing order while parsing (key parts get
 * their position when they are read), so scanning forward from the last
 * lookup keeps this linear overall; only error reporting may go back.
 */
static struct toml_pos
pos_at(struct parser *p, size_t off)
{
	struct toml_pos pos;
	const char *nl;
	size_t col;

	if (off > p->len)
		off = p->len;
	if (off < p->lc_off) {
		p->lc_off = 0;
		p->lc_linestart = 0;
		p->lc_line = 1;
	}
	while (p->lc_off < off) {
		nl = memchr(p->buf + p->lc_off, '\n', off - p->lc_off);
		if (nl == NULL) {
			p->lc_off = off;
			break;
		}
		if (p->lc_line < INT_MAX)
			p->lc_line++;
		p->lc_off = (size_t)(nl - p->buf) + 1;
		p->lc_linestart = p->lc_off;
	}
	col = off - p->lc_linestart + 1;
	pos.line = p->lc_line;
	pos.col = col > INT_MAX ? INT_MAX : (int)col;
	return pos;
}

static int perr(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the first error only: later ones are consequences of it. */
static int
perr(struct parser *p, size_t off, const char *fmt, ...)
{
	struct toml_pos pos;
	va_list ap;

	if (p->failed)
		return -1;
	p->failed = 1;
	pos = pos_at(p, off);
	p->err->line = pos.line;
	p->err->col = pos.col;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int
oom(struct parser *p)
{
	return perr(p, p->off, "out of memory");
}

/*
 * Quote untrusted bytes for an error message: the message ends up on a
 * terminal, so C0/C1 controls and DEL are shown as \xHH, and long keys are
 * cut at a character boundary.
 */
static void
repr(char *dst, size_t dsz, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, clen, max;

	max = dsz > 4 ? dsz - 4 : 0; /* room for "..." and NUL */
	while (i < n) {
		if (u[i] >= 0x20 && u[i] < 0x7f)
			clen = 1;
		else if (u[i] >= 0xc0 &&
		    !(u[i] == 0xc2 && i + 1 < n && u[i + 1] < 0xa0))
			clen = u[i] >= 0xf0 ? 4 : u[i] >= 0xe0 ? 3 : 2;
		else
			clen = 0; /* escape this byte */
		if (clen > n - i)
			clen = 0;
		if (o + (clen ? clen : 4) > max) {
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		if (clen) {
			memcpy(dst + o, s + i, clen);
			o += clen;
			i += clen;
		} else {
			snprintf(dst + o, 5, "\\x%02x", u[i]);
			o += 4;
			i++;
		}
	}
	if (dsz > 0)
		dst[o < dsz ? o : dsz - 1] = '\0';
}

static int
is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Dotted path of parts [0, upto] for messages, quoting non-bare parts. */
static void
path_repr(char *dst, size_t dsz, const struct keyparts *k, size_t upto)
{
	char part[64];
	size_t i, j, o = 0;
	int bare, w;

	dst[0] = '\0';
	for (i = 0; i <= upto && i < k->n; i++) {
		bare = k->v[i].len > 0;
		for (j = 0; j < k->v[i].len; j++)
			if (!is_bare((unsigned char)k->v[i].s[j]))
				bare = 0;
		repr(part, sizeof(part), k->v[i].s, k->v[i].len);
		w = snprintf(dst + o, dsz - o, "%s%s%s%s", i ? "." : "",
		    bare ? "" : "\"", part, bare ? "" : "\"");
		if (w < 0 || (size_t)w >= dsz - o)
			return;
		o += (size_t)w;
	}
}

/* A character for "found 'x'" messages. */
static const char *
char_repr(struct parser *p, char tmp[8])
{
	int c;

	if (p->off >= p->len)
		return "end of input";
	c = (unsigned char)p->buf[p->off];
	if (c == '\n' || c == '\r')
		return "newline";
	if (c >= 0x21 && c < 0x7f) {
		snprintf(tmp, 8, "'%c'", c);
		return tmp;
	}
	if (c == ' ' || c == '\t')
		return "whitespace";
	return "a non-ascii character";
}

/* "an integer", "a string": for "already defined as ..." messages. */
static const char *
a_type(enum toml_type t)
{
	switch (t) {
	case TOML_TABLE:
		return "a table";
	case TOML_ARRAY:
		return "an array";
	case TOML_STRING:
		return "a string";
	case TOML_INTEGER:
		return "an integer";
	case TOML_FLOAT:
		return "a float";
	case TOML_BOOL:
		return "a boolean";
	default:
		return "a date-time";
	}
}

/*
 * Input checks
 */

/* Length of the valid UTF-8 sequence at s (Unicode table 3-7), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned int c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f; /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f; /* nothing above U+10FFFF */
	} else
		return 0;
	if (n < need + 1)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i <= need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need + 1;
}

/*
 * TOML forbids invalid UTF-8 and every control character except tab and
 * newline (LF or CRLF) in every context, strings and comments included,
 * so one pass over the whole input settles it.
 */
static int
check_text(struct parser *p, size_t from)
{
	const unsigned char *s = (const unsigned char *)p->buf;
	size_t i = from, n;
	unsigned int c;

	while (i < p->len) {
		c = s[i];
		if (c >= 0x20 && c < 0x7f) {
			i++;
			continue;
		}
		if (c == '\t' || c == '\n') {
			i++;
			continue;
		}
		if (c == '\r') {
			if (i + 1 < p->len && s[i + 1] == '\n') {
				i += 2;
				continue;
			}
			return perr(
			    p, i, "carriage return not followed by line feed");
		}
		if (c < 0x80)
			return perr(
			    p, i, "control character U+%04X not allowed", c);
		if ((n = utf8_seq(s + i, p->len - i)) == 0)
			return perr(p, i, "invalid utf-8");
		i += n;
	}
	return 0;
}

/*
 * Cursor helpers
 */

static int
peek(const struct parser *p)
{
	return p->off < p->len ? (unsigned char)p->buf[p->off] : -1;
}

static int
peek_at(const struct parser *p, size_t k)
{
	return k < p->len - p->off ? (unsigned char)p->buf[p->off + k] : -1;
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
is_oct(int c)
{
	return c >= '0' && c <= '7';
}

static int
is_bin(int c)
{
	return c == '0' || c == '1';
}

static void
skip_ws(struct parser *p)
{
	while (p->off < p->len &&
	    (p->buf[p->off] == ' ' || p->buf[p->off] == '\t'))
		p->off++;
}

/* Length of the newline at the cursor (LF or CRLF), 0 if none. */
static size_t
newline_len(const struct parser *p)
{
	int c = peek(p);

	if (c == '\n')
		return 1;
	if (c == '\r' && peek_at(p, 1) == '\n')
		return 2;
	return 0;
}

/* Comment contents were vetted by check_text(). */
static void
skip_comment(struct parser *p)
{
	if (peek(p) != '#')
		return;
	while (p->off < p->len && newline_len(p) == 0)
		p->off++;
}

static void
skip_ws_comment_nl(struct parser *p)
{
	size_t nl;

	for (;;) {
		skip_ws(p);
		skip_comment(p);
		if ((nl = newline_len(p)) == 0)
			return;
		p->off += nl;
	}
}

/*
 * Growable byte buffer
 */

static int
sb_reserve(struct sbuf *b, size_t add)
{
	size_t ncap;
	char *np;

	if (add <= b->cap - b->len)
		return 0;
	if (add > SIZE_MAX / 2 - b->len)
		return -1;
	ncap = b->cap ? b->cap : 32;
	while (ncap - b->len < add)
		ncap *= 2;
	if ((np = realloc(b->p, ncap)) == NULL)
		return -1;
	b->p = np;
	b->cap = ncap;
	return 0;
}

static int
sb_put(struct sbuf *b, const void *s, size_t n)
{
	if (n == 0)
		return 0;
	if (sb_reserve(b, n) == -1)
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

static int
sb_putc(struct sbuf *b, int c)
{
	char ch = (char)c;

	return sb_put(b, &ch, 1);
}

/* NUL-terminates and hands the bytes over; the sbuf is left empty. */
static char *
sb_finish(struct sbuf *b, size_t *lenp)
{
	char *s;

	if (sb_putc(b, '\0') == -1)
		return NULL;
	s = b->p;
	*lenp = b->len - 1;
	b->p = NULL;
	b->len = b->cap = 0;
	return s;
}

static void
sb_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/*
 * Tree
 */

/*
 * The hash index of a table is keyed so that colliding key sets cannot be
 * prepared in advance; the seed comes from ASLR, which is enough against
 * files written ahead of time.
 * XXX a per-process random key (getrandom) with SipHash would be stronger.
 */
static uint64_t
key_hash(const char *k, size_t n)
{
	uint64_t h;
	size_t i;

	h = 0xcbf29ce484222325ULL ^ (uint64_t)(uintptr_t)&key_hash;
	for (i = 0; i < n; i++) {
		h ^= (unsigned char)k[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static void
hash_insert(struct toml_value *t, size_t idx)
{
	const struct toml_kv *kv = &t->u.t.kv[idx];
	size_t mask = t->hcap - 1, i;

	i = (size_t)key_hash(kv->key, kv->keylen) & mask;
	while (t->hidx[i] != 0)
		i = (i + 1) & mask;
	t->hidx[i] = idx + 1;
}

static int
hash_rebuild(struct toml_value *t, size_t want)
{
	size_t cap = 16, i;
	size_t *h;

	while (cap / 2 < want) {
		if (cap > SIZE_MAX / 2 / sizeof(*h))
			return -1;
		cap *= 2;
	}
	if ((h = calloc(cap, sizeof(*h))) == NULL)
		return -1;
	free(t->hidx);
	t->hidx = h;
	t->hcap = cap;
	for (i = 0; i < t->u.t.n; i++)
		hash_insert(t, i);
	return 0;
}

static size_t
tbl_find(const struct toml_value *t, const char *k, size_t n)
{
	const struct toml_kv *kv;
	size_t i, mask, slot;

	if (t->hidx == NULL) {
		for (i = 0; i < t->u.t.n; i++) {
			kv = &t->u.t.kv[i];
			if (kv->keylen == n && memcmp(kv->key, k, n) == 0)
				return i;
		}
		return NOT_FOUND;
	}
	mask = t->hcap - 1;
	i = (size_t)key_hash(k, n) & mask;
	while ((slot = t->hidx[i]) != 0) {
		kv = &t->u.t.kv[slot - 1];
		if (kv->keylen == n && memcmp(kv->key, k, n) == 0)
			return slot - 1;
		i = (i + 1) & mask;
	}
	return NOT_FOUND;
}

/* Takes ownership of key and v only on success. */
static int
tbl_add(struct toml_value *t, char *key, size_t keylen, struct toml_pos pos,
    struct toml_value *v)
{
	struct toml_kv *nkv;
	size_t ncap;

	if (t->u.t.n == t->cap) {
		ncap = t->cap ? t->cap * 2 : 4;
		if (ncap > SIZE_MAX / sizeof(*nkv))
			return -1;
		if ((nkv = realloc(t->u.t.kv, ncap * sizeof(*nkv))) == NULL)
			return -1;
		t->u.t.kv = nkv;
		t->cap = ncap;
	}
	if (t->u.t.n + 1 >= HASH_MIN && t->hcap / 2 < t->u.t.n + 1 &&
	    hash_rebuild(t, t->u.t.n + 1 > t->cap ? t->u.t.n + 1 : t->cap) ==
		-1)
		return -1;
	nkv = &t->u.t.kv[t->u.t.n];
	nkv->key = key;
	nkv->keylen = keylen;
	nkv->pos = pos;
	nkv->val = v;
	t->u.t.n++;
	if (t->hidx != NULL)
		hash_insert(t, t->u.t.n - 1);
	return 0;
}

/* Takes ownership of v only on success. */
static int
arr_add(struct toml_value *a, struct toml_value *v)
{
	struct toml_value **nv;
	size_t ncap;

	if (a->u.a.n == a->cap) {
		ncap = a->cap ? a->cap * 2 : 4;
		if (ncap > SIZE_MAX / sizeof(*nv))
			return -1;
		if ((nv = realloc(a->u.a.v, ncap * sizeof(*nv))) == NULL)
			return -1;
		a->u.a.v = nv;
		a->cap = ncap;
	}
	a->u.a.v[a->u.a.n++] = v;
	return 0;
}

/* The one place nodes are made, so the depth limit cannot be bypassed. */
/*
 * pos, when given, saves a backward pos_at() lookup for key parts that
 * were read before the node is made.
 */
static struct toml_value *
new_node(struct parser *p, enum toml_type type, size_t off,
    const struct toml_pos *pos, int depth)
{
	struct toml_value *v;

	if (depth > TOML_MAX_DEPTH) {
		perr(p, off, "nesting deeper than %d levels", TOML_MAX_DEPTH);
		return NULL;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		oom(p);
		return NULL;
	}
	v->type = type;
	v->pos = pos != NULL ? *pos : pos_at(p, off);
	v->depth = depth;
	return v;
}

void
toml_free(struct toml_value *v)
{
	size_t i;

	if (v == NULL)
		return;
	switch (v->type) {
	case TOML_TABLE:
		for (i = 0; i < v->u.t.n; i++) {
			free(v->u.t.kv[i].key);
			toml_free(v->u.t.kv[i].val);
		}
		free(v->u.t.kv);
		free(v->hidx);
		break;
	case TOML_ARRAY:
		for (i = 0; i < v->u.a.n; i++)
			toml_free(v->u.a.v[i]);
		free(v->u.a.v);
		break;
	case TOML_STRING:
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		free(v->u.s.ptr);
		break;
	default:
		break;
	}
	free(v);
}

/*
 * Strings
 */

static int
put_utf8(struct sbuf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return sb_put(b, u, n);
}

static int
hexval(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return c - 'A' + 10;
}

/* An escape sequence at the cursor (on the backslash). */
static int
parse_escape(struct parser *p, struct sbuf *b)
{
	size_t at = p->off, ndig, i;
	uint32_t cp = 0;
	int c, r;

	c = peek_at(p, 1);
	switch (c) {
	case 'b':
		r = sb_putc(b, '\b');
		break;
	case 't':
		r = sb_putc(b, '\t');
		break;
	case 'n':
		r = sb_putc(b, '\n');
		break;
	case 'f':
		r = sb_putc(b, '\f');
		break;
	case 'r':
		r = sb_putc(b, '\r');
		break;
	case '"':
		r = sb_putc(b, '"');
		break;
	case '\\':
		r = sb_putc(b, '\\');
		break;
	case 'u':
	case 'U':
		ndig = c == 'u' ? 4 : 8;
		for (i = 0; i < ndig; i++) {
			c = peek_at(p, 2 + i);
			if (!is_hex(c))
				return perr(p, at,
				    "invalid unicode escape: "
				    "expected %zu hex digits",
				    ndig);
			cp = cp << 4 | (uint32_t)hexval(c);
		}
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return perr(p, at,
			    "invalid unicode escape: U+%04X is "
			    "not a unicode scalar value",
			    cp);
		if (put_utf8(b, cp) == -1)
			return oom(p);
		p->off += 2 + ndig;
		return 0;
	default:
		if (c > 0x20 && c < 0x7f)
			return perr(p, at, "invalid escape sequence '\\%c'", c);
		return perr(p, at, "invalid escape sequence");
	}
	if (r == -1)
		return oom(p);
	p->off += 2;
	return 0;
}

/*
 * Length of the run at the cursor free of the bytes in stop. The input is
 * not NUL-terminated, so this is bounded by hand rather than by strcspn.
 */
static size_t
run_len(const struct parser *p, const char *stop)
{
	size_t i;

	for (i = p->off; i < p->len; i++)
		if (p->buf[i] == '\0' || strchr(stop, p->buf[i]) != NULL)
			break;
	return i - p->off;
}

/* Copies a run of plain bytes; always makes progress. */
static int
put_plain(struct parser *p, struct sbuf *b, const char *stop)
{
	size_t n;

	if ((n = run_len(p, stop)) == 0)
		n = 1;
	if (n > p->len - p->off)
		n = p->len - p->off;
	if (sb_put(b, p->buf + p->off, n) == -1)
		return oom(p);
	p->off += n;
	return 0;
}

/* "...", cursor on the opening quote. */
static int
parse_basic(struct parser *p, struct sbuf *b)
{
	size_t start = p->off;
	int c;

	p->off++;
	for (;;) {
		c = peek(p);
		if (c == -1)
			return perr(p, start, "unterminated string");
		if (c == '"') {
			p->off++;
			return 0;
		}
		if (c == '\n' || c == '\r')
			return perr(p, p->off, "newline in single-line string");
		if (c == '\\') {
			if (parse_escape(p, b) == -1)
				return -1;
			continue;
		}
		if (put_plain(p, b, "\"\\\r\n") == -1)
			return -1;
	}
}

/* '...', cursor on the opening quote. */
static int
parse_literal(struct parser *p, struct sbuf *b)
{
	size_t start = p->off;
	int c;

	p->off++;
	for (;;) {
		c = peek(p);
		if (c == -1)
			return perr(p, start, "unterminated string");
		if (c == '\'') {
			p->off++;
			return 0;
		}
		if (c == '\n' || c == '\r')
			return perr(p, p->off, "newline in single-line string");
		if (put_plain(p, b, "'\r\n") == -1)
			return -1;
	}
}

/*
 * A run of delimiter quotes inside a multi-line string: up to two belong
 * to the content, three close it, and up to two more before the closing
 * three are content too ("""a"""""). Returns 1 when the string ended.
 */
static int
ml_quotes(struct parser *p, struct sbuf *b, int q)
{
	size_t n = 0;

	while (peek_at(p, n) == q && n < 5)
		n++;
	if (n < 3) {
		if (sb_put(b, p->buf + p->off, n) == -1)
			return oom(p);
		p->off += n;
		return 0;
	}
	if (sb_put(b, p->buf + p->off, n - 3) == -1)
		return oom(p);
	p->off += n;
	return 1;
}

/* """...""" or '''...''', cursor on the first quote. */
static int
parse_ml(struct parser *p, struct sbuf *b, int q)
{
	size_t start = p->off, nl, j;
	int c, r;

	p->off += 3;
	/* a newline right after the opening delimiter is trimmed */
	p->off += newline_len(p);
	for (;;) {
		c = peek(p);
		if (c == -1)
			return perr(p, start, "unterminated multi-line string");
		if (c == q) {
			if ((r = ml_quotes(p, b, q)) != 0)
				return r == 1 ? 0 : -1;
			continue;
		}
		if (c == '\r') {
			/* CRLF, as check_text() made sure; stored as LF */
			if (sb_putc(b, '\n') == -1)
				return oom(p);
			p->off += 2;
			continue;
		}
		if (c == '\\' && q == '"') {
			/* line-ending backslash: trim up to the next text */
			for (j = p->off + 1; j < p->len &&
			     (p->buf[j] == ' ' || p->buf[j] == '\t');
			     j++)
				;
			if (j < p->len &&
			    (p->buf[j] == '\n' ||
				(p->buf[j] == '\r' && j + 1 < p->len &&
				    p->buf[j + 1] == '\n'))) {
				p->off = j;
				for (;;) {
					skip_ws(p);
					if ((nl = newline_len(p)) == 0)
						break;
					p->off += nl;
				}
				continue;
			}
			if (parse_escape(p, b) == -1)
				return -1;
			continue;
		}
		if (put_plain(p, b, q == '"' ? "\"\\\r" : "'\r") == -1)
			return -1;
	}
}

/*
 * Keys
 */

static void
keys_free(struct keyparts *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->v[i].owned)
			free(k->v[i].s);
	free(k->v);
	k->v = NULL;
	k->n = k->cap = 0;
}

static int
parse_simple_key(struct parser *p, struct keypart *kp)
{
	struct sbuf b = { NULL, 0, 0 };
	char tmp[8];
	size_t n;
	int c = peek(p), r;

	kp->off = p->off;
	kp->pos = pos_at(p, p->off);
	if (c == '"' || c == '\'') {
		if (peek_at(p, 1) == c && peek_at(p, 2) == c)
			return perr(
			    p, p->off, "multi-line string not allowed as key");
		r = c == '"' ? parse_basic(p, &b) : parse_literal(p, &b);
		if (r == -1) {
			sb_free(&b);
			return -1;
		}
	} else {
		n = 0;
		while (n < p->len - p->off && is_bare(peek_at(p, n)))
			n++;
		if (n == 0)
			return perr(p, p->off, "expected key, found %s",
			    char_repr(p, tmp));
		if (sb_put(&b, p->buf + p->off, n) == -1)
			return oom(p);
		p->off += n;
	}
	if ((kp->s = sb_finish(&b, &kp->len)) == NULL) {
		sb_free(&b);
		return oom(p);
	}
	kp->owned = 1;
	return 0;
}

/* key = simple-key *( ws "." ws simple-key ), ws around it skipped. */
static int
parse_key(struct parser *p, struct keyparts *k)
{
	struct keypart *nv;
	size_t ncap;

	for (;;) {
		skip_ws(p);
		/* deeper keys would only fail the depth limit later */
		if (k->n >= TOML_MAX_DEPTH)
			return perr(p, p->off, "key has more than %d parts",
			    TOML_MAX_DEPTH);
		if (k->n == k->cap) {
			ncap = k->cap ? k->cap * 2 : 4;
			if ((nv = realloc(k->v, ncap * sizeof(*nv))) == NULL)
				return oom(p);
			k->v = nv;
			k->cap = ncap;
		}
		memset(&k->v[k->n], 0, sizeof(k->v[k->n]));
		if (parse_simple_key(p, &k->v[k->n]) == -1)
			return -1;
		k->n++;
		skip_ws(p);
		if (peek(p) != '.')
			return 0;
		p->off++;
	}
}

/*
 * Key/value pairs
 */

/*
 * Walks the dotted part of a key from t, creating tables as needed.
 * Dotted keys may only go through tables that dotted keys made (in this
 * table or inline table): not through [header] tables, inline tables,
 * arrays or other values (TOML 1.0.0, toml-lang/toml#846).
 */
static struct toml_value *
walk_dotted(struct parser *p, struct toml_value *t, struct keyparts *k)
{
	struct toml_value *v;
	struct keypart *kp;
	char path[160];
	size_t i, idx;

	for (i = 0; i + 1 < k->n; i++) {
		kp = &k->v[i];
		idx = tbl_find(t, kp->s, kp->len);
		if (idx == NOT_FOUND) {
			v = new_node(
			    p, TOML_TABLE, kp->off, &kp->pos, t->depth + 1);
			if (v == NULL)
				return NULL;
			v->flags = TF_DOTTED;
			if (tbl_add(t, kp->s, kp->len, kp->pos, v) == -1) {
				toml_free(v);
				oom(p);
				return NULL;
			}
			kp->owned = 0;
			t = v;
			continue;
		}
		v = t->u.t.kv[idx].val;
		if (v->type == TOML_TABLE &&
		    (v->flags & (TF_INLINE | TF_DOTTED)) == TF_DOTTED) {
			t = v;
			continue;
		}
		path_repr(path, sizeof(path), k, i);
		if (v->type == TOML_ARRAY && (v->flags & TF_AOT)) {
			perr(p, kp->off,
			    "cannot add keys to array of tables "
			    "'%s' with dotted keys",
			    path);
			return NULL;
		}
		if (v->type != TOML_TABLE) {
			perr(p, kp->off, "key '%s' is already defined as %s",
			    path, a_type(v->type));
			return NULL;
		}
		if (v->flags & TF_INLINE) {
			perr(p, kp->off, "cannot add keys to inline table '%s'",
			    path);
			return NULL;
		}
		perr(p, kp->off,
		    "cannot add keys to table '%s' with dotted "
		    "keys outside its own [section]",
		    path);
		return NULL;
	}
	return t;
}

/* key = value into table t; cursor at the key. */
static int
parse_keyval(struct parser *p, struct toml_value *t)
{
	struct keyparts k = { NULL, 0, 0 };
	struct toml_value *v = NULL;
	struct keypart *last;
	char path[160], tmp[8];

	if (parse_key(p, &k) == -1)
		goto fail;
	if (peek(p) != '=') {
		perr(p, p->off, "expected '=' after key, found %s",
		    char_repr(p, tmp));
		goto fail;
	}
	p->off++;
	skip_ws(p);
	if ((t = walk_dotted(p, t, &k)) == NULL)
		goto fail;
	last = &k.v[k.n - 1];
	if (tbl_find(t, last->s, last->len) != NOT_FOUND) {
		path_repr(path, sizeof(path), &k, k.n - 1);
		perr(p, last->off, "duplicate key '%s'", path);
		goto fail;
	}
	if (parse_value(p, t->depth + 1, &v) == -1)
		goto fail;
	if (tbl_add(t, last->s, last->len, last->pos, v) == -1) {
		toml_free(v);
		oom(p);
		goto fail;
	}
	last->owned = 0;
	keys_free(&k);
	return 0;
fail:
	keys_free(&k);
	return -1;
}

/*
 * Table headers
 */

/*
 * [a.b.c] or [[a.b.c]], cursor on the first '['. Sets *cur to the table
 * that following key/value pairs go into.
 */
static int
parse_header(struct parser *p, struct toml_value *root, struct toml_value **cur)
{
	struct keyparts k = { NULL, 0, 0 };
	struct toml_value *t = root, *v, *nt;
	struct keypart *kp;
	struct toml_pos hpos;
	size_t start = p->off, i, idx;
	char path[160], tmp[8];
	int aot;

	hpos = pos_at(p, start);
	aot = peek_at(p, 1) == '[';
	p->off += aot ? 2 : 1;
	if (parse_key(p, &k) == -1)
		goto fail;
	if (peek(p) != ']' || (aot && peek_at(p, 1) != ']')) {
		if (peek(p) == ']')
			p->off++;
		perr(p, p->off, "expected '%s' after table name, found %s",
		    aot ? "]]" : "]", char_repr(p, tmp));
		goto fail;
	}
	p->off += aot ? 2 : 1;

	for (i = 0; i + 1 < k.n; i++) {
		kp = &k.v[i];
		idx = tbl_find(t, kp->s, kp->len);
		if (idx == NOT_FOUND) {
			/* implicitly created; a later [header] may define it */
			nt = new_node(
			    p, TOML_TABLE, kp->off, &kp->pos, t->depth + 1);
			if (nt == NULL)
				goto fail;
			if (tbl_add(t, kp->s, kp->len, kp->pos, nt) == -1) {
				toml_free(nt);
				oom(p);
				goto fail;
			}
			kp->owned = 0;
			t = nt;
			continue;
		}
		v = t->u.t.kv[idx].val;
		if (v->type == TOML_TABLE && !(v->flags & TF_INLINE)) {
			t = v;
			continue;
		}
		if (v->type == TOML_ARRAY && (v->flags & TF_AOT)) {
			/* [[a]] then [a.b]: b goes into the last a */
			t = v->u.a.v[v->u.a.n - 1];
			continue;
		}
		path_repr(path, sizeof(path), &k, i);
		if (v->type == TOML_TABLE)
			perr(p, kp->off, "cannot add to inline table '%s'",
			    path);
		else if (v->type == TOML_ARRAY)
			perr(p, kp->off, "cannot add to static array '%s'",
			    path);
		else
			perr(p, kp->off, "key '%s' is already defined as %s",
			    path, a_type(v->type));
		goto fail;
	}

	kp = &k.v[k.n - 1];
	idx = tbl_find(t, kp->s, kp->len);
	v = idx == NOT_FOUND ? NULL : t->u.t.kv[idx].val;
	if (!aot) {
		if (v == NULL) {
			nt = new_node(
			    p, TOML_TABLE, kp->off, &hpos, t->depth + 1);
			if (nt == NULL)
				goto fail;
			nt->flags = TF_DEFINED;
			if (tbl_add(t, kp->s, kp->len, kp->pos, nt) == -1) {
				toml_free(nt);
				oom(p);
				goto fail;
			}
			kp->owned = 0;
			*cur = nt;
		} else if (v->type == TOML_TABLE &&
		    !(v->flags & (TF_DEFINED | TF_DOTTED | TF_INLINE))) {
			/* made implicitly by an earlier [a.b]; define it now */
			v->flags |= TF_DEFINED;
			v->pos = hpos;
			*cur = v;
		} else {
			path_repr(path, sizeof(path), &k, k.n - 1);
			if (v->type == TOML_TABLE && (v->flags & TF_INLINE))
				perr(p, kp->off,
				    "table '%s' already defined as inline "
				    "table",
				    path);
			else if (v->type == TOML_TABLE &&
			    (v->flags & TF_DOTTED))
				perr(p, kp->off,
				    "table '%s' already defined by dotted keys",
				    path);
			else if (v->type == TOML_TABLE)
				perr(p, kp->off, "table '%s' already defined",
				    path);
			else if (v->type == TOML_ARRAY && (v->flags & TF_AOT))
				perr(p, kp->off,
				    "table '%s' already defined as "
				    "array of tables",
				    path);
			else
				perr(p, kp->off,
				    "key '%s' is already defined "
				    "as %s",
				    path, a_type(v->type));
			goto fail;
		}
	} else {
		if (v == NULL) {
			v = new_node(
			    p, TOML_ARRAY, kp->off, &hpos, t->depth + 1);
			if (v == NULL)
				goto fail;
			v->flags = TF_AOT;
			if (tbl_add(t, kp->s, kp->len, kp->pos, v) == -1) {
				toml_free(v);
				oom(p);
				goto fail;
			}
			kp->owned = 0;
		} else if (v->type != TOML_ARRAY || !(v->flags & TF_AOT)) {
			path_repr(path, sizeof(path), &k, k.n - 1);
			if (v->type == TOML_ARRAY)
				perr(p, kp->off,
				    "cannot append to static array "
				    "'%s'",
				    path);
			else
				perr(p, kp->off,
				    "key '%s' is already defined "
				    "as %s",
				    path, a_type(v->type));
			goto fail;
		}
		nt = new_node(p, TOML_TABLE, kp->off, &hpos, v->depth + 1);
		if (nt == NULL)
			goto fail;
		nt->flags = TF_DEFINED;
		if (arr_add(v, nt) == -1) {
			toml_free(nt);
			oom(p);
			goto fail;
		}
		*cur = nt;
	}
	keys_free(&k);
	return 0;
fail:
	keys_free(&k);
	return -1;
}

/*
 * Scalars
 */

/*
 * A scalar must not run straight into more value-ish characters:
 * "1.2.3", "truex", "1979-05-27x" are malformed values, not a value
 * followed by something else.
 */
static int
check_value_end(struct parser *p, const char *what)
{
	int c = peek(p);

	if (is_bare(c) || c == '.' || c == ':' || c == '+')
		return perr(p, p->off, "invalid %s", what);
	return 0;
}

/* digit *( ["_"] digit ), digits appended to b (underscores dropped). */
static int
scan_digits(
    struct parser *p, struct sbuf *b, int (*isdig)(int), const char *what)
{
	if (!isdig(peek(p)))
		return perr(p, p->off, "invalid %s: expected a digit", what);
	for (;;) {
		if (sb_putc(b, peek(p)) == -1)
			return oom(p);
		p->off++;
		if (peek(p) == '_') {
			if (!isdig(peek_at(p, 1)))
				return perr(p, p->off,
				    "invalid %s: '_' must be "
				    "between digits",
				    what);
			p->off++;
		} else if (!isdig(peek(p)))
			return 0;
	}
}

/*
 * strtod() follows LC_NUMERIC, which the embedding program may have set;
 * TOML always means '.', so convert in the C locale. The locale object is
 * made once and kept: it is shared read-only.
 */
static int
str_to_double(const char *s, double *d)
{
	static locale_t cloc;
	locale_t l, prev;
	char *end;

	l = __atomic_load_n(&cloc, __ATOMIC_ACQUIRE);
	if (l == (locale_t)0) {
		if ((l = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0)) ==
		    (locale_t)0)
			return -1;
		prev = (locale_t)0;
		if (!__atomic_compare_exchange_n(&cloc, &prev, l, 0,
			__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			freelocale(l);
			l = prev;
		}
	}
	*d = strtod_l(s, &end, l);
	return 0;
}

static int
parse_number(struct parser *p, struct toml_value **out)
{
	struct toml_value *v = NULL;
	struct sbuf b = { NULL, 0, 0 };
	size_t start = p->off, i;
	uint64_t mag = 0, lim, d;
	unsigned int base;
	int neg = 0, isfloat = 0, c;
	int (*isdig)(int);
	double f;

	c = peek(p);
	if (c == '+' || c == '-') {
		neg = c == '-';
		if (sb_putc(&b, c) == -1)
			goto nomem;
		p->off++;
	}
	if ((peek(p) == 'i' && peek_at(p, 1) == 'n' && peek_at(p, 2) == 'f') ||
	    (peek(p) == 'n' && peek_at(p, 1) == 'a' && peek_at(p, 2) == 'n')) {
		f = peek(p) == 'i' ? INFINITY : NAN;
		p->off += 3;
		if (check_value_end(p, "float") == -1)
			goto fail;
		isfloat = 1;
		f = neg ? -f : f;
		goto make;
	}
	if (b.len == 0 && peek(p) == '0' &&
	    (peek_at(p, 1) == 'x' || peek_at(p, 1) == 'o' ||
		peek_at(p, 1) == 'b')) {
		c = peek_at(p, 1);
		base = c == 'x' ? 16 : c == 'o' ? 8 : 2;
		isdig = c == 'x' ? is_hex : c == 'o' ? is_oct : is_bin;
		p->off += 2;
		if (scan_digits(p, &b, isdig, "integer") == -1 ||
		    check_value_end(p, "integer") == -1)
			goto fail;
		for (i = 0; i < b.len; i++) {
			d = (uint64_t)hexval((unsigned char)b.p[i]);
			if (mag > ((uint64_t)INT64_MAX - d) / base) {
				perr(p, start, "integer out of range");
				goto fail;
			}
			mag = mag * base + d;
		}
		goto make;
	}
	if (!is_digit(peek(p))) {
		perr(p, start, "invalid value");
		goto fail;
	}
	if (peek(p) == '0' &&
	    (is_digit(peek_at(p, 1)) || peek_at(p, 1) == '_')) {
		perr(p, p->off, "leading zeros not allowed");
		goto fail;
	}
	if (scan_digits(p, &b, is_digit, "number") == -1)
		goto fail;
	if (peek(p) == '.') {
		isfloat = 1;
		p->off++;
		if (sb_putc(&b, '.') == -1)
			goto nomem;
		if (scan_digits(p, &b, is_digit, "float") == -1)
			goto fail;
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		isfloat = 1;
		p->off++;
		if (sb_putc(&b, 'e') == -1)
			goto nomem;
		if (peek(p) == '+' || peek(p) == '-') {
			if (sb_putc(&b, peek(p)) == -1)
				goto nomem;
			p->off++;
		}
		if (scan_digits(p, &b, is_digit, "float") == -1)
			goto fail;
	}
	if (check_value_end(p, isfloat ? "float" : "integer") == -1)
		goto fail;
	if (isfloat) {
		if (sb_putc(&b, '\0') == -1)
			goto nomem;
		if (str_to_double(b.p, &f) == -1)
			goto nomem;
		if (isinf(f)) {
			perr(p, start, "float out of range");
			goto fail;
		}
		goto make;
	}
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (i = b.p[0] == '-' || b.p[0] == '+' ? 1 : 0; i < b.len; i++) {
		d = (uint64_t)(b.p[i] - '0');
		if (mag > (lim - d) / 10) {
			perr(p, start, "integer out of range");
			goto fail;
		}
		mag = mag * 10 + d;
	}
make:
	if ((v = new_node(p, isfloat ? TOML_FLOAT : TOML_INTEGER, start, NULL,
		 0)) == NULL)
		goto fail;
	if (isfloat)
		v->u.f = f;
	else if (neg)
		v->u.i =
		    mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	else
		v->u.i = (int64_t)mag;
	sb_free(&b);
	*out = v;
	return 0;
nomem:
	oom(p);
fail:
	sb_free(&b);
	return -1;
}

/* n digits at the cursor into *val; 0 or -1 without consuming on failure. */
static int
fixed_digits(struct parser *p, size_t n, int *val)
{
	size_t i;
	int c;

	*val = 0;
	for (i = 0; i < n; i++) {
		c = peek_at(p, i);
		if (!is_digit(c))
			return -1;
		*val = *val * 10 + (c - '0');
	}
	p->off += n;
	return 0;
}

static int
expect_char(struct parser *p, int c)
{
	if (peek(p) != c)
		return -1;
	p->off++;
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/*
 * RFC 3339 date and/or time, cursor on the first digit. The text is kept,
 * normalised: 'T' and 'Z' uppercase, a space separator becomes 'T'.
 */
static int
parse_datetime(struct parser *p, struct toml_value **out)
{
	struct toml_value *v;
	struct sbuf b = { NULL, 0, 0 };
	enum toml_type type;
	size_t start = p->off, at = p->off, n;
	int y, mo, d, h, mi, s, c, has_date = 0;

	if (peek_at(p, 4) == '-') {
		if (fixed_digits(p, 4, &y) == -1 || expect_char(p, '-') == -1 ||
		    (at = p->off, fixed_digits(p, 2, &mo)) == -1 ||
		    expect_char(p, '-') == -1 || fixed_digits(p, 2, &d) == -1) {
			perr(p, p->off, "invalid date: expected YYYY-MM-DD");
			goto fail;
		}
		if (mo < 1 || mo > 12) {
			perr(
			    p, at, "invalid date: month %02d out of range", mo);
			goto fail;
		}
		if (d < 1 || d > days_in_month(y, mo)) {
			perr(p, at + 3,
			    "invalid date: day %02d out of range "
			    "for %04d-%02d",
			    d, y, mo);
			goto fail;
		}
		if (sb_put(&b, p->buf + start, 10) == -1)
			goto nomem;
		has_date = 1;
		c = peek(p);
		if (!(c == 'T' || c == 't' ||
			(c == ' ' && is_digit(peek_at(p, 1)) &&
			    is_digit(peek_at(p, 2)) && peek_at(p, 3) == ':'))) {
			type = TOML_DATE_LOCAL;
			goto done;
		}
		p->off++;
		if (sb_putc(&b, 'T') == -1)
			goto nomem;
	}
	at = p->off;
	if (fixed_digits(p, 2, &h) == -1 || expect_char(p, ':') == -1 ||
	    fixed_digits(p, 2, &mi) == -1 || expect_char(p, ':') == -1 ||
	    fixed_digits(p, 2, &s) == -1) {
		perr(p, p->off, "invalid time: expected HH:MM:SS");
		goto fail;
	}
	if (h > 23) {
		perr(p, at, "invalid time: hour out of range");
		goto fail;
	}
	if (mi > 59) {
		perr(p, at + 3, "invalid time: minute out of range");
		goto fail;
	}
	/* 60 is a leap second */
	if (s > 60) {
		perr(p, at + 6, "invalid time: second out of range");
		goto fail;
	}
	if (peek(p) == '.') {
		n = 1;
		while (is_digit(peek_at(p, n)))
			n++;
		if (n == 1) {
			perr(p, p->off + 1,
			    "invalid time: expected digits "
			    "after '.'");
			goto fail;
		}
		p->off += n;
	}
	if (sb_put(&b, p->buf + at, p->off - at) == -1)
		goto nomem;
	type = has_date ? TOML_DATETIME_LOCAL : TOML_TIME_LOCAL;
	c = peek(p);
	if (has_date && (c == 'Z' || c == 'z')) {
		p->off++;
		if (sb_putc(&b, 'Z') == -1)
			goto nomem;
		type = TOML_DATETIME;
	} else if (has_date && (c == '+' || c == '-')) {
		at = p->off++;
		if (fixed_digits(p, 2, &h) == -1 || expect_char(p, ':') == -1 ||
		    fixed_digits(p, 2, &mi) == -1) {
			perr(p, p->off,
			    "invalid time offset: expected "
			    "+HH:MM or -HH:MM");
			goto fail;
		}
		if (h > 23 || mi > 59) {
			perr(p, h > 23 ? at + 1 : at + 4,
			    "invalid time offset: "
			    "%s out of range",
			    h > 23 ? "hour" : "minute");
			goto fail;
		}
		if (sb_put(&b, p->buf + at, 6) == -1)
			goto nomem;
		type = TOML_DATETIME;
	}
done:
	if (check_value_end(p, "date-time") == -1)
		goto fail;
	if ((v = new_node(p, type, start, NULL, 0)) == NULL)
		goto fail;
	if ((v->u.s.ptr = sb_finish(&b, &v->u.s.len)) == NULL) {
		v->type = TOML_BOOL; /* nothing to free */
		toml_free(v);
		goto nomem;
	}
	*out = v;
	return 0;
nomem:
	oom(p);
fail:
	sb_free(&b);
	return -1;
}

static int
parse_string_value(struct parser *p, struct toml_value **out)
{
	struct toml_value *v;
	struct sbuf b = { NULL, 0, 0 };
	size_t start = p->off;
	int q = peek(p), r;

	if (peek_at(p, 1) == q && peek_at(p, 2) == q)
		r = parse_ml(p, &b, q);
	else
		r = q == '"' ? parse_basic(p, &b) : parse_literal(p, &b);
	if (r == -1)
		goto fail;
	if ((v = new_node(p, TOML_STRING, start, NULL, 0)) == NULL)
		goto fail;
	if ((v->u.s.ptr = sb_finish(&b, &v->u.s.len)) == NULL) {
		v->type = TOML_BOOL;
		toml_free(v);
		oom(p);
		goto fail;
	}
	*out = v;
	return 0;
fail:
	sb_free(&b);
	return -1;
}

/*
 * Containers
 */

static int
parse_array(struct parser *p, int depth, struct toml_value **out)
{
	struct toml_value *a, *v;
	char tmp[8];
	int c;

	if ((a = new_node(p, TOML_ARRAY, p->off, NULL, depth)) == NULL)
		return -1;
	p->off++;
	for (;;) {
		skip_ws_comment_nl(p);
		if (peek(p) == ']')
			break;
		if (peek(p) == -1) {
			perr(p, p->off, "unterminated array");
			goto fail;
		}
		if (parse_value(p, depth + 1, &v) == -1)
			goto fail;
		if (arr_add(a, v) == -1) {
			toml_free(v);
			oom(p);
			goto fail;
		}
		skip_ws_comment_nl(p);
		c = peek(p);
		if (c == ',') {
			p->off++;
			continue;
		}
		if (c == ']')
			break;
		if (c == -1)
			perr(p, p->off, "unterminated array");
		else
			perr(p, p->off,
			    "expected ',' or ']' in array, found %s",
			    char_repr(p, tmp));
		goto fail;
	}
	p->off++;
	*out = a;
	return 0;
fail:
	toml_free(a);
	return -1;
}

static int
parse_inline_table(struct parser *p, int depth, struct toml_value **out)
{
	struct toml_value *t;
	char tmp[8];
	int c;

	if ((t = new_node(p, TOML_TABLE, p->off, NULL, depth)) == NULL)
		return -1;
	p->off++;
	skip_ws(p);
	if (peek(p) != '}') {
		for (;;) {
			if (parse_keyval(p, t) == -1)
				goto fail;
			skip_ws(p);
			c = peek(p);
			if (c == '}')
				break;
			if (c != ',') {
				if (c == -1)
					perr(p, p->off,
					    "unterminated inline table");
				else if (c == '\n' || c == '\r')
					perr(p, p->off,
					    "newline not allowed "
					    "in inline table");
				else
					perr(p, p->off,
					    "expected ',' or '}' "
					    "in inline table, found %s",
					    char_repr(p, tmp));
				goto fail;
			}
			p->off++;
			skip_ws(p);
			if (peek(p) == '}') {
				perr(p, p->off,
				    "trailing comma not allowed in "
				    "inline table");
				goto fail;
			}
		}
	}
	p->off++;
	t->flags |= TF_INLINE;
	*out = t;
	return 0;
fail:
	toml_free(t);
	return -1;
}

static int
looks_like_datetime(const struct parser *p)
{
	return (is_digit(peek_at(p, 0)) && is_digit(peek_at(p, 1)) &&
		   is_digit(peek_at(p, 2)) && is_digit(peek_at(p, 3)) &&
		   peek_at(p, 4) == '-') ||
	    (is_digit(peek_at(p, 0)) && is_digit(peek_at(p, 1)) &&
		peek_at(p, 2) == ':');
}

static int
parse_bool(struct parser *p, struct toml_value **out)
{
	struct toml_value *v;
	size_t start = p->off;
	int b;

	if (p->len - p->off >= 4 && memcmp(p->buf + p->off, "true", 4) == 0) {
		b = 1;
		p->off += 4;
	} else if (p->len - p->off >= 5 &&
	    memcmp(p->buf + p->off, "false", 5) == 0) {
		b = 0;
		p->off += 5;
	} else
		return perr(p, start, "invalid value");
	if (check_value_end(p, "value") == -1)
		return -1;
	if ((v = new_node(p, TOML_BOOL, start, NULL, 0)) == NULL)
		return -1;
	v->u.b = b;
	*out = v;
	return 0;
}

/* Any value, cursor on its first character; depth is the new value's. */
static int
parse_value(struct parser *p, int depth, struct toml_value **out)
{
	char tmp[8];
	int c = peek(p), r;

	*out = NULL;
	switch (c) {
	case '"':
	case '\'':
		r = parse_string_value(p, out);
		break;
	case 't':
	case 'f':
		r = parse_bool(p, out);
		break;
	case '[':
		r = parse_array(p, depth, out);
		break;
	case '{':
		r = parse_inline_table(p, depth, out);
		break;
	case '+':
	case '-':
	case 'i':
	case 'n':
		r = parse_number(p, out);
		break;
	default:
		if (is_digit(c) && looks_like_datetime(p))
			r = parse_datetime(p, out);
		else if (is_digit(c))
			r = parse_number(p, out);
		else if (c == -1 || c == '\n' || c == '\r')
			r = perr(p, p->off, "expected value, found %s",
			    char_repr(p, tmp));
		else
			r = perr(p, p->off, "invalid value");
		break;
	}
	if (r == 0 && (*out)->depth == 0)
		(*out)->depth = depth; /* scalars: bookkeeping only */
	return r;
}

/*
 * Entry points
 */

static void
parser_init(
    struct parser *p, const char *buf, size_t len, struct toml_error *err)
{
	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->len = buf == NULL ? 0 : len;
	p->err = err;
	p->lc_line = 1;
	memset(err, 0, sizeof(*err));
}

int
toml_parse(const char *buf, size_t len, struct toml_value **root,
    struct toml_error *err)
{
	struct parser p;
	struct toml_error dummy;
	struct toml_value *r, *cur;
	char tmp[8];
	size_t nl;
	int c;

	if (err == NULL)
		err = &dummy;
	parser_init(&p, buf, len, err);
	*root = NULL;
	if (p.len >= 3 && memcmp(p.buf, "\xef\xbb\xbf", 3) == 0)
		p.off = 3;
	if (check_text(&p, p.off) == -1)
		return -1;
	if ((r = new_node(&p, TOML_TABLE, p.off, NULL, 0)) == NULL)
		return -1;
	r->flags = TF_DEFINED;
	cur = r;
	for (;;) {
		skip_ws(&p);
		c = peek(&p);
		if (c == -1)
			break;
		if (c == '[') {
			if (parse_header(&p, r, &cur) == -1)
				goto fail;
		} else if (c != '#' && newline_len(&p) == 0) {
			if (parse_keyval(&p, cur) == -1)
				goto fail;
		}
		skip_ws(&p);
		skip_comment(&p);
		if (peek(&p) == -1)
			break;
		if ((nl = newline_len(&p)) == 0) {
			perr(&p, p.off, "expected end of line, found %s",
			    char_repr(&p, tmp));
			goto fail;
		}
		p.off += nl;
	}
	*root = r;
	return 0;
fail:
	toml_free(r);
	return -1;
}

static void
skip_ws_nl(struct parser *p)
{
	size_t nl;

	for (;;) {
		skip_ws(p);
		if ((nl = newline_len(p)) == 0)
			return;
		p->off += nl;
	}
}

int
toml_parse_value(const char *buf, size_t len, struct toml_value **out,
    struct toml_error *err)
{
	struct parser p;
	struct toml_error dummy;
	struct toml_value *v;
	char tmp[8];

	if (err == NULL)
		err = &dummy;
	parser_init(&p, buf, len, err);
	*out = NULL;
	if (check_text(&p, 0) == -1)
		return -1;
	skip_ws_nl(&p);
	/* depth 1: the caller is going to store it in a table */
	if (parse_value(&p, 1, &v) == -1)
		return -1;
	skip_ws_nl(&p);
	if (p.off != p.len) {
		perr(
		    &p, p.off, "unexpected %s after value", char_repr(&p, tmp));
		toml_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

void
toml_free_key(char **parts, size_t nparts)
{
	size_t i;

	if (parts == NULL)
		return;
	for (i = 0; i < nparts; i++)
		free(parts[i]);
	free(parts);
}

int
toml_parse_key(const char *buf, size_t len, char ***parts, size_t *nparts,
    struct toml_error *err)
{
	struct parser p;
	struct toml_error dummy;
	struct keyparts k = { NULL, 0, 0 };
	char tmp[8], **v;
	size_t i;

	if (err == NULL)
		err = &dummy;
	parser_init(&p, buf, len, err);
	*parts = NULL;
	*nparts = 0;
	if (check_text(&p, 0) == -1)
		return -1;
	if (parse_key(&p, &k) == -1)
		goto fail;
	if (p.off != p.len) {
		perr(&p, p.off, "unexpected %s after key", char_repr(&p, tmp));
		goto fail;
	}
	for (i = 0; i < k.n; i++) {
		if (memchr(k.v[i].s, '\0', k.v[i].len) != NULL) {
			perr(&p, k.v[i].off, "key contains a NUL character");
			goto fail;
		}
	}
	if ((v = calloc(k.n, sizeof(*v))) == NULL) {
		oom(&p);
		goto fail;
	}
	for (i = 0; i < k.n; i++) {
		v[i] = k.v[i].s;
		k.v[i].owned = 0;
	}
	*parts = v;
	*nparts = k.n;
	keys_free(&k);
	return 0;
fail:
	keys_free(&k);
	return -1;
}

const struct toml_value *
toml_get_n(const struct toml_value *table, const char *key, size_t keylen)
{
	size_t idx;

	if (table == NULL || table->type != TOML_TABLE || key == NULL)
		return NULL;
	idx = tbl_find(table, key, keylen);
	return idx == NOT_FOUND ? NULL : table->u.t.kv[idx].val;
}

const struct toml_value *
toml_get(const struct toml_value *table, const char *key)
{
	if (key == NULL)
		return NULL;
	return toml_get_n(table, key, strlen(key));
}

const char *
toml_type_name(enum toml_type t)
{
	switch (t) {
	case TOML_TABLE:
		return "table";
	case TOML_ARRAY:
		return "array";
	case TOML_STRING:
		return "string";
	case TOML_INTEGER:
		return "integer";
	case TOML_FLOAT:
		return "float";
	case TOML_BOOL:
		return "boolean";
	case TOML_DATETIME:
		return "datetime";
	case TOML_DATETIME_LOCAL:
		return "datetime-local";
	case TOML_DATE_LOCAL:
		return "date-local";
	case TOML_TIME_LOCAL:
		return "time-local";
	}
	return "unknown";
}
