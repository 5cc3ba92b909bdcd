/*
 * approve.c: open questions, their answers, timeouts, dead askers and
 * session grants (approve.h says what and why).
 *
 * Runs in the supervisor, inside its one event loop: nothing here blocks.
 * A question keeps a private copy of the request (re-encoded from the
 * decoded ring message), so nothing points into the ring or into a buffer
 * that the next slot reuses. Answers come from a channel and are untrusted:
 * only an answer to an open question, with a decision we know, is applied.
 */
#include <err.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <vis.h>

#include "clock.h"
#include "approve.h"
#include "savegrants.h"

#define CHECK_GONE_MS 100 /* how often asking threads are looked at */
#define MAX_ERRORS_SAID 10 /* channel errors on stderr; all are logged */
#define RECENT_MAX 16 /* denials remembered, to answer repeats */
#define RECENT_MS 2000 /* for that long */
#define DEFERRED_MAX 256 /* on-failure: what a rerun may grant */

/*
 * A question just answered (once): the same process asking the same again
 * at once gets the same answer without a second question. Denials: a
 * shell trying each directory of $PATH (/usr/bin/x, then /bin/x, the same
 * file). Approvals: under --strict the seccomp watch sees the very call
 * the shim just had approved, and must not ask about it a second time.
 */
struct recent {
	int verdict; /* VERDICT_ALLOW or VERDICT_DENY */
	int32_t pid;
	char *key; /* what was asked, as bytes */
	size_t keylen;
	uint64_t at_ms;
	uint64_t id;
	char by[16];
};

struct pending {
	uint64_t id;
	int slot;
	int32_t pid; /* the slot's owner */
	uint8_t *raw; /* the request; m points into it */
	struct aw_msg m;
	struct pol_decision d;
	char *scope; /* NULL: no session answer possible */
	struct pol_grant grant[2]; /* what a session answer adds */
	int ngrant;
	uint64_t t0_ms, deadline_ms;
	int *result; /* approve_ask_wait(): the verdict */
	struct approve_waiter w; /* approve_ask_waiter(): w.answer set */
};

struct approvals {
	struct approve_setup set;
	struct pending *open[APPROVE_MAX_PENDING];
	int nopen;
	uint64_t last_id;
	const struct approve_channel *ch;
	void *ch_ctx;
	int down;
	char down_why[256];
	uint64_t last_check_ms;
	struct saved_grant *saved; /* every grant made, in order */
	size_t nsaved;
	unsigned errors;
	int snapshot_said;
	struct recent recent[RECENT_MAX];
	int nrecent;
	uint8_t *buf; /* an answer being encoded */
	struct pending *deferred[DEFERRED_MAX]; /* on-failure */
	int ndeferred;
	uint64_t rerun_id; /* the rerun question, if open */
	int rerun_result; /* -1 open, 0 no, 1 yes */
	const char *rerun_by;
};

size_t
approve_encode_answer(uint8_t *ans, size_t cap, const struct aw_msg *req,
    int verdict, int audit_only, const char *rule, const char *why,
    const char *const *words, size_t nwords)
{
	return approve_encode_answer_dns(ans, cap, req, verdict, audit_only,
	    rule, why, words, nwords, NULL, 0);
}

size_t
approve_encode_answer_dns(uint8_t *ans, size_t cap, const struct aw_msg *req,
    int verdict, int audit_only, const char *rule, const char *why,
    const char *const *words, size_t nwords, const uint8_t *dns, size_t dnslen)
{
	struct aw_msg a;
	size_t i;
	int n;

	memset(&a, 0, sizeof(a));
	a.type = req->type;
	a.op = req->op <= OP_BIND ? req->op : OP_READ;
	a.verdict = (uint8_t)verdict;
	a.layer = AW_LAYER_SUPERVISOR;
	a.flags = audit_only ? AW_MF_AUDIT_ONLY : 0;
	a.pid = (int32_t)getpid();
	a.port = -1;
	a.ts_ns = clock_realtime_ns();
	a.rule = rule;
	a.why = why;
	for (i = 0; i < nwords && i < AW_MSG_MAX_ARGV; i++)
		a.argv[i] = words[i];
	a.argc = (uint32_t)i;
	a.dns = dns;
	a.dns_len = dns != NULL ? dnslen : 0;
	n = msg_encode(ans, cap, &a);
	return n < 0 ? 0 : (size_t)n;
}

struct approvals *
approve_new(const struct approve_setup *set)
{
	struct approvals *ap;

	if ((ap = calloc(1, sizeof(*ap))) == NULL)
		return NULL;
	if ((ap->buf = malloc(AW_SLOT_DATA)) == NULL) {
		free(ap);
		return NULL;
	}
	ap->set = *set;
	return ap;
}

