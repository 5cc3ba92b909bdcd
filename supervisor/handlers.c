/*
 * handlers.c: what the supervisor does with each request: the ring's
 * messages (events, questions, resolutions, pings), the seccomp watch's
 * notifications once they are requests, and the floor's refusals. Each is
 * decided with the supervisor's own policy, recorded and reported here;
 * questions go to approve.c. The event loop and the command's start are in
 * run.c, the watch's reading of a notification in watch.c.
 *
 * Runs in the supervisor. Everything that comes through the ring is
 * hostile input: ring_serve() hands us private copies, msg_decode() checks
 * their form, and each handler re-checks their meaning (an op that does
 * not fit the message type is malformed). A malformed request is denied
 * and recorded, never fatal.
 */
#include <err.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vis.h>

#include "approve.h"
#include "audit.h"
#include "clock.h"
#include "dns.h"
#include "dnsmsg.h"
#include "floor.h"
#include "msg.h"
#include "proc.h"
#include "report.h"
#include "ring.h"
#include "run_int.h"
#include "watch.h"

/* snprintf() into ERR with untrusted or user-given text S escaped */
void
run_say_vis(char *err, size_t errlen, const char *fmt, const char *s,
    const char *detail)
{
	char *v;

	if (stravis(&v, s, VIS_OCTAL | VIS_NL | VIS_TAB | VIS_CSTYLE) == -1)
		v = NULL;
	snprintf(err, errlen, fmt, v ? v : "?", detail);
	free(v);
}

/* warnx() with untrusted or user-given text escaped */
void
run_warn_vis(const char *fmt, const char *s, const char *detail)
{
	char msg[4 * PATH_MAX + 512];

	run_say_vis(msg, sizeof(msg), fmt, s, detail);
	warnx("%s", msg);
}

/* --- messages --- */

/* Encode an answer into ANS; its length (0 if it does not fit). */
#define answer approve_encode_answer

static int
malformed(struct run *st, int32_t owner, size_t len, const char *why,
    uint8_t *ans, size_t anscap, size_t *anslen)
{
	struct aw_msg req;
	char pid[32];

	st->malformed++;
	if (st->audit != NULL)
		audit_malformed(st->audit, owner, len, why);
	if (st->malformed == 1 && !st->o->quiet) {
		snprintf(pid, sizeof(pid), "%d", (int)owner);
		run_warn_vis("malformed message from pid %s on the ring (%s); "
			     "denied",
		    pid, why);
	}
	if (ans != NULL) {
		memset(&req, 0, sizeof(req));
		req.type = AW_MSG_ASK;
		*anslen = answer(ans, anscap, &req, VERDICT_DENY, 0, "protocol",
		    "malformed request", NULL, 0);
	}
	return VERDICT_DENY;
}

/*
 * approval_policy = on-failure: a denied request that the policy would have
 * asked about is remembered for a rerun. D is the decision if known.
 */
static void
note_deferred(
    struct run *st, const struct aw_msg *m, const struct pol_decision *d)
{
	struct pol_request req;
	struct pol_decision own;

	if (st->o->audit_only ||
	    st->o->cfg->s[CFG_APPROVAL_POLICY].val != APPROVAL_ON_FAILURE ||
	    m->op > OP_BIND)
		return;
	if (d == NULL) {
		report_request(m, st->dns, &req);
		policy_decide(st->o->pol, &req, &own);
		d = &own;
	}
	if (d->verdict == VERDICT_DENY && d->deferred)
		approve_note_deferred(st->ap, m, d);
}

/* Record and report a call the supervisor did not decide itself. */
/*
 * Does M claim a call was allowed that the supervisor's own policy does
 * not allow (D)? An event is what a process of the tree says happened;
 * the record says when the policy says otherwise. Only that way: the shim
 * refuses some calls the policy would allow (wordexp's shell, the libc
 * functions that connect past it), and a refusal hides nothing.
 */
static int
disputed(struct run *st, const struct aw_msg *m, struct pol_decision *d)
{
	struct pol_request req;

	/* (only the tree posts events: whatever layer one names) */
	if (m->op > OP_BIND || m->verdict != VERDICT_ALLOW)
		return 0;
	report_request(m, st->dns, &req);
	policy_decide(st->o->pol, &req, d);
	if (d->verdict == VERDICT_ALLOW)
		return 0;
	/* decided after the call, a write is judged against what it made:
	 * the rules that look at the filesystem (the protected entries of
	 * .git and agentwrap's own files, what existed at the start) may
	 * deny now what they allowed then. Only the rules of paths alone
	 * count for a write. */
	if (m->op == OP_WRITE &&
	    strcmp(d->rule, "sandbox_workspace_write.writable_roots") != 0 &&
	    strncmp(d->rule, "sandbox_mode", 12) != 0 &&
	    strncmp(d->rule, "agentwrap.filesystem.paths", 26) != 0)
		return 0;
	return 1;
}

