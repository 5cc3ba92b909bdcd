/*
 * logreport.c: an --audit log summed up. See logreport.h.
 */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include <vis.h>

#include "logreport.h"
#include "netaddr.h"
#include "report.h"

/* how many entries of a table the one-screen report shows */
#define SHOW 10
/* bytes kept of a key and of a note: what bounds memory, with
 * LOGREP_MAX_KEYS (11 tables x 4096 x about 2.3 KiB at most) */
#define KEY_MAX 2048
#define NOTE_MAX 256

/* One entry of a table: KEY (and a second part, NOTE) and a count */
struct entry {
	UT_hash_handle hh;
	unsigned long count;
	char *note; /* a rule, a program, an argv: the first seen */
	char *hint; /* denied: the setting that would allow it */
	long pid, ppid;
	int audit_only;
	size_t len;
	char key[];
};

struct table {
	const char *name; /* in JSON */
	const char *title; /* in text */
	struct entry *map;
	size_t n;
	unsigned long dropped; /* records past LOGREP_MAX_KEYS entries */
};

enum {
	T_DENIED,
	T_PROCS,
	T_WRITTEN,
	T_DELETED,
	T_RENAMED,
	T_READ,
	T_EXEC,
	T_CONNECT,
	T_RESOLVE,
	T_UNIX,
	T_DISPUTED,
	T_N
};

static const struct {
	const char *name, *title;
} table_names[T_N] = {
	{ "denied", "denied" },
	{ "processes", "processes (pid, program)" },
	{ "written", "files written or created" },
	{ "deleted", "files deleted" },
	{ "renamed", "renamed" },
	{ "read", "files read, by directory" },
	{ "exec", "programs run" },
	{ "connect", "hosts and addresses contacted" },
	{ "resolve", "names resolved" },
	{ "unix", "Unix sockets" },
	{ "disputed", "disputed records (the policy says otherwise)" },
};

struct logrep {
	struct table t[T_N];
	unsigned long lines, records, events, malformed, too_long;
	unsigned long denied, disputed; /* records, not entries */
	long only_pid; /* -1: every process */
	/* what --suggest needs: each denied request as OP NUL RULE NUL OBJ */
	struct table need;
	unsigned long pid_events; /* its events */
	unsigned long bad_lines[LOGREP_MAX_BAD];
	size_t nbad;
	int started, ended, audit_only, exit_status, signal;
	char *command, *version, *t_start, *t_end;
	unsigned long end_events;
};

struct logrep *
logrep_new(void)
{
	struct logrep *r = calloc(1, sizeof(*r));
	int i;

	if (r == NULL)
		return NULL;
	for (i = 0; i < T_N; i++) {
		r->t[i].name = table_names[i].name;
		r->t[i].title = table_names[i].title;
	}
	r->only_pid = -1;
	return r;
}

void
logrep_only_pid(struct logrep *r, long pid)
{
	r->only_pid = pid;
}

void
logrep_free(struct logrep *r)
{
	struct entry *e, *tmp;
	int i;

	if (r == NULL)
		return;
	for (i = 0; i < T_N; i++)
		HASH_ITER(hh, r->t[i].map, e, tmp)
		{
			HASH_DEL(r->t[i].map, e);
			free(e->note);
			free(e->hint);
			free(e);
		}
	HASH_ITER(hh, r->need.map, e, tmp)
	{
		HASH_DEL(r->need.map, e);
		free(e->note);
		free(e);
	}
	free(r->command);
	free(r->version);
	free(r->t_start);
	free(r->t_end);
	free(r);
}

/* LEN cut back to the start of a UTF-8 character of S (a cut string
 * must stay valid UTF-8 for JSON) */
static size_t
utf8_cut(const char *s, size_t len)
{
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	return len;
}

/* Count KEY (LEN bytes, at most KEY_MAX kept) in T; its entry, or NULL
 * when T is full */
static struct entry *
tally(struct table *t, const char *key, size_t len)
{
	struct entry *e;

	if (len > KEY_MAX)
		len = utf8_cut(key, KEY_MAX);

	HASH_FIND(hh, t->map, key, len, e);
	if (e == NULL) {
		if (t->n >= LOGREP_MAX_KEYS ||
		    (e = calloc(1, sizeof(*e) + len + 1)) == NULL) {
			t->dropped++;
			return NULL;
		}
		memcpy(e->key, key, len);
		e->key[len] = '\0';
		e->len = len;
		e->pid = -1;
		HASH_ADD(hh, t->map, key[0], len, e);
		t->n++;
	}
	e->count++;
	return e;
}