void
approve_set_channel(
    struct approvals *ap, const struct approve_channel *ch, void *ctx)
{
	ap->ch = ch;
	ap->ch_ctx = ctx;
}

static void
pending_free(struct pending *p)
{
	if (p == NULL)
		return;
	free(p->raw);
	free(p->scope);
	free(p);
}

void
approve_free(struct approvals *ap)
{
	size_t i;
	int k;

	if (ap == NULL)
		return;
	for (k = 0; k < ap->nopen; k++)
		pending_free(ap->open[k]);
	for (k = 0; k < ap->nrecent; k++)
		free(ap->recent[k].key);
	for (k = 0; k < ap->ndeferred; k++)
		pending_free(ap->deferred[k]);
	if (ap->ch != NULL && ap->ch->free != NULL)
		ap->ch->free(ap->ch_ctx);
	for (i = 0; i < ap->nsaved; i++)
		savegrants_clear(&ap->saved[i]);
	free(ap->saved);
	free(ap->buf);
	free(ap);
}

int
approve_open(const struct approvals *ap)
{
	return ap->nopen;
}

/* Quote one argv word for a scope text, JSON-like: "a \"b\"" */
static void
quote_word(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/*
 * One end of a write (or the read, unix...) that asks on its own: a grant
 * for it settles it. The other end of a rename may be fine already.
 */
static int
end_asks(struct approvals *ap, const struct aw_msg *m, const char *path)
{
	struct pol_request req;
	struct pol_decision d;

	report_request(m, ap->set.dns, &req);
	req.path = path;
	req.path2 = NULL;
	/* on-failure denies what it would ask: that end asks all the same */
	return policy_decide(ap->set.pol, &req, &d) == VERDICT_ASK ||
	    d.deferred;
}

/*
 * What a session answer to P would add (p->grant) and the sentence that
 * says so (p->scope): exactly the object asked about, never more.
 */
static void
make_scope(struct approvals *ap, struct pending *p)
{
	const struct aw_msg *m = &p->m;
	struct pol_grant *g = p->grant;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	p->ngrant = 0;
	memset(g, 0, sizeof(p->grant));
	switch (m->op) {
	case OP_READ:
	case OP_WRITE:
	case OP_UNIX:
		if (m->path != NULL &&
		    (m->path2 == NULL || end_asks(ap, m, m->path)))
			g[p->ngrant++].path = m->path;
		if (m->op == OP_WRITE && m->path2 != NULL &&
		    end_asks(ap, m, m->path2))
			g[p->ngrant++].path = m->path2;
		break;
	case OP_CONNECT:
	case OP_RESOLVE:
	case OP_BIND:
		if (m->host != NULL || m->addr != NULL)
			g[p->ngrant++].host = m->host ? m->host : m->addr;
		break;
	case OP_EXEC:
		if (m->argc == 0 || m->argv[0][0] == '\0')
			break;
		g[0].argv[0] = m->argv[0];
		g[0].argc = 1;
		if (m->argc >= 2) {
			g[0].argv[1] = m->argv[1];
			g[0].argc = 2;
		}
		g[0].exe =
		    m->path != NULL && m->path[0] == '/' ? m->path : NULL;
		p->ngrant = 1;
		break;
	}
	for (i = 0; i < p->ngrant; i++)
		g[i].op = m->op;
	if (p->ngrant == 0 || (f = open_memstream(&text, &len)) == NULL)
		return;
	switch (m->op) {
	case OP_READ:
	case OP_WRITE:
		fprintf(f, "%s: exactly the path%s %s", policy_op_name(m->op),
		    p->ngrant > 1 ? "s" : "", g[0].path);
		if (p->ngrant > 1)
			fprintf(f, " and %s", g[1].path);
		break;
	case OP_UNIX:
		fprintf(f, "unix: exactly the socket %s", g[0].path);
		break;
	case OP_CONNECT:
	case OP_RESOLVE:
		fprintf(f,
		    "network: exactly the host %s, any port (resolving "
		    "it, connecting to it and to the addresses it resolves "
		    "to)",
		    g[0].host);
		break;
	case OP_BIND:
		fprintf(f, "bind: exactly the address %s, any port", g[0].host);
		break;
	case OP_EXEC:
		fprintf(f, "exec: commands starting with [");
		for (i = 0; i < (int)g[0].argc; i++) {
			fprintf(f, "%s", i ? ", " : "");
			quote_word(f, g[0].argv[i]);
		}
		fprintf(f, "]");
		if (strchr(g[0].argv[0], '/') == NULL)
			fprintf(f,
			    " (%s as %s, or from /bin, /usr/bin, "
			    "/usr/local/bin, /sbin, /usr/sbin, "
			    "/usr/local/sbin)",
			    g[0].argv[0], g[0].exe ? g[0].exe : "found");
		else if (g[0].exe != NULL && strcmp(g[0].exe, g[0].argv[0]))
			fprintf(f, " (%s, that is %s)", g[0].argv[0], g[0].exe);
		break;
	}
	if (fclose(f) != 0) {
		free(text);
		text = NULL;
	}
	p->scope = text;
	if (p->scope == NULL)
		p->ngrant = 0;
}

static void
remove_open(struct approvals *ap, struct pending *p)
{
	int k;

	for (k = 0; k < ap->nopen; k++)
		if (ap->open[k] == p) {
			ap->open[k] = ap->open[--ap->nopen];
			ap->open[ap->nopen] = NULL;
			return;
		}
}

/*
 * Record and report an asked call that ends with VERDICT (allow or deny),
 * DECIDED_BY, RULE; NOTE says why a deny is one (NULL: the decision's own).
 */
static void
record(struct approvals *ap, const struct aw_msg *m,
    const struct pol_decision *d, int verdict, const char *rule,
    const char *decided_by, const char *note, uint64_t wait_ms, uint64_t id)
{
	if (ap->set.audit != NULL)
		audit_asked(ap->set.audit, m, verdict, 1, rule, decided_by,
		    wait_ms, id);
	if (verdict != VERDICT_ALLOW &&
	    strcmp(decided_by, DECIDED_WITHDRAWN) != 0)
		report_asked_denial(ap->set.report, m, d, note);
}

/*
 * Settle open question P with VERDICT: answer the waiting thread, record
 * and report, tell the channel (REASON, unless the channel answered it
 * itself) and forget P.
 */
/* The addresses an allowed resolution M hands out, into WORDS: how many */
static size_t
hand_out(struct approvals *ap, const struct aw_msg *m, int verdict,
    const char **words, size_t max)
{
	if (verdict != VERDICT_ALLOW || m->op != OP_RESOLVE ||
	    m->type != AW_MSG_RESOLVE || ap->set.hand_out == NULL)
		return 0;
	return ap->set.hand_out(ap->set.hand_ctx, m, words, max);
}

static void
settle(struct approvals *ap, struct pending *p, int verdict, const char *rule,
    const char *decided_by, const char *note, const char *reason)
{
	uint64_t wait = clock_mono_ms() - p->t0_ms;
	const char *words[DNS_MAX_ADDRS];
	size_t len, nw;

	/* out of the list first: telling the channel may find it down,
	 * and that settles whatever is still open */
	remove_open(ap, p);
	nw = hand_out(ap, &p->m, verdict, words, DNS_MAX_ADDRS);
	len = approve_encode_answer(ap->buf, AW_SLOT_DATA, &p->m, VERDICT_ASK,
	    0, p->d.rule, p->d.why, words, nw);
	if (p->slot >= 0)
		ring_answer(ap->set.ring, p->slot, verdict, ap->buf, len);
	if (p->w.answer != NULL)
		p->w.answer(p->w.ctx, p->w.key, verdict);
	if (p->result != NULL)
		*p->result = verdict;
	/* the channel first: a prompt on the terminal ends its line before
	 * the denial line goes to stderr */
	if (reason != NULL && ap->ch != NULL && !ap->down &&
	    ap->ch->withdraw != NULL)
		ap->ch->withdraw(ap->ch_ctx, p->id, reason);
	record(ap, &p->m, &p->d, verdict, rule, decided_by, note, wait, p->id);
	pending_free(p);
}

/* Settle at once, from the ring handler: the answer goes into ANS. */
static int
settle_now(struct approvals *ap, const struct aw_msg *m,
    const struct pol_decision *d, const char *by, uint64_t id, const char *note,
    uint8_t *ans, size_t anscap, size_t *anslen)
{
	record(ap, m, d, VERDICT_DENY, d->rule, by, note, 0, id);
	*anslen = approve_encode_answer(
	    ans, anscap, m, d->verdict, 0, d->rule, d->why, NULL, 0);
	return VERDICT_DENY;
}

/* What M asks about, as bytes (op, paths, host, argv), malloc'd */
static char *
request_key(const struct aw_msg *m, size_t *len)
{
	char *key = NULL;
	FILE *f;
	uint32_t i;

	*len = 0;
	if ((f = open_memstream(&key, len)) == NULL)
		return NULL;
	fprintf(f, "%u", (unsigned)m->op);
	fputc(0, f);
	fputs(m->path ? m->path : "", f);
	fputc(0, f);
	fputs(m->path2 ? m->path2 : "", f);
	fputc(0, f);
	fputs(m->host ? m->host : m->addr ? m->addr : "", f);
	/* an exec: the program is PATH; the first word is how it was named
	 * (the shim and the watch each say it their way) */
	for (i = m->op == OP_EXEC ? 1 : 0; i < m->argc; i++) {
		fputc(0, f);
		fputs(m->argv[i], f);
	}
	if (fclose(f) != 0) {
		free(key);
		return NULL;
	}
	return key;
}

/* The answer to repeat for M from PID, or NULL */
static const struct recent *
recent_answer(struct approvals *ap, const struct aw_msg *m, int32_t pid)
{
	uint64_t now = clock_mono_ms();
	char *key;
	size_t len;
	int k;

	if (ap->nrecent == 0 || (key = request_key(m, &len)) == NULL)
		return NULL;
	for (k = 0; k < ap->nrecent; k++) {
		const struct recent *r = &ap->recent[k];

		if (r->pid == pid && now - r->at_ms < RECENT_MS &&
		    r->keylen == len && memcmp(r->key, key, len) == 0) {
			free(key);
			return r;
		}
	}
	free(key);
	return NULL;
}

int
approve_just_allowed(
    struct approvals *ap, const struct aw_msg *m, int32_t owner)
{
	const struct recent *r = recent_answer(ap, m, owner);

	return r != NULL && r->verdict == VERDICT_ALLOW;
}

static void
remember(
    struct approvals *ap, const struct pending *p, const char *by, int verdict)
{
	struct recent *r;
	char *key;
	size_t len;
	int k, oldest = 0;

	if ((key = request_key(&p->m, &len)) == NULL)
		return;
	if (ap->nrecent < RECENT_MAX)
		k = ap->nrecent++;
	else {
		for (k = 1; k < RECENT_MAX; k++)
			if (ap->recent[k].at_ms < ap->recent[oldest].at_ms)
				oldest = k;
		k = oldest;
		free(ap->recent[k].key);
	}
	r = &ap->recent[k];
	r->verdict = verdict;
	r->pid = p->pid;
	r->key = key;
	r->keylen = len;
	r->at_ms = clock_mono_ms();
	r->id = p->id;
	snprintf(r->by, sizeof(r->by), "%s", by);
}

static int ask(struct approvals *ap, const struct aw_msg *m,
    const struct pol_decision *d, int slot, int32_t owner,
    const struct approve_waiter *w, uint8_t *ans, size_t anscap,
    size_t *anslen);

int
approve_ask(struct approvals *ap, const struct aw_msg *m,
    const struct pol_decision *d, int slot, int32_t owner, uint8_t *ans,
    size_t anscap, size_t *anslen)
{
	return ask(ap, m, d, slot, owner, NULL, ans, anscap, anslen);
}

int
approve_ask_waiter(struct approvals *ap, const struct aw_msg *m,
    const struct pol_decision *d, const struct approve_waiter *w)
{
	uint8_t ans[512];
	size_t anslen;

	return ask(ap, m, d, -1, m->pid, w, ans, sizeof(ans), &anslen);
}

static int
ask(struct approvals *ap, const struct aw_msg *m, const struct pol_decision *d,
    int slot, int32_t owner, const struct approve_waiter *w, uint8_t *ans,
    size_t anscap, size_t *anslen)
{
	struct approve_question q;
	struct pending *p;
	char note[320];
	int n;

	const struct recent *r;

	if (ap->ch == NULL)
		return settle_now(ap, m, d, DECIDED_NO_CHANNEL, 0,
		    REPORT_NO_CHANNEL, ans, anscap, anslen);
	if (ap->down) {
		snprintf(note, sizeof(note),
		    "the approval %s is gone (%s), so "
		    "it is denied",
		    ap->ch->name, ap->down_why);
		return settle_now(
		    ap, m, d, DECIDED_NO_CHANNEL, 0, note, ans, anscap, anslen);
	}
	if ((r = recent_answer(ap, m, owner)) != NULL &&
	    r->verdict == VERDICT_ALLOW) {
		const char *words[DNS_MAX_ADDRS];
		size_t nw =
		    hand_out(ap, m, VERDICT_ALLOW, words, DNS_MAX_ADDRS);

		/* the same call, approved a moment ago (seen by both layers) */
		record(ap, m, d, VERDICT_ALLOW, d->rule, r->by, NULL, 0, r->id);
		*anslen = approve_encode_answer(
		    ans, anscap, m, d->verdict, 0, d->rule, d->why, words, nw);
		return VERDICT_ALLOW;
	}
	if (r != NULL) {
		snprintf(note, sizeof(note),
		    "the %s denied the same request "
		    "(approval request %llu) a moment ago",
		    r->by, (unsigned long long)r->id);
		return settle_now(
		    ap, m, d, r->by, r->id, note, ans, anscap, anslen);
	}
	if (ap->nopen >= APPROVE_MAX_PENDING) {
		snprintf(note, sizeof(note),
		    "%d questions are open already, "
		    "so it is denied without asking",
		    ap->nopen);
		return settle_now(
		    ap, m, d, DECIDED_NO_CHANNEL, 0, note, ans, anscap, anslen);
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->raw = malloc(AW_SLOT_DATA)) == NULL ||
	    (n = msg_encode(p->raw, AW_SLOT_DATA, m)) < 0 ||
	    msg_decode(p->raw, (size_t)n, &p->m) == -1) {
		pending_free(p);
		return settle_now(ap, m, d, DECIDED_NO_CHANNEL, 0,
		    "out of memory, so it is denied", ans, anscap, anslen);
	}
	p->id = ++ap->last_id;
	p->slot = slot;
	p->pid = owner;
	if (w != NULL)
		p->w = *w;
	p->d = *d;
	p->t0_ms = clock_mono_ms();
	p->deadline_ms = p->t0_ms + (uint64_t)ap->set.timeout_s * 1000;
	make_scope(ap, p);

	memset(&q, 0, sizeof(q));
	q.id = p->id;
	q.m = &p->m;
	q.reason = p->d.why;
	q.rule = p->d.rule;
	q.scope = p->scope;
	q.timeout_s = ap->set.timeout_s;
	if (ap->ch->ask(ap->ch_ctx, &q) == -1) {
		snprintf(note, sizeof(note),
		    "the approval %s is gone, so it is "
		    "denied",
		    ap->ch->name);
		pending_free(p);
		n = settle_now(
		    ap, m, d, DECIDED_NO_CHANNEL, 0, note, ans, anscap, anslen);
		approve_channel_down(ap, "it does not take questions");
		return n;
	}
	ap->open[ap->nopen++] = p;
	return RING_DEFER;
}

