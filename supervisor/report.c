/*
 * report.c: denial lines, notes and the exit summary on agentwrap's stderr.
 *
 * Runs in the supervisor, on messages from the ring (hostile input). The
 * reason printed is what the supervisor's own policy_decide() says about the
 * request the shim reported, so a process cannot put words in agentwrap's
 * mouth; paths, argv and host names still come from the process, so each
 * line is escaped with strnvis(3) as a whole before it is written. Denials
 * are deduplicated by op and object; past a bound on remembered objects,
 * further new ones are counted but not printed (a flood cannot eat memory).
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include <unistd.h>
#include <vis.h>

#include "report.h"

#define REPORT_MAX_SEEN 1000
#define LINE_MAX_RAW 8192
#define OPS (OP_BIND + 1)

struct seen {
	UT_hash_handle hh;
	size_t len;
	char key[];
};

struct report {
	const struct policy *pol;
	struct dns *dns;
	int quiet;
	struct seen *seen;
	size_t nseen;
	int overflow_said;
	unsigned long denied[OPS];
	unsigned long would[OPS];
	unsigned long floor_denied; /* calls the kernel floor refused */
	unsigned long
	    disputed; /* events claiming what the policy does not say */
};

struct report *
report_new(const struct policy *pol, struct dns *dns, int quiet)
{
	struct report *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->pol = pol;
	r->dns = dns;
	r->quiet = quiet;
	return r;
}

void
report_free(struct report *r)
{
	struct seen *e, *tmp;

	if (r == NULL)
		return;
	HASH_ITER(hh, r->seen, e, tmp)
	{
		HASH_DEL(r->seen, e);
		free(e);
	}
	free(r);
}

