/*
 * policy.h: the compiled policy and the one function that decides every
 * request (read, write, exec, connect, resolve, unix-socket connect, bind):
 * allow, deny or ask, with the rule that decided and a sentence a person
 * understands.
 *
 * policy_compile() runs in the supervisor (it canonicalises the configured
 * paths on the real filesystem and reads .git files). policy_decide() is pure:
 * all it knows of the world comes through the request's callbacks.
 */
#ifndef AGENTWRAP_POLICY_H
#define AGENTWRAP_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "netaddr.h"
#include "pathres.h"

/* The values are --explain's exit codes. */
enum pol_verdict {
	VERDICT_ALLOW = 0,
	VERDICT_DENY = 1,
	VERDICT_ASK = 2,
};

enum pol_op {
	OP_READ,
	OP_WRITE,
	OP_EXEC,
	OP_CONNECT,
	OP_RESOLVE,
	OP_UNIX,
	OP_BIND,
};

/* The call acts on a symlink itself (unlink, rename, lchown, creating a
 * link): it is judged at the link's location, not its target's. */
#define REQ_NOFOLLOW 0x1
/* The call creates, removes or moves a directory entry (mkdir, rename, unlink,
 * rmdir, symlink, link, mknod): an entry that is an ancestor of a protected
 * path is judged as that path, so `mv ~/.config x` cannot unprotect what
 * lies below. */
#define REQ_ENTRY 0x2
/* Only the verdict and the rule are wanted, not the sentence (why stays
 * ""): what the shim asks for a call it will not report, since formatting
 * the sentence costs more than deciding. */
#define REQ_TERSE 0x4
/* An exec of a program the shim cannot follow (supervisor/cover.c):
 * agentwrap.uncovered decides whether that alone asks or denies. */
#define REQ_UNCOVERED 0x8

/*
 * Name resolution for the policy: fill at most MAX addresses for NAME and
 * return how many (0: the name does not resolve), or -1 on failure.
 */
typedef int (*pol_resolve_fn)(
    void *ctx, const char *name, struct netaddr *out, size_t max);

/*
 * The pin table for the policy: was address A handed out, in this session,
 * for a name the policy allowed? 1 with that name in NAME, else 0. A public
 * address no rule names is then allowed as that name (the supervisor's
 * table, supervisor/dns.h: never memory the tree can write).
 */
typedef int (*pol_pinned_fn)(
    void *ctx, const struct netaddr *a, char *name, size_t namelen);

struct pol_request {
	enum pol_op op;
	int flags; /* REQ_* */
	const char *cwd; /* absolute; relative paths */
	const char *path; /* READ, WRITE, UNIX */
	const char *path2; /* WRITE: the other end of link/rename */
	const char *const *argv; /* EXEC */
	size_t argc;
	const char *host; /* CONNECT, RESOLVE, BIND: name or IP */
	int port; /* -1 when not given */
	const struct pathres_fs *fs; /* NULL: pathres_real_fs */
	const struct pathres_lstat_fs *sfs; /* NULL: the real lstat */
	pol_resolve_fn resolve; /* NULL: names never resolve */
	void *resolve_ctx;
	pol_pinned_fn pinned; /* NULL: nothing is pinned */
	void *pinned_ctx;
};

#define POL_RULE 192
#define POL_WHY 1536

struct pol_decision {
	enum pol_verdict verdict;
	char rule[POL_RULE]; /* the setting that decided */
	char why[POL_WHY]; /* one sentence */
	int deferred; /* an ask that approval_policy =
						   on-failure denies for now */
	int terse; /* REQ_TERSE: why is not written */
};

struct policy;

/*
 * Compile CFG (which must have CFG_WORKSPACE set). Paths are canonicalised
 * through FS (NULL: the real filesystem). Returns 0, or -1 with a message.
 */
int policy_compile(const struct config *cfg, const struct pathres_fs *fs,
    struct policy **out, char *err, size_t errlen);
void policy_free(struct policy *pol);

/*
 * Whether the seccomp watch (supervisor/watch.h) is there for programs the
 * shim cannot follow: set by the supervisor before the snapshot is made,
 * read by the shim before such an exec.
 */
void policy_set_watch(struct policy *pol, int on);
int policy_watch(const struct policy *pol);

/*
 * Whether host names are judged by the domain rules (the network is on in
 * workspace-write with features.network_proxy): then a name is resolved by
 * the supervisor, which hands out the addresses it judged and pins them.
 */
int policy_judges_names(const struct policy *pol);

/*
 * agentwrap's own proxy listens on 127.0.0.1:PORT (supervisor/proxy.h; 0:
 * none): a connect there is allowed, the one loopback target that is, so
 * that the tree can use it. Set by the supervisor before the snapshot.
 */
void policy_set_proxy_port(struct policy *pol, int port);

/*
 * Wait (a clock tick at most) until every change to a file from now on is
 * stamped later than the moment POL was compiled: the git rules tell a
 * repository that existed when the run started by a status change time
 * not after that moment. Call it before starting the command.
 */
void policy_settle(const struct policy *pol);