int
approve_ask_wait(
    struct approvals *ap, const struct aw_msg *m, const struct pol_decision *d)
{
	struct pollfd pfd;
	uint8_t ans[512];
	size_t anslen;
	int v, result = -1, next;

	v = approve_ask(ap, m, d, -1, 0, ans, sizeof(ans), &anslen);
	if (v != RING_DEFER)
		return v;
	/* the question just made is the last one in the list */
	ap->open[ap->nopen - 1]->result = &result;
	while (result == -1 && ap->nopen > 0) {
		pfd.fd = approve_pollfd(ap, &pfd.events);
		next = approve_next_ms(ap);
		if (poll(&pfd, pfd.fd >= 0 ? 1 : 0, next) > 0 && pfd.revents)
			approve_ready(ap, pfd.revents);
		approve_tick(ap);
	}
	return result == VERDICT_ALLOW ? VERDICT_ALLOW : VERDICT_DENY;
}

static struct pending *
find_open(struct approvals *ap, uint64_t id)
{
	int k;

	for (k = 0; k < ap->nopen; k++)
		if (ap->open[k]->id == id)
			return ap->open[k];
	return NULL;
}

/* The grants changed: every shim gets the new policy. */
static void
publish(struct approvals *ap)
{
	uint8_t *buf;
	size_t len;

	/* before the ring exists: the first snapshot will hold the grants */
	if (ap->set.ring->ring == NULL)
		return;
	if (snapshot_write(ap->set.pol, &buf, &len) == -1) {
		warnx("cannot write the policy snapshot for the session "
		      "grants");
		return;
	}
	if (ring_publish_snapshot(ap->set.ring, buf, len) == 0 &&
	    !ap->snapshot_said) {
		/* still right: the shims ask, and we apply the grants */
		ap->snapshot_said = 1;
		warnx("the policy with its session grants is too large to "
		      "share (%zu bytes); processes will ask agentwrap instead",
		    len);
	}
	free(buf);
}