/* tally() of A, or "A SEP B" */
static struct entry *
tally2(struct table *t, const char *a, const char *sep, const char *b)
{
	char buf[KEY_MAX + 1];
	int n =
	    snprintf(buf, sizeof(buf), "%s%s%s", a, b ? sep : "", b ? b : "");

	if (n < 0)
		return NULL;
	return tally(t, buf,
	    (size_t)n < sizeof(buf) ? (size_t)n
				    : utf8_cut(buf, sizeof(buf) - 1));
}

static void
note(struct entry *e, const char *s)
{
	if (e != NULL && e->note == NULL && s != NULL)
		e->note = strndup(s, utf8_cut(s, strnlen(s, NOTE_MAX)));
}

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
bad_line(struct logrep *r, size_t lineno)
{
	r->malformed++;
	if (r->nbad < LOGREP_MAX_BAD)
		r->bad_lines[r->nbad++] = lineno;
}

/* argv words joined by spaces, at most CAP bytes */
static void
join_argv(json_t *argv, char *out, size_t cap)
{
	size_t i, off = 0;
	const char *w;
	int n;

	out[0] = '\0';
	for (i = 0; i < json_array_size(argv) && off < cap; i++) {
		if ((w = json_string_value(json_array_get(argv, i))) == NULL)
			continue;
		n = snprintf(out + off, cap - off, "%s%s", i ? " " : "", w);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (off >= cap) /* cut: not inside a character */
		out[utf8_cut(out, cap - 1)] = '\0';
}

static int
is_call(const char *call, const char *const *names)
{
	size_t i;

	for (i = 0; call != NULL && names[i] != NULL; i++)
		if (strcmp(call, names[i]) == 0)
			return 1;
	return 0;
}

/* The setting that would allow OP on PATH (PATH2) or HOST that RULE
 * denied (report_hint, without a policy), malloc'd; NULL if none */
static char *
hint_of(const char *op, const char *rule, const char *path, const char *path2,
    const char *host)
{
	static const char *const ops[] = { "read", "write", "exec", "connect",
		"resolve", "unix", "bind" };
	struct pol_request req;
	struct pol_decision d;
	char out[1024];
	size_t i;

	if (rule == NULL)
		return NULL;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(op, ops[i]) == 0)
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return NULL;
	memset(&req, 0, sizeof(req));
	memset(&d, 0, sizeof(d));
	req.op = (enum pol_op)i;
	req.path = path;
	req.path2 = path2;
	req.host = host;
	req.port = -1;
	d.verdict = VERDICT_DENY;
	snprintf(d.rule, sizeof(d.rule), "%s", rule);
	report_hint(NULL, &req, &d, out, sizeof(out));
	if (out[0] == '\0')
		return NULL;
	return strndup(out, utf8_cut(out, strnlen(out, NOTE_MAX)));
}

/* A denied request, for --suggest: OP, RULE and OBJ (and the address
 * ADDR a name connected to) */
static void
need(struct logrep *r, const char *op, const char *rule, const char *obj,
    const char *addr, int ask)
{
	char key[KEY_MAX + 1];
	struct entry *e;
	int n;

	if (rule == NULL || obj == NULL || obj[0] == '\0')
		return;
	n = snprintf(key, sizeof(key), "%s%c%s%c%s", op, 0, rule, 0, obj);
	if (n < 0 || (size_t)n >= sizeof(key))
		return; /* too long to suggest anything for */
	if ((e = tally(&r->need, key, (size_t)n)) == NULL)
		return;
	note(e, addr);
	e->audit_only |= ask; /* here: it was asked (a deny is a rule's) */
}