static int
h_event(struct run *st, struct aw_msg *m, uint8_t *ans, size_t anscap,
    size_t *anslen)
{
	struct pol_decision d;

	(void)ans;
	(void)anscap;
	(void)anslen;
	if (st->o->audit_only)
		m->flags |= AW_MF_AUDIT_ONLY;
	if (disputed(st, m, &d)) {
		report_disputed(st->report, m);
		if (st->audit != NULL)
			audit_event_disputed(st->audit, m, d.verdict, d.rule);
	} else if (st->audit != NULL)
		audit_event(st->audit, m);
	if (m->op == AW_OP_UNCOVERED)
		report_uncovered(st->report, m);
	else if (m->verdict != VERDICT_ALLOW && m->op <= OP_BIND) {
		if (m->flags & AW_MF_AUDIT_ONLY)
			report_would_deny(st->report, m);
		else {
			report_denial(st->report, m, NULL);
			note_deferred(st, m, NULL);
		}
	}
	return VERDICT_ALLOW;
}

/* Record the supervisor's decision D on M, and report it if it denies. */
void
run_record(struct run *st, const struct aw_msg *m, const struct pol_decision *d)
{
	struct aw_msg rec = *m;

	rec.verdict = (uint8_t)d->verdict;
	rec.rule = d->rule;
	rec.why = NULL;
	if (rec.layer != AW_LAYER_PROXY)
		rec.layer = AW_LAYER_SUPERVISOR;
	if (st->o->audit_only)
		rec.flags |= AW_MF_AUDIT_ONLY;
	if (st->audit != NULL)
		audit_event(st->audit, &rec);
	if (d->verdict == VERDICT_ALLOW)
		return;
	if (st->o->audit_only)
		report_would_deny(st->report, &rec);
	else {
		report_denial(st->report, &rec, d);
		note_deferred(st, m, d);
	}
}

/*
 * The verdict a client must enforce: nothing under --audit-only; an ask
 * that reaches this point is a deny (what can be asked goes to approve.c).
 */
int
run_enforce(const struct run *st, enum pol_verdict v)
{
	if (st->o->audit_only || v == VERDICT_ALLOW)
		return VERDICT_ALLOW;
	return VERDICT_DENY;
}

static void decided(
    struct run *st, const struct aw_msg *m, const struct pol_decision *d);
static int resolve_request(struct run *st, struct aw_msg *m, int slot,
    int32_t owner, uint8_t *ans, size_t anscap, size_t *anslen);
static void proxy_judge(struct run *st, struct aw_msg *m, uint64_t id);

/* Decide a request with the supervisor's policy (its answer wins). */
static int
h_ask(struct run *st, struct aw_msg *m, uint8_t *ans, size_t anscap,
    size_t *anslen)
{
	struct pol_request req;
	struct pol_decision d;

	if (m->op > OP_BIND)
		return malformed(st, m->pid, 0,
		    "ask for an op that is not a "
		    "request",
		    ans, anscap, anslen);
	/* a name (res_query and friends): looked up by us, never in line */
	if (m->op == OP_RESOLVE)
		return resolve_request(st, m, ring_serving_slot(&st->ring),
		    st->owner, ans, anscap, anslen);
	report_request(m, st->dns, &req);
	policy_decide(st->o->pol, &req, &d);
	/* an ask is a question, unless nothing is enforced */
	if (d.verdict == VERDICT_ASK && !st->o->audit_only)
		return approve_ask(st->ap, m, &d, ring_serving_slot(&st->ring),
		    st->owner, ans, anscap, anslen);
	decided(st, m, &d);
	*anslen = answer(ans, anscap, m, d.verdict, st->o->audit_only, d.rule,
	    d.why, NULL, 0);
	return run_enforce(st, d.verdict);
}

/* The policy decided M without asking (D: a grant, or a rule): record
 * it, and report it if it is not allowed */
static void
decided(struct run *st, const struct aw_msg *m, const struct pol_decision *d)
{
	struct aw_msg rec;

	if (st->audit != NULL) {
		rec = *m;
		if (st->o->audit_only)
			rec.flags |= AW_MF_AUDIT_ONLY;
		audit_asked(st->audit, &rec, run_enforce(st, d->verdict),
		    d->verdict == VERDICT_ASK, d->rule,
		    strcmp(d->rule, POL_GRANT_RULE) == 0 ? DECIDED_GRANT
							 : DECIDED_RULE,
		    0, 0);
	}
	if (d->verdict != VERDICT_ALLOW) {
		rec = *m;
		rec.verdict = (uint8_t)d->verdict;
		if (rec.layer != AW_LAYER_SECCOMP &&
		    rec.layer != AW_LAYER_PROXY)
			rec.layer = AW_LAYER_SUPERVISOR;
		if (st->o->audit_only)
			report_would_deny(st->report, &rec);
		else {
			report_denial(st->report, &rec, d);
			note_deferred(st, m, d);
		}
	}
}