/*
 * A grant was made by question ID: settle every other open question that
 * the policy no longer asks about.
 */
static void
redecide_open(struct approvals *ap, uint64_t id)
{
	struct pol_request req;
	struct pol_decision d;
	struct pending *p;
	char note[128];
	int k;

	for (k = 0; k < ap->nopen;) {
		p = ap->open[k];
		report_request(&p->m, ap->set.dns, &req);
		if (policy_decide(ap->set.pol, &req, &d) == VERDICT_ASK) {
			k++;
			continue;
		}
		snprintf(note, sizeof(note),
		    "denied for this session by the "
		    "answer to approval request %llu",
		    (unsigned long long)id);
		/* settle() removes p from the list: look at slot k again */
		settle(ap, p, d.verdict, d.rule,
		    strcmp(d.rule, POL_GRANT_RULE) == 0 ? DECIDED_GRANT
							: DECIDED_RULE,
		    note, DECIDED_GRANT);
	}
}

/* Add P's grants (ALLOW or deny) from its answer; how many were added. */
static int
grant(struct approvals *ap, struct pending *p, int allow)
{
	struct saved_grant *ns;
	struct pol_grant g;
	const struct pol_grant *stored;
	char label[128];
	int i, added = 0;

	snprintf(label, sizeof(label), "approval request %llu, %s",
	    (unsigned long long)p->id, ap->ch ? ap->ch->name : "?");
	for (i = 0; i < p->ngrant; i++) {
		g = p->grant[i];
		g.allow = allow;
		g.label = label;
		if (policy_add_grant(ap->set.pol, &g) == -1) {
			warnx(
			    "cannot add a session grant (at most %d): approval "
			    "request %llu counts once",
			    POL_MAX_GRANTS, (unsigned long long)p->id);
			break;
		}
		stored = policy_grant_at(
		    ap->set.pol, policy_ngrants(ap->set.pol) - 1);
		if (ap->set.audit != NULL)
			audit_grant(ap->set.audit, p->id, stored, p->scope,
			    ap->ch ? ap->ch->name : NULL);
		if ((ns = reallocarray(
			 ap->saved, ap->nsaved + 1, sizeof(*ns))) != NULL) {
			ap->saved = ns;
			if (savegrants_fill(&ap->saved[ap->nsaved], stored,
				p->id, p->scope, ap->ch ? ap->ch->name : "?",
				&p->d) == 0)
				ap->nsaved++;
		}
		added++;
	}
	return added;
}