static void
event(struct logrep *r, json_t *o)
{
	static const char *const deletes[] = { "unlink", "unlinkat", "remove",
		"rmdir", NULL };
	static const char *const renames[] = { "rename", "renameat",
		"renameat2", NULL };
	const char *op = str(o, "op"), *verdict = str(o, "verdict");
	const char *path = str(o, "path"), *path2 = str(o, "path2");
	const char *host = str(o, "host"), *addr = str(o, "addr");
	const char *exe = str(o, "exe"), *call = str(o, "call");
	const char *obj, *slash;
	json_t *argv = json_object_get(o, "argv");
	int audit_only = json_is_true(json_object_get(o, "audit_only"));
	int denied = verdict != NULL && strcmp(verdict, "deny") == 0;
	long pid = (long)json_integer_value(json_object_get(o, "pid"));
	char words[1024], pidtxt[32], port[16], dir[4096];
	struct entry *e;

	r->events++;
	if (r->only_pid >= 0 && pid != r->only_pid)
		return;
	r->pid_events++;
	if (op == NULL)
		return;
	words[0] = '\0';
	if (json_is_array(argv))
		join_argv(argv, words, sizeof(words));
	snprintf(pidtxt, sizeof(pidtxt), "%ld", pid);
	e = tally(&r->t[T_PROCS], pidtxt, strlen(pidtxt));
	if (e != NULL) {
		e->pid = pid;
		e->ppid = (long)json_integer_value(json_object_get(o, "ppid"));
		/* the program it runs: the last exec's, else its exe */
		if (strcmp(op, "exec") == 0 && path != NULL && !denied) {
			free(e->note);
			e->note = strdup(words[0] ? words : path);
		} else
			note(e, exe);
	}
	port[0] = '\0';
	if (json_is_integer(json_object_get(o, "port")))
		snprintf(port, sizeof(port), ":%lld",
		    (long long)json_integer_value(json_object_get(o, "port")));
	obj = path != NULL ? path
	    : host != NULL ? host
	    : addr != NULL ? addr
			   : words;
	if (json_is_true(json_object_get(o, "disputed"))) {
		r->disputed++;
		note(tally2(&r->t[T_DISPUTED], op, " ", obj),
		    str(o, "supervisor_verdict"));
	}
	if (denied) {
		r->denied++;
		need(r, op, str(o, "rule"), obj,
		    host != NULL && addr != NULL ? addr : NULL,
		    json_is_true(json_object_get(o, "ask")));
		e = tally2(&r->t[T_DENIED], op, " ", obj);
		if (e != NULL) {
			note(e, str(o, "rule"));
			if (e->hint == NULL)
				e->hint = hint_of(op, str(o, "rule"), path,
				    path2, host != NULL ? host : addr);
			if (e->pid < 0)
				e->pid = pid;
			e->audit_only = audit_only;
		}
		if (!audit_only)
			return; /* it did not happen */
	}
	if (strcmp(op, "write") == 0 && path != NULL) {
		if (is_call(call, renames) && path2 != NULL)
			tally2(&r->t[T_RENAMED], path, " -> ", path2);
		else if (is_call(call, deletes))
			tally(&r->t[T_DELETED], path, strlen(path));
		else if (path2 != NULL) /* a link: the new name is PATH2 */
			tally(&r->t[T_WRITTEN], path2, strlen(path2));
		else
			tally(&r->t[T_WRITTEN], path, strlen(path));
	} else if (strcmp(op, "read") == 0 && path != NULL) {
		slash = strrchr(path, '/');
		snprintf(dir, sizeof(dir), "%.*s",
		    slash == NULL || slash == path ? 1 : (int)(slash - path),
		    slash == NULL ? "/" : path);
		tally(&r->t[T_READ], dir, strlen(dir));
	} else if (strcmp(op, "exec") == 0 && path != NULL)
		note(tally(&r->t[T_EXEC], path, strlen(path)), words);
	else if (strcmp(op, "connect") == 0 && obj[0] != '\0')
		note(tally2(&r->t[T_CONNECT], obj, "", port[0] ? port : NULL),
		    host != NULL && addr != NULL ? addr : NULL);
	else if (strcmp(op, "resolve") == 0 && host != NULL)
		tally(&r->t[T_RESOLVE], host, strlen(host));
	else if (strcmp(op, "unix") == 0 && path != NULL)
		tally(&r->t[T_UNIX], path, strlen(path));
}

static void
set_str(char **dst, const char *s)
{
	if (s != NULL && *dst == NULL)
		*dst = strdup(s);
}