/*
 * Name resolution. The supervisor resolves (dns.h): a request whose name is
 * not known yet waits in st->dnsw, its slot BUSY, until dns_ready() says
 * the lookup is over; then it is decided as if it had just come.
 */
struct dns_wait {
	struct dns_wait *next;
	int slot; /* a ring slot, or -1: the proxy's connection PROXY_ID */
	uint64_t proxy_id;
	int32_t owner;
	int admitted; /* a raw query whose name was judged allowed */
	char name[DNS_KEYLEN]; /* a name, or a dns_raw key */
	size_t len;
	uint8_t raw[]; /* the message, encoded again */
};

struct fresh {
	struct dns *dns;
	struct netaddr addrs[DNS_MAX_ADDRS];
	int n;
	int pending; /* the name's lookup has not ended */
	char name[NETADDR_HOSTLEN];
};

/* A pol_resolve_fn: a fresh answer, or "pending" (a lookup starts) */
static int
fresh_resolve(void *ctx, const char *name, struct netaddr *out, size_t max)
{
	struct fresh *f = ctx;
	int n = dns_answer(f->dns, name, 1, out, max);

	snprintf(f->name, sizeof(f->name), "%s", name);
	if (n == DNS_PENDING) {
		f->pending = 1;
		return 0;
	}
	f->n = n < DNS_MAX_ADDRS ? n : DNS_MAX_ADDRS;
	memcpy(f->addrs, out, (size_t)f->n * sizeof(*out));
	return n;
}

/* Decide M into D with fresh answers for any name the policy resolves
 * (F says which, and whether a lookup is still running) */
static void
decide_fresh(struct run *st, const struct aw_msg *m, struct pol_request *req,
    struct pol_decision *d, struct fresh *f)
{
	memset(f, 0, sizeof(*f));
	f->dns = st->dns;
	report_request(m, st->dns, req);
	req->resolve = fresh_resolve;
	req->resolve_ctx = f;
	policy_decide(st->o->pol, req, d);
}

/* The addresses of NAME handed out (pinned), as text in WORDS */
static size_t
hand_out_addrs(struct run *st, const char *name, const struct netaddr *a,
    size_t n, const char **words, size_t max)
{
	size_t i;

	if (n > max)
		n = max;
	if (n > DNS_MAX_ADDRS)
		n = DNS_MAX_ADDRS;
	for (i = 0; i < n; i++) {
		netaddr_format(&a[i], st->dnstxt[i], sizeof(st->dnstxt[i]));
		words[i] = st->dnstxt[i];
	}
	dns_pin(st->dns, a, n, name);
	return n;
}

/* approve_setup's hand_out: an approved resolution's addresses */
size_t
run_hand_out(void *ctx, const struct aw_msg *m, const char **words, size_t max)
{
	struct run *st = ctx;
	struct netaddr a[DNS_MAX_ADDRS];
	char host[NETADDR_HOSTLEN];
	const char *why;
	int n;

	if (m->host == NULL ||
	    netaddr_norm_host(m->host, host, sizeof(host), &why) == -1)
		return 0;
	n = dns_answer(st->dns, host, 0, a, DNS_MAX_ADDRS);
	return n > 0 ? hand_out_addrs(st, host, a, (size_t)n, words, max) : 0;
}

/* Keep M (from SLOT, OWNER's) until NAME's lookup is over */
static int
dns_wait(struct run *st, const struct aw_msg *m, const char *name, int slot,
    int32_t owner, int admitted)
{
	struct dns_wait *w;
	int n;

	if ((w = malloc(sizeof(*w) + AW_SLOT_DATA)) == NULL)
		return -1;
	w->proxy_id = 0;
	if ((n = msg_encode(w->raw, AW_SLOT_DATA, m)) < 0) {
		free(w);
		return -1;
	}
	w->len = (size_t)n;
	w->slot = slot;
	w->owner = owner;
	w->admitted = admitted;
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->next = st->dnsw;
	st->dnsw = w;
	return 0;
}

/* Decide name request M into D with fresh answers (decide_fresh):
 * RING_DEFER when it waits for the name's lookup (SLOT stays BUSY) */