void
approve_answer(struct approvals *ap, uint64_t id, enum approve_decision dec)
{
	struct pending *p;
	char why[160];
	int allow, session, added = 0;

	if ((p = find_open(ap, id)) == NULL) {
		if (id == 0 || id > ap->last_id)
			snprintf(why, sizeof(why),
			    "an answer to approval "
			    "request %llu, which was never asked; ignored",
			    (unsigned long long)id);
		else
			snprintf(why, sizeof(why),
			    "an answer to approval "
			    "request %llu, which is no longer open (answered, "
			    "timed out or withdrawn); ignored",
			    (unsigned long long)id);
		approve_channel_error(ap, why, NULL, 0);
		return;
	}
	allow = dec == APPROVE_ALLOW || dec == APPROVE_ALLOW_SESSION;
	session = dec == APPROVE_ALLOW_SESSION || dec == APPROVE_DENY_SESSION;
	/* the grant is published before the asker wakes up and goes on */
	if (session && p->ngrant > 0 && (added = grant(ap, p, allow)) > 0)
		publish(ap);
	snprintf(why, sizeof(why), "the %s denied it%s", ap->ch->name,
	    session ? " for this session" : "");
	id = p->id;
	if (dec == APPROVE_DENY || dec == APPROVE_ALLOW)
		remember(ap, p, ap->ch->name,
		    dec == APPROVE_ALLOW ? VERDICT_ALLOW : VERDICT_DENY);
	settle(ap, p, allow ? VERDICT_ALLOW : VERDICT_DENY, p->d.rule,
	    ap->ch->name, allow ? NULL : why, NULL);
	if (added > 0)
		redecide_open(ap, id);
}

