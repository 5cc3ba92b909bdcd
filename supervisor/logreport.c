/*
 * logreport.c: an --audit log summed up. See logreport.h.
 */
#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
	unsigned layers; /* L_* of the records counted here */
	/* a process (T_PROCS): its first and last record's times, and how
	 * it ended where the supervisor reaped it */
	char *first, *last;
	int exited, status, sig;
	size_t len;
	char key[];
};

/* which layer saw a call: the records' "layer" */
enum { L_PRELOAD = 1, L_SUPERVISOR = 2, L_SECCOMP = 4, L_PROXY = 8, L_N = 4 };
static const char *const layer_names[L_N] = { "preload", "supervisor",
	"seccomp", "proxy" };

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
	unsigned long by_layer[L_N]; /* events */
	long only_pid; /* -1: every process */
	int colour; /* logrep_colour() */
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
logrep_colour(struct logrep *r, int on)
{
	r->colour = on;
}

/* SGR sequences, or nothing without colour: only ours ever reach the
 * terminal (everything from the log goes through esc()) */
#define C_BOLD(r) ((r)->colour ? "\033[1m" : "")
#define C_RED(r) ((r)->colour ? "\033[31m" : "")
#define C_YELLOW(r) ((r)->colour ? "\033[33m" : "")
#define C_OFF(r) ((r)->colour ? "\033[0m" : "")

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
			free(e->first);
			free(e->last);
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

/* KEY's entry in T (LEN bytes, at most KEY_MAX kept), made if need be
 * and not counted; NULL when T is full */
static struct entry *
entry_of(struct table *t, const char *key, size_t len)
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
	return e;
}

/* Count KEY in T (entry_of); its entry, or NULL when T is full */
static struct entry *
tally(struct table *t, const char *key, size_t len)
{
	struct entry *e = entry_of(t, key, len);

	if (e != NULL)
		e->count++;
	return e;
}

/* the L_ bit of a record's layer name; 0 for none or another */
static unsigned
layer_bit(const char *name)
{
	unsigned i;

	for (i = 0; name != NULL && i < L_N; i++)
		if (strcmp(name, layer_names[i]) == 0)
			return 1u << i;
	return 0;
}

/* E (may be NULL) was seen by the layers LAY */
static void
seen_by(struct entry *e, unsigned lay)
{
	if (e != NULL)
		e->layers |= lay;
}