static int
decide_name(struct run *st, const struct aw_msg *m, int slot, int32_t owner,
    struct pol_request *req, struct pol_decision *d, struct fresh *f)
{
	decide_fresh(st, m, req, d, f);
	if (!f->pending)
		return 0;
	if (dns_wait(st, m, f->name, slot, owner, 0) == 0)
		return RING_DEFER;
	/* no room to wait: as a name that does not resolve */
	snprintf(d->rule, sizeof(d->rule), "dns");
	snprintf(d->why, sizeof(d->why),
	    "%s cannot be looked up now (out of memory)", f->name);
	d->verdict = VERDICT_DENY;
	return 0;
}

/*
 * Resolve and judge a host name: the supervisor's own lookup, every
 * answer judged (policy.c's net_name_decide); an allowed name is answered
 * with the addresses it resolved to, which are pinned for connect. An
 * allowing answer without addresses (the policy did not need them: the
 * domain rules do not judge names in this run) means "resolve as usual".
 * Returns RING_DEFER while the lookup runs (SLOT stays BUSY).
 */
static int raw_request(struct run *st, struct aw_msg *m, int slot,
    int32_t owner, int admitted, uint8_t *ans, size_t anscap, size_t *anslen);

static int
resolve_request(struct run *st, struct aw_msg *m, int slot, int32_t owner,
    uint8_t *ans, size_t anscap, size_t *anslen)
{
	struct pol_request req;
	struct pol_decision d;
	struct fresh f;
	const char *words[DNS_MAX_ADDRS];
	size_t n = 0;

	if (m->op != OP_RESOLVE || m->host == NULL)
		return malformed(st, m->pid, 0, "resolve without a host name",
		    ans, anscap, anslen);
	if (m->dns != NULL)
		return raw_request(st, m, slot, owner, 0, ans, anscap, anslen);
	if (decide_name(st, m, slot, owner, &req, &d, &f) == RING_DEFER)
		return RING_DEFER;
	if (d.verdict == VERDICT_ASK && !st->o->audit_only)
		return approve_ask(
		    st->ap, m, &d, slot, owner, ans, anscap, anslen);
	if (m->type == AW_MSG_ASK)
		decided(st, m, &d);
	else
		run_record(st, m, &d);
	if ((d.verdict == VERDICT_ALLOW || st->o->audit_only) && f.n > 0)
		n = hand_out_addrs(
		    st, f.name, f.addrs, (size_t)f.n, words, DNS_MAX_ADDRS);
	*anslen = answer(ans, anscap, m, d.verdict, st->o->audit_only, d.rule,
	    d.why, words, n);
	return run_enforce(st, d.verdict);
}

static int
h_resolve(struct run *st, struct aw_msg *m, uint8_t *ans, size_t anscap,
    size_t *anslen)
{
	return resolve_request(st, m, ring_serving_slot(&st->ring), st->owner,
	    ans, anscap, anslen);
}

/* The most addresses a raw answer may hold (all judged) */
#define RAW_MAX_ADDRS 256

/* A pol_resolve_fn answering with the addresses of a raw answer */
struct fixed {
	const struct netaddr *a;
	int n;
};

static int
fixed_resolve(void *ctx, const char *name, struct netaddr *out, size_t max)
{
	const struct fixed *x = ctx;
	size_t n = (size_t)x->n < max ? (size_t)x->n : max;

	(void)name;
	memcpy(out, x->a, n * sizeof(*out));
	return (int)n;
}

/* Answer a raw query M: refused with RULE and WHY (D's verdict), or its
 * name server's answer RAW (LEN bytes, the query's ID put in) */
static int
raw_answer(struct run *st, const struct aw_msg *m, const struct pol_decision *d,
    uint8_t *raw, size_t len, uint8_t *ans, size_t anscap, size_t *anslen)
{
	int v = raw != NULL ? VERDICT_ALLOW : VERDICT_DENY;

	if (raw != NULL)
		memcpy(raw, m->dns, 2);
	*anslen = approve_encode_answer_dns(ans, anscap, m,
	    raw != NULL ? VERDICT_ALLOW : d->verdict, st->o->audit_only,
	    d->rule, d->why, NULL, 0, raw, len);
	return st->o->audit_only ? VERDICT_ALLOW : v;
}

/*
 * A raw query (res_query and friends; the question in M->dns, its name in
 * M->host). The name is judged as a lookup of it is: the shim asks that
 * first, and puts any question then, so here an ask goes on only if it
 * was just approved (ADMITTED: judged so before a wait). Then the query
 * goes to the system's name servers from here (dns_raw: the tree's
 * resolver state and its choice of server play no part, nor anything else
 * its query carried), and every A and AAAA record in the answer is judged
 * as an address of that name: one the policy refuses (non-public, most
 * often) refuses the whole answer. The answer section's addresses are
 * pinned for the name, and the answer handed out as the server sent it.
 */