void
approve_channel_error(
    struct approvals *ap, const char *why, const void *line, size_t len)
{
	const char *name = ap->ch ? ap->ch->name : "channel";
	char *v;

	if (ap->set.audit != NULL)
		audit_approval_error(ap->set.audit, name, why, line, len);
	if (++ap->errors > MAX_ERRORS_SAID)
		return;
	if (stravis(&v, why, VIS_OCTAL | VIS_NL | VIS_TAB | VIS_CSTYLE) == -1)
		v = NULL;
	warnx("approval %s: %s%s", name, v ? v : "?",
	    ap->errors == MAX_ERRORS_SAID ? " (further ones go to the audit "
					    "log only)"
					  : "");
	free(v);
}

void
approve_channel_down(struct approvals *ap, const char *why)
{
	char note[400];

	if (ap->down)
		return;
	ap->down = 1;
	snprintf(ap->down_why, sizeof(ap->down_why), "%s", why);
	approve_channel_error(ap, why, NULL, 0);
	if (ap->ch != NULL)
		warnx("the approval %s is gone: every question from now on is "
		      "denied",
		    ap->ch->name);
	snprintf(note, sizeof(note),
	    "the approval %s is gone (%s), so it is "
	    "denied",
	    ap->ch ? ap->ch->name : "channel", why);
	while (ap->nopen > 0)
		settle(ap, ap->open[0], VERDICT_DENY, ap->open[0]->d.rule,
		    DECIDED_NO_CHANNEL, note, NULL);
}