void
logrep_line(struct logrep *r, const char *line, size_t len, size_t lineno)
{
	json_error_t jerr;
	const char *type;
	char words[1024];
	json_t *o;

	r->lines++;
	if (len == 0)
		return;
	if ((o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr)) ==
		NULL ||
	    !json_is_object(o) || (type = str(o, "type")) == NULL) {
		json_decref(o);
		bad_line(r, lineno);
		return;
	}
	r->records++;
	if (strcmp(type, "event") == 0)
		event(r, o);
	else if (strcmp(type, "session_start") == 0 && !r->started) {
		r->started = 1;
		r->audit_only = json_is_true(json_object_get(o, "audit_only"));
		join_argv(json_object_get(o, "argv"), words, sizeof(words));
		set_str(&r->command, words);
		set_str(&r->version, str(o, "version"));
		set_str(&r->t_start, str(o, "ts"));
	} else if (strcmp(type, "session_end") == 0) {
		r->ended = 1;
		r->exit_status =
		    (int)json_integer_value(json_object_get(o, "exit_status"));
		r->signal =
		    (int)json_integer_value(json_object_get(o, "signal"));
		r->end_events = (unsigned long)json_integer_value(
		    json_object_get(o, "events"));
		free(r->t_end);
		r->t_end = NULL;
		set_str(&r->t_end, str(o, "ts"));
	}
	json_decref(o);
}

int
logrep_read(struct logrep *r, FILE *f)
{
	char *line;
	size_t lineno = 0, len;
	int c, over;

	/* at most LOGREP_LINE_MAX bytes of a line are ever held */
	if ((line = malloc(LOGREP_LINE_MAX + 1)) == NULL)
		return -1;
	for (;;) {
		len = 0;
		over = 0;
		while ((c = getc_unlocked(f)) != EOF && c != '\n') {
			if (len < LOGREP_LINE_MAX)
				line[len++] = (char)c;
			else
				over = 1;
		}
		if (c == EOF && len == 0 && !over)
			break;
		lineno++;
		if (over) {
			r->too_long++;
			bad_line(r, lineno);
			r->lines++;
		} else
			logrep_line(r, line, len, lineno);
		if (c == EOF)
			break;
	}
	free(line);
	return ferror(f) ? -1 : 0;
}

/* entries by count, most first; ties by key */
static int
by_count(const struct entry *a, const struct entry *b)
{
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->key, b->key);
}

