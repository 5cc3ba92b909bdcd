/*
 * execpolicy.c: read Codex execpolicy `.rules` files (see execpolicy.h).
 *
 * A lexer over (buf, len) that never reads past the end, and a parser for
 *
 *	file	 := { call NEWLINE }
 *	call	 := "prefix_rule" "(" [ kwarg { "," kwarg } [ "," ] ] ")"
 *	kwarg	 := NAME "=" value
 *	value	 := STRING | "[" [ value { "," value } [ "," ] ] "]"
 *
 * with calls starting in column 1, as Starlark wants. Lists nest at most
 * two deep (pattern = [w, [alt, ...]], match = [[arg, ...], ...]), which
 * bounds the only recursion, and hold at most MAX_LIST values each, which
 * bounds the work of checking examples (examples x alternatives). Any other
 * construct is an error naming FILE:LINE:COL and what was wrong; on an
 * error nothing is added to the configuration.
 *
 * Runs in the supervisor on files the user named; the bytes are untrusted
 * all the same.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "execpolicy.h"
#include "policy.h"

#define MAX_DEPTH 2 /* lists inside a keyword's value */
#define MAX_LIST 4096 /* values in one list */
#define SHOW 64 /* bytes of a name quoted in a message */
#define SHOWVAL 200 /* bytes of a pattern or example quoted */

enum tok_type {
	T_EOF,
	T_IDENT,
	T_STRING,
	T_NUMBER,
	T_LPAREN,
	T_RPAREN,
	T_LBRACK,
	T_RBRACK,
	T_COMMA,
	T_EQ,
	T_OTHER,
};

struct tok {
	enum tok_type type;
	int line, col;
	int nl; /* first on its line (after blanks, comments) */
	const char *text; /* where it starts in the source */
	size_t len;
	char *s; /* T_STRING: decoded, NUL-terminated, owned */
};

/* A parsed value: a string, or a list of values */
struct val {
	int list;
	int line, col;
	char *s;
	struct val *v;
	size_t n, cap;
};

enum kw {
	KW_PATTERN,
	KW_DECISION,
	KW_JUSTIFICATION,
	KW_MATCH,
	KW_NOT_MATCH,
	NKW
};

static const char *const kw_names[NKW] = { "pattern", "decision",
	"justification", "match", "not_match" };
static const char *const decision_names[] = {
	"allow", "prompt", "forbidden", NULL /* enum cfg_exec_decision */
};

struct ep {
	const char *name;
	const char *p, *end;
	int line, col;
	int bol; /* nothing but blanks since the line began */
	struct tok tok;
	char *err;
	size_t errlen;
	int failed;
	struct cfg_exec_rule *rules; /* this file's, appended at the end */
	size_t nrules, cap;
};

static int
failf(struct ep *ep, int line, int col, const char *fmt, ...)
{
	char msg[CFG_ERR];
	va_list ap;

	if (ep->failed)
		return -1;
	ep->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ep->errlen > 0)
		snprintf(ep->err, ep->errlen, "%s:%d:%d: %s", ep->name, line,
		    col, msg);
	return -1;
}

static int
oom(struct ep *ep)
{
	return failf(ep, ep->tok.line, ep->tok.col, "out of memory");
}

static int
inc(int n)
{
	return n < INT_MAX ? n + 1 : n;
}

/* Move past one byte of the source. */
static void
step(struct ep *ep)
{
	if (*ep->p == '\n') {
		ep->line = inc(ep->line);
		ep->col = 1;
		ep->bol = 1;
	} else
		ep->col = inc(ep->col);
	ep->p++;
}