/* *DST = a copy of TS (a record's time, at most 64 bytes kept) */
static void
set_ts(char **dst, const char *ts)
{
	free(*dst);
	*dst = strndup(ts, utf8_cut(ts, strnlen(ts, 64)));
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

/* The fix (report_fix, without a policy) of OP on PATH (PATH2) or HOST
 * that RULE decided (ASK: by asking), into F; -1 if OP is no op. F's
 * strings point into the arguments and into *D. */
static int
fix_of(const char *op, const char *rule, const char *path, const char *path2,
    const char *host, int ask, struct pol_decision *d, struct report_fix *f)
{
	struct pol_request req;
	int o = policy_op_parse(op);

	if (rule == NULL || o < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	memset(d, 0, sizeof(*d));
	req.op = (enum pol_op)o;
	req.path = path;
	req.path2 = path2;
	req.host = host;
	req.port = -1;
	d->verdict = ask ? VERDICT_ASK : VERDICT_DENY;
	snprintf(d->rule, sizeof(d->rule), "%s", rule);
	report_fix(NULL, &req, d, f);
	return 0;
}

/* The setting that would allow OP on PATH (PATH2) or HOST that RULE
 * denied, in a denial line's words, malloc'd; NULL if none */
static char *
hint_of(const char *op, const char *rule, const char *path, const char *path2,
    const char *host)
{
	struct pol_decision d;
	struct report_fix f;
	char out[1024];

	if (fix_of(op, rule, path, path2, host, 0, &d, &f) == -1)
		return NULL;
	report_fix_text(&f, out, sizeof(out));
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
	unsigned lay = layer_bit(str(o, "layer")), i;
	const char *ts = str(o, "ts");
	char words[1024], pidtxt[32], port[16], dir[4096];
	struct entry *e;

	r->events++;
	if (r->only_pid >= 0 && pid != r->only_pid)
		return;
	r->pid_events++;
	for (i = 0; i < L_N; i++)
		if (lay == 1u << i)
			r->by_layer[i]++;
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
		e->layers |= lay;
		if (ts != NULL) {
			if (e->first == NULL)
				set_ts(&e->first, ts);
			set_ts(&e->last, ts);
		}
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
		e = tally2(&r->t[T_DISPUTED], op, " ", obj);
		note(e, str(o, "supervisor_verdict"));
		seen_by(e, lay);
	}
	if (denied) {
		r->denied++;
		/* its note: the address a name connected to, the word an
		 * exec was run by */
		need(r, op, str(o, "rule"), obj,
		    host != NULL && addr != NULL ? addr
			: strcmp(op, "exec") == 0
			? json_string_value(json_array_get(argv, 0))
			: NULL,
		    json_is_true(json_object_get(o, "ask")));
		e = tally2(&r->t[T_DENIED], op, " ", obj);
		seen_by(e, lay);
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
	e = NULL;
	if (strcmp(op, "write") == 0 && path != NULL) {
		if (is_call(call, renames) && path2 != NULL)
			e = tally2(&r->t[T_RENAMED], path, " -> ", path2);
		else if (is_call(call, deletes))
			e = tally(&r->t[T_DELETED], path, strlen(path));
		else if (path2 != NULL) /* a link: the new name is PATH2 */
			e = tally(&r->t[T_WRITTEN], path2, strlen(path2));
		else
			e = tally(&r->t[T_WRITTEN], path, strlen(path));
	} else if (strcmp(op, "read") == 0 && path != NULL) {
		slash = strrchr(path, '/');
		snprintf(dir, sizeof(dir), "%.*s",
		    slash == NULL || slash == path ? 1 : (int)(slash - path),
		    slash == NULL ? "/" : path);
		e = tally(&r->t[T_READ], dir, strlen(dir));
	} else if (strcmp(op, "exec") == 0 && path != NULL) {
		e = tally(&r->t[T_EXEC], path, strlen(path));
		note(e, words);
	} else if (strcmp(op, "connect") == 0 && obj[0] != '\0') {
		e = tally2(&r->t[T_CONNECT], obj, "", port[0] ? port : NULL);
		note(e, host != NULL && addr != NULL ? addr : NULL);
	} else if (strcmp(op, "resolve") == 0 && host != NULL)
		e = tally(&r->t[T_RESOLVE], host, strlen(host));
	else if (strcmp(op, "unix") == 0 && path != NULL)
		e = tally(&r->t[T_UNIX], path, strlen(path));
	seen_by(e, lay);
}

/* An "exit" record: how a process the supervisor reaped ended */
static void
exited(struct logrep *r, json_t *o)
{
	long pid = (long)json_integer_value(json_object_get(o, "pid"));
	const char *ts = str(o, "ts");
	char pidtxt[32];
	struct entry *e;

	if (pid <= 0 || (r->only_pid >= 0 && pid != r->only_pid))
		return;
	snprintf(pidtxt, sizeof(pidtxt), "%ld", pid);
	if ((e = entry_of(&r->t[T_PROCS], pidtxt, strlen(pidtxt))) == NULL)
		return;
	if (e->pid < 0) { /* it made no call */
		e->pid = pid;
		e->ppid = -1;
	}
	e->exited = 1;
	e->sig = (int)json_integer_value(json_object_get(o, "signal"));
	e->status = (int)json_integer_value(json_object_get(o, "exit_status"));
	if (ts != NULL) {
		if (e->first == NULL)
			set_ts(&e->first, ts);
		set_ts(&e->last, ts);
	}
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
	else if (strcmp(type, "exit") == 0)
		exited(r, o);
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
	strnvis(out, s, cap, VIS_OCTAL | VIS_NL | VIS_TAB | VIS_CSTYLE);
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

/* "  [preload+seccomp]": the layers of LAY, into OUT */
static const char *
layers_text(unsigned lay, char *out, size_t cap)
{
	size_t off = 0;
	unsigned i;
	int n;

	out[0] = '\0';
	for (i = 0; i < L_N && off < cap; i++) {
		if (!(lay & 1u << i))
			continue;
		n = snprintf(out + off, cap - off, "%s%s",
		    off == 0 ? "  [" : "+", layer_names[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (off > 0 && off < cap)
		snprintf(out + off, cap - off, "]");
	return out;
}

/* A record's time TS ("2026-12-04T22:56:59.123456Z") in seconds since
 * the epoch; -1 if it is not one */
static double
ts_secs(const char *ts)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0;
	double frac = 0, place = 0.1;
	time_t t;

	if (ts == NULL ||
	    sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
		&n) != 6 ||
	    n == 0)
		return -1;
	if (ts[n] == '.')
		for (n++; ts[n] >= '0' && ts[n] <= '9' && place > 1e-10; n++) {
			frac += (ts[n] - '0') * place;
			place /= 10;
		}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	return (double)t + frac;
}

/* How long process E was seen: its first record to its last (its exit,
 * where that is known); -1 if unknown */
static double
seen_for(const struct entry *e)
{
	double a = ts_secs(e->first), b = ts_secs(e->last);

	return a < 0 || b < a ? -1 : b - a;
}

static void
text_table(const struct logrep *r, const struct table *t, int which, FILE *out,
    int all)
{
	char k[4 * 1024], n2[4 * 1024], lay[64], end[64];
	const struct entry *e;
	size_t shown = 0;
	double span;

	fprintf(out, "\n%s%s: %zu%s%s\n", C_BOLD(r), t->title, t->n,
	    t->dropped ? " (and more not kept)" : "", C_OFF(r));
	for (e = t->map; e != NULL; e = e->hh.next) {
		if (!all && shown == SHOW) {
			fprintf(out, "  ... %zu more (--all)\n", t->n - shown);
			break;
		}
		shown++;
		esc(e->key, k, sizeof(k));
		esc_cut(e->note, n2, sizeof(n2), all);
		layers_text(e->layers, lay, sizeof(lay));
		switch (which) {
		case T_PROCS:
			end[0] = '\0';
			if ((span = seen_for(e)) >= 0)
				snprintf(end, sizeof(end), "  %.3f s", span);
			if (e->exited && e->sig > 0)
				snprintf(end + strlen(end),
				    sizeof(end) - strlen(end),
				    "%skilled by signal %d",
				    end[0] ? ", " : "  ", e->sig);
			else if (e->exited)
				snprintf(end + strlen(end),
				    sizeof(end) - strlen(end), "%sexit %d",
				    end[0] ? ", " : "  ", e->status);
			fprintf(out, "  %-7s ppid %-7ld %s  (%lu call%s)%s%s\n",
			    k, e->ppid, e->note ? n2 : "?", e->count,
			    e->count == 1 ? "" : "s", lay, end);
			break;
		case T_DENIED:
			fprintf(out, "  %s%s%s  x%lu  pid %ld  rule %s%s%s\n",
			    C_RED(r), k, C_OFF(r), e->count, e->pid,
			    e->note ? n2 : "?", lay,
			    e->audit_only ? "  (--audit-only: it ran)" : "");
			if (e->hint != NULL)
				fprintf(out, "      to allow: %s\n",
				    esc(e->hint, k, sizeof(k)));
			break;
		case T_EXEC:
			fprintf(out, "  %s  x%lu%s%s%s\n", k, e->count,
			    e->note && e->note[0] ? "  e.g. " : "", n2, lay);
			break;
		case T_DISPUTED:
			fprintf(out, "  %s%s%s  x%lu  (the policy says %s)%s\n",
			    C_YELLOW(r), k, C_OFF(r), e->count,
			    e->note ? n2 : "?", lay);
			break;
		default:
			fprintf(out, "  %s  x%lu%s%s%s\n", k, e->count,
			    e->note ? "  at " : "", e->note ? n2 : "", lay);
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
		if (e->layers != 0) {
			json_t *l = json_array();
			unsigned i;

			for (i = 0; i < L_N; i++)
				if (e->layers & 1u << i)
					json_array_append_new(
					    l, json_string(layer_names[i]));
			json_object_set_new(o, "layers", l);
		}
		if (which == T_PROCS) {
			double span = seen_for(e);

			json_object_set_new(o, "ppid", json_integer(e->ppid));
			if (e->first != NULL)
				json_object_set_new(
				    o, "first_ts", jstr(e->first));
			if (e->last != NULL)
				json_object_set_new(
				    o, "last_ts", jstr(e->last));
			if (span >= 0)
				json_object_set_new(
				    o, "seen_for_s", json_real(span));
			if (e->exited && e->sig > 0)
				json_object_set_new(
				    o, "signal", json_integer(e->sig));
			else if (e->exited)
				json_object_set_new(
				    o, "exit_status", json_integer(e->status));
		}
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
		{
			json_t *bl = json_object();

			for (i = 0; i < L_N; i++)
				json_object_set_new(bl, layer_names[i],
				    json_integer((json_int_t)r->by_layer[i]));
			json_object_set_new(doc, "events_by_layer", bl);
		}
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
	    "%lu records in %lu lines: %lu events, %s%lu denied%s, "
	    "%s%lu disputed%s\n",
	    r->records, r->lines, r->events, r->denied ? C_RED(r) : "",
	    r->denied, r->denied ? C_OFF(r) : "",
	    r->disputed ? C_YELLOW(r) : "", r->disputed,
	    r->disputed ? C_OFF(r) : "");
	fprintf(out, "seen by:");
	for (i = 0; i < L_N; i++)
		fprintf(out, "%s %s %lu", i ? "," : "", layer_names[i],
		    r->by_layer[i]);
	fprintf(out, "\n");
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
		text_table(r, &r->t[t], t, out, all);
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

/* Whether A and B end in the same name (their last '/'-parts) */
static int
same_base(const char *a, const char *b)
{
	const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');

	return strcmp(sa != NULL ? sa + 1 : a, sb != NULL ? sb + 1 : b) == 0;
}

/*
 * Whether WORD is a name of the program at PATH on this machine: its own
 * last part, or a path (a bare word: in a system directory) that resolves
 * to what PATH resolves to ("python3" for /usr/bin/python3.11)
 */
static int
names(const char *word, const char *path)
{
	static const char *const dirs[] = { "/usr/local/bin", "/usr/bin",
		"/bin", "/usr/local/sbin", "/usr/sbin", "/sbin" };
	char a[PATH_MAX], b[PATH_MAX], p[PATH_MAX];
	size_t i;

	if (same_base(word, path))
		return 1;
	if (realpath(path, a) == NULL)
		return 0;
	if (strchr(word, '/') != NULL)
		return realpath(word, b) != NULL && strcmp(a, b) == 0;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (snprintf(p, sizeof(p), "%s/%s", dirs[i], word) <
			(int)sizeof(p) &&
		    realpath(p, b) != NULL && strcmp(a, b) == 0)
			return 1;
	return 0;
}

/*
 * An exec allow rule for the program at PATH, run by the word WORD (NULL
 * if unknown). An exec is judged three ways, each must be allowed: as
 * run (WORD), as found (PATH) and as it really is (PATH's target, a
 * symlink followed: python3 is python3.11), so the first word of the
 * pattern is each of those that differ. The target is read here, from
 * this machine's filesystem: where the log was recorded elsewhere it may
 * not be the run's.
 */
static void
exec_rule(FILE *out, const char *path, const char *word)
{
	const char *alt[3];
	char real[PATH_MAX];
	size_t n = 0, i, j, k;
	int ok = 1;

	alt[n++] = path;
	if (realpath(path, real) != NULL && strcmp(real, path) != 0)
		alt[n++] = real;
	if (word != NULL && word[0] != '\0') {
		for (j = 0; j < n && strcmp(alt[j], word) != 0; j++)
			;
		/* the word is the process's own choice: one that names
		 * another program (execve of ./tool as "sh") would allow
		 * that program everywhere with any arguments, so it is only
		 * taken when it is the program's own name */
		for (k = 0; j == n && k < n && !names(word, alt[k]); k++)
			;
		if (j == n && k == n)
			comment(out,
			    "!!! NOT SUGGESTED: an allow rule for the name it "
			    "was run by (any program so called, any "
			    "arguments): ",
			    word);
		else if (j == n)
			alt[n++] = word;
	}
	fprintf(
	    out, "[[agentwrap.exec.rules]]\npattern = [%s", n > 1 ? "[" : "");
	for (i = 0; i < n && ok; i++) {
		fputs(i ? ", " : "", out);
		ok = toml_str(out, alt[i]) == 0;
	}
	if (ok)
		fprintf(out, "%s]\ndecision = \"allow\"\n\n", n > 1 ? "]" : "");
	else
		fprintf(out, "# (not UTF-8)\n\n");
}

int
logrep_suggest(const struct logrep *r, FILE *out, const char *home)
{
	static struct strs roots, reads, domains, unixs, execs, loud, kept;
	const struct entry *e;
	const char *op, *rule, *obj;
	struct pol_decision dec;
	struct report_fix f;
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
		/* (OBJ is a path or a host: report_fix takes either) */
		if (fix_of(op, rule, obj, NULL, obj, e->audit_only, &dec, &f) ==
		    -1)
			f.kind = FIX_NONE;
		if ((f.kind == FIX_ROOT || f.kind == FIX_MODE_ROOT) &&
		    strcmp(op, "write") == 0) {
			if (f.kind == FIX_MODE_ROOT)
				mode_ws = 1;
			if ((d = strdup(f.dir)) == NULL)
				continue;
			if (!add(too_wide(d, home) ? &loud : &roots, d, obj))
				free(d);
		} else if (f.kind == FIX_PATH && strcmp(op, "read") == 0)
			add(&reads, obj, rule);
		else if ((f.kind == FIX_NETWORK || f.kind == FIX_DOMAIN) &&
		    (strcmp(op, "connect") == 0 ||
			strcmp(op, "resolve") == 0)) {
			network = 1;
			add(&domains, obj, op);
		} else if (f.kind == FIX_UNIX)
			add(&unixs, obj, rule);
		else if ((f.kind == FIX_EXEC || f.kind == FIX_EXEC_RULE) &&
		    e->audit_only)
			add(&execs, obj, e->note); /* and the word it ran by */
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
		for (i = 0; i < execs.n; i++)
			exec_rule(out, execs.v[i], execs.why[i]);
	}
	for (i = 0; i < roots.n; i++)
		free((char *)roots.v[i]);
	for (i = 0; i < loud.n; i++)
		free((char *)loud.v[i]);
	return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