void
approve_tick(struct approvals *ap)
{
	uint64_t now;
	char note[128];
	int k, check;

	if (ap->nopen == 0)
		return;
	now = clock_mono_ms();
	check = now - ap->last_check_ms >= CHECK_GONE_MS;
	if (check)
		ap->last_check_ms = now;
	snprintf(note, sizeof(note),
	    "nobody answered within approval_timeout "
	    "= %d s, so it is denied",
	    ap->set.timeout_s);
	for (k = 0; k < ap->nopen;) {
		struct pending *p = ap->open[k];

		if (now >= p->deadline_ms)
			settle(ap, p, VERDICT_DENY, p->d.rule, DECIDED_TIMEOUT,
			    note, "timeout");
		else if (check &&
		    (p->w.answer != NULL
			    ? !p->w.pending(p->w.ctx, p->w.key)
			    : ring_deferred_gone(ap->set.ring, p->slot)))
			settle(ap, p, VERDICT_DENY, p->d.rule,
			    DECIDED_WITHDRAWN, NULL, "withdrawn");
		else
			k++;
	}
}

int
approve_next_ms(const struct approvals *ap)
{
	uint64_t now, next = CHECK_GONE_MS;
	int k;

	if (ap->nopen == 0)
		return -1;
	now = clock_mono_ms();
	for (k = 0; k < ap->nopen; k++) {
		if (ap->open[k]->deadline_ms <= now)
			return 0;
		if (ap->open[k]->deadline_ms - now < next)
			next = ap->open[k]->deadline_ms - now;
	}
	return (int)next;
}

int
approve_pollfd(struct approvals *ap, short *events)
{
	*events = 0;
	if (ap->ch == NULL || ap->down || ap->ch->pollfd == NULL)
		return -1;
	return ap->ch->pollfd(ap->ch_ctx, events);
}

void
approve_ready(struct approvals *ap, short revents)
{
	if (ap->ch != NULL && !ap->down && ap->ch->ready != NULL)
		ap->ch->ready(ap->ch_ctx, revents);
}

void
approve_drop_pid(struct approvals *ap, int32_t pid)
{
	int k;

	for (k = 0; k < ap->nopen;)
		if (ap->open[k]->pid == pid)
			settle(ap, ap->open[k], VERDICT_DENY,
			    ap->open[k]->d.rule, DECIDED_WITHDRAWN, NULL,
			    "withdrawn");
		else
			k++;
}

int
approve_finish(struct approvals *ap)
{
	char line[2048], err[512];
	size_t i;
	int r = 0;

	while (ap->nopen > 0)
		settle(ap, ap->open[0], VERDICT_DENY, ap->open[0]->d.rule,
		    DECIDED_WITHDRAWN, NULL, "withdrawn");
	for (i = 0; i < ap->nsaved; i++) {
		snprintf(line, sizeof(line),
		    "session grant: %s %s "
		    "(approval request %llu, %s)",
		    ap->saved[i].allow ? "allow" : "deny", ap->saved[i].scope,
		    (unsigned long long)ap->saved[i].id, ap->saved[i].by);
		report_line(ap->set.report, line);
	}
	if (ap->set.save_grants != NULL && ap->nsaved > 0) {
		if (savegrants_append(ap->set.save_grants, ap->saved,
			ap->nsaved, ap->set.argv, err, sizeof(err)) == -1) {
			warnx("--save-grants %s", err);
			r = -1;
		} else {
			snprintf(line, sizeof(line),
			    "%zu session grant%s "
			    "appended to %s",
			    ap->nsaved, ap->nsaved == 1 ? "" : "s",
			    ap->set.save_grants);
			report_line(ap->set.report, line);
		}
	}
	return r;
}

/* --- approval_policy = on-failure: a rerun with the denials granted --- */

void
approve_note_deferred(
    struct approvals *ap, const struct aw_msg *m, const struct pol_decision *d)
{
	struct pending *p;
	int n, k;

	if (ap->ndeferred >= DEFERRED_MAX || m->op > OP_BIND)
		return;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->raw = malloc(AW_SLOT_DATA)) == NULL ||
	    (n = msg_encode(p->raw, AW_SLOT_DATA, m)) < 0 ||
	    msg_decode(p->raw, (size_t)n, &p->m) == -1) {
		pending_free(p);
		return;
	}
	p->slot = -1;
	p->d = *d; /* which setting its grant goes to (--save-grants) */
	make_scope(ap, p);
	/* once each: a shell trying each directory of $PATH asks twice */
	for (k = 0; k < ap->ndeferred && p->ngrant > 0; k++)
		if (ap->deferred[k]->m.op == p->m.op &&
		    strcmp(ap->deferred[k]->scope, p->scope) == 0)
			break;
	if (p->ngrant == 0 || k < ap->ndeferred) {
		pending_free(p);
		return;
	}
	ap->deferred[ap->ndeferred++] = p;
}