static int
raw_request(struct run *st, struct aw_msg *m, int slot, int32_t owner,
    int admitted, uint8_t *ans, size_t anscap, size_t *anslen)
{
	uint8_t raw[DNSMSG_MAX];
	char key[DNS_KEYLEN], host[NETADDR_HOSTLEN], qn[NETADDR_HOSTLEN];
	struct netaddr a[RAW_MAX_ADDRS];
	struct pol_request req;
	struct pol_decision d;
	struct dnsmsg_q q;
	struct fresh f;
	struct fixed x;
	const char *why;
	size_t nan;
	int n, na, i;

	if (dnsmsg_question(m->dns, m->dns_len, &q) == -1 ||
	    netaddr_norm_host(q.name, qn, sizeof(qn), &why) == -1 ||
	    netaddr_norm_host(m->host, host, sizeof(host), &why) == -1 ||
	    strcmp(qn, host) != 0)
		return malformed(st, m->pid, 0,
		    "a DNS query that does not ask for its host", ans, anscap,
		    anslen);
	/* an address is judged as itself, never as a name to look up (its
	 * rule would pin whatever a name server says "93.184.215.14" is);
	 * only class IN is asked for */
	if (netaddr_parse_ip(host, &a[0]) == 0 || q.klass != DNSMSG_C_IN) {
		memset(&d, 0, sizeof(d));
		d.verdict = VERDICT_DENY;
		snprintf(d.rule, sizeof(d.rule), "dns");
		snprintf(d.why, sizeof(d.why), "%s",
		    q.klass != DNSMSG_C_IN
			? "only queries of class IN are sent"
			: "an IP address is not a name to query");
		decided(st, m, &d);
		return raw_answer(st, m, &d, NULL, 0, ans, anscap, anslen);
	}
	if (!admitted) {
		if (decide_name(st, m, slot, owner, &req, &d, &f) == RING_DEFER)
			return RING_DEFER;
		if (d.verdict == VERDICT_ASK && !st->o->audit_only &&
		    approve_just_allowed(st->ap, m, owner))
			d.verdict = VERDICT_ALLOW;
		if (d.verdict != VERDICT_ALLOW && !st->o->audit_only) {
			decided(st, m, &d);
			return raw_answer(
			    st, m, &d, NULL, 0, ans, anscap, anslen);
		}
	}
	memset(&d, 0, sizeof(d));
	d.verdict = VERDICT_DENY;
	snprintf(d.rule, sizeof(d.rule), "dns");
	n = dns_raw(
	    st->dns, host, q.type, q.klass, raw, sizeof(raw), key, sizeof(key));
	if (n == DNS_PENDING) {
		if (dns_wait(st, m, key, slot, owner, 1) == 0)
			return RING_DEFER;
		n = 0;
	}
	if (n < DNSMSG_HDR) {
		/* as a name server that does not answer: not a refusal */
		snprintf(d.rule, sizeof(d.rule), "%s", AW_RULE_NO_ANSWER);
		snprintf(d.why, sizeof(d.why), "no name server answered");
		return raw_answer(st, m, &d, NULL, 0, ans, anscap, anslen);
	}
	if ((na = dnsmsg_addrs(raw, (size_t)n, a, RAW_MAX_ADDRS, &nan)) < 0) {
		run_say_vis(d.why, sizeof(d.why),
		    "the name server's answer for %s is malformed or holds "
		    "more than 256 addresses%s",
		    host, "");
		decided(st, m, &d);
		return raw_answer(st, m, &d, NULL, 0, ans, anscap, anslen);
	}
	/* the same judge, with each of the answer's addresses as the
	 * name's (one at a time: however many there are, each is judged) */
	for (i = 0; i < na; i++) {
		x.a = &a[i];
		x.n = 1;
		report_request(m, st->dns, &req);
		req.resolve = fixed_resolve;
		req.resolve_ctx = &x;
		policy_decide(st->o->pol, &req, &d);
		/* an ask: the name itself was allowed (above, or by the
		 * approval before the wait); its addresses passed every
		 * check that comes before the allowlist */
		if (d.verdict == VERDICT_DENY && !st->o->audit_only) {
			decided(st, m, &d);
			return raw_answer(
			    st, m, &d, NULL, 0, ans, anscap, anslen);
		}
	}
	dns_pin(st->dns, a, nan < DNS_MAX_ADDRS ? nan : DNS_MAX_ADDRS, host);
	return raw_answer(st, m, &d, raw, (size_t)n, ans, anscap, anslen);
}

