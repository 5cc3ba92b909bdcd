/*
 * audit.h: the --audit log, JSON Lines: a session_start record, one event
 * record per intercepted call, a session_end record with counts. The format
 * is described in docs/protocol.md.
 *
 * Runs in the supervisor. Event fields come from ring messages (hostile
 * bytes): every string is written as valid JSON, and bytes that are not
 * UTF-8 stay recoverable through a NAME_b64 twin field.
 */
#ifndef AGENTWRAP_AUDIT_H
#define AGENTWRAP_AUDIT_H

#include <sys/types.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "msg.h"

struct audit;

/*
 * Open the log SPEC names: "-" (agentwrap's stderr), "fd:N" (an open
 * descriptor, made close-on-exec so that the command cannot write to it),
 * or a file (created mode 0600, truncated). 0, or -1 with a message.
 */
int audit_open(struct audit **out, const char *spec, char *err, size_t errlen);

/* The session_start record. ARGV is the command, NULL-terminated. 0 or -1. */
int audit_start(struct audit *a, const char *version, const struct config *cfg,
    char *const argv[], int audit_only);

/*
 * One event record from M: its verdict (VERDICT_ASK is recorded as "deny"
 * with "ask": true, since nothing can approve it yet), rule and layer, and
 * "audit_only": true when M has AW_MF_AUDIT_ONLY. 0 or -1.
 */
int audit_event(struct audit *a, const struct aw_msg *m);

/*
 * The event record of M, whose claimed verdict the supervisor's own
 * decision (VERDICT, RULE) contradicts: "disputed": true,
 * "supervisor_verdict" and "supervisor_rule" beside what M claims;
 * counted in session_end's "disputed". 0 or -1.
 */
int audit_event_disputed(
    struct audit *a, const struct aw_msg *m, int verdict, const char *rule);

/*
 * An asked call (a round trip whose request the supervisor decided): the
 * event record of M with VERDICT (the one enforced: allow or deny) and
 * RULE, plus "ask": true when the policy asked, "decided_by" (harness,
 * rule, timeout, no-channel, session-grant, withdrawn; later tty),
 * "wait_ms" (how long the process waited) and, when a question went out,
 * "approval_id" (ID > 0). 0 or -1.
 */
int audit_asked(struct audit *a, const struct aw_msg *m, int verdict, int asked,
    const char *rule, const char *decided_by, uint64_t wait_ms, uint64_t id);

/*
 * A session grant: "type": "grant", the answer's ID, ALLOW, the op and the
 * object (path, host, or argv prefix and exe), the SCOPE shown with the
 * question and who granted it (DECIDED_BY). 0 or -1.
 */
struct pol_grant;
int audit_grant(struct audit *a, uint64_t id, const struct pol_grant *g,
    const char *scope, const char *decided_by);

/*
 * Something an approval channel sent that was not trusted (a malformed,
 * unknown or duplicate answer) or a change of its state: "type":
 * "approval_error", the CHANNEL, WHY, and up to 1024 bytes of LINE (any
 * bytes; LINE may be NULL). 0 or -1.
 */
int audit_approval_error(struct audit *a, const char *channel, const char *why,
    const void *line, size_t len);

/*
 * approval_policy = on-failure: the command failed and is run again with
 * NGRANTS grants, as the approval CHANNEL (decided_by) said: "type":
 * "rerun", "exit_status" of the first run, "grants", "decided_by". 0 or -1.
 */
int audit_rerun(
    struct audit *a, int first_status, size_t ngrants, const char *decided_by);

/*
 * For other records built with jansson (the harness channel): KEY = S as
 * a JSON string, and KEY_b64 with the exact bytes if S is not UTF-8; an
 * argv the same way. 0 or -1.
 */
int audit_json_bytes(json_t *o, const char *key, const char *s);
int audit_json_argv(
    json_t *o, const char *key, const char *const *argv, size_t argc);

/* A ring message that did not decode: who sent it (owner_pid, as the slot
 * says) and how long it was. 0 or -1. */
int audit_malformed(
    struct audit *a, int32_t owner_pid, size_t len, const char *why);

/*
 * The session_end record: the exit status agentwrap returns, the signal
 * that ended the command (0 if none), counts per op and verdict. 0 or -1.
 */
/*
 * An "exit" record: process PID, reaped by the supervisor (the command,
 * and every process orphaned before it exited), ended with wait STATUS.
 * Kernel-sourced: the pid and status are waitpid's. 0 or -1.
 */
int audit_exit(struct audit *a, pid_t pid, int status);

int audit_end(struct audit *a, int exit_status, int signo);

/* Whether a write failed (already reported on stderr). */
int audit_failed(const struct audit *a);

/* Close; 0, or -1 if any record could not be written. */
int audit_close(struct audit *a);

/* Exported for tests: UTF-8 validity, and base64 into OUT (4*ceil(n/3)+1). */
int audit_utf8_valid(const uint8_t *s, size_t n);
void audit_base64(const uint8_t *s, size_t n, char *out);

#endif /* AGENTWRAP_AUDIT_H */