static int
is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_ident(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* What the current token is, for "expected X, got Y". */
static const char *
tok_desc(const struct tok *t, char *buf, size_t len)
{
	unsigned char c;

	switch (t->type) {
	case T_EOF:
		return "the end of the file";
	case T_IDENT:
		snprintf(buf, len, "'%.*s'",
		    (int)(t->len > SHOW ? SHOW : t->len), t->text);
		return buf;
	case T_STRING:
		return "a string";
	case T_NUMBER:
		return "a number";
	default:
		c = (unsigned char)t->text[0];
		if (c > 0x20 && c < 0x7f)
			snprintf(buf, len, "'%c'", c);
		else
			snprintf(buf, len, "byte 0x%02x", c);
		return buf;
	}
}

/*
 * A string literal at ep->p. It may not span lines; the escapes are those
 * of the header. Measured first, then decoded into a buffer of its size.
 */
static int
lex_string(struct ep *ep, struct tok *t)
{
	const char *q = ep->p, *s, *close;
	char quote = *q, *out;
	size_t n = 0, avail = (size_t)(ep->end - q);
	int col = t->col;
	unsigned char c;

	if (avail >= 3 && q[1] == quote && q[2] == quote)
		return failf(ep, t->line, t->col,
		    "triple-quoted strings are "
		    "not supported");
	for (s = q + 1;; s++) {
		col = inc(col);
		if (s == ep->end || *s == '\n')
			return failf(
			    ep, t->line, t->col, "unterminated string");
		c = (unsigned char)*s;
		if (c == (unsigned char)quote)
			break;
		if (c == '\\') {
			if (s + 1 == ep->end || s[1] == '\n')
				return failf(
				    ep, t->line, t->col, "unterminated string");
			c = (unsigned char)s[1];
			if (c != '\\' && c != '"' && c != '\'' && c != 'n' &&
			    c != 't') {
				if (c > 0x20 && c < 0x7f)
					return failf(ep, t->line, col,
					    "unsupported escape: '%c' after a "
					    "backslash in a string (only a "
					    "backslash, a quote, n or t may "
					    "follow one)",
					    c);
				return failf(ep, t->line, col,
				    "unsupported "
				    "escape: byte 0x%02x after a backslash in "
				    "a string",
				    c);
			}
			s++;
			col = inc(col);
		} else if ((c < 0x20 && c != '\t') || c == 0x7f)
			return failf(ep, t->line, col,
			    "control character "
			    "0x%02x in a string",
			    c);
		n++;
	}
	close = s;
	if ((out = malloc(n + 1)) == NULL)
		return oom(ep);
	for (n = 0, s = q + 1; s < close; s++) {
		if (*s == '\\') {
			s++;
			out[n++] = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
		} else
			out[n++] = *s;
	}
	out[n] = '\0';
	t->type = T_STRING;
	t->s = out;
	while (ep->p <= close)
		step(ep);
	t->len = (size_t)(ep->p - q);
	return 0;
}

/* The next token into ep->tok. */
static int
lex(struct ep *ep)
{
	struct tok *t = &ep->tok;
	unsigned char c;

	free(t->s);
	memset(t, 0, sizeof(*t));
	for (;;) {
		if (ep->p == ep->end)
			break;
		c = (unsigned char)*ep->p;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			step(ep);
		else if (c == '#') {
			while (ep->p < ep->end && *ep->p != '\n') {
				if (*ep->p == '\0')
					return failf(ep, ep->line, ep->col,
					    "NUL byte in a comment");
				step(ep);
			}
		} else
			break;
	}
	t->line = ep->line;
	t->col = ep->col;
	t->nl = ep->bol;
	t->text = ep->p;
	t->len = 1;
	ep->bol = 0;
	if (ep->p == ep->end) {
		t->type = T_EOF;
		t->text = "";
		t->len = 0;
		return 0;
	}
	c = (unsigned char)*ep->p;
	switch (c) {
	case '"':
	case '\'':
		return lex_string(ep, t);
	case '(':
		t->type = T_LPAREN;
		break;
	case ')':
		t->type = T_RPAREN;
		break;
	case '[':
		t->type = T_LBRACK;
		break;
	case ']':
		t->type = T_RBRACK;
		break;
	case ',':
		t->type = T_COMMA;
		break;
	case '=':
		t->type = T_EQ;
		break;
	case '\0':
		return failf(ep, t->line, t->col, "NUL byte");
	default:
		if (is_ident_start(c) || (c >= '0' && c <= '9')) {
			t->type = is_ident_start(c) ? T_IDENT : T_NUMBER;
			while (ep->p < ep->end &&
			    (is_ident((unsigned char)*ep->p) ||
				(t->type == T_NUMBER && *ep->p == '.')))
				step(ep);
			t->len = (size_t)(ep->p - t->text);
			if (t->type == T_IDENT && ep->p < ep->end &&
			    (*ep->p == '"' || *ep->p == '\''))
				return failf(ep, t->line, t->col,
				    "string "
				    "prefix '%.*s' is not supported (plain "
				    "'...' or \"...\" strings only)",
				    (int)(t->len > SHOW ? SHOW : t->len),
				    t->text);
			return 0;
		}
		t->type = T_OTHER;
		break;
	}
	step(ep);
	return 0;
}

static void
val_free(struct val *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		val_free(&v->v[i]); /* at most MAX_DEPTH deep */
	free(v->v);
	free(v->s);
	memset(v, 0, sizeof(*v));
}

/*
 * A string or a list at the current token, into OUT (which the caller
 * frees, whole or partly filled). DEPTH counts the lists around it.
 */
static int
parse_value(struct ep *ep, int depth, struct val *out)
{
	struct tok *t = &ep->tok;
	struct val *nv;
	char d[SHOW + 8];
	size_t ncap;

	memset(out, 0, sizeof(*out));
	out->line = t->line;
	out->col = t->col;
	if (t->type == T_STRING) {
		out->s = t->s;
		t->s = NULL;
		return lex(ep);
	}
	if (t->type != T_LBRACK)
		return failf(ep, t->line, t->col,
		    "expected a string or a "
		    "list, got %s",
		    tok_desc(t, d, sizeof(d)));
	if (depth >= MAX_DEPTH)
		return failf(ep, t->line, t->col,
		    "a list inside a list inside "
		    "a list: lists nest at most two deep (pattern "
		    "alternatives, "
		    "match examples)");
	out->list = 1;
	if (lex(ep) == -1)
		return -1;
	while (t->type != T_RBRACK) {
		if (t->type == T_EOF)
			return failf(ep, out->line, out->col,
			    "'[' is never "
			    "closed");
		if (out->n == MAX_LIST)
			return failf(ep, t->line, t->col,
			    "more than %d values "
			    "in a list",
			    MAX_LIST);
		if (out->n == out->cap) {
			ncap = out->cap ? out->cap * 2 : 4;
			if ((nv = reallocarray(out->v, ncap, sizeof(*nv))) ==
			    NULL)
				return oom(ep);
			out->v = nv;
			out->cap = ncap;
		}
		memset(&out->v[out->n], 0, sizeof(out->v[out->n]));
		out->n++;
		if (parse_value(ep, depth + 1, &out->v[out->n - 1]) == -1)
			return -1;
		if (t->type == T_COMMA) {
			if (lex(ep) == -1)
				return -1;
		} else if (t->type == T_EOF)
			return failf(ep, out->line, out->col,
			    "'[' is never "
			    "closed");
		else if (t->type != T_RBRACK)
			return failf(ep, t->line, t->col,
			    "expected ',' or ']' "
			    "in a list, got %s",
			    tok_desc(t, d, sizeof(d)));
	}
	return lex(ep);
}

/* Append S to BUF (of LEN), cut where it would not fit. */
static void
cat(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf), sl = strlen(s);

	if (n + sl + 1 <= len) {
		memcpy(buf + n, s, sl + 1);
		return;
	}
	memset(buf + n, '.', len - 1 - n);
	if (len > 4)
		memcpy(buf + len - 4, "...", 3);
	buf[len - 1] = '\0';
}