/* Write LINE escaped, and a newline, in one write(2). */
static void
say(const char *line)
{
	size_t n = strlen(line), cap = 4 * n + 16, off = 0, len;
	char *vis;
	ssize_t w;

	if ((vis = malloc(cap)) == NULL)
		return;
	memcpy(vis, "agentwrap: ", 11);
	/* not VIS_SAFE: a raw \r or \b could draw over a prompt on the
	 * same terminal */
	strnvis(vis + 11, line, cap - 12,
	    VIS_OCTAL | VIS_NL | VIS_TAB | VIS_CSTYLE);
	len = strlen(vis);
	vis[len++] = '\n';
	while (off < len) {
		w = write(STDERR_FILENO, vis + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(vis);
}

static size_t append(char *buf, size_t cap, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static size_t
append(char *buf, size_t cap, size_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (off >= cap)
		return off;
	va_start(ap, fmt);
	n = vsnprintf(buf + off, cap - off, fmt, ap);
	va_end(ap);
	if (n < 0)
		return off;
	return (size_t)n >= cap - off ? cap - 1 : off + (size_t)n;
}

/* What the call was about: a path, a command line, a host. */
static void
object_text(const struct aw_msg *m, char *buf, size_t cap)
{
	const char *host = m->host ? m->host : m->addr;
	size_t off = 0, i;

	buf[0] = '\0';
	switch (m->op) {
	case OP_READ:
	case OP_WRITE:
	case OP_UNIX:
		off = append(buf, cap, off, "%s", m->path ? m->path : "?");
		if (m->path2 != NULL)
			append(buf, cap, off, " -> %s", m->path2);
		break;
	case OP_EXEC:
		if (m->argc == 0) {
			append(buf, cap, off, "%s", m->path ? m->path : "?");
			break;
		}
		for (i = 0; i < m->argc && off < 240; i++)
			off = append(
			    buf, cap, off, "%s%s", i ? " " : "", m->argv[i]);
		if (i < m->argc || (m->flags & AW_MF_ARGV_TRUNCATED))
			append(buf, cap, off, " ...");
		break;
	case OP_CONNECT:
	case OP_BIND:
	case OP_RESOLVE:
		if (host == NULL)
			host = "?";
		if (m->port >= 0 && m->op != OP_RESOLVE)
			append(buf, cap, off,
			    strchr(host, ':') ? "[%s]:%d" : "%s:%d", host,
			    m->port);
		else
			append(buf, cap, off, "%s", host);
		break;
	default:
		append(buf, cap, off, "?");
		break;
	}
}

/* Have we printed KIND + OBJ before? Remembers it if not (and if room). */
static int
seen_before(struct report *r, char kind, const char *obj)
{
	struct seen *e;
	size_t len = strlen(obj) + 2;
	char key[LINE_MAX_RAW];

	key[0] = kind;
	memcpy(key + 1, obj, len - 1);
	HASH_FIND(hh, r->seen, key, len, e);
	if (e != NULL)
		return 1;
	if (r->nseen >= REPORT_MAX_SEEN) {
		if (!r->overflow_said) {
			r->overflow_said = 1;
			say("too many different denials: further ones are "
			    "counted, not shown");
		}
		return 1;
	}
	if ((e = malloc(sizeof(*e) + len)) == NULL)
		return 0;
	e->len = len;
	memcpy(e->key, key, len);
	HASH_ADD_KEYPTR(hh, r->seen, e->key, e->len, e);
	r->nseen++;
	return 0;
}

void
report_request(const struct aw_msg *m, struct dns *dns, struct pol_request *req)
{
	memset(req, 0, sizeof(*req));
	req->op = (enum pol_op)m->op;
	req->flags = ((m->flags & AW_MF_NOFOLLOW) ? REQ_NOFOLLOW : 0) |
	    ((m->flags & AW_MF_ENTRY) ? REQ_ENTRY : 0) |
	    ((m->flags & AW_MF_UNCOVERED) ? REQ_UNCOVERED : 0);
	req->cwd = "/";
	req->path = m->path;
	req->path2 = m->path2;
	req->argv = m->argv;
	req->argc = m->argc;
	req->host = m->host ? m->host : m->addr;
	req->port = m->port;
	req->resolve = dns_cached_fn;
	req->resolve_ctx = dns;
	req->pinned = dns_pinned;
	req->pinned_ctx = dns;
}

static const char *
program(const struct aw_msg *m)
{
	const char *p;

	if (m->exe == NULL || m->exe[0] == '\0')
		return "?";
	p = strrchr(m->exe, '/');
	return p != NULL && p[1] != '\0' ? p + 1 : m->exe;
}

static void denial(struct report *r, const struct aw_msg *m,
    const struct pol_decision *given, const char *note);

/* What the shim's own refusal RULE means (preload/), or NULL */
static const char *
shim_refusal(const char *rule)
{
	if (strcmp(rule, "wordexp") == 0)
		return "wordexp runs command substitutions in a shell of its "
		       "own, past the shim: refused as under WRDE_NOCMD";
	if (strcmp(rule, "libc-connect") == 0)
		return "the call looks the host up and connects inside libc, "
		       "where what it reaches cannot be held to the names the "
		       "supervisor resolved: refused while the domain rules "
		       "judge names";
	return NULL;
}

void
report_denial(
    struct report *r, const struct aw_msg *m, const struct pol_decision *given)
{
	denial(r, m, given, NULL);
}

void
report_asked_denial(struct report *r, const struct aw_msg *m,
    const struct pol_decision *d, const char *note)
{
	denial(r, m, d, note);
}

void
report_line(struct report *r, const char *line)
{
	if (!r->quiet)
		say(line);
}

/*
 * NOTE: what settled a question that was asked; NULL for a call that
 * nothing asked about (the shim enforced an ask as a deny).
 */
static void
denial(struct report *r, const struct aw_msg *m,
    const struct pol_decision *given, const char *note)
{
	struct pol_request req;
	struct pol_decision own;
	const struct pol_decision *d = given;
	char obj[1024], hint[1024], line[LINE_MAX_RAW];
	const char *why;
	size_t off;

	if (m->op >= OPS)
		return;
	r->denied[m->op]++;
	if (r->quiet)
		return;
	object_text(m, obj, sizeof(obj));
	if (seen_before(r, (char)('0' + m->op), obj))
		return;
	report_request(m, r->dns, &req);
	if (d == NULL) {
		policy_decide(r->pol, &req, &own);
		d = &own;
	}
	off = append(line, sizeof(line), 0,
	    "denied %s %s (%s[%d]): ", policy_op_name(m->op), obj, program(m),
	    (int)m->pid);
	if (d->verdict == VERDICT_ALLOW && m->rule != NULL &&
	    (why = shim_refusal(m->rule)) != NULL) {
		/* not the policy's: a call the shim refuses for its own
		 * reasons (the policy would allow what it asks) */
		append(line, sizeof(line), off, "%s", why);
		say(line);
		return;
	}
	if (d->verdict == VERDICT_ALLOW) {
		/* the shim's snapshot and the supervisor disagree */
		append(line, sizeof(line), off,
		    "the policy snapshot in the "
		    "process denied it (%s), but the supervisor's policy "
		    "allows it now: %s",
		    m->rule ? m->rule : "no rule given", d->why);
		say(line);
		return;
	}
	off = append(line, sizeof(line), off, "%s", d->why);
	if (note != NULL)
		off = append(line, sizeof(line), off, "; %s", note);
	else if (d->verdict == VERDICT_ASK)
		off =
		    append(line, sizeof(line), off, "; %s", REPORT_NO_CHANNEL);
	report_hint(r->pol, &req, d, hint, sizeof(hint));
	if (hint[0] != '\0')
		append(line, sizeof(line), off, "; to allow: %s", hint);
	else if (strcmp(d->rule, "agentwrap-config") == 0)
		append(line, sizeof(line), off, "; no setting allows this");
	say(line);
}

void
report_disputed(struct report *r, const struct aw_msg *m)
{
	(void)m;
	r->disputed++;
}

void
report_would_deny(struct report *r, const struct aw_msg *m)
{
	if (m->op < OPS)
		r->would[m->op]++;
}

void
report_uncovered(struct report *r, const struct aw_msg *m)
{
	char line[LINE_MAX_RAW], obj[1024];
	const char *what = m->path ? m->path : m->argc > 0 ? m->argv[0] : "?";

	if (r->quiet)
		return;
	snprintf(obj, sizeof(obj), "%s", what);
	if (m->verdict == VERDICT_DENY && m->rule != NULL &&
	    strcmp(m->rule, AW_RULE_WATCH) == 0) {
		/* the watch could not be put on it: not run (exec.c) */
		snprintf(line, sizeof(line), "denied exec %s (%s[%d]): %s", obj,
		    program(m), (int)m->pid, m->why != NULL ? m->why : "?");
		say(line);
		return;
	}
	if (seen_before(r, 'u', obj))
		return;
	snprintf(line, sizeof(line),
	    "not covered: %s (run by %s[%d]) runs "
	    "without the shim, so its own calls are not checked (a static "
	    "binary, or one the shim cannot follow)",
	    obj, program(m), (int)m->pid);
	say(line);
}

void
report_floor(struct report *r, const struct aw_msg *m)
{
	char line[LINE_MAX_RAW], obj[256];

	r->floor_denied++;
	if (r->quiet)
		return;
	snprintf(obj, sizeof(obj), "%s", m->call != NULL ? m->call : "?");
	if (seen_before(r, 'f', obj))
		return;
	snprintf(line, sizeof(line),
	    "denied %s (%s[%d]): the kernel floor refuses it to every process "
	    "of the tree: %s",
	    obj, program(m), (int)m->pid, m->why != NULL ? m->why : "");
	say(line);
}

static void
summary(const char *lead, const unsigned long *counts, const char *verb)
{
	char line[512];
	unsigned long total = 0;
	size_t off;
	int i, first = 1;

	for (i = 0; i < OPS; i++)
		total += counts[i];
	if (total == 0)
		return;
	off = append(line, sizeof(line), 0, "%s%lu call%s %s (", lead, total,
	    total == 1 ? "" : "s", verb);
	for (i = 0; i < OPS; i++) {
		if (counts[i] == 0)
			continue;
		off = append(line, sizeof(line), off, "%s%lu %s",
		    first ? "" : ", ", counts[i], policy_op_name(i));
		first = 0;
	}
	append(line, sizeof(line), off, ")");
	say(line);
}

void
report_summary(struct report *r)
{
	if (r->quiet)
		return;
	summary("", r->denied, "denied");
	summary("--audit-only: ", r->would, "would have been denied");
	if (r->floor_denied > 0) {
		char line[128];

		snprintf(line, sizeof(line),
		    "%lu call%s refused by the kernel floor", r->floor_denied,
		    r->floor_denied == 1 ? "" : "s");
		say(line);
	}
	if (r->disputed > 0) {
		char line[256];

		snprintf(line, sizeof(line),
		    "%lu event%s claimed an allowed call the policy does not "
		    "allow (marked \"disputed\" in the audit log): a process "
		    "of the tree decided with something other than the policy",
		    r->disputed, r->disputed == 1 ? "" : "s");
		say(line);
	}
}

unsigned long
report_denied(const struct report *r)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < OPS; i++)
		n += r->denied[i] + r->would[i];
	return n;
}