/* dns_ready's FN: NAME's lookup is over; decide what waited for it */
static void
dns_done(void *ctx, const char *name)
{
	struct run *st = ctx;
	struct dns_wait **pp, *w, *mine = NULL, **tail = &mine;
	struct aw_msg m;
	size_t alen = 0;
	int v;

	/* those who waited for NAME, taken off first: deciding one may make
	 * it wait again (for another lookup), and it is not seen twice */
	for (pp = &st->dnsw; *pp != NULL;) {
		w = *pp;
		if (strcmp(w->name, name) != 0) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		w->next = NULL;
		*tail = w;
		tail = &w->next;
	}
	while ((w = mine) != NULL) {
		mine = w->next;
		alen = 0;
		if (w->slot < 0) {
			if (msg_decode(w->raw, w->len, &m) == 0)
				proxy_judge(st, &m, w->proxy_id);
			else
				proxy_settle(st->proxy, w->proxy_id, 0, NULL, 0,
				    PROXY_BY_POLICY, "malformed", NULL);
			free(w);
			continue;
		}
		if (msg_decode(w->raw, w->len, &m) == -1)
			v = malformed(st, w->owner, w->len, "does not decode",
			    st->dnsbuf, AW_SLOT_DATA, &alen);
		else {
			st->owner = w->owner;
			v = m.dns != NULL
			    ? raw_request(st, &m, w->slot, w->owner,
				  w->admitted, st->dnsbuf, AW_SLOT_DATA, &alen)
			    : resolve_request(st, &m, w->slot, w->owner,
				  st->dnsbuf, AW_SLOT_DATA, &alen);
		}
		if (v != RING_DEFER)
			ring_answer(&st->ring, w->slot, v, st->dnsbuf, alen);
		free(w);
	}
}

/* --- the proxy's requests --- */

/* Where an allowed proxied connect goes: the literal it named, or the
 * addresses judged for its name (when the policy judged none, the name's
 * known answer) */
struct px_target {
	char host[NETADDR_HOSTLEN];
	int literal;
	struct netaddr lit;
	struct netaddr addrs[DNS_MAX_ADDRS];
	int n;
};

/* A proxied connect waiting for a question's answer: its target as
 * judged when the question was put (the name may resolve elsewhere by
 * the time it is answered), and the x-proxy-error kind of a refusal */
struct px_ask {
	struct px_ask *next;
	uint64_t id;
	struct px_target t;
	const char *kind;
};

/* The x-proxy-error kind of decision D */
static const char *
px_kind(const struct pol_decision *d)
{
	if (strncmp(d->rule, "features.network_proxy.domains[", 31) == 0 &&
	    strstr(d->why, "denied") != NULL)
		return PROXY_BY_DENYLIST;
	if (strcmp(d->rule, "features.network_proxy.domains") == 0)
		return PROXY_BY_ALLOWLIST;
	return PROXY_BY_POLICY;
}

/* Let connection ID go to T */
static void
px_allow(struct run *st, uint64_t id, const struct px_target *t)
{
	struct netaddr a[DNS_MAX_ADDRS];
	int n;

	if (t->literal) {
		proxy_settle(st->proxy, id, 1, &t->lit, 1, NULL, NULL, NULL);
		return;
	}
	if (t->n > 0) {
		proxy_settle(
		    st->proxy, id, 1, t->addrs, (size_t)t->n, NULL, NULL, NULL);
		return;
	}
	n = dns_answer(st->dns, t->host, 0, a, DNS_MAX_ADDRS);
	if (n <= 0) {
		proxy_settle(st->proxy, id, 0, NULL, 0, PROXY_BY_POLICY,
		    "the name does not resolve", NULL);
		return;
	}
	proxy_settle(st->proxy, id, 1, a, (size_t)n, NULL, NULL, NULL);
}

static struct px_ask *
px_take(struct run *st, uint64_t id)
{
	struct px_ask **pp, *q;

	for (pp = &st->pxq; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			q = *pp;
			*pp = q->next;
			return q;
		}
	return NULL;
}

/* approve_waiter's: a person or a harness answered a proxied connect */
static void
px_answer(void *ctx, uint64_t id, int verdict)
{
	struct run *st = ctx;
	struct px_ask *q = px_take(st, id);

	if (q == NULL)
		return;
	if (verdict == VERDICT_ALLOW)
		px_allow(st, id, &q->t);
	else
		proxy_settle(st->proxy, id, 0, NULL, 0, q->kind,
		    "the approval was denied", NULL);
	free(q);
}

static int
px_pending(void *ctx, uint64_t id)
{
	struct run *st = ctx;

	return proxy_waiting(st->proxy, id);
}