/*
 * Append V to BUF (of LEN) as it could be written in a rules file; a full
 * buffer ends in dots. Values nest at most MAX_DEPTH lists deep.
 */
static void
show_val(char *buf, size_t len, const struct val *v)
{
	char one[2] = { 0, 0 };
	const char *s;
	size_t i;

	if (strlen(buf) + 1 >= len)
		return; /* full */
	if (v->list) {
		cat(buf, len, "[");
		for (i = 0; i < v->n; i++) {
			if (i > 0)
				cat(buf, len, ", ");
			show_val(buf, len, &v->v[i]);
		}
		cat(buf, len, "]");
		return;
	}
	cat(buf, len, "\"");
	for (s = v->s; *s != '\0' && strlen(buf) + 1 < len; s++) {
		one[0] = *s;
		cat(buf, len,
		    *s == '"'	     ? "\\\""
			: *s == '\\' ? "\\\\"
			: *s == '\n' ? "\\n"
			: *s == '\t' ? "\\t"
				     : one);
	}
	cat(buf, len, "\"");
}

static const char *
type_name(const struct val *v)
{
	return v->list ? "a list" : "a string";
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* The number of words of string example S. */
static size_t
count_words(const char *s)
{
	size_t n = 0;

	while (*s != '\0') {
		while (is_space(*s))
			s++;
		if (*s == '\0')
			break;
		n++;
		while (*s != '\0' && !is_space(*s))
			s++;
	}
	return n;
}

static int
check_value(struct ep *ep, int kw, const struct val *v)
{
	const char *what = kw_names[kw];
	size_t i, j;

	switch (kw) {
	case KW_PATTERN:
		if (!v->list)
			return failf(ep, v->line, v->col,
			    "pattern must be a "
			    "list, got a string");
		if (v->n == 0)
			return failf(ep, v->line, v->col,
			    "pattern must not be "
			    "empty");
		for (i = 0; i < v->n; i++) {
			const struct val *e = &v->v[i];

			if (e->list && e->n == 0)
				return failf(ep, e->line, e->col,
				    "pattern: "
				    "empty list of alternatives");
			for (j = 0; j < (e->list ? e->n : 1); j++) {
				const struct val *a = e->list ? &e->v[j] : e;

				/* a third level is refused by parse_value */
				if (a->list || a->s[0] == '\0')
					return failf(ep, a->line, a->col,
					    "pattern: words must be non-empty "
					    "strings (or lists of them)");
			}
		}
		return 0;
	case KW_DECISION:
		if (v->list)
			return failf(ep, v->line, v->col,
			    "decision must be "
			    "\"allow\", \"prompt\" or \"forbidden\", got a "
			    "list");
		for (i = 0; decision_names[i] != NULL; i++)
			if (strcmp(v->s, decision_names[i]) == 0)
				return 0;
		return failf(ep, v->line, v->col,
		    "decision must be \"allow\", "
		    "\"prompt\" or \"forbidden\", got \"%.*s\"",
		    SHOW, v->s);
	case KW_JUSTIFICATION:
		if (v->list)
			return failf(ep, v->line, v->col,
			    "justification must be "
			    "a string, got a list");
		return 0;
	default:
		if (!v->list)
			return failf(ep, v->line, v->col,
			    "%s must be a list of "
			    "examples, got a string",
			    what);
		for (i = 0; i < v->n; i++) {
			const struct val *e = &v->v[i];

			if ((e->list && e->n == 0) ||
			    (!e->list && count_words(e->s) == 0))
				return failf(ep, e->line, e->col,
				    "%s: empty "
				    "example",
				    what);
			for (j = 0; e->list && j < e->n; j++)
				if (e->v[j].list)
					return failf(ep, e->v[j].line,
					    e->v[j].col,
					    "%s: an example is a "
					    "string or a list of strings, got "
					    "%s "
					    "in it",
					    what, type_name(&e->v[j]));
		}
		return 0;
	}
}

/* Does example E match R? -1 when out of memory. */
static int
example_matches(const struct cfg_exec_rule *r, const struct val *e)
{
	const char **argv;
	char *copy = NULL, *s;
	size_t argc = 0, n, i;
	int m;

	n = e->list ? e->n : count_words(e->s);
	if ((argv = calloc(n + 1, sizeof(*argv))) == NULL)
		return -1;
	if (e->list) {
		for (i = 0; i < n; i++)
			argv[argc++] = e->v[i].s;
	} else {
		if ((copy = strdup(e->s)) == NULL) {
			free(argv);
			return -1;
		}
		for (s = copy; *s != '\0' && argc < n;) {
			while (is_space(*s))
				s++;
			if (*s == '\0')
				break;
			argv[argc++] = s;
			while (*s != '\0' && !is_space(*s))
				s++;
			if (*s != '\0')
				*s++ = '\0';
		}
	}
	m = policy_rule_matches(r, argv, argc);
	free(copy);
	free(argv);
	return m;
}

/* Check the match and not_match examples of R. */
static int
check_examples(struct ep *ep, const struct cfg_exec_rule *r,
    const struct val *pat, const struct val *ex, int want)
{
	char e[SHOWVAL], p[SHOWVAL];
	size_t i;
	int m;

	for (i = 0; i < ex->n; i++) {
		if ((m = example_matches(r, &ex->v[i])) == -1)
			return oom(ep);
		if (m == want)
			continue;
		e[0] = p[0] = '\0';
		show_val(e, sizeof(e), &ex->v[i]);
		show_val(p, sizeof(p), pat);
		return failf(ep, ex->v[i].line, ex->v[i].col,
		    "%s example %s "
		    "%s the pattern %s",
		    want ? "match" : "not_match", e,
		    want ? "does not match" : "matches", p);
	}
	return 0;
}

/* The rule of a prefix_rule call at LINE:COL, its arguments checked. */
static int
add_rule(struct ep *ep, struct val *kv, const int *seen, int line, int col)
{
	struct cfg_exec_rule r, *nr;
	struct val *pat = &kv[KW_PATTERN];
	size_t i, j, ncap;

	memset(&r, 0, sizeof(r));
	if (!seen[KW_PATTERN])
		return failf(ep, line, col,
		    "prefix_rule() without a pattern: "
		    "pattern = [...] is required");
	if ((r.word = calloc(pat->n, sizeof(*r.word))) == NULL)
		return oom(ep);
	for (i = 0; i < pat->n; i++) {
		struct val *e = &pat->v[i];
		size_t n = e->list ? e->n : 1;

		r.nword++;
		if ((r.word[i].alt = calloc(n, sizeof(char *))) == NULL)
			goto nomem;
		for (j = 0; j < n; j++) {
			/* kept for the examples' messages: copied */
			if ((r.word[i].alt[j] =
				    strdup(e->list ? e->v[j].s : e->s)) == NULL)
				goto nomem;
			r.word[i].nalt++;
		}
	}
	r.decision = EXEC_ALLOW;
	if (seen[KW_DECISION])
		for (i = 0; decision_names[i] != NULL; i++)
			if (strcmp(kv[KW_DECISION].s, decision_names[i]) == 0)
				r.decision = (int)i;
	if (seen[KW_JUSTIFICATION]) {
		r.justification = kv[KW_JUSTIFICATION].s;
		kv[KW_JUSTIFICATION].s = NULL;
	}
	snprintf(r.where, sizeof(r.where), "%s:%d:%d", ep->name, line, col);
	if ((seen[KW_MATCH] &&
		check_examples(ep, &r, pat, &kv[KW_MATCH], 1) == -1) ||
	    (seen[KW_NOT_MATCH] &&
		check_examples(ep, &r, pat, &kv[KW_NOT_MATCH], 0) == -1)) {
		config_rule_free(&r);
		return -1;
	}
	if (ep->nrules == ep->cap) {
		ncap = ep->cap ? ep->cap * 2 : 8;
		if ((nr = reallocarray(ep->rules, ncap, sizeof(*nr))) == NULL)
			goto nomem;
		ep->rules = nr;
		ep->cap = ncap;
	}
	ep->rules[ep->nrules++] = r;
	return 0;
nomem:
	config_rule_free(&r);
	return oom(ep);
}

static int
find_kw(const char *name, size_t len)
{
	int i;

	for (i = 0; i < NKW; i++)
		if (strlen(kw_names[i]) == len &&
		    memcmp(kw_names[i], name, len) == 0)
			return i;
	return -1;
}

/* The known keyword closest to NAME, or NULL. */
static const char *
kw_suggest(const char *name, size_t len)
{
	char buf[SHOW + 1];
	const char *best = NULL;
	int i, d, bestd = 3;

	if (len > SHOW)
		return NULL;
	memcpy(buf, name, len);
	buf[len] = '\0';
	for (i = 0; i < NKW; i++) {
		d = config_edit_distance(buf, kw_names[i]);
		if (d < bestd) {
			bestd = d;
			best = kw_names[i];
		}
	}
	return best;
}

/* The arguments of a prefix_rule call named at LINE:COL; at its '('. */
static int
parse_call(struct ep *ep, int line, int col)
{
	struct tok *t = &ep->tok;
	struct val kv[NKW];
	int seen[NKW], kline[NKW], kcol[NKW];
	int pline = t->line, pcol = t->col, r = -1, k, nline, ncol;
	const char *name, *sg;
	size_t nlen;
	char d[SHOW + 8];

	memset(kv, 0, sizeof(kv));
	memset(seen, 0, sizeof(seen));
	memset(kline, 0, sizeof(kline));
	memset(kcol, 0, sizeof(kcol));
	if (lex(ep) == -1)
		goto out;
	while (t->type != T_RPAREN) {
		if (t->type == T_EOF) {
			failf(ep, pline, pcol,
			    "'(' of prefix_rule is never "
			    "closed");
			goto out;
		}
		if (t->type != T_IDENT) {
			if (t->type == T_STRING || t->type == T_LBRACK ||
			    t->type == T_NUMBER)
				failf(ep, t->line, t->col,
				    "positional argument: "
				    "prefix_rule() takes keyword arguments "
				    "only (pattern = [...])");
			else
				failf(ep, t->line, t->col,
				    "expected a keyword "
				    "argument or ')', got %s",
				    tok_desc(t, d, sizeof(d)));
			goto out;
		}
		name = t->text;
		nlen = t->len;
		nline = t->line;
		ncol = t->col;
		if (lex(ep) == -1)
			goto out;
		if (t->type != T_EQ) {
			failf(ep, nline, ncol,
			    "positional argument '%.*s': "
			    "prefix_rule() takes keyword arguments only "
			    "(name = value)",
			    (int)(nlen > SHOW ? SHOW : nlen), name);
			goto out;
		}
		if ((k = find_kw(name, nlen)) == -1) {
			sg = kw_suggest(name, nlen);
			failf(ep, nline, ncol,
			    "unknown keyword argument '%.*s' "
			    "to prefix_rule()%s%s%s",
			    (int)(nlen > SHOW ? SHOW : nlen), name,
			    sg ? "; did you mean '"
			       : " (pattern, "
				 "decision, justification, match, not_match)",
			    sg ? sg : "", sg ? "'?" : "");
			goto out;
		}
		if (seen[k]) {
			failf(ep, nline, ncol,
			    "duplicate keyword argument "
			    "'%s' (first given at %d:%d)",
			    kw_names[k], kline[k], kcol[k]);
			goto out;
		}
		seen[k] = 1;
		kline[k] = nline;
		kcol[k] = ncol;
		if (lex(ep) == -1 || parse_value(ep, 0, &kv[k]) == -1 ||
		    check_value(ep, k, &kv[k]) == -1)
			goto out;
		if (t->type == T_COMMA) {
			if (lex(ep) == -1)
				goto out;
		} else if (t->type == T_EOF) {
			failf(ep, pline, pcol,
			    "'(' of prefix_rule is never "
			    "closed");
			goto out;
		} else if (t->type != T_RPAREN) {
			failf(ep, t->line, t->col,
			    "expected ',' or ')' after "
			    "%s = ..., got %s",
			    kw_names[k], tok_desc(t, d, sizeof(d)));
			goto out;
		}
	}
	r = add_rule(ep, kv, seen, line, col);
out:
	for (k = 0; k < NKW; k++)
		val_free(&kv[k]);
	return r;
}

/* One statement: a prefix_rule(...) call alone on its lines. */
static int
parse_stmt(struct ep *ep)
{
	struct tok *t = &ep->tok;
	const char *name;
	size_t nlen;
	int line, col, show;
	char d[SHOW + 8];

	if (t->type != T_IDENT)
		return failf(ep, t->line, t->col,
		    "expected a prefix_rule(...) "
		    "call, got %s",
		    tok_desc(t, d, sizeof(d)));
	if (t->col != 1)
		return failf(ep, t->line, t->col,
		    "unexpected indentation: a "
		    "statement starts in column 1");
	name = t->text;
	nlen = t->len;
	show = (int)(nlen > SHOW ? SHOW : nlen);
	line = t->line;
	col = t->col;
	if (lex(ep) == -1)
		return -1;
	if (t->type == T_EQ)
		return failf(ep, line, col,
		    "assignment to '%.*s': a rules file "
		    "holds prefix_rule(...) calls only",
		    show, name);
	if (t->type != T_LPAREN)
		return failf(ep, t->line, t->col,
		    "expected '(' after '%.*s', "
		    "got %s",
		    show, name, tok_desc(t, d, sizeof(d)));
	if (nlen != strlen("prefix_rule") ||
	    memcmp(name, "prefix_rule", nlen) != 0)
		return failf(ep, line, col,
		    "unknown function '%.*s': only "
		    "prefix_rule(...) is supported",
		    show, name);
	if (parse_call(ep, line, col) == -1 || lex(ep) == -1)
		return -1;
	if (t->type != T_EOF && !t->nl)
		return failf(ep, t->line, t->col,
		    "expected a line break after "
		    "prefix_rule(...), got %s",
		    tok_desc(t, d, sizeof(d)));
	return 0;
}

int
execpolicy_parse(struct config *cfg, const char *name, const char *buf,
    size_t len, char *err, size_t errlen)
{
	struct cfg_exec_rule *nr;
	struct ep ep;
	size_t i;

	memset(&ep, 0, sizeof(ep));
	ep.name = name;
	ep.p = buf;
	ep.end = buf + len;
	ep.line = 1;
	ep.col = 1;
	ep.bol = 1;
	ep.err = err;
	ep.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	if (lex(&ep) == -1)
		goto fail;
	while (ep.tok.type != T_EOF)
		if (parse_stmt(&ep) == -1)
			goto fail;
	if (ep.nrules > 0) {
		if (cfg->nrules > SIZE_MAX / 2 - ep.nrules ||
		    (nr = reallocarray(cfg->rules, cfg->nrules + ep.nrules,
			 sizeof(*nr))) == NULL) {
			oom(&ep);
			goto fail;
		}
		memcpy(nr + cfg->nrules, ep.rules, ep.nrules * sizeof(*nr));
		cfg->rules = nr;
		cfg->nrules += ep.nrules;
	}
	free(ep.rules);
	free(ep.tok.s);
	return 0;
fail:
	for (i = 0; i < ep.nrules; i++)
		config_rule_free(&ep.rules[i]);
	free(ep.rules);
	free(ep.tok.s);
	if (!ep.failed)
		oom(&ep);
	return -1;
}