/* Decide REQ. Always fills D; returns D->verdict. Never fails open: a
 * request it cannot judge (bad path, bad host) is denied. */
enum pol_verdict policy_decide(const struct policy *pol,
    const struct pol_request *req, struct pol_decision *d);

/* OP's name in records and lines ("read", "write", ... "bind"); "?" for
 * a value that is not an op. The one table of them. */
const char *policy_op_name(int op);
/* The op NAME names; -1 if none */
int policy_op_parse(const char *name);
const char *policy_verdict_name(enum pol_verdict v);

/*
 * The snapshot: a compiled policy as bytes, written by the supervisor into a
 * sealed memfd and loaded by the shim in every process, so both sides decide
 * with the same code on the same data. snapshot_write() returns a malloc'd
 * buffer; snapshot_read() checks every length (the bytes come through shared
 * memory) and returns a policy that owns its copy of the configuration.
 * Both return 0 or -1.
 */
int snapshot_write(const struct policy *pol, uint8_t **buf, size_t *len);
int snapshot_read(const uint8_t *buf, size_t len, struct policy **out);

/*
 * snapshot_read() with every allocation taken from ZALLOC (N zeroed bytes,
 * or NULL). The policy it makes is never freed (policy_free() ignores it):
 * its memory belongs to the allocator, also when the load fails.
 */
struct snapshot_alloc {
	void *(*zalloc)(void *ctx, size_t n);
	void *ctx;
};
int snapshot_read_alloc(const uint8_t *buf, size_t len,
    const struct snapshot_alloc *al, struct policy **out);

/*
 * Whether exec rule R matches ARGV: at least as many arguments as R has
 * words, each equal to one of the word's alternatives; a first word without
 * a '/' matches a program of that name in any directory. The one matcher
 * for the policy and for the match/not_match examples of .rules files.
 */
int policy_rule_matches(
    const struct cfg_exec_rule *r, const char *const *argv, size_t argc);

/*
 * Session grants (issue 4): an "allow for this session" or "deny for this
 * session" answer to a question, added while a command runs. A grant only
 * settles a request that would otherwise be asked, in both directions: it
 * never turns a deny into an allow nor changes an allow, so it cannot widen
 * the policy past the question it answered. It names one object exactly:
 *  - OP_READ, OP_WRITE, OP_UNIX: PATH, a canonical absolute path, for that
 *    op only (for a rename or link, each end is judged on its own);
 *  - OP_CONNECT (also OP_RESOLVE, which is stored as OP_CONNECT): HOST, a
 *    name or an IP address, for resolving and connecting to it, any port;
 *    OP_BIND: HOST for binding only;
 *  - OP_EXEC: commands whose first ARGC (1 or 2) words are ARGV. The first
 *    word matches as written, as EXE (the canonical program it ran as),
 *    or, when it has no '/', as that name in a system directory (/bin,
 *    /usr/bin, /usr/local/bin, /sbin, /usr/sbin, /usr/local/sbin).
 * The decision's rule is "session-grant", its sentence names LABEL.
 */
#define POL_GRANT_RULE "session-grant"
#define POL_MAX_GRANTS 1024

struct pol_grant {
	int op; /* enum pol_op */
	int allow; /* 1: allow, 0: deny */
	const char *path;
	const char *host;
	const char *argv[2];
	size_t argc;
	const char *exe; /* may be NULL */
	const char *label; /* "approval request 3 (harness)" */
};

/*
 * Add a copy of G to POL. The host is normalised (case, a trailing dot; an
 * IP address in its canonical text). Returns 0, or -1 if G is malformed
 * (no object, a relative path, a bad host), POL already holds
 * POL_MAX_GRANTS, or memory ran out.
 */
int policy_add_grant(struct policy *pol, const struct pol_grant *g);
size_t policy_ngrants(const struct policy *pol);

/*
 * Every place the policy lets the command write without asking, for a
 * kernel layer that can only allow (Landlock): FN(ARG, PATH, TREE) for the
 * writable roots and the "write" paths entries (TREE 1 for a directory
 * and what lies below, 0 for one file) and the devices always writable.
 * Protected names inside them (.git hooks, config files) are not taken
 * out: the shim keeps judging those. Canonical paths, as compiled.
 */
void policy_write_paths(const struct policy *pol,
    void (*fn)(void *arg, const char *path, int tree), void *arg);
/*
 * Every compiled path (roots, paths entries, agentwrap's own files, git
 * directories): FN(ARG, PATH), canonical. Where what may be read can
 * change, it changes at one of these, which with policy_decide() is all
 * a kernel layer needs to make guarded files unreadable.
 */
void policy_marks(const struct policy *pol,
    void (*fn)(void *arg, const char *path), void *arg);
/* The Ith grant, as stored (strings owned by POL), or NULL. */
const struct pol_grant *policy_grant_at(const struct policy *pol, size_t i);

/* Commands that only read: under `untrusted` they run without asking. */
int policy_is_readonly_command(const char *const *argv, size_t argc);

#endif /* AGENTWRAP_POLICY_H */
