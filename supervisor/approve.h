/*
 * approve.h: asking before a call leaves the sandbox. When the policy's
 * verdict on a request is "ask", the supervisor puts a question to an
 * approval channel (a harness, or a person at the terminal) and answers the
 * waiting process when the answer comes, when approval_timeout passes, or
 * when the channel goes away. An open question is a state of the
 * supervisor, never a blocking call: the ring slot of the asking thread
 * stays BUSY (RING_DEFER) while everyone else is served.
 *
 * "For this session" answers become session grants (policy.h): added to the
 * supervisor's policy, published to every shim as a new snapshot
 * generation, recorded in the audit log, listed at exit and, with
 * --save-grants FILE, appended to FILE as TOML.
 *
 * Runs in the supervisor. What a channel hands in (ids, decisions) is
 * untrusted: an answer to a question that is not open is logged, never
 * applied.
 */
#ifndef AGENTWRAP_APPROVE_H
#define AGENTWRAP_APPROVE_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "dns.h"
#include "msg.h"
#include "policy.h"
#include "report.h"
#include "ring.h"

#define APPROVE_MAX_PENDING 64 /* open questions; past that, denied */

/* Who or what settled an asked call: the audit log's decided_by */
#define DECIDED_HARNESS "harness"
#define DECIDED_TTY "tty" /* a person at the terminal */
#define DECIDED_RULE "rule" /* the policy, without asking */
#define DECIDED_TIMEOUT "timeout"
#define DECIDED_NO_CHANNEL "no-channel"
#define DECIDED_GRANT "session-grant"
#define DECIDED_WITHDRAWN "withdrawn" /* the asking thread ended */

enum approve_decision {
	APPROVE_ALLOW,
	APPROVE_ALLOW_SESSION,
	APPROVE_DENY,
	APPROVE_DENY_SESSION,
};

/* A question, as a channel shows it. Valid during the ask call only. */
struct approve_question {
	uint64_t id;
	const struct aw_msg *m; /* op, path, path2, argv, host, port,
					   pid, exe, call: from the process */
	const char *reason; /* the policy's sentence */
	const char *rule; /* the setting that asks */
	const char *scope; /* what a session answer covers,
						   or NULL if none can */
	int timeout_s;
};

/* A channel: where questions go and where answers come from */
struct approve_channel {
	const char *name; /* decided_by for its answers */
	/*
	 * Send Q. 0, or -1 if the channel cannot take it (it is down; it
	 * must not call approve_channel_down() from here).
	 */
	int (*ask)(void *ctx, const struct approve_question *q);
	/* Question ID is no longer open: REASON "timeout", "withdrawn"... */
	void (*withdraw)(void *ctx, uint64_t id, const char *reason);
	/* The descriptor to poll (-1: none) and the events it waits for */
	int (*pollfd)(void *ctx, short *events);
	/* poll() said REVENTS: read answers (approve_answer...), write */
	void (*ready)(void *ctx, short revents);
	void (*free)(void *ctx);
	/*
	 * approval_policy = on-failure: ask once whether to run the command
	 * again with the N GRANTS (scope sentences) granted; the answer comes
	 * back through approve_rerun_answer(ID). 0, or -1 if it cannot ask.
	 * NULL: this channel cannot ask that.
	 */
	int (*ask_rerun)(void *ctx, uint64_t id, const char *const *grants,
	    size_t n, int timeout_s);
};

struct approvals;

struct approve_setup {
	struct ring_server *ring;
	struct policy *pol; /* grants are added to it */
	struct dns *dns; /* what names resolve to, pins (NULL: none) */
	/*
	 * An allowed resolution is answered with the addresses it hands out:
	 * HAND_OUT(CTX, M, WORDS, MAX) fills WORDS (valid until the next call)
	 * and pins them. NULL: none.
	 */
	size_t (*hand_out)(
	    void *ctx, const struct aw_msg *m, const char **words, size_t max);
	void *hand_ctx;
	struct audit *audit; /* NULL: no --audit */
	struct report *report;
	int timeout_s; /* approval_timeout */
	int audit_only;
	const char *save_grants; /* --save-grants FILE, or NULL */
	char *const *argv; /* the command, for FILE */
};

/* NULL when out of memory. SET is copied; what it points to must live on. */
struct approvals *approve_new(const struct approve_setup *set);
/* Closes the channel. Call approve_finish() first. */
void approve_free(struct approvals *ap);

/* The channel questions go to; AP calls CH->free(CTX) when done. */
void approve_set_channel(
    struct approvals *ap, const struct approve_channel *ch, void *ctx);