/* The group of an op in the list of denials: 0 paths, 1 hosts, 2 commands */
static int
op_group(int op)
{
	return op == OP_EXEC					    ? 2
	    : op == OP_CONNECT || op == OP_RESOLVE || op == OP_BIND ? 1
								    : 0;
}

const char *
approve_rerun_by(const struct approvals *ap)
{
	return ap->rerun_by != NULL ? ap->rerun_by : "?";
}

void
approve_rerun_answer(struct approvals *ap, uint64_t id, int allow)
{
	char why[160];

	if (ap->rerun_id == 0 || id != ap->rerun_id || ap->rerun_result != -1) {
		snprintf(why, sizeof(why),
		    "an answer to rerun request %llu, "
		    "which is not open; ignored",
		    (unsigned long long)id);
		approve_channel_error(ap, why, NULL, 0);
		return;
	}
	ap->rerun_result = allow ? 1 : 0;
}

int
approve_rerun_ask(struct approvals *ap)
{
	static const char *const group[] = { "paths", "hosts", "commands" };
	const char *scopes[DEFERRED_MAX];
	char line[2048];
	struct pollfd pfd;
	uint64_t deadline, now;
	size_t n = 0;
	int g, k, added = 0;

	if (ap->ndeferred == 0)
		return 0;
	snprintf(line, sizeof(line),
	    "the command failed; approval_policy = "
	    "on-failure denied %d request%s that a rerun could grant:",
	    ap->ndeferred, ap->ndeferred == 1 ? "" : "s");
	report_line(ap->set.report, line);
	/* grouped: paths, hosts, commands; the question lists them so too */
	for (g = 0; g < 3; g++)
		for (k = 0; k < ap->ndeferred; k++) {
			if (op_group(ap->deferred[k]->m.op) != g)
				continue;
			snprintf(line, sizeof(line), "  %s: %s", group[g],
			    ap->deferred[k]->scope);
			report_line(ap->set.report, line);
			scopes[n++] = ap->deferred[k]->scope;
		}
	if (ap->ch == NULL || ap->down || ap->ch->ask_rerun == NULL) {
		report_line(ap->set.report,
		    "nothing can approve a rerun in "
		    "this run (no terminal, no --approval-socket or "
		    "--approval-fd), so the command is not run again");
		return 0;
	}
	ap->rerun_id = ++ap->last_id;
	ap->rerun_result = -1;
	if (ap->ch->ask_rerun(
		ap->ch_ctx, ap->rerun_id, scopes, n, ap->set.timeout_s) == -1) {
		approve_channel_down(ap, "it does not take questions");
		ap->rerun_id = 0;
		return 0;
	}
	deadline = clock_mono_ms() + (uint64_t)ap->set.timeout_s * 1000;
	while (ap->rerun_result == -1 && !ap->down &&
	    (now = clock_mono_ms()) < deadline) {
		pfd.fd = approve_pollfd(ap, &pfd.events);
		pfd.revents = 0;
		if (poll(&pfd, pfd.fd >= 0 ? 1 : 0, (int)(deadline - now)) >
			0 &&
		    pfd.revents)
			approve_ready(ap, pfd.revents);
	}
	if (ap->rerun_result == -1) {
		if (!ap->down && ap->ch->withdraw != NULL)
			ap->ch->withdraw(ap->ch_ctx, ap->rerun_id, "timeout");
		snprintf(line, sizeof(line),
		    "nobody said within "
		    "approval_timeout = %d s whether to run the command again, "
		    "so it is not",
		    ap->set.timeout_s);
		report_line(ap->set.report, line);
		ap->rerun_id = 0;
		return 0;
	}
	if (ap->rerun_result == 0) {
		snprintf(line, sizeof(line),
		    "the %s said no: the command is "
		    "not run again",
		    ap->ch->name);
		report_line(ap->set.report, line);
		ap->rerun_id = 0;
		return 0;
	}
	for (k = 0; k < ap->ndeferred; k++) {
		ap->deferred[k]->id = ap->rerun_id;
		added += grant(ap, ap->deferred[k], 1);
	}
	if (added > 0)
		publish(ap);
	ap->rerun_by = ap->ch->name;
	snprintf(line, sizeof(line),
	    "the %s said yes: running the command "
	    "again with %d grant%s",
	    ap->ch->name, added, added == 1 ? "" : "s");
	report_line(ap->set.report, line);
	ap->rerun_id = 0;
	return 1;
}