/*
 * Judge a proxied connect M for connection ID, as a connect from the tree
 * (the name resolved by us, asked if the policy asks); answers with
 * proxy_settle, now or once the lookup or the question is over.
 */
static void
proxy_judge(struct run *st, struct aw_msg *m, uint64_t id)
{
	struct approve_waiter wt = { px_answer, px_pending, st, id };
	struct pol_request req;
	struct pol_decision d;
	struct fresh f;
	struct px_ask *q;
	struct px_target t;
	char hint[600], exe[PATH_MAX];
	int v, pid;

	decide_fresh(st, m, &req, &d, &f);
	if (f.pending) {
		if (dns_wait(st, m, f.name, -1, 0, 0) == 0) {
			st->dnsw->proxy_id = id;
			return;
		}
		proxy_settle(st->proxy, id, 0, NULL, 0, PROXY_BY_POLICY,
		    "out of memory", NULL);
		return;
	}
	memset(&t, 0, sizeof(t));
	t.literal = netaddr_parse_ip(m->host, &t.lit) == 0;
	if (!t.literal) {
		snprintf(
		    t.host, sizeof(t.host), "%s", f.name[0] ? f.name : m->host);
		t.n = f.n;
		memcpy(t.addrs, f.addrs, (size_t)f.n * sizeof(f.addrs[0]));
	}
	/* who asked, for the question and the records (not looked up for
	 * a connect that is simply allowed and not recorded) */
	if ((d.verdict != VERDICT_ALLOW || st->audit != NULL) &&
	    (pid = proxy_client(st->proxy, id, exe, sizeof(exe))) > 0) {
		m->pid = pid;
		m->exe = exe;
	}
	if (d.verdict == VERDICT_ASK && !st->o->audit_only) {
		if ((q = calloc(1, sizeof(*q))) == NULL) {
			proxy_settle(st->proxy, id, 0, NULL, 0, PROXY_BY_POLICY,
			    "out of memory", NULL);
			return;
		}
		q->id = id;
		q->t = t;
		q->kind = px_kind(&d);
		q->next = st->pxq;
		st->pxq = q;
		v = approve_ask_waiter(st->ap, m, &d, &wt);
		/* answered at once (a recent answer, nobody to ask) */
		if (v != RING_DEFER && (q = px_take(st, id)) != NULL) {
			if (v == VERDICT_ALLOW)
				px_allow(st, id, &q->t);
			else
				proxy_settle(st->proxy, id, 0, NULL, 0, q->kind,
				    d.why, NULL);
			free(q);
		}
		return;
	}
	/* the tree may reach the proxy on loopback; the proxy may not reach
	 * itself (a request that loops back would take a connection for
	 * each turn) */
	if (d.verdict == VERDICT_ALLOW &&
	    strcmp(d.rule, "features.network_proxy.enabled") == 0) {
		d.verdict = VERDICT_DENY;
		snprintf(d.why, sizeof(d.why),
		    "%s is agentwrap's own proxy: a request through it "
		    "cannot go to itself",
		    m->host);
	}
	decided(st, m, &d);
	if (d.verdict == VERDICT_ALLOW || st->o->audit_only) {
		px_allow(st, id, &t);
		return;
	}
	report_hint(st->o->pol, &req, &d, hint, sizeof(hint));
	proxy_settle(st->proxy, id, 0, NULL, 0, px_kind(&d), d.why, hint);
}

/* proxy_new's DECIDE: a request head asked for HOST:PORT */
void
run_proxy_decide(void *ctx, uint64_t id, const char *host, int port)
{
	struct run *st = ctx;
	struct aw_msg m;

	memset(&m, 0, sizeof(m));
	m.type = AW_MSG_ASK;
	m.op = OP_CONNECT;
	m.verdict = VERDICT_ASK;
	m.layer = AW_LAYER_PROXY;
	m.port = port;
	m.ts_ns = clock_realtime_ns();
	m.call = "proxy";
	m.exe = "agentwrap-proxy";
	m.host = host;
	proxy_judge(st, &m, id);
}

void
run_dns_ready(struct run *st)
{
	dns_ready(st->dns, dns_done, st);
}

void
run_dns_free(struct run *st)
{
	struct dns_wait *w, *next;
	struct px_ask *q, *qn;

	for (w = st->dnsw; w != NULL; w = next) {
		next = w->next;
		free(w);
	}
	st->dnsw = NULL;
	for (q = st->pxq; q != NULL; q = qn) {
		qn = q->next;
		free(q);
	}
	st->pxq = NULL;
}

static int
h_ping(struct run *st, struct aw_msg *m, uint8_t *ans, size_t anscap,
    size_t *anslen)
{
	(void)st;
	*anslen = answer(ans, anscap, m, VERDICT_ALLOW, 0, NULL, NULL, NULL, 0);
	return VERDICT_ALLOW;
}