static int
by_pid(const struct entry *a, const struct entry *b)
{
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

/* S escaped for a terminal, into OUT: at most (CAP - 1) / 4 bytes of S
 * (each may take four; strnvis must never have to cut) */
static const char *
esc(const char *s, char *out, size_t cap)
{
	char part[1024];
	size_t n;

	if (s == NULL)
		s = "";
	n = strlen(s);
	if (n > (cap - 1) / 4 || n >= sizeof(part)) {
		n = (cap - 1) / 4 < sizeof(part) - 1 ? (cap - 1) / 4
						     : sizeof(part) - 1;
		memcpy(part, s, n);
		part[n] = '\0';
		s = part;
	}
	strnvis(
	    out, s, cap, VIS_SAFE | VIS_OCTAL | VIS_NL | VIS_TAB | VIS_CSTYLE);
	return out;
}

/* esc(), cut to about WIDTH bytes (a long argv) unless ALL */
static const char *
esc_cut(const char *s, char *out, size_t cap, int all)
{
	const size_t width = 100;

	esc(s, out, cap);
	if (!all && strlen(out) > width && cap > width + 4)
		memcpy(out + width, "...", 4);
	return out;
}

static void
text_table(const struct table *t, int which, FILE *out, int all)
{
	char k[4 * 1024], n2[4 * 1024];
	const struct entry *e;
	size_t shown = 0;

	fprintf(out, "\n%s: %zu%s\n", t->title, t->n,
	    t->dropped ? " (and more not kept)" : "");
	for (e = t->map; e != NULL; e = e->hh.next) {
		if (!all && shown == SHOW) {
			fprintf(out, "  ... %zu more (--all)\n", t->n - shown);
			break;
		}
		shown++;
		esc(e->key, k, sizeof(k));
		esc_cut(e->note, n2, sizeof(n2), all);
		switch (which) {
		case T_PROCS:
			fprintf(out, "  %-7s ppid %-7ld %s  (%lu call%s)\n", k,
			    e->ppid, n2, e->count, e->count == 1 ? "" : "s");
			break;
		case T_DENIED:
			fprintf(out, "  %s  x%lu  pid %ld  rule %s%s\n", k,
			    e->count, e->pid, e->note ? n2 : "?",
			    e->audit_only ? "  (--audit-only: it ran)" : "");
			if (e->hint != NULL)
				fprintf(out, "      to allow: %s\n",
				    esc(e->hint, k, sizeof(k)));
			break;
		case T_EXEC:
			fprintf(out, "  %s  x%lu%s%s\n", k, e->count,
			    e->note && e->note[0] ? "  e.g. " : "", n2);
			break;
		case T_DISPUTED:
			fprintf(out, "  %s  x%lu  (the policy says %s)\n", k,
			    e->count, e->note ? n2 : "?");
			break;
		default:
			fprintf(out, "  %s  x%lu%s%s\n", k, e->count,
			    e->note ? "  at " : "", e->note ? n2 : "");
		}
	}
}

/* S as a JSON string; bytes that are not UTF-8 (a log's own, kept as
 * they came) as '?' */
static json_t *
jstr(const char *s)
{
	json_t *j = json_string(s);
	char *copy;
	size_t i;

	if (j != NULL || (copy = strdup(s)) == NULL)
		return j;
	for (i = 0; copy[i] != '\0'; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *
json_table(const struct table *t, int which)
{
	const struct entry *e;
	json_t *a = json_array(), *o;

	for (e = t->map; a != NULL && e != NULL; e = e->hh.next) {
		o = json_object();
		json_object_set_new(o, which == T_PROCS ? "pid" : "what",
		    which == T_PROCS ? json_integer(e->pid) : jstr(e->key));
		json_object_set_new(
		    o, "count", json_integer((json_int_t)e->count));
		if (e->note != NULL)
			json_object_set_new(o,
			    which == T_DENIED	      ? "rule"
				: which == T_PROCS    ? "program"
				: which == T_EXEC     ? "argv"
				: which == T_DISPUTED ? "supervisor_verdict"
						      : "addr",
			    jstr(e->note));
		if (which == T_PROCS)
			json_object_set_new(o, "ppid", json_integer(e->ppid));
		if (which == T_DENIED) {
			json_object_set_new(o, "pid", json_integer(e->pid));
			if (e->hint != NULL)
				json_object_set_new(
				    o, "to_allow", jstr(e->hint));
			if (e->audit_only)
				json_object_set_new(
				    o, "audit_only", json_true());
		}
		json_array_append_new(a, o);
	}
	return a;
}

int
logrep_print(const struct logrep *rc, FILE *out, int json, int all)
{
	struct logrep *r = (struct logrep *)rc; /* sorting is not a change */
	char c[4096], c2[4096];
	json_t *doc, *tables, *bad;
	size_t i;
	int t;

	for (t = 0; t < T_N; t++) {
		if (t == T_PROCS)
			HASH_SORT(r->t[t].map, by_pid);
		else
			HASH_SORT(r->t[t].map, by_count);
	}
	if (json) {
		doc = json_object();
		tables = json_object();
		bad = json_array();
		json_object_set_new(
		    doc, "command", jstr(r->command ? r->command : ""));
		json_object_set_new(
		    doc, "audit_only", json_boolean(r->audit_only));
		json_object_set_new(
		    doc, "complete", json_boolean(r->started && r->ended));
		if (r->ended) {
			json_object_set_new(
			    doc, "exit_status", json_integer(r->exit_status));
			if (r->signal > 0)
				json_object_set_new(
				    doc, "signal", json_integer(r->signal));
		}
		json_object_set_new(
		    doc, "lines", json_integer((json_int_t)r->lines));
		json_object_set_new(
		    doc, "records", json_integer((json_int_t)r->records));
		json_object_set_new(
		    doc, "events", json_integer((json_int_t)r->events));
		json_object_set_new(
		    doc, "denied", json_integer((json_int_t)r->denied));
		if (r->only_pid >= 0) {
			json_object_set_new(
			    doc, "pid", json_integer((json_int_t)r->only_pid));
			json_object_set_new(doc, "pid_events",
			    json_integer((json_int_t)r->pid_events));
		}
		json_object_set_new(
		    doc, "disputed", json_integer((json_int_t)r->disputed));
		if (r->ended)
			json_object_set_new(doc, "footer_events",
			    json_integer((json_int_t)r->end_events));
		json_object_set_new(doc, "malformed_lines",
		    json_integer((json_int_t)r->malformed));
		for (i = 0; i < r->nbad; i++)
			json_array_append_new(
			    bad, json_integer((json_int_t)r->bad_lines[i]));
		json_object_set_new(doc, "malformed_first", bad);
		for (t = 0; t < T_N; t++) {
			json_object_set_new(
			    tables, r->t[t].name, json_table(&r->t[t], t));
			if (r->t[t].dropped > 0) {
				char k[64];

				snprintf(
				    k, sizeof(k), "%s_not_kept", r->t[t].name);
				json_object_set_new(doc, k,
				    json_integer((json_int_t)r->t[t].dropped));
			}
		}
		json_object_set_new(doc, "tables", tables);
		if (json_dumpf(doc, out, JSON_COMPACT) == -1) {
			json_decref(doc);
			return -1;
		}
		json_decref(doc);
		fputc('\n', out);
		return fflush(out) == 0 ? 0 : -1;
	}
	fprintf(out, "command: %s\n",
	    esc(r->command ? r->command : "?", c, sizeof(c)));
	fprintf(out, "agentwrap %s%s, started %s",
	    esc(r->version ? r->version : "?", c, sizeof(c)),
	    r->audit_only ? ", --audit-only (nothing was enforced)" : "",
	    esc(r->t_start ? r->t_start : "?", c2, sizeof(c2)));
	if (r->ended) {
		fprintf(out, ", ended %s",
		    esc(r->t_end ? r->t_end : "?", c, sizeof(c)));
		if (r->signal > 0)
			fprintf(out, " by signal %d\n", r->signal);
		else
			fprintf(out, ", exit status %d\n", r->exit_status);
	} else
		fprintf(out, "\n");
	fprintf(out,
	    "%lu records in %lu lines: %lu events, %lu denied, %lu disputed\n",
	    r->records, r->lines, r->events, r->denied, r->disputed);
	if (r->only_pid >= 0)
		fprintf(out, "only process %ld: %lu of the events\n",
		    r->only_pid, r->pid_events);
	if (r->ended && r->end_events != r->events)
		fprintf(out,
		    "the footer counts %lu events, the log holds %lu: records "
		    "are missing (or were added)\n",
		    r->end_events, r->events);
	if (!r->started)
		fprintf(out,
		    "the log has no session_start record: its beginning is "
		    "missing\n");
	if (!r->ended)
		fprintf(out,
		    "the log ends before its session_end record: it was cut "
		    "short (agentwrap killed, a full disk) or is still being "
		    "written\n");
	if (r->malformed > 0) {
		fprintf(out, "%lu line%s not a record, skipped: line",
		    r->malformed, r->malformed == 1 ? "" : "s");
		for (i = 0; i < r->nbad; i++)
			fprintf(out, "%s %lu", i ? "," : "", r->bad_lines[i]);
		fprintf(out, "%s%s\n", r->malformed > r->nbad ? ", ..." : "",
		    r->too_long ? " (some longer than 1 MiB)" : "");
	}
	for (t = 0; t < T_N; t++) {
		if (t == T_DISPUTED && r->t[t].n == 0)
			continue;
		text_table(&r->t[t], t, out, all);
	}
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

/* --- --suggest --- */

/* a list of strings, at most LOGREP_MAX_KEYS */
struct strs {
	const char *v[LOGREP_MAX_KEYS];
	const char *why[LOGREP_MAX_KEYS];
	size_t n;
};

/* 1 if S was added, 0 if it was there already or there is no room */
static int
add(struct strs *l, const char *s, const char *why)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 0;
	if (l->n == LOGREP_MAX_KEYS)
		return 0;
	l->v[l->n] = s;
	l->why[l->n++] = why;
	return 1;
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* S as a TOML basic string; 0, or -1 if S is not UTF-8 (not written) */
static int
toml_str(FILE *out, const char *s)
{
	json_t *j = json_string(s);
	const unsigned char *p;

	if (j == NULL)
		return -1;
	json_decref(j);
	fputc('"', out);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
	return 0;
}

/* a comment line with S escaped */
static void
comment(FILE *out, const char *lead, const char *s)
{
	char buf[4 * 1024];

	fprintf(out, "# %s%s\n", lead, esc(s, buf, sizeof(buf)));
}

/* the directory P is in (P's own copy, cut at its last '/') */
static char *
parent(const char *p)
{
	const char *slash = strrchr(p, '/');

	if (slash == NULL || slash == p)
		return strdup("/");
	return strndup(p, (size_t)(slash - p));
}

/* Is D too wide to suggest quietly: /, HOME or above it, a home */
static int
too_wide(const char *d, const char *home)
{
	size_t n = strlen(d);

	if (strcmp(d, "/") == 0 || strcmp(d, "/root") == 0 ||
	    strcmp(d, "/home") == 0)
		return 1;
	/* someone's home, when the run's HOME was another than ours */
	if (strncmp(d, "/home/", 6) == 0 && strchr(d + 6, '/') == NULL)
		return 1;
	if (home == NULL || home[0] == '\0')
		return 0;
	return strcmp(d, home) == 0 ||
	    (strncmp(home, d, n) == 0 && home[n] == '/');
}

static int
is_ip(const char *s)
{
	struct netaddr a;

	return netaddr_parse_ip(s, &a) == 0;
}

/* HEAD, then each of L as KEY = "VALUE" (a comment of WHY_LEAD and its
 * why before each, when given); a lookup of an address is no name */
static void
keys(FILE *out, const char *head, const struct strs *l, const char *value,
    const char *why_lead)
{
	size_t i;

	fputs(head, out);
	for (i = 0; i < l->n; i++) {
		if (is_ip(l->v[i]) && strcmp(l->why[i], "resolve") == 0)
			continue;
		if (why_lead != NULL)
			comment(out, why_lead, l->why[i]);
		if (toml_str(out, l->v[i]) == 0)
			fprintf(out, " = \"%s\"\n", value);
	}
	fputc('\n', out);
}

int
logrep_suggest(const struct logrep *r, FILE *out, const char *home)
{
	static struct strs roots, reads, domains, unixs, execs, loud, kept;
	const struct entry *e;
	const char *op, *rule, *obj;
	char *d, line[256];
	int mode_ws = 0, network = 0;
	size_t i, j, n;

	memset(&roots, 0, sizeof(roots));
	memset(&reads, 0, sizeof(reads));
	memset(&domains, 0, sizeof(domains));
	memset(&unixs, 0, sizeof(unixs));
	memset(&execs, 0, sizeof(execs));
	memset(&loud, 0, sizeof(loud));
	memset(&kept, 0, sizeof(kept));
	for (e = r->need.map; e != NULL; e = e->hh.next) {
		op = e->key;
		rule = op + strlen(op) + 1;
		obj = rule + strlen(rule) + 1;
		if (strcmp(op, "write") == 0 &&
		    (strcmp(rule, "sandbox_workspace_write.writable_roots") ==
			    0 ||
			strncmp(rule, "sandbox_mode", 12) == 0)) {
			if (strncmp(rule, "sandbox_mode", 12) == 0)
				mode_ws = 1;
			if ((d = parent(obj)) == NULL)
				continue;
			if (!add(too_wide(d, home) ? &loud : &roots, d, obj))
				free(d);
		} else if (strcmp(op, "read") == 0 &&
		    strncmp(rule, "agentwrap.filesystem.paths[", 27) == 0)
			add(&reads, obj, rule);
		else if ((strcmp(op, "connect") == 0 ||
			     strcmp(op, "resolve") == 0) &&
		    (strcmp(rule, "sandbox_workspace_write.network_access") ==
			    0 ||
			strcmp(rule, "features.network_proxy.domains") == 0)) {
			network = 1;
			add(&domains, obj, op);
		} else if (strcmp(op, "unix") == 0 &&
		    strcmp(rule, "features.network_proxy.unix_sockets") == 0)
			add(&unixs, obj, rule);
		else if (strcmp(op, "exec") == 0 && e->audit_only &&
		    (strcmp(rule, "approval_policy") == 0 ||
			strncmp(rule, "agentwrap.exec.rules", 20) == 0))
			add(&execs, obj, rule);
		else
			add(&kept, e->key, rule);
	}
	/* the narrowest roots: none below another (sorted by name alone:
	 * their WHY is not used) */
	qsort(roots.v, roots.n, sizeof(roots.v[0]), by_str);
	for (i = 0, n = 0; i < roots.n; i++) {
		for (j = 0; j < n; j++) {
			size_t l = strlen(roots.v[j]);

			if (strncmp(roots.v[i], roots.v[j], l) == 0 &&
			    (roots.v[i][l] == '/' || roots.v[i][l] == '\0'))
				break;
		}
		if (j == n)
			roots.v[n++] = roots.v[i];
		else
			free((char *)roots.v[i]); /* below one kept */
	}
	roots.n = n;

	fprintf(out,
	    "# agentwrap --suggest: what the recorded run needed "
	    "beyond the policy it ran under\n");
	if (r->command != NULL)
		comment(out, "command: ", r->command);
	fprintf(out,
	    "# Read it before you use it: each entry widens the "
	    "sandbox. Use it with\n# agentwrap --config-file FILE "
	    "(with the run's other options).\n");
	if (!r->ended)
		fprintf(out,
		    "# The log was cut short: the run may have needed "
		    "more.\n");
	for (i = 0; i < loud.n; i++) {
		fprintf(out, "#\n");
		comment(
		    out, "!!! NOT SUGGESTED: a writable root at ", loud.v[i]);
		comment(out, "!!!   for the run's write of ", loud.why[i]);
		fprintf(out,
		    "# !!! That is /, a home or above one: the tree "
		    "could write everything of\n# !!! yours there. "
		    "Give the exact directory by hand if you mean it.\n");
	}
	for (i = 0; i < kept.n; i++) {
		op = kept.v[i];
		rule = op + strlen(op) + 1;
		obj = rule + strlen(rule) + 1;
		snprintf(
		    line, sizeof(line), "not widened: %s (%s): ", op, rule);
		comment(out, line, obj);
	}
	fprintf(out, "\n");
	if (mode_ws)
		fprintf(out, "sandbox_mode = \"workspace-write\"\n\n");
	if (roots.n > 0 || network) {
		fprintf(out, "[sandbox_workspace_write]\n");
		if (roots.n > 0) {
			fprintf(out, "writable_roots = [\n");
			for (i = 0; i < roots.n; i++) {
				fprintf(out, "  ");
				if (toml_str(out, roots.v[i]) == 0)
					fprintf(out, ",\n");
				else
					fprintf(out, "# (not UTF-8)\n");
			}
			fprintf(out, "]\n");
		}
		if (network)
			fprintf(out, "network_access = true\n");
		fprintf(out, "\n");
	}
	if (domains.n > 0 || unixs.n > 0) {
		fprintf(out, "[features.network_proxy]\nenabled = true\n\n");
		if (domains.n > 0)
			keys(out, "[features.network_proxy.domains]\n",
			    &domains, "allow", NULL);
		if (unixs.n > 0)
			keys(out, "[features.network_proxy.unix_sockets]\n",
			    &unixs, "allow", NULL);
	}
	if (reads.n > 0)
		keys(out,
		    "# reads of guarded locations (credential stores, by "
		    "default): each file alone\n[agentwrap.filesystem.paths]\n",
		    &reads, "read",
		    "guarded by (if it is a \"deny\" of yours, think twice) ");
	if (execs.n > 0) {
		fprintf(out,
		    "# these replace any [[agentwrap.exec.rules]] of "
		    "yours: merge them by hand\n");
		for (i = 0; i < execs.n; i++) {
			fprintf(out, "[[agentwrap.exec.rules]]\npattern = [");
			if (toml_str(out, execs.v[i]) == 0)
				fprintf(out, "]\ndecision = \"allow\"\n\n");
			else
				fprintf(out, "]\n");
		}
	}
	for (i = 0; i < roots.n; i++)
		free((char *)roots.v[i]);
	for (i = 0; i < loud.n; i++)
		free((char *)loud.v[i]);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