/*
 * From the ring handler: the supervisor's decision D on request M (from
 * the ring slot SLOT, which OWNER claimed) is ask. Puts the question to the
 * channel and returns RING_DEFER; or, when nothing can be asked (no
 * channel, the channel is gone, too many questions open), settles it at
 * once: writes the answer to ANS and returns the verdict to enforce.
 */
int approve_ask(struct approvals *ap, const struct aw_msg *m,
    const struct pol_decision *d, int slot, int32_t owner, uint8_t *ans,
    size_t anscap, size_t *anslen);

/*
 * The same for a call that waits elsewhere than on the ring (a seccomp
 * notification, watch.h): ANSWER(CTX, KEY, verdict) settles it, PENDING
 * says whether it still waits. Returns RING_DEFER or the verdict.
 */
struct approve_waiter {
	void (*answer)(void *ctx, uint64_t key, int verdict);
	int (*pending)(void *ctx, uint64_t key);
	void *ctx;
	uint64_t key;
};
int approve_ask_waiter(struct approvals *ap, const struct aw_msg *m,
    const struct pol_decision *d, const struct approve_waiter *w);

/*
 * The same for a request that no ring slot waits for (the command itself,
 * judged before it starts): asks and waits, serving only the channel,
 * until the question is settled. Returns the verdict to enforce.
 */
int approve_ask_wait(
    struct approvals *ap, const struct aw_msg *m, const struct pol_decision *d);

/*
 * From the channel: the answer DEC to question ID. An ID that is not open
 * (never asked, answered already, timed out) is logged and ignored.
 */
void approve_answer(
    struct approvals *ap, uint64_t id, enum approve_decision dec);

/* From the channel: what it got and did not trust (logged, ignored). */
void approve_channel_error(
    struct approvals *ap, const char *why, const void *line, size_t len);

/* From the channel: it is gone. Every open and later question is denied. */
void approve_channel_down(struct approvals *ap, const char *why);

/* Deny questions past approval_timeout and drop those whose asking thread
 * has ended. Cheap: call it on every turn of the event loop. */
void approve_tick(struct approvals *ap);
/* Milliseconds until approve_tick() may have work, or -1 if none. */
int approve_next_ms(const struct approvals *ap);

/* The channel's descriptor to poll (-1: none) and what for; its I/O */
int approve_pollfd(struct approvals *ap, short *events);
void approve_ready(struct approvals *ap, short revents);

/* PID is about to be reaped: drop its open questions. */
/* 1 if the same request as M from OWNER was allowed by a person or a
 * harness a moment ago (the answers approve_ask repeats), else 0 */
int approve_just_allowed(
    struct approvals *ap, const struct aw_msg *m, int32_t owner);
void approve_drop_pid(struct approvals *ap, int32_t pid);

/*
 * approval_policy = on-failure: M was denied for now (its decision was
 * "deferred"); remember what a rerun would grant for it.
 */
void approve_note_deferred(
    struct approvals *ap, const struct aw_msg *m, const struct pol_decision *d);

/*
 * The command failed: if something was deferred, list it on stderr,
 * grouped, and ask the channel once whether to run the command again with
 * exactly that granted; waits, serving only the channel, for the answer
 * (approval_timeout). 1: yes, the grants are added (approve_rerun_by()
 * says who said yes); 0: no, or nothing to ask, or nobody to ask.
 */
int approve_rerun_ask(struct approvals *ap);
const char *approve_rerun_by(const struct approvals *ap);

/* From the channel: the answer to rerun question ID. */
void approve_rerun_answer(struct approvals *ap, uint64_t id, int allow);

/* How many questions are open. */
int approve_open(const struct approvals *ap);

/*
 * End of the run: drop what is still open, list the session grants on
 * stderr and append them to --save-grants FILE. 0, or -1 if FILE could not
 * be written (said on stderr).
 */
int approve_finish(struct approvals *ap);

/*
 * An answer message to request REQ (docs/protocol.md): its type, VERDICT
 * (the policy's), RULE, WHY and, for RESOLVE, the address WORDS. Its
 * length in ANS, or 0 if it does not fit.
 */
size_t approve_encode_answer(uint8_t *ans, size_t cap, const struct aw_msg *req,
    int verdict, int audit_only, const char *rule, const char *why,
    const char *const *words, size_t nwords);
/* The same with a DNS answer (DNSLEN bytes of DNS; NULL: none) */
size_t approve_encode_answer_dns(uint8_t *ans, size_t cap,
    const struct aw_msg *req, int verdict, int audit_only, const char *rule,
    const char *why, const char *const *words, size_t nwords,
    const uint8_t *dns, size_t dnslen);

#endif /* AGENTWRAP_APPROVE_H */