typedef int (*msg_handler)(
    struct run *, struct aw_msg *, uint8_t *, size_t, size_t *);

/* how a message may come: posted one way, or as a request */
#define VIA_POST 0x1
#define VIA_CALL 0x2

static const struct {
	uint16_t type;
	int via;
	msg_handler fn;
} dispatch[] = {
	/* a denial is sent as a request: its line is out before it returns */
	{ AW_MSG_EVENT, VIA_POST | VIA_CALL, h_event },
	{ AW_MSG_ASK, VIA_CALL, h_ask },
	{ AW_MSG_RESOLVE, VIA_CALL, h_resolve },
	{ AW_MSG_PING, VIA_CALL, h_ping },
};

/* The ring_handler: BUF is a private copy of one slot. */
int
run_handle(void *ctx, uint8_t *buf, size_t len, int32_t owner, uint8_t *ans,
    size_t anscap, size_t *anslen)
{
	struct run *st = ctx;
	struct aw_msg m;
	size_t i;

	st->owner = owner;
	if (msg_decode(buf, len, &m) == -1)
		return malformed(
		    st, owner, len, "does not decode", ans, anscap, anslen);
	/* the shim's is the one layer on the ring: a record that claims the
	 * seccomp layer's or the proxy's (whose pids are the kernel's) is
	 * not believed */
	if (m.layer != AW_LAYER_PRELOAD)
		return malformed(st, owner, len,
		    "a layer other than the shim's (the seccomp layer's, the "
		    "proxy's and the supervisor's are its own)",
		    ans, anscap, anslen);
	for (i = 0; i < sizeof(dispatch) / sizeof(dispatch[0]); i++)
		if (dispatch[i].type == m.type)
			break;
	if (i == sizeof(dispatch) / sizeof(dispatch[0]) ||
	    (dispatch[i].via & (ans != NULL ? VIA_CALL : VIA_POST)) == 0)
		return malformed(st, owner, len,
		    ans != NULL ? "a one-way "
				  "message sent as a request"
				: "a request posted one-way",
		    ans, anscap, anslen);
	return dispatch[i].fn(st, &m, ans, anscap, anslen);
}

/* --- the kernel floor --- */

/* A call the floor refused: one line per call name, an audit record */
static void
floor_denied(void *arg, const struct floor_event *ev)
{
	struct run *st = arg;
	struct aw_msg m;
	char exe[PATH_MAX], path[64];
	pid_t ppid = 0;
	char state;
	ssize_t n;

	memset(&m, 0, sizeof(m));
	m.type = AW_MSG_EVENT;
	m.op = AW_OP_FLOOR;
	m.layer = AW_LAYER_SECCOMP;
	m.verdict = VERDICT_DENY;
	m.pid = ev->pid;
	if (proc_stat(ev->pid, &ppid, &state) == 0)
		m.ppid = ppid;
	m.port = -1;
	m.ts_ns = clock_realtime_ns();
	m.call = ev->call;
	m.rule = "kernel floor";
	m.why = ev->why;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)ev->pid);
	if ((n = readlink(path, exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		m.exe = exe;
	}
	if (st->audit != NULL)
		audit_event(st->audit, &m);
	report_floor(st->report, &m);
}

/* --- the watch (seccomp user-notify) --- */

static void
w_answer(void *ctx, uint64_t key, int verdict)
{
	struct run *st = ctx;

	watch_settle(st->watch, key, verdict);
}

static int
w_pending(void *ctx, uint64_t key)
{
	struct run *st = ctx;

	return watch_pending(st->watch, key);
}

/* A watched call, as a question on the ring is decided */
static int
w_decide(void *ctx, const struct aw_msg *m, uint64_t key)
{
	struct run *st = ctx;
	struct approve_waiter wt = { w_answer, w_pending, st, key };
	struct pol_request req;
	struct pol_decision d;
	int v;

	report_request(m, st->dns, &req);
	policy_decide(st->o->pol, &req, &d);
	if (d.verdict == VERDICT_ASK && !st->o->audit_only) {
		v = approve_ask_waiter(st->ap, m, &d, &wt);
		return v == RING_DEFER ? WATCH_DEFER : v;
	}
	decided(st, m, &d);
	return run_enforce(st, d.verdict);
}

const struct watch_ops run_watch_ops = { w_decide, floor_denied };

/* A listener handed in over the attach socket, by a shim about to exec
 * a program it cannot follow */
int
run_take_listener(void *ctx, int fd)
{
	struct run *st = ctx;

	return st->watch != NULL ? watch_add(st->watch, fd) : -1;
}
