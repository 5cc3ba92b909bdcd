/*
 * report.h: what agentwrap says on its stderr while a command runs: one line
 * per distinct denial (what, which program, why, which setting would allow
 * it), a note for each program the shim cannot follow, and a one-line
 * summary at exit. -q silences all of it.
 *
 * Runs in the supervisor. Messages come from the ring (hostile): the reason
 * printed is the supervisor's own policy_decide() on the request, never the
 * shim's text, and every line goes through strnvis(3).
 */
#ifndef AGENTWRAP_REPORT_H
#define AGENTWRAP_REPORT_H

#include <limits.h>
#include <stddef.h>

#include "dns.h"
#include "msg.h"
#include "policy.h"

struct report;

/* Why an ask was denied when nothing could be asked */
#define REPORT_NO_CHANNEL                                                      \
	"nothing can approve it in this run (no "                              \
	"--approval-socket or --approval-fd), so it is denied"

/* DNS answers name resolution when a decision needs it, from what it
 * knows (never a lookup; NULL: the policy does not judge names). NULL
 * only when out of memory. */
struct report *report_new(const struct policy *pol, struct dns *dns, int quiet);
void report_free(struct report *r);

/*
 * A call that was denied (M->verdict deny or ask, not audit-only). D is the
 * supervisor's decision if it made one (a round trip), else NULL: then
 * report_denial() decides the request again itself. Prints one line the
 * first time an op and object are seen; counts every call.
 */
void report_denial(
    struct report *r, const struct aw_msg *m, const struct pol_decision *d);

/*
 * An asked call that ends denied: D is the supervisor's decision (the
 * question), NOTE says who or what denied it ("the harness denied it",
 * "nobody answered within approval_timeout = 300 s"...). One line per op
 * and object, as report_denial(), and counted.
 */
void report_asked_denial(struct report *r, const struct aw_msg *m,
    const struct pol_decision *d, const char *note);

/* One line "agentwrap: LINE", escaped; nothing under -q. */
void report_line(struct report *r, const char *line);

/* Under --audit-only: a call that the policy would have denied. Counted. */
/* An event whose claimed verdict the supervisor's policy contradicts:
 * counted, and named once in the summary */
void report_disputed(struct report *r, const struct aw_msg *m);
void report_would_deny(struct report *r, const struct aw_msg *m);

/* A call the kernel floor refused (AW_OP_FLOOR): one line per call name. */
void report_floor(struct report *r, const struct aw_msg *m);

/* An exec the shim could not follow (AW_OP_UNCOVERED): one note per path. */
void report_uncovered(struct report *r, const struct aw_msg *m);

/* At exit: "agentwrap: N calls denied (2 write, 1 connect)", if any. */
void report_summary(struct report *r);

/* How many calls were denied (or would have been, under --audit-only). */
unsigned long report_denied(const struct report *r);

/*
 * The policy request a decoded message stands for: its op, flags, paths,
 * argv, host (the name if given, else the address) and port, judged from
 * "/" (the shim sends canonical absolute paths). Names resolve to what
 * DNS knows already (dns_cached_fn: no lookup), addresses are pinned as
 * DNS pinned them. The request points into M.
 */
void report_request(
    const struct aw_msg *m, struct dns *dns, struct pol_request *req);

/*
 * The setting that would allow a denied request: the one mapping (hint.c)
 * from the rule that decided to the key that would allow it. Each user
 * words it its own way: a denial line (report_fix_text), --suggest (the
 * widest root that covers the writes, report_fix's DIR), --save-grants
 * (the exact entry the grant was for, in the same table).
 */
enum report_fix_kind {
	FIX_NONE = 0, /* no setting allows it (the floor, a protocol error) */
	FIX_ROOT, /* writable_roots += DIR (--add-dir DIR) */
	FIX_MODE_ROOT, /* read-only: sandbox_mode = "workspace-write" */
	FIX_NETWORK, /* network_access = true (-n) */
	FIX_MODE_NETWORK, /* read-only: -s workspace-write -n */
	FIX_DOMAIN, /* features.network_proxy.domains { HOST = "allow" } */
	FIX_LOCAL, /* allow_local_binding, or an exact domain rule */
	FIX_UNIX, /* features.network_proxy.unix_sockets { PATH = "allow" } */
	FIX_PATH, /* a guarded path: agentwrap.filesystem.paths { PATH } */
	FIX_PROTECTED, /* agentwrap.filesystem.protected */
	FIX_EXEC, /* asked by the approval policy: an exec allow rule */
	FIX_EXEC_RULE, /* an exec rule of agentwrap.exec.rules decided */
	FIX_CHANGE, /* a rule of the user's own (a domain's deny): change it */
	FIX_UNCOVERED, /* agentwrap.uncovered = "allow" */
};

struct report_fix {
	enum report_fix_kind kind;
	const char *rule; /* D's rule */
	const char *object; /* the path (the refused end), host or address */
	char dir[PATH_MAX]; /* FIX_ROOT, FIX_MODE_ROOT: OBJECT's directory */
};

/*
 * The fix of what D decided for REQ, into F (its strings point into REQ
 * and D). POL may be NULL (agentwrap --report: a log holds no policy);
 * then which end of a rename or link was refused is not worked out.
 */
void report_fix(const struct policy *pol, const struct pol_request *req,
    const struct pol_decision *d, struct report_fix *f);

/* F in a denial line's words, into OUT; empty for FIX_NONE */
void report_fix_text(const struct report_fix *f, char *out, size_t outlen);

/*
 * report_fix and report_fix_text: the setting that would allow what D
 * denied, for REQ (the request that was decided), into OUT: "--add-dir /etc or sandbox_workspace_write.writable_roots".
 * Empty if nothing would. POL may be NULL (agentwrap --report: a log
 * holds no policy); then which end of a rename or link was refused is not
 * worked out. In hint.c: the one such mapping, shared by denial lines,
 * the run's summary and --report.
 */
void report_hint(const struct policy *pol, const struct pol_request *req,
    const struct pol_decision *d, char *out, size_t outlen);

#endif /* AGENTWRAP_REPORT_H */
